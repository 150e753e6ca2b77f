package crawler

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"kuzot/config"
	"kuzot/store"
)

// maxBackfillPages bounds a backfill walk through numbered listing pages or
// a Telegram channel's history.
const maxBackfillPages = 500

// BackfillStep reports one page read by Backfill.
type BackfillStep struct {
	Source string
	// Page names what was read: a date, a page number or a cursor.
	Page   string
	Stored int
	Err    error
	// Done is true on a source's last step.
	Done bool
}

// Backfill walks each enabled source back in time to since, where the site
// allows it: listing pages by date or page number (backfill_url), and
// Telegram channels through ?before=N. Feeds cannot be walked back, so they
// get one ordinary poll. Sources run Workers at a time; progress is called
// after every page, from one goroutine at a time.
func (c *Crawler) Backfill(ctx context.Context, since time.Time, progress func(BackfillStep)) {
	var mu sync.Mutex
	report := func(s BackfillStep) {
		if progress != nil {
			mu.Lock()
			progress(s)
			mu.Unlock()
		}
	}
	sem := make(chan struct{}, c.cfg.Crawler.Workers)
	var wg sync.WaitGroup
	for _, src := range c.sources {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			c.backfillSource(ctx, src, since, report)
		}()
	}
	wg.Wait()
}

func (c *Crawler) backfillSource(ctx context.Context, src *config.Source, since time.Time, report func(BackfillStep)) {
	switch {
	case src.Kind == config.KindTelegram:
		var res PollResult
		posts, err := c.telegramPosts(ctx, src, src.URL, 0, maxBackfillPages, func(p []Post) bool { return p[0].Published.Before(since) })
		if err == nil {
			var arts []*store.Article
			if arts, err = c.postArticles(ctx, src, posts, &res); err == nil {
				err = c.save(ctx, arts, &res)
			}
		}
		report(BackfillStep{Source: src.ID, Page: "history", Stored: res.Stored, Err: err, Done: true})
	case src.Kind == config.KindHTML && strings.Contains(src.BackfillURL, "{date}"):
		loc := c.cfg.Location()
		day := c.now().In(loc)
		first := since.In(loc)
		for !dayBefore(day, first) && ctx.Err() == nil {
			date := day.Format("2006-01-02")
			n, _, _, err := c.backfillPage(ctx, src, strings.ReplaceAll(src.BackfillURL, "{date}", date))
			day = day.AddDate(0, 0, -1)
			report(BackfillStep{Source: src.ID, Page: date, Stored: n, Err: err, Done: dayBefore(day, first)})
		}
	case src.Kind == config.KindHTML && strings.Contains(src.BackfillURL, "{page}"):
		for page := 1; page <= maxBackfillPages && ctx.Err() == nil; page++ {
			n, items, oldest, err := c.backfillPage(ctx, src, strings.ReplaceAll(src.BackfillURL, "{page}", strconv.Itoa(page)))
			// Pages without times end at the first empty page or the bound.
			done := err != nil || items == 0 || !oldest.IsZero() && oldest.Before(since)
			report(BackfillStep{Source: src.ID, Page: "page " + strconv.Itoa(page), Stored: n, Err: err, Done: done})
			if done {
				break
			}
		}
	default:
		r := c.Poll(ctx, src)
		report(BackfillStep{Source: src.ID, Page: "latest (cannot walk back)", Stored: r.Stored, Err: r.Err, Done: true})
	}
}

func dayBefore(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay < by || ay == by && (am < bm || am == bm && ad < bd)
}

// backfillPage reads one past listing page and stores its new articles. It
// returns how many articles were stored, how many items the page listed and
// the oldest publication time on it.
func (c *Crawler) backfillPage(ctx context.Context, src *config.Source, pageURL string) (stored, listed int, oldest time.Time, err error) {
	resp, err := c.fetch.Fetch(ctx, Request{URL: pageURL})
	if err != nil {
		return 0, 0, oldest, err
	}
	body, err := ToUTF8(resp.Body, resp.ContentType)
	if err != nil {
		return 0, 0, oldest, fmt.Errorf("crawler: source %s: %w", src.ID, err)
	}
	items, err := ParseListing(body, resp.URL, src.Selectors, c.cfg.Location())
	if err != nil {
		return 0, 0, oldest, fmt.Errorf("crawler: source %s: %w", src.ID, err)
	}
	listed = len(items)
	for _, it := range items {
		if !it.Published.IsZero() && (oldest.IsZero() || it.Published.Before(oldest)) {
			oldest = it.Published
		}
	}
	var res PollResult
	// A backfill reads every article of the page, however many.
	for len(items) > 0 {
		n := min(len(items), c.cfg.Crawler.MaxArticlesPerPoll)
		arts, err := c.readItems(ctx, src, items[:n], &res)
		if err == nil && len(arts) > 0 {
			err = c.save(ctx, arts, &res)
		}
		if err != nil {
			return res.Stored, listed, oldest, err
		}
		items = items[n:]
	}
	return res.Stored, listed, oldest, nil
}
