package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"time"

	"kuzot/index"
)

// cmdSearch searches the archive and prints a page of hits, with facets.
func cmdSearch(args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	since := fs.String("since", "", "published since: an age (30d, 12h) or a date (2026-01-31)")
	until := fs.String("until", "", "published until: a date (inclusive) or an RFC 3339 time")
	outlet := fs.String("outlet", "", "only these outlets, comma-separated")
	lang := fs.String("lang", "", "only these languages (ru, ky, en), comma-separated")
	category := fs.String("category", "", "only these categories, comma-separated")
	story := fs.String("story", "", "only the articles of these stories (ids as kuzot alerts shows them), comma-separated")
	sortBy := fs.String("sort", index.SortRelevance, "relevance or date")
	limit := fs.Int("limit", 20, fmt.Sprintf("hits per page (at most %d)", index.MaxPageSize))
	page := fs.Int("page", 1, "page number, from 1")
	facets := fs.String("facet", "", "count hits by: outlet, category, lang, date (comma-separated)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return errors.New(`search needs a query, e.g. kuzot search '"врачебная ошибка" OR шалаакылык'`)
	}
	if *page < 1 || *limit < 1 {
		return errors.New("--page and --limit count from 1")
	}
	a, err := common.load()
	if err != nil {
		return err
	}
	req := index.Request{
		Query:      strings.Join(pos, " "),
		Outlets:    splitList(*outlet),
		Langs:      splitList(*lang),
		Categories: splitList(*category),
		Stories:    splitList(*story),
		Sort:       *sortBy,
		From:       (*page - 1) * *limit,
		Size:       *limit,
		Location:   a.cfg.Location(),
	}
	now := time.Now()
	if *since != "" {
		if req.Since, err = parseSince(*since, now, a.cfg.Location()); err != nil {
			return fmt.Errorf("--since: %w", err)
		}
	}
	if *until != "" {
		if req.Until, err = parseUntil(*until, a.cfg.Location()); err != nil {
			return fmt.Errorf("--until: %w", err)
		}
	}
	for _, f := range splitList(*facets) {
		if f == "date" {
			req.Histogram = true
			continue
		}
		req.Facets = append(req.Facets, f)
	}

	ctx := context.Background()
	defer a.close()
	if err := a.openIndex(ctx); err != nil {
		return err
	}
	res, err := a.index.Search(ctx, req)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(os.Stdout, searchJSON(req, res, a.cfg.Location()))
	}
	return printSearch(os.Stdout, req, res, a.cfg.Location(), isTerminal(os.Stdout))
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseSince reads an age back from now ("30d") or a date or time.
func parseSince(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if t, err := parseDate(s, loc); err == nil {
		return t, nil
	}
	d, err := parseAge(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an age (30d, 12h) nor a date (2026-01-31)", s)
	}
	return now.Add(-d), nil
}

// parseUntil reads a date, meaning the end of that day, or a time.
func parseUntil(s string, loc *time.Location) (time.Time, error) {
	t, err := parseDate(s, loc)
	if err != nil {
		return time.Time{}, err
	}
	if !strings.Contains(s, "T") {
		t = t.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return t, nil
}

func parseDate(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (try 2026-01-31 or 2026-01-31T09:00:00+06:00)", s)
}

type searchHitJSON struct {
	ID        int64   `json:"id"`
	URL       string  `json:"url"`
	Outlet    string  `json:"outlet"`
	Lang      string  `json:"lang"`
	Title     string  `json:"title"`
	Published string  `json:"published"`
	Score     float64 `json:"score"`
	TitleHTML string  `json:"title_html"`
	Snippet   string  `json:"snippet"`
}

type searchJSONOut struct {
	Query     string                        `json:"query"`
	Total     uint64                        `json:"total"`
	From      int                           `json:"from"`
	TookMS    int64                         `json:"took_ms"`
	Hits      []searchHitJSON               `json:"hits"`
	Facets    map[string][]index.FacetCount `json:"facets,omitempty"`
	Histogram *index.Histogram              `json:"histogram,omitempty"`
}

func searchJSON(req index.Request, res *index.Result, loc *time.Location) searchJSONOut {
	out := searchJSONOut{Query: req.Query, Total: res.Total, From: req.From, TookMS: res.Took.Milliseconds(),
		Hits: []searchHitJSON{}, Histogram: res.Dates}
	if len(res.Facets) > 0 {
		out.Facets = res.Facets
	}
	for _, h := range res.Hits {
		a := h.Article
		out.Hits = append(out.Hits, searchHitJSON{ID: a.ID, URL: a.URL, Outlet: a.Outlet, Lang: a.Lang, Title: a.Title,
			Published: a.Published.In(loc).Format(time.RFC3339), Score: h.Score, TitleHTML: h.TitleHTML, Snippet: h.Snippet})
	}
	return out
}

func printSearch(w io.Writer, req index.Request, res *index.Result, loc *time.Location, tty bool) error {
	fmt.Fprintf(w, "%d articles for %s (%s)\n", res.Total, req.Query, res.Took.Round(time.Millisecond))
	for i, h := range res.Hits {
		a := h.Article
		fmt.Fprintf(w, "\n%3d. %s  %s  %s\n     %s\n", req.From+i+1, a.Published.In(loc).Format("2006-01-02 15:04"), a.Outlet, a.Lang, termMarks(h.TitleHTML, tty))
		if h.Snippet != "" {
			fmt.Fprintf(w, "     %s\n", termMarks(h.Snippet, tty))
		}
		fmt.Fprintf(w, "     %s\n", a.URL)
	}
	if shown := req.From + len(res.Hits); uint64(shown) < res.Total {
		fmt.Fprintf(w, "\n%d–%d of %d; the next page is --page %d\n", req.From+1, shown, res.Total, req.From/max(req.Size, 1)+2)
	}
	for _, f := range req.Facets {
		fmt.Fprintf(w, "\n%s:", f)
		for _, c := range res.Facets[f] {
			fmt.Fprintf(w, "  %s %d", c.Value, c.Count)
		}
		fmt.Fprintln(w)
	}
	if h := res.Dates; h != nil {
		fmt.Fprintf(w, "\nper %s:\n", h.Unit)
		most := 1
		for _, b := range h.Buckets {
			most = max(most, b.Count)
		}
		for _, b := range h.Buckets {
			fmt.Fprintf(w, "  %s %5d %s\n", b.Start.Format(time.DateOnly), b.Count, strings.Repeat("█", (b.Count*40+most-1)/most))
		}
	}
	return nil
}

// termMarks turns a highlighted HTML fragment into terminal text: bold on
// a terminal, [brackets] elsewhere.
func termMarks(s string, tty bool) string {
	open, end := "[", "]"
	if tty {
		open, end = "\x1b[1;33m", "\x1b[0m"
	}
	s = strings.NewReplacer("<mark>", open, "</mark>", end).Replace(s)
	return html.UnescapeString(s)
}

// cmdReindex rebuilds the search index from the store.
func cmdReindex(args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	a, err := common.load()
	if err != nil {
		return err
	}
	ctx := context.Background()
	defer a.close()
	if err := a.openIndex(ctx); err != nil {
		return err
	}
	start := time.Now()
	bar := newCountBar("indexing", os.Stderr)
	n, err := a.index.Reindex(ctx, bar.set)
	bar.finish()
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Printf("indexed %d articles in %s (%.0f articles/s)\n", n, took.Round(time.Millisecond), float64(n)/max(took.Seconds(), 1e-9))
	return nil
}
