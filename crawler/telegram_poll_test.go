package crawler_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"kuzot/config"
	"kuzot/crawler"
	"kuzot/crawler/crawltest"
)

// TestTelegramCursorThatDoesNotAdvance serves a channel that ignores
// ?before= and answers every page with the newest posts. A poll catching up
// and a backfill walking back must each stop after asking once for an
// older page, store no post twice and not count the repeats.
func TestTelegramCursorThatDoesNotAdvance(t *testing.T) {
	site := crawltest.New(crawltest.Generate(1, 50, now.Add(-48*time.Hour), time.Minute, 1)...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.RawQuery = ""
		site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg := testConfig(t, config.Source{ID: "tg", Kind: config.KindTelegram, URL: "https://t.me/s/stuck"})
	// Validate accepts only t.me; the local site stands in for it.
	cfg.Sources[0].URL = srv.URL + "/s/stuck"
	st := openStore(t, cfg.DataDir)
	c := crawler.New(cfg, st, quiet, crawler.WithClock(func() time.Time { return now }))
	ctx := context.Background()

	if r := c.Poll(ctx, &cfg.Sources[0]); r.Err != nil || r.Stored != 20 {
		t.Fatalf("first poll: %+v", r)
	}
	// 45 new posts: the poll wants to page back to post 51, but the
	// channel keeps showing 76-95.
	site.Publish(crawltest.Generate(51, 45, now.Add(-time.Hour), time.Minute, 2)...)
	before := site.Requests("/s/stuck")
	r := c.Poll(ctx, &cfg.Sources[0])
	if r.Err != nil || r.Items != 20 || r.Stored != 20 {
		t.Errorf("catch-up poll: %+v, want the 20 posts shown once", r)
	}
	if n := site.Requests("/s/stuck") - before; n != 2 {
		t.Errorf("catch-up poll fetched %d pages, want 2", n)
	}

	before = site.Requests("/s/stuck")
	var steps []crawler.BackfillStep
	c.Backfill(ctx, now.AddDate(0, 0, -30), func(s crawler.BackfillStep) { steps = append(steps, s) })
	if n := site.Requests("/s/stuck") - before; n != 2 {
		t.Errorf("backfill fetched %d pages, want 2", n)
	}
	if len(steps) != 1 || steps[0].Err != nil || !steps[0].Done {
		t.Errorf("backfill steps %+v", steps)
	}
	if n, _ := st.CountArticles(ctx); n != 40 {
		t.Errorf("%d posts stored, want 40", n)
	}
}
