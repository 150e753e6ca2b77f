package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"
	"time"

	"kuzot/alerting"
	"kuzot/crawler"
	"kuzot/index"
	"kuzot/store"
)

// alertTick is how often the alerting engine looks for scored articles and
// due notifications without being woken.
const alertTick = time.Second

// cmdServe runs the scheduler, the crawler, the indexer and the alerting
// engine until SIGINT or SIGTERM, then shuts down in order: the crawler
// stops starting polls and lets those under way store what they fetched,
// the indexer indexes what was stored, the engine alerts on it and flushes
// its outbox under a deadline, then the index and the store close.
func cmdServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	a, err := common.load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return a.serve(ctx)
}

// serve runs the service until ctx ends.
func (a *app) serve(ctx context.Context) error {
	if err := a.openStore(ctx); err != nil {
		return err
	}
	defer a.close()

	var counter indexCounter
	engine, err := a.newEngine(alerting.WithCounter(&counter))
	if err != nil {
		return err
	}
	if err := a.openIndex(ctx, index.WithSynced(func(int64) { engine.Wake() })); err != nil {
		return err
	}
	counter.x = a.index
	indexCtx, stopIndex := context.WithCancel(context.Background())
	indexed := make(chan struct{})
	go func() {
		defer close(indexed)
		a.index.Run(indexCtx)
	}()
	alertCtx, stopAlerting := context.WithCancel(context.Background())
	alerted := make(chan struct{})
	go func() {
		defer close(alerted)
		engine.Run(alertCtx, a.index.LastID, alertTick)
	}()

	c := crawler.New(a.cfg, a.store, a.log, crawler.WithStored(func(context.Context, []*store.Article) { a.index.Notify() }))
	a.log.Info("kuzot serving", "config", a.cfgPath, "data_dir", a.cfg.DataDir, "sources", len(c.Sources()), "timezone", a.cfg.Timezone)
	start := time.Now()
	err = c.Run(ctx)
	stopIndex()
	<-indexed
	// A last sync indexes what the final polls stored.
	if _, serr := a.index.Sync(context.Background(), nil); serr != nil {
		a.log.Error("final index sync failed; the next start catches up", "err", serr)
	}
	// Alerts on what the final polls stored, and a last delivery pass
	// under a deadline; what it cannot deliver waits in the outbox.
	stopAlerting()
	<-alerted
	flushCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	if _, aerr := engine.Process(flushCtx, a.index.LastID()); aerr != nil {
		a.log.Error("final alerting pass failed; the next start catches up", "err", aerr)
	}
	if _, derr := engine.Deliver(flushCtx); derr != nil {
		a.log.Warn("final delivery pass incomplete; the outbox keeps the rest", "err", derr)
	}
	cancel()
	a.log.Info("kuzot stopped", "uptime", time.Since(start).Round(time.Second))
	return err
}
