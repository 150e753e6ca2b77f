package rules

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Spec is one crisis rule as configured.
type Spec struct {
	ID       string
	Category string
	Severity string
	// Query is what the article must match; Exclude, when set, what it
	// must not.
	Query   string
	Exclude string
}

// RuleError is a rule whose query or exclude does not compile.
type RuleError struct {
	ID    string
	Field string // "query" or "exclude"
	Err   error  // a *SyntaxError
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("rules: rule %s: %s: %v", e.ID, e.Field, e.Err)
}

func (e *RuleError) Unwrap() error { return e.Err }

// Rule is a compiled rule.
type Rule struct {
	Spec
	query, exclude Node
	match, not     expr
}

// Node returns the rule's parsed query.
func (r *Rule) Node() Node { return r.query }

// Combined is the rule as one query: its query AND NOT its exclude, the
// way the index backtests it.
func (r *Rule) Combined() Node {
	if r.exclude == nil {
		return r.query
	}
	return &And{Children: []Node{r.query, &Not{Child: r.exclude}}}
}

// CompileRule parses and compiles one rule.
func CompileRule(s Spec) (*Rule, error) {
	r := &Rule{Spec: s}
	var err error
	if r.query, err = Parse(s.Query); err != nil {
		return nil, &RuleError{ID: s.ID, Field: "query", Err: err}
	}
	if r.match, err = compileExpr(r.query); err != nil {
		return nil, &RuleError{ID: s.ID, Field: "query", Err: err}
	}
	if strings.TrimSpace(s.Exclude) != "" {
		if r.exclude, err = Parse(s.Exclude); err != nil {
			return nil, &RuleError{ID: s.ID, Field: "exclude", Err: err}
		}
		if r.not, err = compileExpr(r.exclude); err != nil {
			return nil, &RuleError{ID: s.ID, Field: "exclude", Err: err}
		}
	}
	return r, nil
}

// Matches reports whether the rule matches a.
func (r *Rule) Matches(a *Article) bool {
	return r.match.eval(a) && (r.not == nil || !r.not.eval(a))
}

// Match is one rule matching one article.
type Match struct {
	Rule     *Rule
	Evidence []Evidence
	// hits are the matched runs of words, for scoring.
	hits []hit
}

// Evidence is a matched passage: the words that made the rule match, in
// context.
type Evidence struct {
	Rule  string `json:"rule"`
	Field string `json:"field"`
	// Text is the passage, with "…" where it was cut from the field.
	Text string `json:"text"`
	// Marks are the byte ranges of the matched words in Text.
	Marks []Mark `json:"marks"`
}

// Mark is the byte range of one matched word.
type Mark struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Words returns the marked words of the evidence.
func (e Evidence) Words() []string {
	var out []string
	for _, m := range e.Marks {
		out = append(out, e.Text[m.Start:m.End])
	}
	return out
}

// Matcher scores an article against every rule at once. A term prefilter
// (a map from index terms and prefixes to the rules they can start) picks
// the few rules worth evaluating, so the cost grows with the article, not
// with the number of rules.
type Matcher struct {
	rules    []*Rule
	byTerm   map[string][]int32
	byPrefix map[string][]int32
	// maxPrefix is the longest prefix key in bytes.
	maxPrefix int
	// always are rules that can match without any word (a NOT, an
	// outlet: filter alone): evaluated on every article.
	always []int32
	seen   sync.Pool
	// Word sets (ORs of plain words, see posOr): nSets of them, found
	// through their terms and prefixes.
	nSets        int
	setsByTerm   map[string][]int32
	setsByPrefix map[string][]int32
	maxSetPrefix int
}

// Compile compiles a rule set. Every bad rule is reported, joined.
func Compile(specs []Spec) (*Matcher, error) {
	m := &Matcher{byTerm: map[string][]int32{}, byPrefix: map[string][]int32{},
		setsByTerm: map[string][]int32{}, setsByPrefix: map[string][]int32{}}
	var errs []error
	ids := map[string]bool{}
	for _, s := range specs {
		if ids[s.ID] {
			errs = append(errs, fmt.Errorf("rules: rule %s: the id is used twice", s.ID))
			continue
		}
		ids[s.ID] = true
		r, err := CompileRule(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m.add(r)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	n := len(m.rules)
	m.seen.New = func() any { s := make([]bool, n); return &s }
	return m, nil
}

func (m *Matcher) add(r *Rule) {
	i := int32(len(m.rules))
	m.rules = append(m.rules, r)
	m.registerSets(r.match)
	if r.not != nil {
		m.registerSets(r.not)
	}
	t, ok := r.match.triggers()
	if !ok {
		m.always = append(m.always, i)
		return
	}
	for _, term := range t.terms {
		if l := m.byTerm[term]; len(l) == 0 || l[len(l)-1] != i {
			m.byTerm[term] = append(l, i)
		}
	}
	for _, p := range t.prefixes {
		if l := m.byPrefix[p]; len(l) == 0 || l[len(l)-1] != i {
			m.byPrefix[p] = append(l, i)
		}
		m.maxPrefix = max(m.maxPrefix, len(p))
	}
}

// registerSets gives every word set under e an id of m's.
func (m *Matcher) registerSets(e expr) {
	var walk func(pe posExpr)
	walk = func(pe posExpr) {
		switch pe := pe.(type) {
		case *posOr:
			ws := pe.words()
			if ws == nil {
				for _, a := range pe.alts {
					walk(a)
				}
				return
			}
			pe.owner, pe.id = m, m.nSets
			m.nSets++
			for _, w := range ws {
				if w.prefix != "" {
					m.setsByPrefix[w.prefix] = append(m.setsByPrefix[w.prefix], int32(pe.id))
					m.maxSetPrefix = max(m.maxSetPrefix, len(w.prefix))
					continue
				}
				for _, t := range w.terms {
					m.setsByTerm[t] = append(m.setsByTerm[t], int32(pe.id))
				}
			}
		case posNear:
			walk(pe.left)
			walk(pe.right)
		}
	}
	var visit func(e expr)
	visit = func(e expr) {
		switch e := e.(type) {
		case *posLeaf:
			walk(e.pe)
		case *andExpr:
			for _, c := range e.pos {
				visit(c)
			}
			for _, c := range e.neg {
				visit(c)
			}
		case *orExpr:
			for _, c := range e.alts {
				visit(c)
			}
		}
	}
	visit(e)
}

// eachPrefix calls fn with every prefix of the exact term ex that ends on
// a rune boundary, from one letter up to maxLen bytes.
func eachPrefix(ex string, maxLen int, fn func(string)) {
	for end := len(ExactPrefix) + 1; end <= len(ex) && end <= maxLen; end++ {
		if end == len(ex) || utf8.RuneStart(ex[end]) {
			fn(ex[:end])
		}
	}
}

// markSets marks which of m's word sets each field of a holds.
func (m *Matcher) markSets(a *Article) {
	for fi := range a.fields {
		f := &a.fields[fi]
		if cap(f.sets) >= m.nSets {
			f.sets = f.sets[:m.nSets]
			clear(f.sets)
		} else {
			f.sets = make([]bool, m.nSets)
		}
		f.owner = m
		for term := range f.pos {
			for _, id := range m.setsByTerm[term] {
				f.sets[id] = true
			}
		}
		if m.maxSetPrefix == 0 {
			continue
		}
		for _, ex := range f.exact {
			eachPrefix(ex, m.maxSetPrefix, func(p string) {
				for _, id := range m.setsByPrefix[p] {
					f.sets[id] = true
				}
			})
		}
	}
}

// Rules returns the compiled rules in configured order.
func (m *Matcher) Rules() []*Rule { return m.rules }

// Rule returns the rule with id, or nil.
func (m *Matcher) Rule(id string) *Rule {
	for _, r := range m.rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Match returns the rules a matches, in configured order, with evidence.
func (m *Matcher) Match(a *Article) []Match {
	var out []Match
	m.eachMatch(a, func(r *Rule) {
		hits := r.hits(a)
		out = append(out, Match{Rule: r, Evidence: evidence(r.ID, a, hits), hits: hits})
	})
	return out
}

// MatchIDs returns the ids of the rules a matches, without evidence.
func (m *Matcher) MatchIDs(a *Article) []string {
	var out []string
	m.eachMatch(a, func(r *Rule) { out = append(out, r.ID) })
	return out
}

func (m *Matcher) eachMatch(a *Article, fn func(*Rule)) {
	sp := m.seen.Get().(*[]bool)
	seen := *sp
	var cand []int32
	mark := func(l []int32) {
		for _, i := range l {
			if !seen[i] {
				seen[i] = true
				cand = append(cand, i)
			}
		}
	}
	mark(m.always)
	for fi := range a.fields {
		f := &a.fields[fi]
		for term := range f.pos {
			if l, ok := m.byTerm[term]; ok {
				mark(l)
			}
		}
		if m.maxPrefix == 0 {
			continue
		}
		for _, ex := range f.exact {
			eachPrefix(ex, m.maxPrefix, func(p string) {
				if l, ok := m.byPrefix[p]; ok {
					mark(l)
				}
			})
		}
	}
	slices.Sort(cand)
	if len(cand) > 0 && m.nSets > 0 {
		m.markSets(a)
	}
	for _, i := range cand {
		seen[i] = false
		if r := m.rules[i]; r.Matches(a) {
			fn(r)
		}
	}
	m.seen.Put(sp)
}

// expr is a compiled query, evaluated on an analysed article.
type expr interface {
	eval(a *Article) bool
	// triggers returns words one of which an article must hold for the
	// expression to match; false when it can match without any.
	triggers() (trigger, bool)
	// collect appends the spans of the positive parts that match.
	collect(a *Article, out *[]hit)
}

type trigger struct{ terms, prefixes []string }

func (t trigger) size() int { return len(t.terms) + len(t.prefixes) }

func (t trigger) union(u trigger) trigger {
	return trigger{append(slices.Clip(t.terms), u.terms...), append(slices.Clip(t.prefixes), u.prefixes...)}
}

// hit is a matched run of words in one field.
type hit struct {
	field int
	span
}

func compileExpr(n Node) (expr, error) {
	switch n := n.(type) {
	case *Term, *Phrase, *Near:
		pe, f, err := positional(n)
		if err != nil {
			return nil, err
		}
		e := &posLeaf{pe: pe}
		for _, name := range fieldsOf(f) {
			e.fields = append(e.fields, fieldIndex(name))
		}
		return e, nil
	case *Keyword:
		return &keywordLeaf{field: n.Field, value: n.Value}, nil
	case *And:
		e := &andExpr{}
		for _, c := range n.Children {
			if nc, ok := c.(*Not); ok {
				ce, err := compileExpr(nc.Child)
				if err != nil {
					return nil, err
				}
				e.neg = append(e.neg, ce)
				continue
			}
			ce, err := compileExpr(c)
			if err != nil {
				return nil, err
			}
			e.pos = append(e.pos, ce)
		}
		return e, nil
	case *Or:
		if leaf, ok := wordSetLeaf(n); ok {
			return leaf, nil
		}
		e := &orExpr{}
		for _, c := range n.Children {
			ce, err := compileExpr(c)
			if err != nil {
				return nil, err
			}
			e.alts = append(e.alts, ce)
		}
		return e, nil
	case *Not:
		ce, err := compileExpr(n.Child)
		if err != nil {
			return nil, err
		}
		return &andExpr{neg: []expr{ce}}, nil
	}
	return nil, fmt.Errorf("rules: cannot compile %T", n)
}

// wordSetLeaf compiles an OR of plain words in one field scope, the
// usual long list of a rule, to one word-set leaf.
func wordSetLeaf(n *Or) (expr, bool) {
	for _, c := range n.Children {
		t, ok := c.(*Term)
		if !ok || t.Field != n.Children[0].(*Term).Field {
			return nil, false
		}
	}
	pe, f, err := positional(n)
	if err != nil {
		return nil, false
	}
	set, ok := pe.(*posOr)
	if !ok || set.words() == nil {
		return nil, false // a hyphenated word is a phrase
	}
	e := &posLeaf{pe: set, set: true}
	for _, name := range fieldsOf(f) {
		e.fields = append(e.fields, fieldIndex(name))
	}
	return e, true
}

// posLeaf is a word, phrase or NEAR in one or two fields.
type posLeaf struct {
	pe     posExpr
	fields []int
	// set is true for an OR of plain words: present means matched.
	set bool
}

func (e *posLeaf) eval(a *Article) bool {
	for _, fi := range e.fields {
		f := &a.fields[fi]
		if w, ok := e.pe.(posWord); ok {
			if f.has(w.w) {
				return true
			}
			continue
		}
		if e.set {
			if f.present(e.pe) {
				return true
			}
			continue
		}
		if f.present(e.pe) && len(e.pe.spans(f.positions)) > 0 {
			return true
		}
	}
	return false
}

func (e *posLeaf) triggers() (trigger, bool) { return posTriggers(e.pe), true }

// posTriggers picks the words of a positional operand one of which must be
// present: a word's own, a phrase's or NEAR's first part, any
// alternative's.
func posTriggers(pe posExpr) trigger {
	switch pe := pe.(type) {
	case posWord:
		if pe.w.prefix != "" {
			return trigger{prefixes: []string{pe.w.prefix}}
		}
		return trigger{terms: pe.w.terms}
	case posPhrase:
		return posTriggers(posWord{pe.ws[0]})
	case posNear:
		return posTriggers(pe.left)
	case *posOr:
		var t trigger
		for _, a := range pe.alts {
			t = t.union(posTriggers(a))
		}
		return t
	}
	return trigger{}
}

func (e *posLeaf) collect(a *Article, out *[]hit) {
	for _, fi := range e.fields {
		for _, s := range e.pe.marks(a.fields[fi].positions) {
			*out = append(*out, hit{fi, s})
		}
	}
}

// keywordLeaf is outlet: or lang:.
type keywordLeaf struct{ field, value string }

func (e *keywordLeaf) eval(a *Article) bool {
	if e.field == FieldOutlet {
		return a.Outlet == e.value
	}
	return a.Lang == e.value
}

func (e *keywordLeaf) triggers() (trigger, bool) { return trigger{}, false }
func (e *keywordLeaf) collect(*Article, *[]hit)  {}

type andExpr struct{ pos, neg []expr }

func (e *andExpr) eval(a *Article) bool {
	for _, c := range e.pos {
		if !c.eval(a) {
			return false
		}
	}
	for _, c := range e.neg {
		if c.eval(a) {
			return false
		}
	}
	return true
}

// triggers of an AND are those of its most selective positive child: all
// children must match, so any one child's words must be present.
func (e *andExpr) triggers() (trigger, bool) {
	var best trigger
	found := false
	for _, c := range e.pos {
		if t, ok := c.triggers(); ok && (!found || t.size() < best.size()) {
			best, found = t, true
		}
	}
	return best, found
}

func (e *andExpr) collect(a *Article, out *[]hit) {
	for _, c := range e.pos {
		c.collect(a, out)
	}
}

type orExpr struct{ alts []expr }

func (e *orExpr) eval(a *Article) bool {
	for _, c := range e.alts {
		if c.eval(a) {
			return true
		}
	}
	return false
}

func (e *orExpr) triggers() (trigger, bool) {
	var t trigger
	for _, c := range e.alts {
		ct, ok := c.triggers()
		if !ok {
			return trigger{}, false
		}
		t = t.union(ct)
	}
	return t, true
}

func (e *orExpr) collect(a *Article, out *[]hit) {
	for _, c := range e.alts {
		if c.eval(a) {
			c.collect(a, out)
		}
	}
}

// evidenceContext is how many words of context a passage keeps on each
// side of its matched words.
const evidenceContext = 6

// hits returns where the rule's positive words matched in a, title first,
// in order.
func (r *Rule) hits(a *Article) []hit {
	var hits []hit
	r.match.collect(a, &hits)
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].field != hits[j].field {
			return hits[i].field < hits[j].field
		}
		return hits[i].from < hits[j].from
	})
	return hits
}

// evidence cuts the passages of a's fields where the rule's positive words
// matched: one passage per run of hits close together, title first.
func evidence(rule string, a *Article, hits []hit) []Evidence {
	var out []Evidence
	for i := 0; i < len(hits); {
		f := &a.fields[hits[i].field]
		// Join hits whose contexts overlap into one passage.
		j, to := i+1, hits[i].to
		for j < len(hits) && hits[j].field == hits[i].field && hits[j].from-to <= 2*evidenceContext {
			to = max(to, hits[j].to)
			j++
		}
		out = append(out, passage(rule, fieldNames[hits[i].field], f, hits[i:j]))
		i = j
		if len(out) == 3 {
			break // enough to judge by
		}
	}
	return out
}

func passage(rule, name string, f *field, hs []hit) Evidence {
	from := max(hs[0].from-evidenceContext, 1)
	to := hs[0].to
	for _, h := range hs {
		to = max(to, h.to)
	}
	to = min(to+evidenceContext, len(f.toks))
	start, end := f.toks[from-1].Start, f.toks[to-1].End
	// Keep the sentence's closing punctuation when the passage ends the field.
	if to == len(f.toks) {
		end = len(f.text)
	}
	ev := Evidence{Rule: rule, Field: name, Text: strings.TrimRightFunc(f.text[start:end], unicode.IsSpace)}
	lead := start
	marked := map[int]bool{}
	for _, h := range hs {
		for p := h.from; p <= h.to; p++ {
			if marked[p] {
				continue
			}
			marked[p] = true
			t := f.toks[p-1]
			ev.Marks = append(ev.Marks, Mark{t.Start - lead, t.End - lead})
		}
	}
	sort.Slice(ev.Marks, func(i, j int) bool { return ev.Marks[i].Start < ev.Marks[j].Start })
	if from > 1 {
		ev.Text = "…" + ev.Text
		for i := range ev.Marks {
			ev.Marks[i].Start += len("…")
			ev.Marks[i].End += len("…")
		}
	}
	if to < len(f.toks) {
		ev.Text += "…"
	}
	return ev
}
