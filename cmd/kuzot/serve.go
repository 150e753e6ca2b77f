package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"kuzot/alerting"
	"kuzot/alerting/email"
	"kuzot/alerting/slack"
	"kuzot/backtest"
	"kuzot/crawler"
	"kuzot/digest"
	"kuzot/index"
	"kuzot/store"
	"kuzot/web"
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

	metrics := web.NewMetrics()
	a.onMatch = metrics.RuleMatched
	var counter indexCounter
	engine, err := a.newEngine(alerting.WithCounter(&counter),
		alerting.WithDeliveries(metrics.Delivery),
		alerting.WithObserver(func(al *store.Alert, kind string) {
			if kind == alerting.KindNew && al.Kind == "rule" {
				metrics.Detected(al.Created.Sub(al.FirstPublished))
			}
		}))
	if err != nil {
		return err
	}
	if err := a.openIndex(ctx, index.WithSynced(func(int64) { engine.Wake() })); err != nil {
		return err
	}
	counter.x = a.index
	// The weekly digest runs on its cron beside everything else.
	digestCtx, stopDigest := context.WithCancel(context.Background())
	digested := make(chan struct{})
	if len(a.cfg.Digest.Recipients) > 0 {
		sender, derr := email.NewSender(a.cfg.SMTP)
		if derr != nil {
			stopDigest()
			return derr
		}
		runner, derr := digest.NewRunner(a.cfg, a.store, digest.IndexCounter{X: a.index}, sender, a.log, digest.Options{})
		if derr != nil {
			stopDigest()
			return derr
		}
		go func() {
			defer close(digested)
			if err := runner.Run(digestCtx); err != nil && digestCtx.Err() == nil {
				a.log.Error("digest scheduler stopped", "err", err)
			}
		}()
	} else {
		close(digested)
	}
	defer func() {
		stopDigest()
		<-digested
	}()

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

	httpSrv, err := a.webServer(engine, metrics)
	if err != nil {
		stopAlerting()
		stopIndex()
		<-alerted
		<-indexed
		return err
	}
	ln, err := net.Listen("tcp", a.cfg.Web.Listen)
	if err != nil {
		stopAlerting()
		stopIndex()
		<-alerted
		<-indexed
		return fmt.Errorf("web.listen %s: %w (another kuzot running? set web.listen to a free address)", a.cfg.Web.Listen, err)
	}
	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()

	c := crawler.New(a.cfg, a.store, a.log,
		crawler.WithStored(func(context.Context, []*store.Article) { a.index.Notify() }),
		crawler.WithPolled(func(r crawler.PollResult) { metrics.Fetch(r.Source, strings.ReplaceAll(r.Status, " ", "_")) }))
	a.log.Info("kuzot serving", "config", a.cfgPath, "data_dir", a.cfg.DataDir, "sources", len(c.Sources()),
		"timezone", a.cfg.Timezone, "web", "http://"+ln.Addr().String())
	start := time.Now()
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	crawled := make(chan error, 1)
	go func() { crawled <- c.Run(runCtx) }()
	select {
	case <-ctx.Done():
	case err = <-served:
		// The web server failing stops the service: nobody could see it.
		err = fmt.Errorf("web server: %w", err)
		a.log.Error("web server failed; stopping", "err", err)
		cancelRun()
	}
	// In order: no new requests, then the crawler's polls under way store
	// what they fetched, the index takes it in, alerts go out.
	shutCtx, cancelShut := context.WithTimeout(context.Background(), 5*time.Second)
	if serr := httpSrv.Shutdown(shutCtx); serr != nil {
		a.log.Warn("web server shutdown", "err", serr)
	}
	cancelShut()
	if cerr := <-crawled; err == nil {
		err = cerr
	}
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

// webServer builds the HTTP server of the UI and API, with Slack's
// interactive endpoint for each Slack receiver that has a signing secret:
// /slack/actions for the first, /slack/actions/NAME for each.
func (a *app) webServer(engine *alerting.Engine, metrics *web.Metrics) (*http.Server, error) {
	set, err := backtest.NewSet(a.cfg)
	if err != nil {
		return nil, err
	}
	ui, err := web.New(web.Deps{Config: a.cfg, Store: a.store, Index: a.index, Rules: set, Alerts: engine, Metrics: metrics, Log: a.log})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/", ui.Handler())
	first := true
	for _, r := range a.cfg.Alerting.Receivers {
		if r.Slack == nil || r.Slack.SigningSecret == "" {
			continue
		}
		h := slack.NewHandler(r.Slack.SigningSecret, engine, a.log, time.Now)
		mux.Handle("/slack/actions/"+r.Name, h)
		if first {
			mux.Handle("/slack/actions", h)
			first = false
		}
	}
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}, nil
}
