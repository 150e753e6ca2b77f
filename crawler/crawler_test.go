package crawler_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kuzot/config"
	"kuzot/crawler"
	"kuzot/crawler/crawltest"
	"kuzot/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// testConfig is a valid configuration for srcs with politeness delays
// shrunk to test size. The timeouts stay long enough for a loaded machine;
// a test of a server that never answers shortens them itself.
func testConfig(t testing.TB, srcs ...config.Source) *config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Crawler.HostInterval = 0
	cfg.Crawler.ConnectTimeout = config.Duration(10 * time.Second)
	cfg.Crawler.HeaderTimeout = config.Duration(10 * time.Second)
	cfg.Crawler.BodyTimeout = config.Duration(20 * time.Second)
	cfg.Crawler.MinInterval = config.Duration(10 * time.Millisecond)
	cfg.Sources = srcs
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(dir, "kuzot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// bishkek is the sites' zone; articles are published at round local times.
var bishkek = func() *time.Location {
	l, err := time.LoadLocation("Asia/Bishkek")
	if err != nil {
		panic(err)
	}
	return l
}()

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, bishkek)

func sampleArticles() []crawltest.Article {
	return []crawltest.Article{
		{ID: 101, Title: "В роддоме Бишкека роженице ввели антисептик вместо лекарства", Published: now.Add(-3 * time.Hour),
			Body: []string{"Минздрав начал служебную проверку после жалобы родственников.", "Пациентка находится в реанимации, её состояние оценивают как тяжёлое."}},
		{ID: 102, Title: "Ош шаарындагы ооруканада рентген аппараты кар астында калды", Published: now.Add(-2 * time.Hour),
			Body: []string{"Ооруканасынын короосунда жаңы аппарат бир айдан бери турат.", "Дарыгерлер бейтаптар үчүн кооптуу экенин айтышты."}},
		{ID: 103, Title: "В регионах не хватает инсулина", Published: now.Add(-time.Hour),
			Body: []string{"Пациенты жалуются на перебои с лекарствами в аптеках.", "В ведомстве обещали решить вопрос до конца недели."}},
	}
}

type fixture struct {
	site  *crawltest.Site
	srv   *httptest.Server
	store *store.Store
	cfg   *config.Config
	c     *crawler.Crawler
}

func newFixture(t *testing.T, site *crawltest.Site, srcs func(base string) []config.Source) *fixture {
	t.Helper()
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	cfg := testConfig(t, srcs(srv.URL)...)
	st := openStore(t, cfg.DataDir)
	c := crawler.New(cfg, st, quiet, crawler.WithClock(func() time.Time { return now }))
	return &fixture{site: site, srv: srv, store: st, cfg: cfg, c: c}
}

func (f *fixture) poll(t *testing.T, i int) crawler.PollResult {
	t.Helper()
	return f.c.Poll(context.Background(), &f.cfg.Sources[i])
}

func (f *fixture) count(t *testing.T) int {
	t.Helper()
	n, err := f.store.CountArticles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) article(t *testing.T, url string) *store.Article {
	t.Helper()
	a, err := f.store.ArticleByURL(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func htmlSource(base string) config.Source {
	return config.Source{ID: "kaktus", Kind: config.KindHTML, URL: base + "/?lable=8&order=time", Outlet: "kaktus.media",
		BackfillURL: base + "/?lable=8&date={date}&order=time", Selectors: crawltest.KaktusSelectors()}
}

func TestPollListingSite(t *testing.T) {
	f := newFixture(t, crawltest.New(sampleArticles()...), func(base string) []config.Source {
		return []config.Source{htmlSource(base)}
	})
	r := f.poll(t, 0)
	if r.Err != nil || r.Status != "ok" || r.Items != 3 || r.Stored != 3 {
		t.Fatalf("first poll: %+v", r)
	}
	a := f.article(t, f.srv.URL+"/doc/101.html")
	if a.Title != "В роддоме Бишкека роженице ввели антисептик вместо лекарства" {
		t.Errorf("title %q", a.Title)
	}
	if !strings.Contains(a.Body, "служебную проверку") || !strings.Contains(a.Body, "реанимации") {
		t.Errorf("body misses paragraphs: %q", a.Body)
	}
	if strings.Contains(a.Body, "Есть тема") || strings.Contains(a.Body, "Поделиться") || strings.Contains(a.Body, "Комментарии") {
		t.Errorf("body keeps the site's furniture: %q", a.Body)
	}
	if !a.Published.Equal(now.Add(-3*time.Hour)) || a.Lang != "ru" || a.Outlet != "kaktus.media" {
		t.Errorf("article %+v", a)
	}
	if ky := f.article(t, f.srv.URL+"/doc/102.html"); ky.Lang != "ky" {
		t.Errorf("Kyrgyz article detected as %q", ky.Lang)
	}

	// A second poll finds nothing new and fetches no article page again.
	r = f.poll(t, 0)
	if r.Err != nil || r.New != 0 || r.Stored != 0 {
		t.Fatalf("second poll: %+v", r)
	}
	if n := f.site.Requests("/doc/101.html"); n != 1 {
		t.Errorf("article page fetched %d times, want once", n)
	}
	f.site.Publish(crawltest.Article{ID: 104, Title: "Новая статья", Body: []string{"Текст новой статьи о больнице."}, Published: now})
	if r = f.poll(t, 0); r.Stored != 1 {
		t.Errorf("poll after publishing: %+v", r)
	}
	st, _ := f.store.SourceState(context.Background(), "kaktus")
	if st.LastStatus != "ok" || st.ErrorCount != 0 || st.ItemsSeen != 10 || !st.NextCheck.After(now) {
		t.Errorf("source state %+v", st)
	}
}

func TestPollFeedsFetchFullText(t *testing.T) {
	f := newFixture(t, crawltest.New(sampleArticles()...), func(base string) []config.Source {
		return []config.Source{
			{ID: "rss", Kind: config.KindRSS, URL: base + "/rss.xml"},
			{ID: "atom", Kind: config.KindRSS, URL: base + "/atom.xml"},
		}
	})
	r := f.poll(t, 0)
	if r.Err != nil || r.Stored != 3 {
		t.Fatalf("rss poll: %+v", r)
	}
	// The feed's link carries utm_source; the stored URL is canonical.
	a := f.article(t, f.srv.URL+"/news/101")
	if !strings.Contains(a.Body, "реанимации") {
		t.Errorf("full text not fetched (the feed has only the lead): %q", a.Body)
	}
	if strings.Contains(a.Body, "Читайте также") {
		t.Errorf("read-also block kept: %q", a.Body)
	}
	// The Atom feed links to the same pages: nothing new is stored.
	r = f.poll(t, 1)
	if r.Err != nil || r.Items != 3 || r.Stored != 0 {
		t.Fatalf("atom poll: %+v", r)
	}
	if n := f.count(t); n != 3 {
		t.Errorf("%d articles stored, want 3", n)
	}
}

func TestPollWindows1251(t *testing.T) {
	// windows-1251 has no ң, ө, ү: such sites carry Russian text.
	arts := sampleArticles()
	arts = append(arts[:1], arts[2:]...)
	f := newFixture(t, crawltest.New(arts...), func(base string) []config.Source {
		s := htmlSource(base)
		s.URL = base + "/cp1251/"
		return []config.Source{s}
	})
	r := f.poll(t, 0)
	if r.Err != nil || r.Stored != 2 {
		t.Fatalf("poll: %+v", r)
	}
	a := f.article(t, f.srv.URL+"/cp1251/doc/103.html")
	if a.Title != "В регионах не хватает инсулина" || !strings.Contains(a.Body, "перебои с лекарствами") {
		t.Errorf("windows-1251 text not decoded: %q / %q", a.Title, a.Body)
	}
}

func TestPollTelegramCatchesUpThroughPages(t *testing.T) {
	site := crawltest.New(crawltest.Generate(1, 50, now.Add(-48*time.Hour), time.Minute, 1)...)
	f := newFixture(t, site, func(base string) []config.Source {
		return []config.Source{{ID: "tg", Kind: config.KindTelegram, URL: "https://t.me/s/health_news"}}
	})
	// The source URL must be t.me; point the crawler at the local site by
	// rewriting requests in a transport-free way: the site serves /s/.
	f.cfg.Sources[0].URL = f.srv.URL + "/s/health_news"
	r := f.poll(t, 0)
	if r.Err != nil || r.Stored != 20 {
		t.Fatalf("first poll stores the newest page: %+v", r)
	}
	a := f.article(t, "https://t.me/health_news/50")
	if a.Views != 7700 || a.Title == "" || !strings.HasPrefix(a.Body, a.Title) {
		t.Errorf("post 50: views %d title %q", a.Views, a.Title)
	}
	// 45 posts while Kuzot was away: the next poll pages back to post 51.
	site.Publish(crawltest.Generate(51, 45, now.Add(-time.Hour), time.Minute, 2)...)
	r = f.poll(t, 0)
	if r.Err != nil || r.Stored != 45 {
		t.Fatalf("catch-up poll: %+v", r)
	}
	if n := f.count(t); n != 65 {
		t.Errorf("%d posts stored, want 65", n)
	}
	st, _ := f.store.SourceState(context.Background(), "tg")
	if st.Cursor != "95" {
		t.Errorf("cursor %q, want 95", st.Cursor)
	}
}

func TestBackfillByDate(t *testing.T) {
	var arts []crawltest.Article
	for d := 0; d < 6; d++ {
		for i := 0; i < 3; i++ {
			arts = append(arts, crawltest.Article{ID: 1000 + d*10 + i, Title: fmt.Sprintf("День %d, новость %d", d, i),
				Body: []string{fmt.Sprintf("Текст новости %d дня %d.", i, d)}, Published: now.AddDate(0, 0, -d).Add(-time.Duration(i) * time.Hour)})
		}
	}
	f := newFixture(t, crawltest.New(arts...), func(base string) []config.Source {
		return []config.Source{htmlSource(base)}
	})
	var steps []crawler.BackfillStep
	f.c.Backfill(context.Background(), now.AddDate(0, 0, -3), func(s crawler.BackfillStep) { steps = append(steps, s) })
	// Today and the three days before: 4 listing pages of 3 articles.
	if n := f.count(t); n != 12 {
		t.Errorf("backfill stored %d, want 12", n)
	}
	if len(steps) != 4 || !steps[3].Done || steps[0].Err != nil {
		t.Errorf("steps %+v", steps)
	}
}

// TestBadInputsLoseNothing serves one broken response after another where a
// good feed was: each poll fails with an error that names the problem, the
// source's health records it, and the stored articles stay.
func TestBadInputsLoseNothing(t *testing.T) {
	site := crawltest.New(sampleArticles()...)
	var mode atomic.Value
	mode.Store("")
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/rss.xml" {
			site.ServeHTTP(w, r)
			return
		}
		switch mode.Load().(string) {
		case "html":
			fmt.Fprint(w, "<!DOCTYPE html><html><body><h1>Новости</h1></body></html>")
		case "empty":
			w.WriteHeader(http.StatusOK)
		case "malformed":
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><item><title>Обрыв`)
		case "huge":
			w.Header().Set("Content-Type", "application/rss+xml")
			chunk := strings.Repeat("<!-- заполнитель -->", 1000)
			for i := 0; i < 50<<20/len(chunk); i++ {
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
		case "loop":
			http.Redirect(w, r, "/rss.xml", http.StatusFound)
		case "hang":
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		case "503":
			w.Header().Set("Retry-After", "120")
			http.Error(w, "busy", http.StatusServiceUnavailable)
		default:
			site.ServeHTTP(w, r)
		}
	})
	srv := httptest.NewServer(handler)
	defer srv.Close()
	cfg := testConfig(t, config.Source{ID: "rss", Kind: config.KindRSS, URL: srv.URL + "/rss.xml"})
	// The server that never answers is given up on after a second.
	cfg.Crawler.HeaderTimeout = config.Duration(500 * time.Millisecond)
	cfg.Crawler.BodyTimeout = config.Duration(time.Second)
	st := openStore(t, cfg.DataDir)
	c := crawler.New(cfg, st, quiet, crawler.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	if r := c.Poll(ctx, &cfg.Sources[0]); r.Stored != 3 {
		t.Fatalf("good poll: %+v", r)
	}
	tests := []struct{ mode, want string }{
		{"html", "HTML"},
		{"empty", "empty"},
		{"malformed", "malformed"},
		{"huge", "large"},
		{"loop", "redirect"},
		{"hang", "timeout"},
		{"503", "503"},
	}
	for i, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			mode.Store(tt.mode)
			r := c.Poll(ctx, &cfg.Sources[0])
			if r.Err == nil {
				t.Fatalf("poll succeeded: %+v", r)
			}
			if !strings.Contains(strings.ToLower(r.Err.Error()), strings.ToLower(tt.want)) {
				t.Errorf("error %q does not mention %q", r.Err, tt.want)
			}
			state, _ := st.SourceState(ctx, "rss")
			if state.ErrorCount != i+1 || state.LastError != r.Err.Error() {
				t.Errorf("health: %d errors, last %q", state.ErrorCount, state.LastError)
			}
			if n, _ := st.CountArticles(ctx); n != 3 {
				t.Errorf("%d articles left, want 3", n)
			}
		})
	}
	state, _ := st.SourceState(ctx, "rss")
	if d := state.NextCheck.Sub(now); d < 120*time.Second {
		t.Errorf("Retry-After 120 not honoured: next check in %s", d)
	}
	mode.Store("")
	if r := c.Poll(ctx, &cfg.Sources[0]); r.Err != nil || r.Status != "ok" {
		t.Errorf("recovery poll: %+v", r)
	}
	if state, _ = st.SourceState(ctx, "rss"); state.ErrorCount != 0 {
		t.Errorf("errors not reset after recovery: %d", state.ErrorCount)
	}
}

func TestRunPollsUntilCancelled(t *testing.T) {
	site := crawltest.New(sampleArticles()...)
	srv := httptest.NewServer(site)
	defer srv.Close()
	s := htmlSource(srv.URL)
	s.Interval = config.Duration(20 * time.Millisecond)
	cfg := testConfig(t, s, config.Source{ID: "rss", Kind: config.KindRSS, URL: srv.URL + "/rss.xml", Interval: config.Duration(20 * time.Millisecond)})
	cfg.Crawler.MaxInterval = config.Duration(50 * time.Millisecond)
	st := openStore(t, cfg.DataDir)
	c := crawler.New(cfg, st, quiet)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- c.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for (site.Requests("/") < 3 || site.Requests("/rss.xml") < 2) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop after cancel")
	}
	if site.Requests("/") < 3 || site.Requests("/rss.xml") < 2 {
		t.Errorf("sources polled %d and %d times, want repeated polls", site.Requests("/"), site.Requests("/rss.xml"))
	}
	if n, _ := st.CountArticles(context.Background()); n != 3 {
		t.Errorf("%d articles stored, want 3", n)
	}
}

// feedServer serves the feed body and counts conditional requests.
type feedServer struct {
	body        func(base string) string
	conditional atomic.Int32
}

func (f *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/robots.txt" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("If-None-Match") == `"v1"` {
		f.conditional.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", `"v1"`)
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprint(w, f.body("http://"+r.Host))
}

func rssOf(items ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Лента</title>` + strings.Join(items, "") + `</channel></rss>`
}

func rssItem(link, guid, title, date, desc string) string {
	return fmt.Sprintf(`<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>`, title, link, guid, date, desc)
}

func TestPollFeedEdgeCases(t *testing.T) {
	t.Run("10,000 items", func(t *testing.T) {
		fs := &feedServer{body: func(base string) string {
			var items []string
			for i := 0; i < 10000; i++ {
				items = append(items, rssItem(fmt.Sprintf("%s/n/%d", base, i), fmt.Sprint(i), fmt.Sprintf("Новость номер %d", i),
					"Tue, 24 Nov 2026 10:00:00 +0600", fmt.Sprintf("Краткий текст новости %d о работе поликлиники.", i)))
			}
			return rssOf(items...)
		}}
		srv := httptest.NewServer(fs)
		defer srv.Close()
		full := false
		cfg := testConfig(t, config.Source{ID: "big", Kind: config.KindRSS, URL: srv.URL + "/feed", FullText: &full})
		st := openStore(t, cfg.DataDir)
		c := crawler.New(cfg, st, quiet, crawler.WithClock(func() time.Time { return now }))
		r := c.Poll(context.Background(), &cfg.Sources[0])
		if r.Err != nil || r.Items != 10000 || r.Stored != 10000 {
			t.Fatalf("poll: %+v", r)
		}
		// The second poll sends the ETag and gets 304: nothing to parse.
		r = c.Poll(context.Background(), &cfg.Sources[0])
		if r.Err != nil || r.Status != "not modified" || fs.conditional.Load() != 1 {
			t.Errorf("conditional poll: %+v (304s: %d)", r, fs.conditional.Load())
		}
	})
	t.Run("duplicate GUIDs, future and odd dates, republished text", func(t *testing.T) {
		fs := &feedServer{body: func(base string) string {
			return rssOf(
				rssItem(base+"/a", "same", "Первая новость о больнице", "Wed, 25 Nov 2026 09:00:00 +0600", "Текст первой новости."),
				rssItem(base+"/a", "same", "Первая новость о больнице", "Wed, 25 Nov 2026 09:00:00 +0600", "Текст первой новости."),
				rssItem(base+"/future", "f", "Новость из будущего", "Fri, 25 Dec 2026 09:00:00 +0600", "Часы сайта спешат."),
				rssItem(base+"/odd", "o", "Новость со странной датой", "25.11.2026 08:15", "Дата в местном формате."),
				rssItem(base+"/copy?utm_source=tg", "c", "Первая новость о больнице", "Wed, 25 Nov 2026 10:00:00 +0600", "Текст первой новости."),
			)
		}}
		srv := httptest.NewServer(fs)
		defer srv.Close()
		full := false
		cfg := testConfig(t, config.Source{ID: "odd", Kind: config.KindRSS, URL: srv.URL + "/feed", FullText: &full})
		st := openStore(t, cfg.DataDir)
		c := crawler.New(cfg, st, quiet, crawler.WithClock(func() time.Time { return now }))
		r := c.Poll(context.Background(), &cfg.Sources[0])
		if r.Err != nil || r.Stored != 3 || r.Duplicates != 1 {
			t.Fatalf("poll: %+v", r)
		}
		ctx := context.Background()
		future, err := st.ArticleByURL(ctx, srv.URL+"/future")
		if err != nil {
			t.Fatal(err)
		}
		if !future.Published.Equal(now) {
			t.Errorf("a date a month ahead is kept as %s, want the fetch time", future.Published)
		}
		copied, err := st.ArticleByURL(ctx, srv.URL+"/copy")
		if err != nil {
			t.Fatal(err)
		}
		first, _ := st.ArticleByURL(ctx, srv.URL+"/a")
		if copied.ID != first.ID {
			t.Errorf("republished text stored twice: %d and %d", copied.ID, first.ID)
		}
	})
}

// TestPollAllBoundsWorkers polls more sources than workers against a slow
// server and checks that no more than crawler.workers fetches run at once,
// and that they do run side by side.
func TestPollAllBoundsWorkers(t *testing.T) {
	var inFlight, most atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(30 * time.Millisecond)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssOf())
	}))
	defer srv.Close()
	var srcs []config.Source
	for i := range 9 {
		srcs = append(srcs, config.Source{ID: fmt.Sprintf("feed-%d", i), Kind: config.KindRSS, URL: fmt.Sprintf("%s/feed/%d", srv.URL, i)})
	}
	cfg := testConfig(t, srcs...)
	cfg.Crawler.Workers = 3
	c := crawler.New(cfg, openStore(t, cfg.DataDir), quiet)
	for _, r := range c.PollAll(context.Background(), nil) {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Source, r.Err)
		}
	}
	if m := most.Load(); m != 3 {
		t.Errorf("at most %d fetches ran at once, want 3 (the workers)", m)
	}
}

// slowSite serves a page that hangs until release is closed and counts
// the requests it is holding.
type slowSite struct {
	release chan struct{}
	holding atomic.Int32
}

func (s *slowSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/robots.txt" {
		http.NotFound(w, r)
		return
	}
	s.holding.Add(1)
	defer s.holding.Add(-1)
	select {
	case <-s.release:
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprint(w, rssOf())
}

// TestPollAllSlowSiteHoldsUpNoOne polls a site that does not answer beside
// six that do: the six finish while the slow one still hangs.
func TestPollAllSlowSiteHoldsUpNoOne(t *testing.T) {
	slow := &slowSite{release: make(chan struct{})}
	slowSrv := httptest.NewServer(slow)
	defer slowSrv.Close()
	site := crawltest.New(sampleArticles()...)
	srv := httptest.NewServer(site)
	defer srv.Close()
	full := false
	srcs := []config.Source{{ID: "slow", Kind: config.KindRSS, URL: slowSrv.URL + "/feed"}}
	for i := range 6 {
		srcs = append(srcs, config.Source{ID: fmt.Sprintf("fast-%d", i), Kind: config.KindRSS, URL: fmt.Sprintf("%s/rss.xml?copy=%d", srv.URL, i), FullText: &full})
	}
	cfg := testConfig(t, srcs...)
	// testConfig's timeouts are long enough that a pool held up by the
	// slow site would show.
	cfg.Crawler.Workers = 2
	c := crawler.New(cfg, openStore(t, cfg.DataDir), quiet)
	var order []string
	fast := 0
	start := time.Now()
	results := c.PollAll(context.Background(), func(r crawler.PollResult) {
		order = append(order, r.Source)
		if r.Source != "slow" {
			if fast++; fast == 6 {
				if slow.holding.Load() != 1 {
					t.Errorf("the slow site is holding %d requests when the others are done, want 1", slow.holding.Load())
				}
				close(slow.release)
			}
		}
	})
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("PollAll took %s: the slow site held up the others", d)
	}
	if len(order) != 7 || order[6] != "slow" {
		t.Errorf("sources finished in the order %v, want the slow one last", order)
	}
	for _, r := range results {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Source, r.Err)
		}
	}
}

// TestRunSlowSiteHoldsUpNoOne runs the scheduler with a site that hangs
// and one that answers: the second keeps being polled meanwhile.
func TestRunSlowSiteHoldsUpNoOne(t *testing.T) {
	slow := &slowSite{release: make(chan struct{})}
	slowSrv := httptest.NewServer(slow)
	defer slowSrv.Close()
	site := crawltest.New(sampleArticles()...)
	srv := httptest.NewServer(site)
	defer srv.Close()
	cfg := testConfig(t,
		config.Source{ID: "slow", Kind: config.KindRSS, URL: slowSrv.URL + "/feed"},
		config.Source{ID: "fast", Kind: config.KindRSS, URL: srv.URL + "/rss.xml", Interval: config.Duration(20 * time.Millisecond)})
	cfg.Crawler.Workers = 2
	cfg.Crawler.MaxInterval = config.Duration(50 * time.Millisecond)
	c := crawler.New(cfg, openStore(t, cfg.DataDir), quiet)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- c.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for site.Requests("/rss.xml") < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := site.Requests("/rss.xml"); n < 3 || slow.holding.Load() != 1 {
		t.Errorf("while the slow site hangs (%d requests held) the other was polled %d times, want 3 or more", slow.holding.Load(), n)
	}
	close(slow.release)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not stop after cancel")
	}
}

// TestRunFinishesPollsUnderWay stops the scheduler while a poll is
// fetching an article page: Run waits for the poll, and what it fetched is
// stored rather than dropped.
func TestRunFinishesPollsUnderWay(t *testing.T) {
	site := crawltest.New(sampleArticles()...)
	started := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/news/102" {
			once.Do(func() { close(started) })
			time.Sleep(300 * time.Millisecond)
		}
		site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg := testConfig(t, config.Source{ID: "rss", Kind: config.KindRSS, URL: srv.URL + "/rss.xml"})
	st := openStore(t, cfg.DataDir)
	c := crawler.New(cfg, st, quiet)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- c.Run(ctx) }()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the poll never reached the slow article page")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not stop after cancel")
	}
	if n, _ := st.CountArticles(context.Background()); n != 3 {
		t.Errorf("%d articles stored after the stop, want the 3 the poll under way fetched", n)
	}
	if s, _ := st.SourceState(context.Background(), "rss"); s.LastStatus != "ok" {
		t.Errorf("source state after the stop: %+v", s)
	}
}
