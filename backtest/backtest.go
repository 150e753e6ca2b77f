// Package backtest runs crisis rules over the archive: how often a rule (or
// a changed query not yet in config.yaml) hit, per day, with sample
// articles, and which of its hits the scorer would have alerted on. The
// kuzot rules backtest command and the web UI's rule editor share it.
package backtest

import (
	"context"
	"strings"
	"time"

	"kuzot/config"
	"kuzot/index"
	"kuzot/rules"
)

// Set is the compiled rules and scoring of a configuration.
type Set struct {
	Matcher *rules.Matcher
	Scorer  *rules.Scorer
	reach   map[string]int
}

// NewSet compiles the enabled rules and the scoring of cfg.
func NewSet(cfg *config.Config) (*Set, error) {
	m, err := rules.Compile(cfg.RuleSpecs())
	if err != nil {
		return nil, err
	}
	var watch []rules.WatchSpec
	for i := range cfg.Scoring.Watch {
		w := &cfg.Scoring.Watch[i]
		watch = append(watch, rules.WatchSpec{ID: w.ID, Query: w.Expanded(), Boost: w.Boost})
	}
	th := cfg.Scoring.Thresholds
	s, err := rules.NewScorer(rules.Thresholds{Digest: th.Digest, Alert: th.Alert, Critical: th.Critical}, watch)
	if err != nil {
		return nil, err
	}
	reach := map[string]int{}
	for _, src := range cfg.Sources {
		reach[strings.ToLower(src.Outlet)] = src.Reach
	}
	return &Set{Matcher: m, Scorer: s, reach: reach}, nil
}

// ReachOf is an outlet's reach tier; an outlet not configured is regular.
func (s *Set) ReachOf(outlet string) int {
	if r, ok := s.reach[strings.ToLower(outlet)]; ok {
		return r
	}
	return config.DefaultReach
}

// Score analyses and scores one article against every rule of the set.
func (s *Set) Score(title, body, outlet, lang string) []rules.Scored {
	a := rules.NewArticle(title, body, outlet, lang)
	return s.Scorer.Score(a, s.Matcher.Match(a), s.ReachOf(outlet))
}

// ScoreBatch scores analysed articles against every rule of the set,
// matching them together (see rules.Matcher.MatchBatch): what Score gives
// each, for less.
func (s *Set) ScoreBatch(as []*rules.Article) [][]rules.Scored {
	ms := s.Matcher.MatchBatch(as)
	out := make([][]rules.Scored, len(as))
	for i, a := range as {
		out[i] = s.Scorer.Score(a, ms[i], s.ReachOf(a.Outlet))
	}
	return out
}

// Searcher is what a backtest needs of the index.
type Searcher interface {
	Search(ctx context.Context, req index.Request) (*index.Result, error)
}

var _ Searcher = (*index.Index)(nil)

// Request is one backtest.
type Request struct {
	// Rules are backtested one by one: configured rules, or one compiled
	// from an edited query.
	Rules []*rules.Rule
	// Since and Until bound the publication time of the articles.
	Since, Until time.Time
	// Location is the zone days are counted and samples dated in.
	Location *time.Location
	// Samples is how many of the newest hits each row shows (default 5).
	Samples int
}

// Row is the backtest of one rule.
type Row struct {
	Rule     string `json:"rule"`
	Category string `json:"category"`
	// Hits is every article the rule's query (minus its exclude) finds.
	Hits uint64 `json:"hits"`
	// Scored is how many of the hits, newest first, were scored (at most
	// ScoreLimit); Alerts, Critical and Digest count among them.
	Scored   int                `json:"scored"`
	Alerts   int                `json:"would_alert"`
	Critical int                `json:"would_be_critical"`
	Digest   int                `json:"digest_only"`
	PerDay   []index.DateBucket `json:"per_day"`
	// Samples are the newest hits.
	Samples []Sample `json:"samples"`
	// Alerting are the newest hits that would have alerted.
	Alerting []Sample `json:"alerting"`
}

// Sample is one hit of a backtest, scored.
type Sample struct {
	ID        int64   `json:"id"`
	Title     string  `json:"title"`
	Outlet    string  `json:"outlet"`
	Lang      string  `json:"lang"`
	Published string  `json:"published"`
	URL       string  `json:"url"`
	Score     float64 `json:"score"`
	Decision  string  `json:"decision"`
	// TitleHTML and Snippet are HTML-escaped with the matched words in
	// <mark>, as search hits are.
	TitleHTML string `json:"title_html"`
	Snippet   string `json:"snippet"`
}

// ScoreLimit bounds how many hits of one rule are scored to tell what
// would have alerted.
const ScoreLimit = 2000

// maxAlerting bounds Row.Alerting.
const maxAlerting = 10

// Run backtests each rule of req: it searches the archive through the
// index and scores the hits with the rule alone, as the pipeline would
// have scored them, to tell what would have alerted.
func Run(ctx context.Context, x Searcher, set *Set, req Request) ([]Row, error) {
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	samples := req.Samples
	if samples <= 0 {
		samples = 5
	}
	rows := []Row{}
	for _, r := range req.Rules {
		res, err := x.Search(ctx, index.Request{Rule: r, Since: req.Since, Until: req.Until, Sort: index.SortDate,
			Size: index.MaxPageSize, Histogram: true, Location: loc})
		if err != nil {
			return nil, err
		}
		row := Row{Rule: r.ID, Category: r.Category, Hits: res.Total, PerDay: []index.DateBucket{}, Samples: []Sample{}, Alerting: []Sample{}}
		if res.Dates != nil {
			row.PerDay = res.Dates.Buckets
		}
		one, err := rules.Compile([]rules.Spec{r.Spec})
		if err != nil {
			return nil, err
		}
		for from := 0; from < int(min(res.Total, ScoreLimit)); from += index.MaxPageSize {
			page := res
			if from > 0 {
				if page, err = x.Search(ctx, index.Request{Rule: r, Since: req.Since, Until: req.Until, Sort: index.SortDate,
					From: from, Size: index.MaxPageSize}); err != nil {
					return nil, err
				}
			}
			arts := make([]*rules.Article, len(page.Hits))
			for i, h := range page.Hits {
				arts[i] = rules.NewArticle(h.Article.Title, h.Article.Body, h.Article.Outlet, h.Article.Lang)
			}
			matches := one.MatchBatch(arts)
			for i, h := range page.Hits {
				sc := set.Scorer.Score(arts[i], matches[i], set.ReachOf(h.Article.Outlet))
				d, score := rules.Ignore, 0.0
				if len(sc) > 0 {
					d, score = sc[0].Decision, sc[0].Score
				}
				row.Scored++
				switch d {
				case rules.Critical:
					row.Critical++
					row.Alerts++
				case rules.Alert:
					row.Alerts++
				case rules.Digest:
					row.Digest++
				}
				s := Sample{ID: h.Article.ID, Title: h.Article.Title, Outlet: h.Article.Outlet, Lang: h.Article.Lang,
					Published: h.Article.Published.In(loc).Format(time.RFC3339), URL: h.Article.URL, Score: score,
					Decision: d.String(), TitleHTML: h.TitleHTML, Snippet: h.Snippet}
				if len(row.Samples) < samples {
					row.Samples = append(row.Samples, s)
				}
				if d >= rules.Alert && len(row.Alerting) < maxAlerting {
					row.Alerting = append(row.Alerting, s)
				}
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}
