package crawler

import (
	"context"
	"fmt"
	"strconv"

	"kuzot/config"
	"kuzot/store"
)

// maxTelegramPages bounds how far back one poll pages through a channel to
// catch up with the posts it missed.
const maxTelegramPages = 10

// pollTelegram reads a channel preview and the older pages back to the last
// post seen, and turns the new posts into articles.
func (c *Crawler) pollTelegram(ctx context.Context, src *config.Source, st *store.SourceState, res *PollResult) ([]*store.Article, error) {
	last, _ := strconv.Atoi(st.Cursor)
	posts, err := c.telegramPosts(ctx, src, src.URL, last, maxTelegramPages, func(p []Post) bool { return last == 0 || p[0].Number <= last+1 })
	if err != nil {
		return nil, err
	}
	res.Items = len(posts)
	arts, err := c.postArticles(ctx, src, posts, res)
	if err != nil {
		return nil, err
	}
	for _, p := range posts {
		last = max(last, p.Number)
	}
	st.Cursor = strconv.Itoa(last)
	return arts, nil
}

// telegramPosts reads pageURL and then older pages through ?before=N until
// enough(page) says so, the channel has no older posts, maxPages were read
// or the cursor stops moving back. Posts at or below floor are dropped.
func (c *Crawler) telegramPosts(ctx context.Context, src *config.Source, pageURL string, floor, maxPages int, enough func([]Post) bool) ([]Post, error) {
	var all []Post
	prev := 0
	for page := 0; page < maxPages; page++ {
		resp, err := c.fetch.Fetch(ctx, Request{URL: pageURL})
		if err != nil {
			return nil, err
		}
		body, err := ToUTF8(resp.Body, resp.ContentType)
		if err != nil {
			return nil, fmt.Errorf("crawler: source %s: %w", src.ID, err)
		}
		tp, err := ParseTelegram(body, resp.URL, c.cfg.Location())
		if err != nil {
			return nil, fmt.Errorf("crawler: source %s: %w", src.ID, err)
		}
		if prev != 0 && tp.Before >= prev {
			// The channel answered with the same page again, or a newer
			// one: its posts were read already, and asking again would
			// loop.
			c.log.Warn("telegram paging cursor did not advance", "source", src.ID, "asked_before", prev, "got_before", tp.Before)
			break
		}
		for _, p := range tp.Posts {
			if p.Number > floor {
				all = append(all, p)
			}
		}
		if len(tp.Posts) == 0 || tp.Before == 0 || enough(tp.Posts) {
			break
		}
		prev = tp.Before
		pageURL = withQuery(src.URL, "before", strconv.Itoa(tp.Before))
	}
	return all, nil
}

// postArticles turns posts not stored yet into articles.
func (c *Crawler) postArticles(ctx context.Context, src *config.Source, posts []Post, res *PollResult) ([]*store.Article, error) {
	items := make([]Item, 0, len(posts))
	byURL := map[string]Post{}
	for _, p := range posts {
		u, err := CanonicalURL(p.URL)
		if err != nil {
			continue
		}
		byURL[u] = p
		items = append(items, Item{URL: u})
	}
	fresh, err := c.freshItems(ctx, items)
	if err != nil {
		return nil, err
	}
	res.New = len(fresh)
	var arts []*store.Article
	for _, it := range fresh {
		p := byURL[it.URL]
		a, err := c.article(src, it.URL, "", &Extracted{Body: p.Text, Published: p.Published})
		if err != nil {
			continue
		}
		a.Views = p.Views
		arts = append(arts, a)
	}
	return arts, nil
}
