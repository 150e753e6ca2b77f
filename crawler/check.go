package crawler

import (
	"context"
	"sync"

	"kuzot/config"
)

// CheckResult tells whether a source can be read, without storing anything.
type CheckResult struct {
	Source string
	URL    string
	Items  int
	// Sample is the first entry's title or link, to eyeball that the right
	// thing was read.
	Sample string
	Err    error
}

// Check fetches a source's feed, listing or channel page once and parses it,
// so an operator can see in a minute which configured URLs work. Robots.txt
// and the per-host limit apply as in a poll.
func (c *Crawler) Check(ctx context.Context, src *config.Source) CheckResult {
	res := CheckResult{Source: src.ID, URL: src.URL}
	resp, err := c.fetch.Fetch(ctx, Request{URL: src.URL})
	if err != nil {
		res.Err = err
		return res
	}
	if src.Kind == config.KindTelegram {
		body, err := ToUTF8(resp.Body, resp.ContentType)
		if err == nil {
			var tp *TelegramPage
			if tp, err = ParseTelegram(body, resp.URL, c.cfg.Location()); err == nil {
				res.Items = len(tp.Posts)
				if len(tp.Posts) > 0 {
					res.Sample = firstLine(tp.Posts[len(tp.Posts)-1].Text, 80)
				}
			}
		}
		res.Err = err
		return res
	}
	items, err := c.parseIndex(src, resp)
	res.Items, res.Err = len(items), err
	if len(items) > 0 {
		res.Sample = items[0].Title
		if res.Sample == "" {
			res.Sample = items[0].URL
		}
	}
	return res
}

// CheckAll checks every enabled source, Workers at a time, in configuration
// order.
func (c *Crawler) CheckAll(ctx context.Context) []CheckResult {
	out := make([]CheckResult, len(c.sources))
	sem := make(chan struct{}, c.cfg.Crawler.Workers)
	var wg sync.WaitGroup
	for i, s := range c.sources {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = c.Check(ctx, s)
		}()
	}
	wg.Wait()
	return out
}
