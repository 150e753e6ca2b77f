package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kuzot/analysis"
	"kuzot/config"
	"kuzot/store"
)

// PollResult is the outcome of one poll of one source.
type PollResult struct {
	Source string
	// Status is "ok", "not modified", "http 503", "error".
	Status string
	// Items counts the entries on the feed, listing or channel page.
	Items int
	// New counts the entries not stored before; Stored the articles stored
	// from them, Duplicates those whose text was already stored.
	New, Stored, Duplicates int
	// Failed counts article pages that could not be read this time.
	Failed int
	// Deferred counts new entries left for a later poll: over
	// crawler.max_articles_per_poll, or waiting to retry a failed page.
	Deferred  int
	Err       error
	Duration  time.Duration
	NextCheck time.Time
}

// Article pages that fail are tried again after these pauses; after the
// last one the article is stored from what its feed entry says.
var articleRetry = []time.Duration{10 * time.Minute, time.Hour, 6 * time.Hour}

// langSample is how much of a body language detection reads: a few
// paragraphs tell the language as well as the whole text, at a fraction of
// the cost.
const langSample = 3000

// futureSlack is how far in the future a publication time may lie before it
// is taken for a wrong clock or zone and replaced by the fetch time.
const futureSlack = time.Hour

// Poll checks one source once: fetch, parse, read the new articles, store
// them, and remember the source's state and next check. Errors end up in
// the result and the source's health; nothing stored before is touched.
func (c *Crawler) Poll(ctx context.Context, src *config.Source) PollResult {
	start := c.now()
	res := PollResult{Source: src.ID}
	st, err := c.store.SourceState(ctx, src.ID)
	if err != nil {
		res.Err, res.Status = err, "error"
		return res
	}

	arts, err := c.pollSource(ctx, src, &st, &res)
	if err == nil && len(arts) > 0 {
		err = c.save(ctx, arts, &res)
	}

	now := c.now()
	st.LastFetch = now
	sched := Schedule{Cron: c.crons[src.ID]}
	switch {
	case err == nil:
		st.LastSuccess, st.ErrorCount, st.LastError = now, 0, ""
		if res.Status == "" {
			res.Status = "ok"
		}
	default:
		res.Err = err
		st.ErrorCount++
		st.LastError = err.Error()
		res.Status = statusOf(err)
		sched.RetryAfter = RetryAfter(err)
		c.log.Warn("poll failed", "source", src.ID, "err", err, "errors_in_a_row", st.ErrorCount)
	}
	st.LastStatus = res.Status
	st.ItemsSeen += res.Items
	sched.Errors = st.ErrorCount
	sched.Published, _ = c.store.PublishedSince(ctx, src.ID, now.Add(-7*24*time.Hour))
	st.NextCheck = NextCheck(now, src, &c.cfg.Crawler, sched)
	res.NextCheck = st.NextCheck
	// The state is saved even when ctx was cancelled mid-poll, so the next
	// start knows what happened.
	if err := c.store.SaveSourceState(context.WithoutCancel(ctx), st); err != nil {
		c.log.Error("save source state", "source", src.ID, "err", err)
	}
	res.Duration = c.now().Sub(start)
	if c.polled != nil {
		c.polled(res)
	}
	if res.Err == nil {
		c.log.Debug("polled", "source", src.ID, "items", res.Items, "new", res.New, "stored", res.Stored, "took", res.Duration)
	}
	return res
}

func statusOf(err error) string {
	var se *StatusError
	switch {
	case errors.As(err, &se):
		return "http " + strconv.Itoa(se.Code)
	case errors.Is(err, ErrDisallowed):
		return "robots.txt"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	default:
		return "error"
	}
}

// pollSource fetches the source's page and turns its new entries into
// articles, by kind.
func (c *Crawler) pollSource(ctx context.Context, src *config.Source, st *store.SourceState, res *PollResult) ([]*store.Article, error) {
	if src.Kind == config.KindTelegram {
		return c.pollTelegram(ctx, src, st, res)
	}
	resp, err := c.fetch.Fetch(ctx, Request{URL: src.URL, ETag: st.ETag, LastModified: st.LastModified})
	if errors.Is(err, ErrNotModified) {
		res.Status = "not modified"
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	items, err := c.parseIndex(src, resp)
	if err != nil {
		return nil, err
	}
	res.Items = len(items)
	arts, err := c.readItems(ctx, src, items, res)
	if err != nil {
		return nil, err
	}
	// The validators are kept only once the page was understood and every
	// entry on it dealt with. A broken page is fetched in full again next
	// time, and so is one whose entries wait for a later poll: a 304 would
	// hide them until the feed changed.
	st.ETag, st.LastModified = "", ""
	if res.Deferred == 0 && res.Failed == 0 && ctx.Err() == nil {
		st.ETag, st.LastModified = resp.ETag, resp.LastModified
	}
	return arts, nil
}

// parseIndex reads the feed or listing page of src.
func (c *Crawler) parseIndex(src *config.Source, resp *Response) ([]Item, error) {
	if src.Kind == config.KindRSS {
		items, err := parseFeed(resp.Body, resp.ContentType, resp.URL)
		if err != nil {
			return nil, fmt.Errorf("crawler: source %s: %w", src.ID, err)
		}
		return items, nil
	}
	body, err := ToUTF8(resp.Body, resp.ContentType)
	if err != nil {
		return nil, fmt.Errorf("crawler: source %s: %w", src.ID, err)
	}
	items, err := ParseListing(body, resp.URL, src.Selectors, c.cfg.Location())
	if err != nil {
		return nil, fmt.Errorf("crawler: source %s: %w", src.ID, err)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("crawler: source %s: the listing page %s has no items matching selectors.item %q (has the site changed its markup?)", src.ID, resp.URL, src.Selectors.Item)
	}
	return items, nil
}

// readItems keeps the entries not stored yet and reads their articles.
func (c *Crawler) readItems(ctx context.Context, src *config.Source, items []Item, res *PollResult) ([]*store.Article, error) {
	fresh, err := c.freshItems(ctx, items)
	if err != nil {
		return nil, err
	}
	res.New = len(fresh)
	if limit := c.cfg.Crawler.MaxArticlesPerPoll; len(fresh) > limit && (src.Kind == config.KindHTML || src.WantsFullText()) {
		// Each entry costs a page fetch: feeds and listings put the newest
		// first, and the rest come next poll.
		res.Deferred += len(fresh) - limit
		fresh = fresh[:limit]
	}
	failures, err := c.store.FetchFailures(ctx, urlsOf(fresh))
	if err != nil {
		return nil, err
	}
	var arts []*store.Article
	for i, it := range fresh {
		if ctx.Err() != nil {
			res.Deferred += len(fresh) - i
			break
		}
		f, failedBefore := failures[it.URL]
		if failedBefore && c.now().Before(f.RetryAt) {
			res.Deferred++
			continue
		}
		a, err := c.readArticle(ctx, src, it)
		if err != nil {
			if a = c.giveUp(ctx, src, it, f.Attempts, err); a == nil {
				res.Failed++
				continue
			}
		} else if failedBefore {
			_ = c.store.ClearFetchFailure(ctx, it.URL)
		}
		arts = append(arts, a)
	}
	return arts, nil
}

// freshItems canonicalises the items' URLs, drops repeats and the URLs
// already stored, and keeps the order.
func (c *Crawler) freshItems(ctx context.Context, items []Item) ([]Item, error) {
	seen := map[string]bool{}
	var out []Item
	for _, it := range items {
		u, err := CanonicalURL(it.URL)
		if err != nil || seen[u] {
			continue
		}
		seen[u] = true
		it.URL = u
		out = append(out, it)
	}
	known, err := c.store.KnownURLs(ctx, urlsOf(out))
	if err != nil {
		return nil, err
	}
	fresh := out[:0]
	for _, it := range out {
		if !known[it.URL] {
			fresh = append(fresh, it)
		}
	}
	return fresh, nil
}

// readArticle fetches an item's page when the source wants full text and
// builds the article from page and item.
func (c *Crawler) readArticle(ctx context.Context, src *config.Source, it Item) (*store.Article, error) {
	ex := &Extracted{Title: it.Title, Author: it.Author, Published: it.Published, Body: it.Content}
	if ex.Body == "" {
		ex.Body = it.Summary
	}
	if src.Kind == config.KindHTML || src.WantsFullText() {
		resp, err := c.fetch.Fetch(ctx, Request{URL: it.URL})
		if err != nil {
			return nil, err
		}
		body, err := ToUTF8(resp.Body, resp.ContentType)
		if err != nil {
			return nil, err
		}
		page, err := ExtractArticle(body, resp.URL, src.Selectors, c.cfg.Location())
		if err != nil {
			return nil, fmt.Errorf("crawler: article %s: %w", it.URL, err)
		}
		ex = merge(page, ex)
	}
	return c.article(src, it.URL, it.GUID, ex)
}

// merge prefers what the article page says and falls back on the feed item.
func merge(page, item *Extracted) *Extracted {
	out := *page
	if out.Title == "" {
		out.Title = item.Title
	}
	if out.Author == "" {
		out.Author = item.Author
	}
	if out.Published.IsZero() {
		out.Published = item.Published
	}
	if out.Body == "" {
		out.Body = item.Body
	}
	return &out
}

// giveUp records a failed article page. After the last retry, or on an
// error that will not go away, the article is stored from its feed entry
// when that has a title, so the press office still hears of it.
func (c *Crawler) giveUp(ctx context.Context, src *config.Source, it Item, attempts int, err error) *store.Article {
	permanent := !IsTemporary(err)
	if permanent || attempts+1 >= len(articleRetry) {
		if it.Title != "" {
			body := it.Content
			if body == "" {
				body = it.Summary
			}
			if a, aerr := c.article(src, it.URL, it.GUID, &Extracted{Title: it.Title, Body: body, Author: it.Author, Published: it.Published}); aerr == nil {
				c.log.Warn("article page unreadable; stored from its feed entry", "source", src.ID, "url", it.URL, "err", err)
				return a
			}
		}
	}
	pause := articleRetry[min(attempts, len(articleRetry)-1)]
	if permanent {
		pause = articleRetry[len(articleRetry)-1]
	}
	c.log.Warn("article page failed", "source", src.ID, "url", it.URL, "err", err, "attempt", attempts+1)
	_ = c.store.RecordFetchFailure(ctx, store.FetchFailure{URL: it.URL, SourceID: src.ID, LastError: err.Error(), RetryAt: c.now().Add(pause)})
	return nil
}

// article normalises an extracted article into the stored form.
func (c *Crawler) article(src *config.Source, canonical, guid string, ex *Extracted) (*store.Article, error) {
	title := CleanText(ex.Title)
	body := CleanText(ex.Body)
	if title == "" && body == "" {
		return nil, fmt.Errorf("crawler: article %s: %w", canonical, ErrNoArticle)
	}
	if title == "" {
		title = firstLine(body, 140)
	}
	now := c.now().UTC()
	pub := ex.Published.UTC()
	if pub.IsZero() || pub.After(now.Add(futureSlack)) {
		pub = now
	}
	lang := analysis.DetectLanguage(title + "\n" + prefix(body, langSample))
	if lang == "" {
		lang = src.Lang
	}
	return &store.Article{
		URL:         canonical,
		SourceID:    src.ID,
		Outlet:      src.Outlet,
		Lang:        lang,
		Title:       title,
		Body:        body,
		Author:      CleanText(ex.Author),
		GUID:        guid,
		Published:   pub,
		Fetched:     now,
		ContentHash: ContentHash(title, body),
	}, nil
}

// save stores the poll's articles in one transaction and hands the new ones
// on.
func (c *Crawler) save(ctx context.Context, arts []*store.Article, res *PollResult) error {
	saved, err := c.store.SaveArticles(context.WithoutCancel(ctx), arts)
	if err != nil {
		return err
	}
	var fresh []*store.Article
	for i, r := range saved {
		if r.Inserted {
			res.Stored++
			fresh = append(fresh, arts[i])
		} else {
			res.Duplicates++
		}
	}
	if len(fresh) > 0 && c.stored != nil {
		c.stored(ctx, fresh)
	}
	return nil
}

// prefix is s cut to at most n bytes at a rune boundary.
func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func urlsOf(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.URL
	}
	return out
}

// firstLine is the text's first line, cut at a word boundary near limit
// runes, for posts that have no title of their own.
func firstLine(s string, limit int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	cut := 0
	for i := range s {
		if cut >= limit {
			s = s[:i]
			break
		}
		cut++
	}
	if j := strings.LastIndexByte(s, ' '); j > len(s)/2 {
		s = s[:j]
	}
	return s + "…"
}

// withQuery returns raw with key set to value in its query string.
func withQuery(raw, key, value string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
