package crawler_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"kuzot/config"
	"kuzot/crawler"
	"kuzot/crawler/crawltest"
)

// etagFeed serves an RSS feed of the site's articles at /feed with an ETag,
// answers a matching If-None-Match with 304, and passes every other path to
// the site. Article pages listed in failOnce answer 503 the first time.
type etagFeed struct {
	site *crawltest.Site
	ids  []int

	mu       sync.Mutex
	failOnce map[string]bool
	full     int // feed requests answered in full
	notMod   int // feed requests answered 304
}

func (e *etagFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case r.URL.Path == "/feed" && r.Header.Get("If-None-Match") == `"v1"`:
		e.notMod++
		w.WriteHeader(http.StatusNotModified)
	case r.URL.Path == "/feed":
		e.full++
		var items []string
		for _, id := range e.ids {
			items = append(items, rssItem(fmt.Sprintf("http://%s/news/%d", r.Host, id), fmt.Sprint(id), fmt.Sprintf("Новость %d", id),
				"Wed, 25 Nov 2026 09:00:00 +0600", "Лид."))
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssOf(items...))
	case e.failOnce[r.URL.Path]:
		delete(e.failOnce, r.URL.Path)
		http.Error(w, "busy", http.StatusServiceUnavailable)
	default:
		e.site.ServeHTTP(w, r)
	}
}

// TestPollBacklogSurvivesNotModified checks that entries a poll leaves for
// later are read later: the feed's ETag is kept only once every entry was
// dealt with, so a 304 cannot hide them until the feed changes.
func TestPollBacklogSurvivesNotModified(t *testing.T) {
	setup := func(t *testing.T, n int, clock *time.Time) (*etagFeed, *crawler.Crawler, *config.Config, func() int) {
		arts := crawltest.Generate(1, n, now.Add(-time.Hour), time.Minute, 3)
		feed := &etagFeed{site: crawltest.New(arts...), failOnce: map[string]bool{}}
		for _, a := range arts {
			feed.ids = append(feed.ids, a.ID)
		}
		srv := httptest.NewServer(feed)
		t.Cleanup(srv.Close)
		cfg := testConfig(t, config.Source{ID: "rss", Kind: config.KindRSS, URL: srv.URL + "/feed"})
		st := openStore(t, cfg.DataDir)
		c := crawler.New(cfg, st, quiet, crawler.WithClock(func() time.Time { return *clock }))
		count := func() int {
			n, err := st.CountArticles(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		return feed, c, cfg, count
	}

	t.Run("over the per-poll limit", func(t *testing.T) {
		clock := now
		feed, c, cfg, count := setup(t, 12, &clock)
		cfg.Crawler.MaxArticlesPerPoll = 5
		for i, want := range []struct{ stored, deferred int }{{5, 7}, {5, 2}, {2, 0}} {
			r := c.Poll(context.Background(), &cfg.Sources[0])
			if r.Err != nil || r.Stored != want.stored || r.Deferred != want.deferred {
				t.Fatalf("poll %d: %+v, want %d stored and %d deferred", i+1, r, want.stored, want.deferred)
			}
		}
		if n := count(); n != 12 {
			t.Errorf("%d articles stored, want 12", n)
		}
		// Now that nothing waits, the ETag is used.
		if r := c.Poll(context.Background(), &cfg.Sources[0]); r.Status != "not modified" || feed.notMod != 1 || feed.full != 3 {
			t.Errorf("poll after the backlog: %+v (%d full answers, %d 304s)", r, feed.full, feed.notMod)
		}
	})

	t.Run("a page to retry", func(t *testing.T) {
		clock := now
		feed, c, cfg, count := setup(t, 3, &clock)
		feed.failOnce["/news/2"] = true
		if r := c.Poll(context.Background(), &cfg.Sources[0]); r.Stored != 2 || r.Failed != 1 {
			t.Fatalf("first poll: %+v", r)
		}
		// Before the retry is due the entry waits.
		if r := c.Poll(context.Background(), &cfg.Sources[0]); r.Status != "ok" || r.Stored != 0 || r.Deferred != 1 {
			t.Fatalf("poll before the retry: %+v", r)
		}
		clock = clock.Add(11 * time.Minute)
		if r := c.Poll(context.Background(), &cfg.Sources[0]); r.Stored != 1 || r.Deferred != 0 || r.Failed != 0 {
			t.Fatalf("poll after the retry pause: %+v", r)
		}
		if n := count(); n != 3 {
			t.Errorf("%d articles stored, want 3", n)
		}
		if r := c.Poll(context.Background(), &cfg.Sources[0]); r.Status != "not modified" {
			t.Errorf("poll once all is read: %+v", r)
		}
	})
}

// TestPollWrongCharset reads a windows-1251 feed that declares UTF-8 and a
// windows-1251 article page served as UTF-8: both are stored as the
// Cyrillic text they hold.
func TestPollWrongCharset(t *testing.T) {
	cp1251 := func(s string) []byte {
		b, err := charmap.Windows1251.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const title = "Минздрав сообщил о вспышке кори в Таласе"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
			w.Write(cp1251(`<?xml version="1.0" encoding="utf-8"?>` + rssOf(rssItem("http://"+r.Host+"/p/1", "1", title, "Wed, 25 Nov 2026 09:00:00 +0600", "Лид новости."))))
		case "/p/1":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(cp1251(`<html><head><title>` + title + `</title></head><body><article><h1>` + title + `</h1>` +
				`<p>Заболели пятеро детей, все они госпитализированы в областную больницу Таласа.</p>` +
				`<p>Министерство здравоохранения призывает родителей проверить прививочные карты детей.</p>` +
				`<p>Вакцинация в поликлиниках города проводится бесплатно и без записи.</p></article></body></html>`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	cfg := testConfig(t, config.Source{ID: "rss", Kind: config.KindRSS, URL: srv.URL + "/feed"})
	st := openStore(t, cfg.DataDir)
	c := crawler.New(cfg, st, quiet, crawler.WithClock(func() time.Time { return now }))
	if r := c.Poll(context.Background(), &cfg.Sources[0]); r.Err != nil || r.Stored != 1 {
		t.Fatalf("poll: %+v", r)
	}
	a, err := st.ArticleByURL(context.Background(), srv.URL+"/p/1")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != title || !strings.Contains(a.Body, "пятеро детей") || a.Lang != "ru" {
		t.Errorf("stored %q / %q (%s)", a.Title, a.Body, a.Lang)
	}
}

// TestPollBadArticlePages serves a good feed whose article pages fail in
// every way a page can: the poll succeeds, a page that will never be read
// is stored from its feed entry at once, and one that may come back (a
// server that never answers) is retried and stored from its entry after
// the last retry.
func TestPollBadArticlePages(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	pages := []string{"good", "huge", "empty", "loop", "missing", "no-text", "hang"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			var items []string
			for _, p := range pages {
				items = append(items, rssItem("http://"+r.Host+"/p/"+p, p, "Новость "+p, "Wed, 25 Nov 2026 09:00:00 +0600", "Лид новости "+p+"."))
			}
			fmt.Fprint(w, rssOf(items...))
		case "/p/good":
			fmt.Fprint(w, `<html><body><article><p>Полный текст новости о работе областной больницы и её врачей.</p>`+
				`<p>Второй абзац с подробностями о новом оборудовании, которое привезли на этой неделе.</p>`+
				`<p>Третий абзац: в министерстве обещали, что ремонт закончат до конца года.</p></article></body></html>`)
		case "/p/huge":
			chunk := strings.Repeat("<p>текст</p>", 4096)
			for range 50 << 20 / len(chunk) {
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
		case "/p/empty":
		case "/p/loop":
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		case "/p/no-text":
			fmt.Fprint(w, `<html><head><title>Ошибка</title></head><body><script>location="/"</script></body></html>`)
		case "/p/hang":
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	cfg := testConfig(t, config.Source{ID: "rss", Kind: config.KindRSS, URL: srv.URL + "/feed"})
	cfg.Crawler.HeaderTimeout = config.Duration(300 * time.Millisecond)
	cfg.Crawler.BodyTimeout = config.Duration(time.Second)
	st := openStore(t, cfg.DataDir)
	clock := now
	c := crawler.New(cfg, st, quiet, crawler.WithClock(func() time.Time { return clock }))
	ctx := context.Background()

	r := c.Poll(ctx, &cfg.Sources[0])
	if r.Err != nil || r.Status != "ok" || r.Stored != 6 || r.Failed != 1 {
		t.Fatalf("first poll: %+v, want 6 stored and the hanging page failed", r)
	}
	good, err := st.ArticleByURL(ctx, srv.URL+"/p/good")
	if err != nil || !strings.Contains(good.Body, "Третий абзац") {
		t.Fatalf("good page: %v %+v", err, good)
	}
	for _, p := range pages[1:6] {
		a, err := st.ArticleByURL(ctx, srv.URL+"/p/"+p)
		if err != nil || a.Title != "Новость "+p || a.Body != "Лид новости "+p+"." {
			t.Errorf("%s: not stored from its feed entry: %v %+v", p, err, a)
		}
	}
	// The hanging page is tried again after 10 minutes and an hour, and
	// then stored from its entry.
	for i, advance := range []time.Duration{11 * time.Minute, 61 * time.Minute} {
		clock = clock.Add(advance)
		r = c.Poll(ctx, &cfg.Sources[0])
		want := []struct{ stored, failed int }{{0, 1}, {1, 0}}[i]
		if r.Err != nil || r.Stored != want.stored || r.Failed != want.failed {
			t.Fatalf("retry %d: %+v, want %d stored and %d failed", i+1, r, want.stored, want.failed)
		}
	}
	if a, err := st.ArticleByURL(ctx, srv.URL+"/p/hang"); err != nil || a.Body != "Лид новости hang." {
		t.Errorf("hanging page after the last retry: %v %+v", err, a)
	}
	if s, _ := st.SourceState(ctx, "rss"); s.ErrorCount != 0 || s.LastStatus != "ok" {
		t.Errorf("bad article pages marked the source unhealthy: %+v", s)
	}
}
