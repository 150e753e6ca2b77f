package index

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// histogramPlan is the periods a date histogram counts hits in.
type histogramPlan struct {
	unit   string
	starts []time.Time // len(starts) = buckets + 1
}

// Longest spans counted per day and per week; longer ones are counted per
// month, so a histogram never has more than a few hundred bars.
const (
	maxDayBuckets  = 92
	maxWeekBuckets = 106
)

// planHistogram picks the periods of a histogram of q's hits: the request's
// since and until where given, else the first and last publication among
// the hits. It returns nil when nothing matches.
func planHistogram(ctx context.Context, bi bleve.Index, q query.Query, req Request) (*histogramPlan, error) {
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	from, to := req.Since, req.Until
	if from.IsZero() || to.IsZero() {
		first, last, ok, err := publishedBounds(ctx, bi, q)
		if err != nil || !ok {
			return nil, err
		}
		if from.IsZero() {
			from = first
		}
		if to.IsZero() {
			to = last
		}
	}
	if to.Before(from) {
		return nil, nil
	}
	day := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	p := &histogramPlan{}
	start, end := day(from), day(to).AddDate(0, 0, 1)
	days := int(end.Sub(start).Hours()/24 + 0.5)
	var step func(time.Time) time.Time
	switch {
	case days <= maxDayBuckets:
		p.unit = "day"
		step = func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	case days <= 7*maxWeekBuckets:
		p.unit = "week"
		// Weeks start on Monday, as in Kyrgyzstan and Russia.
		start = start.AddDate(0, 0, -((int(start.Weekday()) + 6) % 7))
		step = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	default:
		p.unit = "month"
		start = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, loc)
		step = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	}
	for t := start; ; t = step(t) {
		p.starts = append(p.starts, t)
		if !t.Before(end) {
			break
		}
	}
	return p, nil
}

// publishedBounds is the first and last publication time among q's hits,
// read from the sort values of two one-hit searches.
func publishedBounds(ctx context.Context, bi bleve.Index, q query.Query) (first, last time.Time, ok bool, err error) {
	one := func(order string) (time.Time, bool, error) {
		sr := bleve.NewSearchRequestOptions(q, 1, 0, false)
		sr.SortBy([]string{order + FieldPublished})
		res, err := bi.SearchInContext(ctx, sr)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("index: search: %w", err)
		}
		if len(res.Hits) == 0 || len(res.Hits[0].Sort) == 0 {
			return time.Time{}, false, nil
		}
		v, err := numeric.PrefixCoded(res.Hits[0].Sort[0]).Int64()
		if err != nil {
			return time.Time{}, false, nil
		}
		return time.Unix(0, v).UTC(), true, nil
	}
	if first, ok, err = one(""); err != nil || !ok {
		return
	}
	last, ok, err = one("-")
	return
}

func (p *histogramPlan) facet() *bleve.FacetRequest {
	fr := bleve.NewFacetRequest(FieldPublished, len(p.starts))
	for i := 0; i+1 < len(p.starts); i++ {
		s, e := p.starts[i], p.starts[i+1]
		fr.AddDateTimeRange(s.Format(time.RFC3339), s, e)
	}
	return fr
}

func (p *histogramPlan) result(fr *search.FacetResult) *Histogram {
	counts := map[string]int{}
	if fr != nil {
		for _, r := range fr.DateRanges {
			counts[r.Name] = r.Count
		}
	}
	h := &Histogram{Unit: p.unit, Buckets: []DateBucket{}}
	for i := 0; i+1 < len(p.starts); i++ {
		s := p.starts[i]
		h.Buckets = append(h.Buckets, DateBucket{Start: s, Count: counts[s.Format(time.RFC3339)]})
	}
	return h
}
