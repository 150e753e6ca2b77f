package crawler_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"kuzot/config"
	"kuzot/crawler"
	"kuzot/crawler/crawltest"
)

// TestCheckAll checks working and broken sources of every kind, in
// configuration order, without a store: a check stores nothing.
func TestCheckAll(t *testing.T) {
	srv := httptest.NewServer(crawltest.New(sampleArticles()...))
	defer srv.Close()
	listing := htmlSource(srv.URL)
	moved := htmlSource(srv.URL)
	moved.ID, moved.URL = "moved", srv.URL+"/gone/"
	cfg := testConfig(t,
		config.Source{ID: "rss", Kind: config.KindRSS, URL: srv.URL + "/rss.xml"},
		listing,
		config.Source{ID: "tg", Kind: config.KindTelegram, URL: "https://t.me/s/health"},
		config.Source{ID: "not-a-feed", Kind: config.KindRSS, URL: srv.URL + "/?lable=8"},
		moved,
	)
	cfg.Sources[2].URL = srv.URL + "/s/health"
	c := crawler.New(cfg, nil, quiet)
	got := c.CheckAll(context.Background())
	tests := []struct {
		id, sample string
		items      int
		err        string
	}{
		{"rss", "В регионах не хватает инсулина", 3, ""},
		{"kaktus", "В регионах не хватает инсулина", 3, ""},
		{"tg", "В регионах не хватает инсулина", 3, ""},
		{"not-a-feed", "", 0, "got an HTML page"},
		{"moved", "", 0, "http 404"},
	}
	if len(got) != len(tests) {
		t.Fatalf("%d results for %d sources", len(got), len(tests))
	}
	for i, tt := range tests {
		r := got[i]
		if r.Source != tt.id || r.Items != tt.items || !strings.HasPrefix(r.Sample, tt.sample) {
			t.Errorf("result %d: %+v, want %s with %d items and sample %q", i, r, tt.id, tt.items, tt.sample)
		}
		switch {
		case tt.err == "" && r.Err != nil:
			t.Errorf("%s: %v", tt.id, r.Err)
		case tt.err != "" && (r.Err == nil || !strings.Contains(r.Err.Error(), tt.err)):
			t.Errorf("%s: error %v, want one saying %q", tt.id, r.Err, tt.err)
		}
	}
	if !errors.Is(got[3].Err, crawler.ErrNotFeed) {
		t.Errorf("HTML instead of a feed: %v does not wrap ErrNotFeed", got[3].Err)
	}
}
