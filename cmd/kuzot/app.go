package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"kuzot/config"
	"kuzot/index"
	"kuzot/store"
)

// errUsage means the flag package already printed what was wrong.
var errUsage = errors.New("usage")

// app is what every command shares: the configuration, the log and, once
// opened, the store.
type app struct {
	cfgPath string
	cfg     *config.Config
	log     *slog.Logger
	store   *store.Store
	index   *index.Index
	// onAlert, when set, hears of every alert change (the demo prints them).
	onAlert func(a *store.Alert, kind string)
	// onMatch, when set, hears of every match scored on ingest (metrics).
	onMatch func(rule, decision string)
}

// commonFlags adds --config and --log-level to fs.
type commonFlags struct {
	config   string
	logLevel string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "configuration file (default ./config.yaml, then $KUZOT_CONFIG)")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
}

// parse reads flags wherever they stand among the positional arguments, so
// `kuzot search QUERY --json` works as well as `kuzot search --json QUERY`.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(os.Stderr)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// load reads the configuration and sets up the log.
func (c *commonFlags) load() (*app, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", c.logLevel)
	}
	path, err := config.Find(c.config)
	if err != nil {
		return nil, err
	}
	cfg, err := config.LoadFile(path)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	return &app{cfgPath: path, cfg: cfg, log: log}, nil
}

// loadStore is load followed by openStore, for the commands that work on
// the store alone; the caller closes the app.
func (c *commonFlags) loadStore(ctx context.Context) (*app, error) {
	a, err := c.load()
	if err != nil {
		return nil, err
	}
	if err := a.openStore(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// openStore opens the SQLite file in the data directory.
func (a *app) openStore(ctx context.Context) error {
	st, err := store.Open(ctx, filepath.Join(a.cfg.DataDir, "kuzot.db"))
	if err != nil {
		return err
	}
	a.store = st
	return nil
}

// openIndex opens the search index in the data directory over the store,
// opening the store first if need be, and brings it up to date: a missing
// or unreadable index is rebuilt from the store here, with a progress bar
// on a terminal.
func (a *app) openIndex(ctx context.Context, opts ...index.Option) error {
	if a.store == nil {
		if err := a.openStore(ctx); err != nil {
			return err
		}
	}
	set, err := newRuleSet(a.cfg)
	if err != nil {
		return err
	}
	opts = append([]index.Option{index.WithLabels(set.scoreArticles(a.store, time.Now, a.onMatch))}, opts...)
	x, err := index.Open(filepath.Join(a.cfg.DataDir, "index"), a.store, a.log, opts...)
	if err != nil {
		return err
	}
	a.index = x
	bar := newCountBar("indexing", os.Stderr)
	defer bar.finish()
	_, err = x.Sync(ctx, bar.set)
	return err
}

func (a *app) close() {
	if a.index != nil {
		if err := a.index.Close(); err != nil {
			a.log.Error("close index", "err", err)
		}
	}
	if a.store != nil {
		if err := a.store.Close(); err != nil {
			a.log.Error("close store", "err", err)
		}
	}
}

// parseAge reads "30d", "12h" or "90m" as a duration back from now.
func parseAge(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not an age (try \"7d\")", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not an age (try \"7d\" or \"12h\")", s)
	}
	return v, nil
}

// isTerminal reports whether w is a terminal, for progress bars.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// ago writes t as a short age, "—" for never.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := now.Sub(t).Round(time.Second)
	switch {
	case d < 0:
		return "in " + (-d).String()
	case d < time.Minute:
		return d.String() + " ago"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm ago", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
}
