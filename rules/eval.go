package rules

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"gopkg.in/yaml.v3"
)

// Case is one labelled article of an evaluation set: Categories lists the
// crises it reports, none for an article that is not a crisis.
type Case struct {
	ID         string   `yaml:"id"`
	Lang       string   `yaml:"lang"`
	Outlet     string   `yaml:"outlet"`
	Title      string   `yaml:"title"`
	Body       string   `yaml:"body"`
	Categories []string `yaml:"categories"`
	Note       string   `yaml:"note"`
}

// LoadCases reads every *.yaml file of dir (or one file), each a list of
// cases, in name order.
func LoadCases(path string) ([]Case, error) {
	files := []string{path}
	if st, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("rules: evaluation set: %w", err)
	} else if st.IsDir() {
		files, _ = filepath.Glob(filepath.Join(path, "*.yaml"))
		sort.Strings(files)
		if len(files) == 0 {
			return nil, fmt.Errorf("rules: evaluation set %s: no *.yaml files", path)
		}
	}
	var all []Case
	ids := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("rules: evaluation set: %w", err)
		}
		var cs []Case
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cs); err != nil {
			return nil, fmt.Errorf("rules: evaluation set %s: %w", f, err)
		}
		for _, c := range cs {
			if prev, dup := ids[c.ID]; dup {
				return nil, fmt.Errorf("rules: evaluation set %s: case %q is also in %s", f, c.ID, prev)
			}
			ids[c.ID] = f
		}
		all = append(all, cs...)
	}
	return all, nil
}

// Outcome is what the rules made of one case.
type Outcome struct {
	Case      Case
	Predicted []string // categories decided digest or above
	Scored    []Scored
}

// Counts are a confusion count.
type Counts struct{ TP, FP, FN int }

// Precision is TP / (TP + FP), 1 when nothing was predicted.
func (c Counts) Precision() float64 {
	if c.TP+c.FP == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FP)
}

// Recall is TP / (TP + FN), 1 when there was nothing to find.
func (c Counts) Recall() float64 {
	if c.TP+c.FN == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FN)
}

// Report is an evaluation: counts per category, overall (every article and
// category pair) and for telling crises from the rest.
type Report struct {
	Categories map[string]Counts
	Overall    Counts
	Crisis     Counts
	Outcomes   []Outcome
}

// Evaluate runs the matcher and scorer over the cases. reach gives an
// outlet's reach tier.
func Evaluate(m *Matcher, s *Scorer, cases []Case, reach func(outlet string) int) Report {
	r := Report{Categories: map[string]Counts{}}
	as := make([]*Article, len(cases))
	for i, c := range cases {
		as[i] = NewArticle(c.Title, c.Body, c.Outlet, c.Lang)
	}
	matches := m.MatchBatch(as)
	for i, c := range cases {
		sc := s.Score(as[i], matches[i], reach(c.Outlet))
		var pred []string
		for _, x := range sc {
			if x.Decision >= Digest && !slices.Contains(pred, x.Rule.Category) {
				pred = append(pred, x.Rule.Category)
			}
		}
		sort.Strings(pred)
		r.Outcomes = append(r.Outcomes, Outcome{Case: c, Predicted: pred, Scored: sc})
		for _, cat := range union(pred, c.Categories) {
			k := r.Categories[cat]
			p, want := slices.Contains(pred, cat), slices.Contains(c.Categories, cat)
			switch {
			case p && want:
				k.TP++
				r.Overall.TP++
			case p:
				k.FP++
				r.Overall.FP++
			default:
				k.FN++
				r.Overall.FN++
			}
			r.Categories[cat] = k
		}
		switch p, want := len(pred) > 0, len(c.Categories) > 0; {
		case p && want:
			r.Crisis.TP++
		case p:
			r.Crisis.FP++
		case want:
			r.Crisis.FN++
		}
	}
	return r
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
