package crawler_test

import (
	"context"
	"fmt"
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
