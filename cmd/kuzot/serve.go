package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"
	"time"

	"kuzot/crawler"
	"kuzot/store"
)

// cmdServe runs the scheduler, the crawler and the indexer until SIGINT or
// SIGTERM, then shuts down in order: the crawler stops starting polls and
// lets those under way store what they fetched, the indexer indexes what
// was stored, then the index and the store close.
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
	if err := a.openStore(ctx); err != nil {
		return err
	}
	defer a.close()

	if err := a.openIndex(ctx); err != nil {
		return err
	}
	indexCtx, stopIndex := context.WithCancel(context.Background())
	indexed := make(chan struct{})
	go func() {
		defer close(indexed)
		a.index.Run(indexCtx)
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
	a.log.Info("kuzot stopped", "uptime", time.Since(start).Round(time.Second))
	return err
}
