package rules

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"unicode"
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
// (from the index terms and prefixes an article holds to the rules they
// can start) picks the rules worth evaluating, so the cost grows with the
// article, not with the number of rules; the Matcher's program (see
// program.go) then evaluates them on the atoms and sets it marked in the
// article, with up to BatchSize articles at once (see prepare.go).
type Matcher struct {
	rules []*Rule
	// terms and prefixes number the index terms and prefix* of the
	// rules while they are compiled; atoms says what each starts. Then
	// stems finds the atom of an article's stem, and trie those of the
	// prefixes and the exact form of a form.
	terms, prefixes map[string]int32
	atoms           []atom
	trie            *prefixTrie
	stems           *termTable
	// always are rules that can match without any word (a NOT, an
	// outlet: filter alone): evaluated on every article.
	always []int32
	// nSets word sets and gates; while the rules are compiled, setIDs
	// numbers each distinct set by its atoms (see newSet).
	nSets  int
	setIDs map[string]int32
	// nAlts alternatives of ORs, of rules and of NEAR operands, numbered
	// in order within each OR; alwaysLive, while the rules are compiled,
	// those that can match without any word or are word sets.
	nAlts      int
	alwaysLive []int32
	// liveAtStart is the live bits of a batch before its atoms are
	// marked: those of alwaysLive.
	liveAtStart bitset
	// atomRules, atomSets and atomAlts are the atoms' rules, sets and
	// alternatives, laid out flat.
	atomRules, atomSets, atomAlts atomLinks
	// prog is the rules laid out flat, as the prepared articles read
	// them.
	prog    program
	batches sync.Pool // of *batch
}

// Compile compiles a rule set. Every bad rule is reported, joined.
func Compile(specs []Spec) (*Matcher, error) {
	m := &Matcher{terms: map[string]int32{}, prefixes: map[string]int32{}, setIDs: map[string]int32{}}
	m.prog.owner = m
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
	m.link()
	exacts, stems := map[string]int32{}, map[string]int32{}
	for t, id := range m.terms {
		if strings.HasPrefix(t, ExactPrefix) {
			exacts[t] = id
		} else {
			stems[t] = id
		}
	}
	m.trie = newPrefixTrie(m.prefixes, exacts)
	m.stems = newTermTable(stems)
	m.terms, m.prefixes = nil, nil // the table and trie hold them now
	m.batches.New = func() any { return m.newBatch() }
	return m, nil
}

func (m *Matcher) add(r *Rule) {
	i := int32(len(m.rules))
	m.rules = append(m.rules, r)
	m.own(r.match)
	if r.not != nil {
		m.own(r.not)
	}
	m.prog.addRule(r)
	t, ok := r.match.triggers()
	if !ok {
		m.always = append(m.always, i)
		return
	}
	for _, id := range m.triggerAtoms(t) {
		if l := m.atoms[id].rules; len(l) == 0 || l[len(l)-1] != i {
			m.atoms[id].rules = append(l, i)
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
	return m.MatchBatch([]*Article{a})[0]
}

// MatchBatch returns, for each article, what Match returns for it. It
// is the faster way to match many articles: up to BatchSize of them are
// prepared together, what an atom starts is marked once for all that
// hold it, and each rule is evaluated on all of them at once, a bit of a
// word per article (see batch). Only phrases, NEARs and evidence are
// worked out article by article.
//
// A batch is evaluated rule by rule, and each alternative of a rule that
// some of its articles may hold is tested once for all of them. The
// words of a rule are mostly of one language, so articles of one
// language share far more of those tests than articles of two: the
// articles of more than one batch are therefore matched in order of
// language (see byLanguage).
func (m *Matcher) MatchBatch(as []*Article) [][]Match {
	order := byLanguage(as)
	if order == nil {
		return m.matchBatch(as)
	}
	sorted := make([]*Article, len(as))
	for i, k := range order {
		sorted[i] = as[k]
	}
	out := make([][]Match, len(as))
	for i, ms := range m.matchBatch(sorted) {
		out[order[i]] = ms
	}
	return out
}

// byLanguage returns the order in which articles as are best matched, a
// batch at a time: by language, and in their own order within one; nil
// when that is the order they are in, or they fill one batch at most.
func byLanguage(as []*Article) []int {
	byLang := func(x, y *Article) int { return strings.Compare(x.Lang, y.Lang) }
	if len(as) <= BatchSize || slices.IsSortedFunc(as, byLang) {
		return nil
	}
	order := make([]int, len(as))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return byLang(as[i], as[j]) })
	return order
}

// matchBatch is MatchBatch on articles in the order they are matched.
func (m *Matcher) matchBatch(as []*Article) [][]Match {
	// The matches come rule by rule; they are gathered in one list, then
	// laid out article by article in one array.
	var all []Match
	var of []int32
	count := make([]int, len(as)+1)
	m.each(as, func(k int, p *prepared, i int32) {
		r, hits := m.rules[i], p.hits(i)
		all = append(all, Match{Rule: r, Evidence: evidence(r.ID, as[k], hits), hits: hits})
		of = append(of, int32(k))
		count[k+1]++
	})
	out := make([][]Match, len(as))
	if len(all) == 0 {
		return out
	}
	for k := range as {
		count[k+1] += count[k]
	}
	laid := make([]Match, len(all))
	for k := range as {
		if count[k+1] > count[k] {
			out[k] = laid[count[k]:count[k]:count[k+1]]
		}
	}
	for j, x := range all {
		out[of[j]] = append(out[of[j]], x)
	}
	return out
}

// MatchIDs returns the ids of the rules a matches, without evidence.
func (m *Matcher) MatchIDs(a *Article) []string {
	var out []string
	m.each([]*Article{a}, func(_ int, _ *prepared, i int32) { out = append(out, m.rules[i].ID) })
	return out
}

// each calls fn(k, p, i) for every rule i that article as[k] matches,
// while as[k] is prepared as p: for each k, in order of i.
func (m *Matcher) each(as []*Article, fn func(k int, p *prepared, i int32)) {
	b := m.batches.Get().(*batch)
	defer m.batches.Put(b)
	for from := 0; from < len(as); from += BatchSize {
		b.start(as[from:min(from+BatchSize, len(as))])
		for _, i := range b.cand {
			for ks := b.matches(i); ks != 0; ks &= ks - 1 {
				k := bits.TrailingZeros64(ks)
				fn(from+k, b.ps[k], i)
			}
		}
		b.reset()
	}
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
		return newPosLeaf(groupWords(pe), f), nil
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
		// All must hold: test the cheap ones first.
		byCost := func(x, y expr) int { return cost(x) - cost(y) }
		slices.SortStableFunc(e.pos, byCost)
		slices.SortStableFunc(e.neg, byCost)
		return e, nil
	case *Or:
		return compileOr(n)
	case *Not:
		ce, err := compileExpr(n.Child)
		if err != nil {
			return nil, err
		}
		return &andExpr{neg: []expr{ce}}, nil
	}
	return nil, fmt.Errorf("rules: cannot compile %T", n)
}

// compileOr compiles an OR. Its plain words are gathered, per field scope,
// into word sets (see posOr), so that the usual long list of a rule costs
// one test however many words it holds, whatever phrases and NEARs it
// also holds; the sets come first, as the cheapest alternatives.
func compileOr(n *Or) (expr, error) {
	var scopes []string // in order of first use
	words := map[string][]posExpr{}
	var rest []expr
	for _, c := range n.Children {
		if t, ok := c.(*Term); ok {
			pe, f, err := positional(t)
			if err != nil {
				return nil, err
			}
			if w, ok := pe.(posWord); ok {
				if words[f] == nil {
					scopes = append(scopes, f)
				}
				words[f] = append(words[f], w)
				continue
			}
		}
		ce, err := compileExpr(c)
		if err != nil {
			return nil, err
		}
		rest = append(rest, ce)
	}
	var alts []expr
	for _, f := range scopes {
		ws := words[f]
		if len(ws) == 1 {
			alts = append(alts, newPosLeaf(ws[0], f))
			continue
		}
		leaf := newPosLeaf(&posOr{alts: ws}, f)
		leaf.set = true
		alts = append(alts, leaf)
	}
	alts = append(alts, rest...)
	if len(alts) == 1 {
		return alts[0], nil
	}
	return &orExpr{alts: alts}, nil
}

// groupWords gathers the plain words of the alternatives inside a NEAR
// operand into one word set, as compileOr does for a rule's ORs.
func groupWords(pe posExpr) posExpr {
	switch pe := pe.(type) {
	case *posOr:
		var words, rest []posExpr
		for _, a := range pe.alts {
			a = groupWords(a)
			if _, ok := a.(posWord); ok {
				words = append(words, a)
			} else {
				rest = append(rest, a)
			}
		}
		if len(rest) == 0 || len(words) < 2 {
			return &posOr{alts: append(words, rest...)}
		}
		return &posOr{alts: append([]posExpr{&posOr{alts: words}}, rest...)}
	case posNear:
		return posNear{groupWords(pe.left), groupWords(pe.right), pe.dist}
	}
	return pe
}

// cost ranks an expression by the work its evaluation takes: an outlet:
// or lang: filter, a word or word set (a bit), a phrase (a bit per word,
// then positions), an AND or OR (a gate, then its children), a NEAR
// (positions of both operands).
func cost(e expr) int {
	switch e := e.(type) {
	case *keywordLeaf:
		return 0
	case *posLeaf:
		switch e.pe.(type) {
		case posWord, *posOr:
			return 1
		case posPhrase:
			return 2
		}
		return 4
	}
	return 3
}

func newPosLeaf(pe posExpr, field string) *posLeaf {
	e := &posLeaf{pe: pe}
	for _, name := range fieldsOf(field) {
		e.fields = append(e.fields, fieldIndex(name))
	}
	return e
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
			if present(f, e.pe) {
				return true
			}
			continue
		}
		if present(f, e.pe) && occurs(e.pe, f) {
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
		// Any word of a phrase will do: the longest is likely the rarest.
		best := pe.ws[0]
		for _, w := range pe.ws[1:] {
			if w.length() > best.length() {
				best = w
			}
		}
		return posTriggers(posWord{best})
	case posNear:
		// Either side will do: the one with fewer words.
		l, r := posTriggers(pe.left), posTriggers(pe.right)
		if r.size() < l.size() {
			return r
		}
		return l
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
		for _, s := range e.pe.marks(&a.fields[fi]) {
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

// orExpr is alternatives. The Matcher that owns it numbers them from
// base, among the alternatives of its ORs: its program (see program.go)
// passes over the alternatives whose triggers an article does not hold,
// and tests the others against the words they need before it reads them.
type orExpr struct {
	alts []expr
	base int32
}

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
	sortHits(hits)
	return hits
}

// sortHits puts hits in order, title first. Hits of one field and start
// are interchangeable for the evidence.
func sortHits(hits []hit) {
	slices.SortFunc(hits, func(x, y hit) int {
		if x.field != y.field {
			return x.field - y.field
		}
		return x.from - y.from
	})
}

// evidence cuts the passages of a's fields where the rule's positive words
// matched: one passage per run of hits close together, title first.
func evidence(rule string, a *Article, hits []hit) []Evidence {
	if len(hits) == 0 {
		return nil
	}
	// The passages' marks share one array: a passage marks each word of
	// its hits at most once.
	n := 0
	for _, h := range hits {
		n += h.to - h.from + 1
	}
	marks := make([]Mark, 0, n)
	out := make([]Evidence, 0, maxPassages)
	for i := 0; i < len(hits); {
		f := &a.fields[hits[i].field]
		// Join hits whose contexts overlap into one passage.
		j, to := i+1, hits[i].to
		for j < len(hits) && hits[j].field == hits[i].field && hits[j].from-to <= 2*evidenceContext {
			to = max(to, hits[j].to)
			j++
		}
		var ev Evidence
		ev, marks = passage(rule, fieldNames[hits[i].field], f, hits[i:j], marks)
		out = append(out, ev)
		i = j
		if len(out) == maxPassages {
			break // enough to judge by
		}
	}
	return out
}

// maxPassages is how many passages of evidence a match keeps.
const maxPassages = 3

// passage cuts the passage of hits hs in field f. Its marks are appended
// to marks, whose room they keep.
func passage(rule, name string, f *field, hs []hit, marks []Mark) (Evidence, []Mark) {
	from := max(hs[0].from-evidenceContext, 1)
	to := hs[0].to
	for _, h := range hs {
		to = max(to, h.to)
	}
	to = min(to+evidenceContext, len(f.toks))
	start, end := f.toks[from-1].Start, f.toks[to-1].End
	cutBefore, cutAfter := from > 1, to < len(f.toks)
	text := f.text[start:end]
	// A passage that ends the field keeps its closing punctuation, but
	// not the spaces after it; elsewhere it ends with a word.
	if !cutAfter {
		text = strings.TrimRightFunc(f.text[start:], unicode.IsSpace)
	}
	// The passage is cut with "…" where the field goes on, in one
	// string.
	lead := start
	switch {
	case cutBefore && cutAfter:
		text = "…" + text + "…"
	case cutBefore:
		text = "…" + text
	case cutAfter:
		text += "…"
	}
	if cutBefore {
		lead -= len("…")
	}
	ev := Evidence{Rule: rule, Field: name, Text: text}
	// The marked positions, each once, in order: a word's position orders
	// its marks as its offset does.
	var room [16]int
	marked := room[:0]
	for _, h := range hs {
		for p := h.from; p <= h.to; p++ {
			marked = append(marked, p)
		}
	}
	slices.Sort(marked)
	marked = slices.Compact(marked)
	at := len(marks)
	for _, p := range marked {
		t := f.toks[p-1]
		marks = append(marks, Mark{t.Start - lead, t.End - lead})
	}
	if len(marks) > at {
		ev.Marks = marks[at:len(marks):len(marks)]
	}
	return ev, marks
}
