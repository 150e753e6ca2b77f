package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"kuzot/rules"
)

// Categories are the kinds of crisis a rule belongs to (a contract:
// reports, routes and the digest count by them).
var Categories = []string{
	"medical_error", "arrest", "equipment_neglect", "corruption_extortion", "ethics",
	"drug_shortage", "care_access", "outbreak", "public_case", "it_failure",
}

// Severities of a rule, lowest first.
var Severities = []string{"low", "medium", "high", "critical"}

// Rule is one crisis rule: a query in the rule language (see README).
type Rule struct {
	// ID is stable and unique: [a-z0-9-].
	ID string `yaml:"id"`
	// Category is one of Categories.
	Category string `yaml:"category"`
	// Severity is the base severity: low, medium, high or critical.
	Severity string `yaml:"severity"`
	// Query is what an article must match; Exclude what it must not.
	Query   string `yaml:"query"`
	Exclude string `yaml:"exclude"`
	// Description says what the rule is for, for the people tuning it.
	Description string `yaml:"description"`
	// Disabled rules are kept but never matched.
	Disabled bool `yaml:"disabled"`

	// query and exclude are Query and Exclude with the @lists expanded,
	// set by Validate.
	query, exclude string
}

// Scoring turns a rule match into a decision (see rules.Scorer for the
// formula).
type Scoring struct {
	// Watch lists the entities whose mention makes a crisis weigh more:
	// the Ministry, the health insurance fund, named hospitals, the minister.
	Watch []Watch `yaml:"watch"`
	// Thresholds map a score to a decision.
	Thresholds Thresholds `yaml:"thresholds"`
}

// Watch is one watch-list entity.
type Watch struct {
	ID string `yaml:"id"`
	// Name is what the digest calls the entity (default: its id).
	Name  string  `yaml:"name"`
	Query string  `yaml:"query"`
	Boost float64 `yaml:"boost"`

	// query is Query with the @lists expanded, set by Validate.
	query string
}

// Expanded is the query with its @lists expanded.
func (w *Watch) Expanded() string {
	if w.query == "" {
		return w.Query
	}
	return w.query
}

// Thresholds are the lowest scores of each decision: below Digest a
// match is ignored.
type Thresholds struct {
	Digest   float64 `yaml:"digest"`
	Alert    float64 `yaml:"alert"`
	Critical float64 `yaml:"critical"`
}

// DefaultThresholds are the thresholds when the file sets none.
var DefaultThresholds = Thresholds{Digest: 2, Alert: 3.5, Critical: 9}

// DefaultWatchBoost is a watch entry's boost when it sets none.
const DefaultWatchBoost = 1.3

// RuleSpecs returns the enabled rules for rules.Compile, with their
// @lists expanded.
func (c *Config) RuleSpecs() []rules.Spec {
	var out []rules.Spec
	for _, r := range c.Rules {
		if r.Disabled {
			continue
		}
		q, ex := r.query, r.exclude
		if q == "" {
			q, ex = r.Query, r.Exclude // a Config built in code, not validated
		}
		out = append(out, rules.Spec{ID: r.ID, Category: r.Category, Severity: r.Severity, Query: q, Exclude: ex})
	}
	return out
}

// listRef is a reference to a named word list in a query: @ru-staff.
var listRef = regexp.MustCompile(`^@([a-z0-9][a-z0-9-]*)`)

// EachListRef calls fn with the byte range and the name of every @name in
// q outside quoted phrases.
func EachListRef(q string, fn func(start, end int, name string)) {
	inQuote := false
	for i := 0; i < len(q); i++ {
		switch {
		case q[i] == '"':
			inQuote = !inQuote
		case q[i] == '@' && !inQuote:
			if m := listRef.FindStringSubmatchIndex(q[i:]); m != nil {
				fn(i, i+m[1], q[i+m[2]:i+m[3]])
				i += m[1] - 1
			}
		}
	}
}

// ExpandLists replaces every @name in q with its list of lists in
// parentheses, lists within lists too, the way the rules are read.
func ExpandLists(q string, lists map[string]string) (string, error) {
	return expandLists(q, lists, 0)
}

func expandLists(q string, lists map[string]string, depth int) (string, error) {
	if depth > 5 {
		return "", fmt.Errorf("lists nest more than 5 deep (does one refer to itself?)")
	}
	var b strings.Builder
	var err error
	last := 0
	EachListRef(q, func(start, end int, name string) {
		if err != nil {
			return
		}
		list, ok := lists[name]
		if !ok {
			err = fmt.Errorf("@%s is not a list in rule_lists (known: %s)", name, strings.Join(sortedKeys(lists), ", "))
			return
		}
		var sub string
		if sub, err = expandLists(list, lists, depth+1); err != nil {
			return
		}
		b.WriteString(q[last:start])
		b.WriteString("(" + sub + ")")
		last = end
	})
	if err != nil {
		return "", err
	}
	b.WriteString(q[last:])
	return b.String(), nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (c *Config) validateRules(add func(path, format string, args ...any)) {
	for _, name := range sortedKeys(c.RuleLists) {
		p := "rule_lists." + name
		if !idPattern.MatchString(name) {
			add(p, "%q is not a valid list name (lower-case letters, digits and '-', e.g. \"ru-staff\")", name)
			continue
		}
		q, err := expandLists(c.RuleLists[name], c.RuleLists, 0)
		if err == nil {
			_, err = rules.Parse(q)
		}
		if err != nil {
			add(p, "%v", err)
		}
	}
	expand := func(p, q string) string {
		out, err := expandLists(q, c.RuleLists, 0)
		if err != nil {
			add(p, "%v", err)
			return q
		}
		return out
	}
	seen := map[string]int{}
	for i := range c.Rules {
		r := &c.Rules[i]
		p := fmt.Sprintf("rules[%d]", i)
		if !idPattern.MatchString(r.ID) {
			add(p+".id", "%q is not a valid id (lower-case letters, digits and '-', e.g. \"medical-error-ru\")", r.ID)
		} else if j, dup := seen[r.ID]; dup {
			add(p+".id", "%q is used by rules[%d] too; ids must be unique", r.ID, j)
		}
		seen[r.ID] = i
		if !slices.Contains(Categories, r.Category) {
			add(p+".category", "%q is not a category (one of %s)", r.Category, strings.Join(Categories, ", "))
		}
		if r.Severity == "" {
			r.Severity = "medium"
		}
		if !slices.Contains(Severities, r.Severity) {
			add(p+".severity", "%q is not a severity (low, medium, high or critical)", r.Severity)
		}
		r.query, r.exclude = expand(p+".query", r.Query), expand(p+".exclude", r.Exclude)
		if strings.TrimSpace(r.Query) == "" {
			add(p+".query", "is empty (e.g. '(врач OR дарыгер) AND \"врачебная ошибка\"')")
		} else if _, err := rules.CompileRule(rules.Spec{ID: r.ID, Query: r.query}); err != nil {
			add(p+".query", "rule %s: %v", r.ID, unwrapRuleError(err))
		}
		if strings.TrimSpace(r.Exclude) != "" {
			if _, err := rules.CompileRule(rules.Spec{ID: r.ID, Query: r.exclude}); err != nil {
				add(p+".exclude", "rule %s: %v", r.ID, unwrapRuleError(err))
			}
		}
	}

	s := &c.Scoring
	if s.Thresholds == (Thresholds{}) {
		s.Thresholds = DefaultThresholds
	}
	if t := s.Thresholds; !(0 < t.Digest && t.Digest <= t.Alert && t.Alert <= t.Critical) {
		add("scoring.thresholds", "digest %g, alert %g and critical %g must be positive and rising (try 2, 3.5, 9)", t.Digest, t.Alert, t.Critical)
	}
	for i := range s.Watch {
		w := &s.Watch[i]
		p := fmt.Sprintf("scoring.watch[%d]", i)
		if !idPattern.MatchString(w.ID) {
			add(p+".id", "%q is not a valid id (e.g. \"ministry\")", w.ID)
		}
		if w.Boost == 0 {
			w.Boost = DefaultWatchBoost
		}
		if w.Boost < 1 || w.Boost > 5 {
			add(p+".boost", "%g is out of range (1 to 5; try 1.3)", w.Boost)
		}
		w.query = expand(p+".query", w.Query)
		if _, err := rules.CompileRule(rules.Spec{ID: w.ID, Query: w.query}); err != nil {
			add(p+".query", "%v", unwrapRuleError(err))
		}
	}
}

// unwrapRuleError drops the "rules: rule X: query:" prefix, which the
// field path already says.
func unwrapRuleError(err error) error {
	if re, ok := err.(*rules.RuleError); ok {
		return re.Err
	}
	return err
}
