package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"kuzot/config"
	"kuzot/crawler/crawltest"
	"kuzot/store"
	"kuzot/web"
)

//go:embed demodata/articles.yaml
var demoArticles []byte

// demoArticle is one invented article the demo replays.
type demoArticle struct {
	Site  string   `yaml:"site"` // listing, rss or telegram
	At    string   `yaml:"at"`   // offset from the start: "-3h" published before, "45s" after
	Title string   `yaml:"title"`
	Body  []string `yaml:"body"`

	at time.Duration
}

// demoSites are the three local outlets: where they are served and what
// the crawler knows them as.
var demoSites = []struct {
	key, id, outlet, kind string
	reach                 int
}{
	{"listing", "demo-kaktus", "kaktus.demo", config.KindHTML, 1},
	{"rss", "demo-rss", "24.demo", config.KindRSS, 2},
	{"telegram", "demo-telegram", "t.me/demo_news", config.KindTelegram, 2},
}

// cmdDemo runs the whole service offline against three local news sites
// that publish invented articles every few seconds, with the web UI and a
// demo login.
func cmdDemo(args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	listen := fs.String("listen", "127.0.0.1:8080", "address of the web UI")
	pace := fs.Float64("pace", 1, "speed of the replay: 2 publishes twice as fast")
	keep := fs.String("data", "", "keep the demo's data in this directory (default: a temporary one, removed at exit)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *pace <= 0 {
		return fmt.Errorf("demo: --pace %g must be positive", *pace)
	}
	common.logLevel = "warn"
	a, err := common.load()
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	return runDemo(ctx, a, demoOptions{Listen: *listen, Pace: *pace, Dir: *keep, Out: os.Stdout})
}

type demoOptions struct {
	Listen string
	Pace   float64
	Dir    string
	Out    io.Writer
	// Ready is called with the UI address and the demo password once the
	// service runs (tests).
	Ready func(addr, password string)
}

func loadDemoArticles() ([]demoArticle, error) {
	var arts []demoArticle
	if err := yaml.Unmarshal(demoArticles, &arts); err != nil {
		return nil, fmt.Errorf("demo: articles: %w", err)
	}
	for i := range arts {
		d, err := time.ParseDuration(arts[i].At)
		if err != nil {
			return nil, fmt.Errorf("demo: article %d: at %q: %w", i, arts[i].At, err)
		}
		arts[i].at = d
	}
	sort.SliceStable(arts, func(i, j int) bool { return arts[i].at < arts[j].at })
	return arts, nil
}

func runDemo(ctx context.Context, a *app, opt demoOptions) error {
	arts, err := loadDemoArticles()
	if err != nil {
		return err
	}
	dir := opt.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "kuzot-demo-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	start := time.Now()
	scale := func(d time.Duration) time.Duration { return time.Duration(float64(d) / opt.Pace) }

	// The sites, with what was published before the demo began.
	sites := map[string]*crawltest.Site{}
	urls := map[string]string{}
	for _, s := range demoSites {
		site := crawltest.New()
		srv := httptest.NewServer(site)
		defer srv.Close()
		sites[s.key], urls[s.key] = site, srv.URL
	}
	for i, art := range arts {
		if art.at <= 0 {
			sites[art.Site].Publish(crawltest.Article{ID: i + 1, Title: art.Title, Body: art.Body, Published: start.Add(art.at)})
		}
	}

	cfg := *a.cfg
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Crawler.HostInterval = 0
	cfg.Crawler.MinInterval = config.Duration(scale(2 * time.Second))
	cfg.Crawler.MaxInterval = config.Duration(scale(5 * time.Second))
	cfg.Sources = nil
	for _, s := range demoSites {
		src := config.Source{ID: s.id, Outlet: s.outlet, Kind: s.kind, Reach: s.reach, Interval: config.Duration(scale(5 * time.Second))}
		switch s.kind {
		case config.KindHTML:
			src.URL = urls[s.key] + "/?lable=8&order=time"
			src.Selectors = &config.Selectors{Item: "div.Tag--article", Link: "a.ArticleItem--name", Title: "h1.Article--title",
				Time: "time.Article--createAt", TimeAttr: "datetime", Body: "div.Article--text div.BbCode p"}
		case config.KindRSS:
			src.URL = urls[s.key] + "/rss.xml"
		case config.KindTelegram:
			src.URL = "https://t.me/s/demo_news"
		}
		cfg.Sources = append(cfg.Sources, src)
	}
	cfg.Alerting.GroupWait = config.Duration(scale(10 * time.Second))
	cfg.Alerting.Receivers, cfg.Alerting.Routes = nil, nil
	cfg.Alerting.Spikes.Enabled = false
	cfg.Web.Listen = opt.Listen
	cfg.Alerting.BaseURL = "http://" + opt.Listen
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// Validate accepts only t.me for a channel; the local site stands in.
	for i := range cfg.Sources {
		if cfg.Sources[i].Kind == config.KindTelegram {
			cfg.Sources[i].URL = urls["telegram"] + "/s/demo_news"
		}
	}

	d := &app{cfgPath: a.cfgPath, cfg: &cfg, log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	password, err := demoUser(ctx, &cfg)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(opt.Out, "%s  %s\n", time.Now().In(cfg.Location()).Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	d.onAlert = func(al *store.Alert, kind string) {
		switch kind {
		case "new":
			say("ALERT %s [%s] %s — http://%s/alerts/%s", al.ID, strings.ToUpper(al.Severity), al.Title, opt.Listen, al.ID)
		case "escalation":
			say("ESCALATED %s to %s: %s", al.ID, strings.ToUpper(al.Severity), al.Title)
		case "update":
			say("  + %s: %d articles now", al.ID, len(al.Articles)+1)
		}
	}
	fmt.Fprintf(opt.Out, `Kuzot demo: three local news sites, the default rules, no internet.

  Open   http://%s
  Login  demo / %s

Articles are published every few seconds; the first crisis alert comes within a minute. Ctrl-C stops.

`, opt.Listen, password)

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- d.serve(runCtx) }()
	if opt.Ready != nil {
		opt.Ready(opt.Listen, password)
	}
	for i, art := range arts {
		if art.at <= 0 {
			continue
		}
		select {
		case <-runCtx.Done():
			return <-served
		case err := <-served:
			return err
		case <-time.After(time.Until(start.Add(scale(art.at)))):
		}
		sites[art.Site].Publish(crawltest.Article{ID: i + 1, Title: art.Title, Body: art.Body, Published: time.Now()})
		say("published on %s: %s", outletOf(art.Site), art.Title)
	}
	say("the replay is over; Kuzot keeps running until Ctrl-C")
	return <-served
}

func outletOf(key string) string {
	for _, s := range demoSites {
		if s.key == key {
			return s.outlet
		}
	}
	return key
}

// demoUser creates the demo's analyst with a fresh password in the demo's
// store.
func demoUser(ctx context.Context, cfg *config.Config) (string, error) {
	st, err := store.Open(ctx, filepath.Join(cfg.DataDir, "kuzot.db"))
	if err != nil {
		return "", err
	}
	defer st.Close()
	if u, err := st.UserByName(ctx, "demo"); err == nil && u != nil {
		// A kept demo directory: a new password for the old user.
		hash, pw := "", web.GeneratePassword()
		if hash, err = web.HashPassword(pw); err != nil {
			return "", err
		}
		return pw, st.SetPassword(ctx, u.ID, hash)
	}
	_, pw, err := web.AddUser(ctx, st, "demo", "admin", "", time.Now())
	return pw, err
}
