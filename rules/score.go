package rules

import (
	"fmt"
	"slices"
)

// Decision is what a scored match leads to.
type Decision int

// Decisions, weakest first.
const (
	Ignore Decision = iota
	Digest
	Alert
	Critical
)

func (d Decision) String() string {
	switch d {
	case Ignore:
		return "ignore"
	case Digest:
		return "digest"
	case Alert:
		return "alert"
	case Critical:
		return "critical"
	}
	return fmt.Sprintf("Decision(%d)", int(d))
}

// Thresholds are the lowest scores of each decision.
type Thresholds struct{ Digest, Alert, Critical float64 }

// WatchSpec is a watch-list entity: articles that mention it weigh more.
type WatchSpec struct {
	ID    string
	Query string
	Boost float64
}

// Scorer weighs rule matches.
//
// The score of a match is the product of four factors:
//
//	score = severity × evidence × source × watch
//
//	severity  the rule's base severity: low 1, medium 2, high 3, critical 4
//	evidence  1, plus 0.5 when a matched word is in the title, plus 0.25 when
//	          one is in the lead (the body's first 40 words), plus 0.1 for each
//	          distinct matched term beyond the first (at most 0.5): 1 to 2.25
//	source    the outlet's reach tier: national (1) 1.3, regular (2) 1.0,
//	          small (3) 0.8
//	watch     the largest boost of the watch-list entities the article
//	          mentions (Минздрав 1.3, say), 1 when it mentions none
//
// and the thresholds map it to a decision: below Digest ignore, then
// digest only, alert, and critical alert. With the default thresholds
// (2, 3.5, 9): a high-severity rule matched by the phrase "врачебная
// ошибка" in the title of a national outlet's article that names the
// Ministry scores 3 × (1 + 0.5 + 0.1) × 1.3 × 1.3 = 8.1, an alert; the same
// rule matched by two words deep in the body of a small outlet's article
// scores 3 × 1.1 × 0.8 × 1 = 2.64, digest only.
type Scorer struct {
	th     Thresholds
	watch  *Matcher
	boosts map[string]float64
}

// NewScorer compiles the watch list.
func NewScorer(th Thresholds, watch []WatchSpec) (*Scorer, error) {
	specs := make([]Spec, len(watch))
	boosts := map[string]float64{}
	for i, w := range watch {
		specs[i] = Spec{ID: w.ID, Query: w.Query}
		boosts[w.ID] = max(w.Boost, 1)
	}
	m, err := Compile(specs)
	if err != nil {
		return nil, fmt.Errorf("rules: watch list: %w", err)
	}
	return &Scorer{th: th, watch: m, boosts: boosts}, nil
}

// Factors are the parts of a score, kept for display and tests.
type Factors struct {
	Severity float64  `json:"severity"`
	Evidence float64  `json:"evidence"`
	Source   float64  `json:"source"`
	Watch    float64  `json:"watch"`
	Watched  []string `json:"watched,omitempty"`
	Title    bool     `json:"title_hit"`
	Lead     bool     `json:"lead_hit"`
	Terms    int      `json:"distinct_terms"`
}

// Scored is a match with its score and decision.
type Scored struct {
	Match
	Score    float64
	Decision Decision
	Factors  Factors
}

// leadWords is how many words of the body count as its lead.
const leadWords = 40

// SeverityWeight is the severity factor of a rule's severity.
func SeverityWeight(sev string) float64 {
	switch sev {
	case "low":
		return 1
	case "high":
		return 3
	case "critical":
		return 4
	}
	return 2
}

// ReachWeight is the source factor of an outlet's reach tier.
func ReachWeight(reach int) float64 {
	switch reach {
	case 1:
		return 1.3
	case 3:
		return 0.8
	}
	return 1
}

// Watched returns the watch-list entities a mentions and the largest
// boost among them (1 for none).
func (s *Scorer) Watched(a *Article) ([]string, float64) {
	ids := s.watch.MatchIDs(a)
	boost := 1.0
	for _, id := range ids {
		boost = max(boost, s.boosts[id])
	}
	return ids, boost
}

// Score weighs the matches of one article from an outlet of the given
// reach tier, strongest first.
func (s *Scorer) Score(a *Article, ms []Match, reach int) []Scored {
	watched, boost := s.Watched(a)
	out := make([]Scored, 0, len(ms))
	for _, m := range ms {
		f := Factors{Severity: SeverityWeight(m.Rule.Severity), Source: ReachWeight(reach), Watch: boost, Watched: watched}
		var terms []string
		for _, h := range m.hits {
			fld := &a.fields[h.field]
			if h.field == titleField {
				f.Title = true
			} else if h.from <= leadWords {
				f.Lead = true
			}
			for p := h.from; p <= h.to && p <= len(fld.toks); p++ {
				if t := fld.toks[p-1].Term; !slices.Contains(terms, t) {
					terms = append(terms, t)
				}
			}
		}
		f.Terms = len(terms)
		f.Evidence = 1
		if f.Title {
			f.Evidence += 0.5
		}
		if f.Lead {
			f.Evidence += 0.25
		}
		f.Evidence += 0.1 * float64(min(max(f.Terms-1, 0), 5))
		score := f.Severity * f.Evidence * f.Source * f.Watch
		out = append(out, Scored{Match: m, Score: score, Decision: s.decide(score), Factors: f})
	}
	slices.SortStableFunc(out, func(x, y Scored) int {
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		}
		return 0
	})
	return out
}

func (s *Scorer) decide(score float64) Decision {
	switch {
	case score >= s.th.Critical:
		return Critical
	case score >= s.th.Alert:
		return Alert
	case score >= s.th.Digest:
		return Digest
	}
	return Ignore
}
