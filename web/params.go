package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"kuzot/index"
)

// searchParams are the parameters of a search, as the URL carries them;
// the UI builds its links (facets, pages, histogram bars) from them.
type searchParams struct {
	Query      string
	Since      string
	Until      string
	Outlets    []string
	Langs      []string
	Categories []string
	Stories    []string
	Sort       string
	Page       int
	Size       int
}

// parseSearch reads the parameters of a search: q, since and until (an age
// such as 30d, a date or an RFC 3339 time), outlet, lang and category
// (repeated or comma-separated), story (the ids of stories the alerts
// group articles in), sort (relevance or date), page (from 1)
// and size.
func (s *Server) parseSearch(v url.Values) (searchParams, index.Request, error) {
	p := searchParams{Query: v.Get("q"), Since: v.Get("since"), Until: v.Get("until"), Sort: v.Get("sort"),
		Outlets: listParam(v, "outlet"), Langs: listParam(v, "lang"), Categories: listParam(v, "category"), Stories: listParam(v, "story"), Page: 1, Size: 20}
	var err error
	if p.Page, err = intParam(v, "page", 1, 1, 10000); err != nil {
		return p, index.Request{}, err
	}
	if p.Size, err = intParam(v, "size", 20, 1, index.MaxPageSize); err != nil {
		return p, index.Request{}, err
	}
	if p.Sort != "" && p.Sort != index.SortRelevance && p.Sort != index.SortDate {
		return p, index.Request{}, badf("sort %q: use relevance or date", p.Sort)
	}
	req := index.Request{Query: p.Query, Outlets: p.Outlets, Langs: p.Langs, Categories: p.Categories, Stories: p.Stories, Sort: p.Sort,
		From: (p.Page - 1) * p.Size, Size: p.Size, Location: s.loc}
	if req.Since, req.Until, err = s.period(p.Since, p.Until); err != nil {
		return p, index.Request{}, err
	}
	return p, req, nil
}

// period reads since and until.
func (s *Server) period(since, until string) (from, to time.Time, err error) {
	now := s.now()
	if since != "" {
		if from, err = parseSince(since, now, s.loc); err != nil {
			return from, to, badf("since: %v", err)
		}
	}
	if until != "" {
		if to, err = parseUntil(until, s.loc); err != nil {
			return from, to, badf("until: %v", err)
		}
	}
	return from, to, nil
}

func intParam(v url.Values, name string, def, lo, hi int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badf("%s %q: use a whole number from %d to %d", name, s, lo, hi)
	}
	return n, nil
}

// listParam reads a repeated or comma-separated parameter.
func listParam(v url.Values, name string) []string {
	var out []string
	for _, s := range v[name] {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// values writes the parameters back as a query string; page 1 and the
// default size are left out.
func (p searchParams) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", p.Query)
	set("since", p.Since)
	set("until", p.Until)
	set("sort", p.Sort)
	for _, o := range p.Outlets {
		v.Add("outlet", o)
	}
	for _, l := range p.Langs {
		v.Add("lang", l)
	}
	for _, c := range p.Categories {
		v.Add("category", c)
	}
	for _, c := range p.Stories {
		v.Add("story", c)
	}
	if p.Page > 1 {
		v.Set("page", strconv.Itoa(p.Page))
	}
	if p.Size != 20 && p.Size != 0 {
		v.Set("size", strconv.Itoa(p.Size))
	}
	return v
}

// parseSince reads an age back from now ("30d", "12h") or a date or time.
func parseSince(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if t, err := parseDate(s, loc); err == nil {
		return t, nil
	}
	d, err := parseAge(s)
	if err != nil {
		return time.Time{}, badf("%q is neither an age (30d, 12h) nor a date (2026-01-31)", s)
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
		t = t.AddDate(0, 0, 1).Add(-time.Millisecond)
	}
	return t, nil
}

func parseDate(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, badf("%q is not a date (2026-01-31) or an RFC 3339 time", s)
	}
	return t, nil
}

func parseAge(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 3650 {
			return 0, badf("%q is not an age (try \"7d\")", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, badf("%q is not an age (try \"7d\" or \"12h\")", s)
	}
	return v, nil
}
