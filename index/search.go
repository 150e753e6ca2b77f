package index

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"kuzot/rules"
	"kuzot/store"
)

// Sort orders of a search.
const (
	SortRelevance = "relevance"
	SortDate      = "date"
)

// FacetFields are the fields a search can count its hits by.
var FacetFields = []string{FieldOutlet, FieldCategory, FieldLang}

// MaxPageSize bounds one page of hits.
const MaxPageSize = 200

// Request is one search.
type Request struct {
	// Query is in the rule language (package rules).
	Query string
	// Rule, when set, is searched instead of Query: a rule's query and
	// NOT its exclude, for backtests.
	Rule *rules.Rule
	// Since and Until bound the publication time; zero means open.
	Since, Until time.Time
	// Outlets, Langs, Categories and Stories filter: a hit has one of
	// each list given.
	Outlets, Langs, Categories, Stories []string
	// Sort is SortRelevance (the default) or SortDate (newest first).
	Sort string
	// From skips hits for paging; Size is the page size (default 20).
	From, Size int
	// Facets lists the fields (of FacetFields) to count hits by.
	Facets []string
	// Histogram asks for the count of hits per day (or per week or month
	// over long periods) in the zone Location.
	Histogram bool
	// Location is the zone days are counted in; nil means UTC.
	Location *time.Location
}

// Result is one page of a search.
type Result struct {
	Total  uint64                  `json:"total"`
	Hits   []Hit                   `json:"hits"`
	Facets map[string][]FacetCount `json:"facets,omitempty"`
	Dates  *Histogram              `json:"histogram,omitempty"`
	Took   time.Duration           `json:"-"`
}

// Hit is one matching article, with its text marked up.
type Hit struct {
	Article *store.Article `json:"-"`
	Score   float64        `json:"score"`
	// TitleHTML is the title, HTML-escaped, with matches in <mark>.
	TitleHTML string `json:"title_html"`
	// Snippet is the passage of the body with the most matches,
	// HTML-escaped, with matches in <mark>.
	Snippet string `json:"snippet"`
}

// FacetCount is how many hits have one value of a facet.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Histogram counts hits per period.
type Histogram struct {
	// Unit is "day", "week" or "month".
	Unit    string       `json:"unit"`
	Buckets []DateBucket `json:"buckets"`
}

// DateBucket is the count of hits in one period starting at Start.
type DateBucket struct {
	Start time.Time `json:"start"`
	Count int       `json:"count"`
}

// ErrQuery wraps an error in the query text, so callers can tell a user's
// mistake from a failure of the index.
var ErrQuery = errors.New("index: bad query")

// Search runs req. A query that does not parse gets an error wrapping
// ErrQuery and the parser's error, which names the line and column.
func (x *Index) Search(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	q, err := x.buildQuery(req)
	if err != nil {
		return nil, err
	}
	size := req.Size
	switch {
	case size <= 0:
		size = 20
	case size > MaxPageSize:
		size = MaxPageSize
	}
	sr := bleve.NewSearchRequestOptions(q, size, max(req.From, 0), false)
	// Term locations (for highlighting) are read for the page's hits only,
	// in a second search: asking for them here would decode the positions
	// of every matching article, which for a common word is most of the
	// cost of the search.
	sr.IncludeLocations = x.locateAll
	if req.Sort == SortDate {
		sr.SortBy([]string{"-" + FieldPublished, "-_score"})
	} else if req.Sort != "" && req.Sort != SortRelevance {
		return nil, fmt.Errorf("%w: sort %q: use %q or %q", ErrQuery, req.Sort, SortRelevance, SortDate)
	}
	for _, f := range req.Facets {
		if !isFacetField(f) {
			return nil, fmt.Errorf("%w: facet %q: use one of %s", ErrQuery, f, strings.Join(FacetFields, ", "))
		}
		sr.AddFacet(f, bleve.NewFacetRequest(f, 50))
	}

	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return nil, errClosed
	}
	bi := x.target(req.Since, req.Until)
	var hist *histogramPlan
	if req.Histogram {
		if hist, err = planHistogram(ctx, bi, q, req); err != nil {
			return nil, err
		}
		if hist != nil {
			sr.AddFacet("_dates", hist.facet())
		}
	}
	res, err := bi.SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("index: search: %w", err)
	}
	locs, err := x.locations(ctx, bi, q, res)
	if err != nil {
		return nil, err
	}
	out := &Result{Total: res.Total, Facets: map[string][]FacetCount{}}
	for _, f := range req.Facets {
		out.Facets[f] = facetCounts(res.Facets[f])
	}
	if hist != nil {
		out.Dates = hist.result(res.Facets["_dates"])
	}
	for _, h := range res.Hits {
		id, err := strconv.ParseInt(h.ID, 10, 64)
		if err != nil {
			continue
		}
		a, err := x.src.Article(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted from the store since it was indexed
		}
		if err != nil {
			return nil, err
		}
		out.Hits = append(out.Hits, Hit{
			Article:   a,
			Score:     h.Score,
			TitleHTML: Mark(a.Title, spans(locs[h.ID], FieldTitle)),
			Snippet:   Snippet(a.Body, spans(locs[h.ID], FieldBody), snippetLen),
		})
	}
	out.Took = time.Since(start)
	return out, nil
}

// locations returns the term locations of the hits of res: the query
// again, restricted to those articles, with locations.
func (x *Index) locations(ctx context.Context, bi bleve.Index, q query.Query, res *bleve.SearchResult) (map[string]search.FieldTermLocationMap, error) {
	out := make(map[string]search.FieldTermLocationMap, len(res.Hits))
	if len(res.Hits) == 0 {
		return out, nil
	}
	if x.locateAll {
		for _, h := range res.Hits {
			out[h.ID] = h.Locations
		}
		return out, nil
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	sr := bleve.NewSearchRequestOptions(query.NewConjunctionQuery([]query.Query{query.NewDocIDQuery(ids), q}), len(ids), 0, false)
	sr.IncludeLocations = true
	sr.Score = "none"
	lr, err := bi.SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("index: search for highlights: %w", err)
	}
	for _, h := range lr.Hits {
		out[h.ID] = h.Locations
	}
	return out, nil
}

func isFacetField(f string) bool {
	for _, g := range FacetFields {
		if f == g {
			return true
		}
	}
	return false
}

// buildQuery parses the query and adds the filters.
func (x *Index) buildQuery(req Request) (query.Query, error) {
	var must []query.Query
	if req.Rule != nil {
		q, err := rules.Bleve(req.Rule.Combined())
		if err != nil {
			return nil, fmt.Errorf("%w: rule %s: %w", ErrQuery, req.Rule.ID, err)
		}
		must = append(must, q)
	} else if strings.TrimSpace(req.Query) != "" {
		q, err := rules.CompileQuery(req.Query)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrQuery, err)
		}
		must = append(must, q)
	}
	if !req.Since.IsZero() || !req.Until.IsZero() {
		if !req.Since.IsZero() && !req.Until.IsZero() && req.Until.Before(req.Since) {
			return nil, fmt.Errorf("%w: until %s is before since %s", ErrQuery, req.Until.Format(time.DateOnly), req.Since.Format(time.DateOnly))
		}
		inclusive := true
		exclusive := false
		dq := query.NewDateRangeInclusiveQuery(req.Since.UTC(), req.Until.UTC(), &inclusive, &exclusive)
		dq.SetField(FieldPublished)
		must = append(must, dq)
	}
	for _, f := range []struct {
		field  string
		values []string
	}{{FieldOutlet, req.Outlets}, {FieldLang, req.Langs}, {FieldCategory, req.Categories}, {FieldStory, req.Stories}} {
		if len(f.values) == 0 {
			continue
		}
		var any []query.Query
		for _, v := range f.values {
			tq := query.NewTermQuery(strings.ToLower(strings.TrimSpace(v)))
			tq.SetField(f.field)
			any = append(any, tq)
		}
		must = append(must, query.NewDisjunctionQuery(any))
	}
	switch len(must) {
	case 0:
		return query.NewMatchAllQuery(), nil
	case 1:
		return must[0], nil
	}
	return query.NewConjunctionQuery(must), nil
}

func facetCounts(fr *search.FacetResult) []FacetCount {
	out := []FacetCount{}
	if fr == nil || fr.Terms == nil {
		return out
	}
	for _, t := range fr.Terms.Terms() {
		out = append(out, FacetCount{Value: t.Term, Count: t.Count})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out
}
