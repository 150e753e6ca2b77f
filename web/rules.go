package web

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"kuzot/backtest"
	"kuzot/config"
	"kuzot/index"
	"kuzot/rules"
	"kuzot/store"
)

// ruleRow is one configured rule with its hits over the last 30 days.
type ruleRow struct {
	ID          string             `json:"id"`
	Category    string             `json:"category"`
	Severity    string             `json:"severity"`
	Query       string             `json:"query"`
	Exclude     string             `json:"exclude,omitempty"`
	Description string             `json:"description,omitempty"`
	Disabled    bool               `json:"disabled"`
	Hits30d     uint64             `json:"hits_30d"`
	PerDay      []index.DateBucket `json:"per_day"`
}

// rulesTTL is how long the rules' histograms are reused.
const rulesTTL = 5 * time.Minute

// ruleRows lists the configured rules, each with its hits per day over
// the last 30 days (a search each, so the list is cached a few minutes).
func (s *Server) ruleRows(ctx context.Context) ([]ruleRow, error) {
	v, err := s.cachedValue("rules", rulesTTL, func() (any, error) {
		now := s.now()
		rows := []ruleRow{}
		for _, r := range s.cfg.Rules {
			row := ruleRow{ID: r.ID, Category: r.Category, Severity: r.Severity, Query: r.Query, Exclude: r.Exclude,
				Description: r.Description, Disabled: r.Disabled, PerDay: []index.DateBucket{}}
			if c := s.rules.Matcher.Rule(r.ID); c != nil && !r.Disabled {
				res, err := s.idx.Search(ctx, index.Request{Rule: c, Since: now.AddDate(0, 0, -30), Until: now, Size: 1,
					Histogram: true, Location: s.loc})
				if err != nil {
					return nil, err
				}
				row.Hits30d = res.Total
				if res.Dates != nil {
					row.PerDay = res.Dates.Buckets
				}
			}
			rows = append(rows, row)
		}
		return rows, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]ruleRow), nil
}

// configRule is a configured rule by id.
func (s *Server) configRule(id string) *config.Rule {
	for i := range s.cfg.Rules {
		if s.cfg.Rules[i].ID == id {
			return &s.cfg.Rules[i]
		}
	}
	return nil
}

// draft is a backtest request: a configured rule, or a query being
// edited (with @lists as config.yaml has them).
type draft struct {
	Rule     string `json:"rule"`
	Query    string `json:"query"`
	Exclude  string `json:"exclude"`
	Category string `json:"category"`
	Severity string `json:"severity"`
	Since    string `json:"since"`
	Until    string `json:"until"`
}

// backtestResult is the answer of a backtest.
type backtestResult struct {
	Since  time.Time    `json:"since"`
	Until  time.Time    `json:"until"`
	Draft  bool         `json:"draft"`
	Result backtest.Row `json:"result"`
	// YAML is the rule as it would stand in config.yaml.
	YAML string `json:"yaml"`
}

// fieldError is a syntax error in one field of a draft.
type fieldError struct {
	Field string
	Err   *rules.SyntaxError
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *fieldError) Unwrap() error { return e.Err }

// backtest runs a draft.
func (s *Server) backtest(ctx context.Context, d draft) (*backtestResult, error) {
	if d.Since == "" {
		d.Since = "30d"
	}
	since, until, err := s.period(d.Since, d.Until)
	if err != nil {
		return nil, err
	}
	if until.IsZero() {
		until = s.now()
	}
	if until.Sub(since) > 366*24*time.Hour {
		return nil, badf("the period is over a year; backtest a shorter one")
	}
	conf := s.configRule(d.Rule)
	if d.Rule != "" && conf == nil {
		return nil, fmt.Errorf("web: rule %q is not in config.yaml: %w", d.Rule, store.ErrNotFound)
	}
	var r *rules.Rule
	isDraft := strings.TrimSpace(d.Query) != ""
	if !isDraft {
		if conf == nil {
			return nil, badf("give a rule id or a query")
		}
		if r = s.rules.Matcher.Rule(conf.ID); r == nil {
			return nil, badf("rule %s is disabled in config.yaml", conf.ID)
		}
		d.Query, d.Exclude, d.Category, d.Severity = conf.Query, conf.Exclude, conf.Category, conf.Severity
	} else {
		if conf != nil {
			d.Category = cmp(d.Category, conf.Category)
			d.Severity = cmp(d.Severity, conf.Severity)
		}
		d.Category = cmp(d.Category, "medical_error")
		d.Severity = cmp(d.Severity, "high")
		if !slices.Contains(config.Categories, d.Category) {
			return nil, badf("category %q: use one of %s", d.Category, strings.Join(config.Categories, ", "))
		}
		if !slices.Contains(config.Severities, d.Severity) {
			return nil, badf("severity %q: use low, medium, high or critical", d.Severity)
		}
		spec := rules.Spec{ID: cmp(d.Rule, "draft"), Category: d.Category, Severity: d.Severity}
		for _, f := range []struct {
			name string
			src  string
			dst  *string
		}{{"query", d.Query, &spec.Query}, {"exclude", d.Exclude, &spec.Exclude}} {
			if strings.TrimSpace(f.src) == "" {
				continue
			}
			var se *rules.SyntaxError
			if err := checkQuery(f.src); errors.As(err, &se) {
				return nil, &fieldError{Field: f.name, Err: se}
			} else if err != nil {
				return nil, err
			}
			if *f.dst, err = config.ExpandLists(f.src, s.cfg.RuleLists); err != nil {
				return nil, badf("%s: %v", f.name, err)
			}
		}
		if r, err = rules.CompileRule(spec); err != nil {
			var se *rules.SyntaxError
			if errors.As(err, &se) {
				return nil, badf("%v", err)
			}
			return nil, err
		}
	}
	rows, err := backtest.Run(ctx, s.idx, s.rules, backtest.Request{Rules: []*rules.Rule{r}, Since: since, Until: until, Location: s.loc, Samples: 10})
	if err != nil {
		return nil, err
	}
	return &backtestResult{Since: since, Until: until, Draft: isDraft, Result: rows[0], YAML: ruleYAML(d, conf)}, nil
}

func cmp(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

// ruleYAML writes the rule the way it goes under rules: in config.yaml.
func ruleYAML(d draft, conf *config.Rule) string {
	type out struct {
		ID          string `yaml:"id"`
		Category    string `yaml:"category"`
		Severity    string `yaml:"severity"`
		Query       string `yaml:"query"`
		Exclude     string `yaml:"exclude,omitempty"`
		Description string `yaml:"description,omitempty"`
	}
	o := out{ID: cmp(d.Rule, "new-rule"), Category: d.Category, Severity: d.Severity, Query: strings.TrimSpace(d.Query),
		Exclude: strings.TrimSpace(d.Exclude)}
	if conf != nil {
		o.Description = conf.Description
	}
	b, err := yaml.Marshal([]out{o})
	if err != nil {
		return ""
	}
	// Indent as an item of the rules: list.
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for i := range lines {
		lines[i] = "  " + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}
