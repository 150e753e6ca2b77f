package digest

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"kuzot/config"
	"kuzot/store"
)

// Figures are what the digest, its preview and the reports show about one
// period. A mention in a category is an article a rule of that category
// matched; an article matched in two categories counts in both.
type Figures struct {
	// From and To bound the period, [From, To), in Location.
	From, To time.Time
	// PrevFrom starts the previous period of equal length, ending at From.
	PrevFrom time.Time
	Location *time.Location
	// Articles is how many articles were published in the period.
	Articles int

	// Watch are the mentions of the watch-list entities: Total counts an
	// article once however many entities it names.
	Watch      Count
	Entities   []Entity
	Categories []Category
	// Categorised is the sum of the categories' mentions (the base of
	// their shares), and Prev that of the previous period.
	Categorised Count
	Stories     []Story
	Outlets     []Outlet
	Alerts      Alerts
	// NewOutlets published in the period but not in the NewLookback
	// before it.
	NewOutlets  []Outlet
	NewLookback time.Duration
	// Days are the mentions per category of each day, in Location.
	Days []Day
}

// Count is a figure of the period beside that of the previous one.
type Count struct{ Cur, Prev int }

// Change is the difference against the previous period: ▲ 12%, ▼ 40%, = 0%,
// "new" when there was nothing before, "—" when there is nothing at all.
// newWord is the word for "new" in the reader's language.
func (c Count) Change(newWord string) string {
	switch {
	case c.Prev == 0 && c.Cur == 0:
		return "—"
	case c.Prev == 0:
		return newWord
	case c.Cur == c.Prev:
		return "= 0%"
	}
	p := math.Round(math.Abs(float64(c.Cur-c.Prev)) / float64(c.Prev) * 100)
	if c.Cur > c.Prev {
		return fmt.Sprintf("▲ %.0f%%", p)
	}
	return fmt.Sprintf("▼ %.0f%%", p)
}

// Entity is one watch-list entity's mentions.
type Entity struct {
	ID   string
	Name string // as configured, or the id
	Count
}

// Category is one category's mentions.
type Category struct {
	Category string
	Count
	// Share is Cur over the period's categorised mentions, 0 to 1.
	Share float64
}

// Percent writes a share as a whole percentage, "<1%" for a small one.
func Percent(share float64) string {
	switch p := share * 100; {
	case p == 0:
		return "0%"
	case p < 0.5:
		return "<1%"
	default:
		return fmt.Sprintf("%.0f%%", math.Round(p))
	}
}

// Story is one story of the period.
type Story struct {
	ID    string
	Title string
	URL   string
	// Articles are its articles published in the period, oldest first.
	Articles   []store.AlertArticle
	Outlets    []string
	Categories []string
	Score      float64 // its strongest match
	// Reach sums the reach weights of its outlets: 3 for a national
	// outlet (tier 1), 2 for tier 2, 1 for tier 3.
	Reach int
	// Rank orders the stories: Score × Reach.
	Rank float64
}

// Outlet is one outlet's figures.
type Outlet struct {
	Outlet string
	Reach  int // tier, 1 national to 3 small
	// Articles published, and Mentions: those a rule matched.
	Articles, Mentions int
}

// Alerts are the alerts of the period and how fast they were handled.
type Alerts struct {
	Raised, Acknowledged, Resolved int
	// Median times of the alerts acknowledged (resolved) in the period,
	// counted from the first publication of their story and from the
	// raising of the alert. Zero when none.
	AckFromPublished, AckFromRaised         time.Duration
	ResolveFromPublished, ResolveFromRaised time.Duration
}

// Day is the mentions per category of one local day.
type Day struct {
	Date   time.Time // local midnight
	Counts map[string]int
}

// Total is the day's mentions in all categories.
func (d Day) Total() int {
	n := 0
	for _, c := range d.Counts {
		n += c
	}
	return n
}

// Store is what Compute reads.
type Store interface {
	PeriodMatches(ctx context.Context, from, to time.Time) ([]store.PeriodMatch, error)
	OutletArticles(ctx context.Context, from, to time.Time) (map[string]int, error)
	NewOutlets(ctx context.Context, from, to time.Time, lookback time.Duration) (map[string]int, error)
	PeriodAlerts(ctx context.Context, from, to time.Time) ([]store.AlertTimes, error)
	StoryArticles(ctx context.Context, storyID string) ([]store.AlertArticle, error)
}

// NewLookback is how far back an outlet must be silent to count as a new
// source of coverage.
const NewLookback = 8 * 7 * 24 * time.Hour

// Compute computes the figures of [from, to). counter may be nil: the
// watch-list figures are then zero (a store without an index).
func Compute(ctx context.Context, st Store, counter Counter, cfg *config.Config, from, to time.Time) (*Figures, error) {
	if !to.After(from) {
		return nil, fmt.Errorf("digest: period %s to %s is empty", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	loc := cfg.Location()
	f := &Figures{From: from.In(loc), To: to.In(loc), PrevFrom: from.Add(-to.Sub(from)).In(loc), Location: loc, NewLookback: NewLookback}

	if counter != nil && len(cfg.Scoring.Watch) > 0 {
		var all []string
		for i := range cfg.Scoring.Watch {
			w := &cfg.Scoring.Watch[i]
			q := w.Expanded()
			all = append(all, "("+q+")")
			e := Entity{ID: w.ID, Name: cmp.Or(w.Name, w.ID)}
			var err error
			if e.Cur, err = counter.Count(ctx, q, from, to); err != nil {
				return nil, fmt.Errorf("digest: watch %s: %w", w.ID, err)
			}
			if e.Prev, err = counter.Count(ctx, q, f.PrevFrom, from); err != nil {
				return nil, fmt.Errorf("digest: watch %s: %w", w.ID, err)
			}
			f.Entities = append(f.Entities, e)
		}
		q := strings.Join(all, " OR ")
		var err error
		if f.Watch.Cur, err = counter.Count(ctx, q, from, to); err != nil {
			return nil, err
		}
		if f.Watch.Prev, err = counter.Count(ctx, q, f.PrevFrom, from); err != nil {
			return nil, err
		}
		sort.SliceStable(f.Entities, func(i, j int) bool { return f.Entities[i].Cur > f.Entities[j].Cur })
	}

	cur, err := st.PeriodMatches(ctx, from, to)
	if err != nil {
		return nil, err
	}
	prev, err := st.PeriodMatches(ctx, f.PrevFrom, from)
	if err != nil {
		return nil, err
	}
	f.categories(cur, prev)
	f.days(cur)

	reach := map[string]int{}
	for _, s := range cfg.Sources {
		if s.Reach > 0 && (reach[s.Outlet] == 0 || s.Reach < reach[s.Outlet]) {
			reach[s.Outlet] = s.Reach
		}
	}
	tier := func(outlet string) int {
		if r := reach[outlet]; r > 0 {
			return r
		}
		return config.DefaultReach
	}
	if err := f.stories(ctx, st, cur, tier, cfg.Digest.TopStories); err != nil {
		return nil, err
	}

	arts, err := st.OutletArticles(ctx, from, to)
	if err != nil {
		return nil, err
	}
	mentions := map[string]map[int64]bool{}
	for _, m := range cur {
		if mentions[m.Outlet] == nil {
			mentions[m.Outlet] = map[int64]bool{}
		}
		mentions[m.Outlet][m.ArticleID] = true
	}
	for o, n := range arts {
		f.Articles += n
		f.Outlets = append(f.Outlets, Outlet{Outlet: o, Reach: tier(o), Articles: n, Mentions: len(mentions[o])})
	}
	sort.Slice(f.Outlets, func(i, j int) bool {
		a, b := f.Outlets[i], f.Outlets[j]
		if a.Mentions != b.Mentions {
			return a.Mentions > b.Mentions
		}
		if a.Articles != b.Articles {
			return a.Articles > b.Articles
		}
		return a.Outlet < b.Outlet
	})
	fresh, err := st.NewOutlets(ctx, from, to, NewLookback)
	if err != nil {
		return nil, err
	}
	for o, n := range fresh {
		f.NewOutlets = append(f.NewOutlets, Outlet{Outlet: o, Reach: tier(o), Articles: n, Mentions: len(mentions[o])})
	}
	sort.Slice(f.NewOutlets, func(i, j int) bool {
		a, b := f.NewOutlets[i], f.NewOutlets[j]
		if a.Articles != b.Articles {
			return a.Articles > b.Articles
		}
		return a.Outlet < b.Outlet
	})

	alerts, err := st.PeriodAlerts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	f.alerts(alerts)
	return f, nil
}

func in(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

// categories counts distinct articles per category in both periods.
func (f *Figures) categories(cur, prev []store.PeriodMatch) {
	count := func(ms []store.PeriodMatch) map[string]int {
		seen := map[string]map[int64]bool{}
		for _, m := range ms {
			if seen[m.Category] == nil {
				seen[m.Category] = map[int64]bool{}
			}
			seen[m.Category][m.ArticleID] = true
		}
		out := map[string]int{}
		for c, ids := range seen {
			out[c] = len(ids)
		}
		return out
	}
	c, p := count(cur), count(prev)
	for cat, n := range c {
		f.Categorised.Cur += n
		f.Categories = append(f.Categories, Category{Category: cat, Count: Count{Cur: n, Prev: p[cat]}})
	}
	for cat, n := range p {
		f.Categorised.Prev += n
		if c[cat] == 0 {
			f.Categories = append(f.Categories, Category{Category: cat, Count: Count{Prev: n}})
		}
	}
	for i := range f.Categories {
		if f.Categorised.Cur > 0 {
			f.Categories[i].Share = float64(f.Categories[i].Cur) / float64(f.Categorised.Cur)
		}
	}
	order := map[string]int{}
	for i, c := range config.Categories {
		order[c] = i
	}
	sort.Slice(f.Categories, func(i, j int) bool {
		a, b := f.Categories[i], f.Categories[j]
		if a.Cur != b.Cur {
			return a.Cur > b.Cur
		}
		if a.Prev != b.Prev {
			return a.Prev > b.Prev
		}
		return order[a.Category] < order[b.Category]
	})
}

// days counts distinct articles per category and local day.
func (f *Figures) days(cur []store.PeriodMatch) {
	loc := f.Location
	start := time.Date(f.From.Year(), f.From.Month(), f.From.Day(), 0, 0, 0, 0, loc)
	index := map[time.Time]int{}
	for d := start; d.Before(f.To); d = d.AddDate(0, 0, 1) {
		index[d] = len(f.Days)
		f.Days = append(f.Days, Day{Date: d, Counts: map[string]int{}})
	}
	seen := map[string]bool{}
	for _, m := range cur {
		k := fmt.Sprintf("%d/%s", m.ArticleID, m.Category)
		if seen[k] {
			continue
		}
		seen[k] = true
		p := m.Published.In(loc)
		if i, ok := index[time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, loc)]; ok {
			f.Days[i].Counts[m.Category]++
		}
	}
}

// stories groups the matched articles by story and keeps the top n.
func (f *Figures) stories(ctx context.Context, st Store, cur []store.PeriodMatch, tier func(string) int, n int) error {
	byID := map[string]*Story{}
	var order []string
	for _, m := range cur {
		id := m.StoryID
		if id == "" {
			id = fmt.Sprintf("article-%d", m.ArticleID)
		}
		s := byID[id]
		if s == nil {
			s = &Story{ID: id, Title: m.Title, URL: m.URL}
			byID[id] = s
			order = append(order, id)
		}
		if !slices.ContainsFunc(s.Articles, func(a store.AlertArticle) bool { return a.ID == m.ArticleID }) {
			s.Articles = append(s.Articles, store.AlertArticle{ID: m.ArticleID, URL: m.URL, Outlet: m.Outlet, Title: m.Title, Published: m.Published, Lang: m.Lang})
		}
		if !slices.Contains(s.Categories, m.Category) {
			s.Categories = append(s.Categories, m.Category)
		}
		s.Score = max(s.Score, m.Score)
	}
	rank := func(s *Story) {
		s.Outlets, s.Reach = nil, 0
		for _, a := range s.Articles {
			if !slices.Contains(s.Outlets, a.Outlet) {
				s.Outlets = append(s.Outlets, a.Outlet)
				s.Reach += 4 - tier(a.Outlet)
			}
		}
		s.Rank = s.Score * float64(s.Reach)
	}
	all := make([]*Story, 0, len(order))
	for _, id := range order {
		rank(byID[id])
		all = append(all, byID[id])
	}
	sortStories(all)
	if n <= 0 {
		n = 10
	}
	// A story's unmatched articles (an outlet picking it up in other
	// words) widen its reach: read them for the leading stories, a few
	// more than shown since they can change the order.
	head := all[:min(len(all), 2*n)]
	for _, s := range head {
		if strings.HasPrefix(s.ID, "article-") {
			continue
		}
		arts, err := st.StoryArticles(ctx, s.ID)
		if err != nil {
			return err
		}
		for _, a := range arts {
			if in(a.Published, f.From, f.To) && !slices.ContainsFunc(s.Articles, func(b store.AlertArticle) bool { return b.ID == a.ID }) {
				s.Articles = append(s.Articles, a)
			}
		}
		sort.SliceStable(s.Articles, func(i, j int) bool { return s.Articles[i].Published.Before(s.Articles[j].Published) })
		s.Title, s.URL = s.Articles[0].Title, s.Articles[0].URL
		rank(s)
	}
	sortStories(head)
	for _, s := range head[:min(len(head), n)] {
		f.Stories = append(f.Stories, *s)
	}
	return nil
}

func sortStories(s []*Story) {
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].Rank != s[j].Rank {
			return s[i].Rank > s[j].Rank
		}
		return len(s[i].Articles) > len(s[j].Articles)
	})
}

func (f *Figures) alerts(alerts []store.AlertTimes) {
	var ackP, ackR, resP, resR []time.Duration
	for _, a := range alerts {
		if in(a.Created, f.From, f.To) {
			f.Alerts.Raised++
		}
		if !a.AckedAt.IsZero() && in(a.AckedAt, f.From, f.To) {
			f.Alerts.Acknowledged++
			ackP = append(ackP, a.AckedAt.Sub(a.FirstPublished))
			ackR = append(ackR, a.AckedAt.Sub(a.Created))
		}
		if !a.ResolvedAt.IsZero() && in(a.ResolvedAt, f.From, f.To) {
			f.Alerts.Resolved++
			resP = append(resP, a.ResolvedAt.Sub(a.FirstPublished))
			resR = append(resR, a.ResolvedAt.Sub(a.Created))
		}
	}
	f.Alerts.AckFromPublished, f.Alerts.AckFromRaised = median(ackP), median(ackR)
	f.Alerts.ResolveFromPublished, f.Alerts.ResolveFromRaised = median(resP), median(resR)
}

// median of ds, the mean of the middle two for an even count; 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	m := len(ds) / 2
	if len(ds)%2 == 1 {
		return ds[m]
	}
	return (ds[m-1] + ds[m]) / 2
}
