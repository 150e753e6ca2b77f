package crawler_test

import (
	"context"
	"testing"
	"time"

	"kuzot/config"
	"kuzot/crawler"
	"kuzot/crawler/crawltest"
)

// TestBackfillByPage walks a listing through numbered pages (backfill_url
// with {page}) until the page's oldest entry is older than the start, or
// the pages run out.
func TestBackfillByPage(t *testing.T) {
	// 50 articles, one every two hours back from now: about four days.
	arts := crawltest.Generate(1, 50, now, 2*time.Hour, 4)
	tests := []struct {
		name   string
		since  time.Time
		pages  int // listing pages fetched
		stored int
	}{
		// Page 1 reaches back 18 hours and page 2 38 hours, past the day.
		{"stops at the start", now.Add(-24 * time.Hour), 2, 20},
		// Five full pages, then an empty sixth ends the walk.
		{"stops when the pages run out", now.AddDate(0, 0, -30), 6, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := crawltest.New(arts...)
			site.PageSize = 10
			f := newFixture(t, site, func(base string) []config.Source {
				s := htmlSource(base)
				s.BackfillURL = base + "/?lable=8&order=time&page={page}"
				return []config.Source{s}
			})
			var steps []crawler.BackfillStep
			f.c.Backfill(context.Background(), tt.since, func(s crawler.BackfillStep) { steps = append(steps, s) })
			if n := f.count(t); n != tt.stored {
				t.Errorf("stored %d, want %d", n, tt.stored)
			}
			if n := site.Requests("/"); n != tt.pages {
				t.Errorf("fetched %d listing pages, want %d", n, tt.pages)
			}
			if len(steps) != tt.pages || !steps[len(steps)-1].Done {
				t.Fatalf("steps %+v", steps)
			}
			for i, s := range steps {
				if s.Err != nil || s.Done != (i == len(steps)-1) {
					t.Errorf("step %d: %+v", i, s)
				}
			}
			if steps[0].Page != "page 1" || steps[0].Stored != 10 {
				t.Errorf("first step %+v", steps[0])
			}
		})
	}
}
