package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"
	"time"

	"kuzot/crawler"
)

// cmdServe runs the scheduler and crawler until SIGINT or SIGTERM, then
// shuts down in order: the crawler stops starting polls and lets those
// under way store what they fetched, then the store closes.
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

	c := crawler.New(a.cfg, a.store, a.log)
	a.log.Info("kuzot serving", "config", a.cfgPath, "data_dir", a.cfg.DataDir, "sources", len(c.Sources()), "timezone", a.cfg.Timezone)
	start := time.Now()
	err = c.Run(ctx)
	a.log.Info("kuzot stopped", "uptime", time.Since(start).Round(time.Second))
	return err
}
