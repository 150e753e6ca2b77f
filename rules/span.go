package rules

import (
	"slices"
	"strings"
)

// This file holds the meaning of phrases and NEAR/n over word positions,
// shared by the bleve query (which reads positions from the index's term
// vectors) and the matcher (which reads them from the analysed article),
// so that both agree on every article.

// wordMatch accepts the index terms of one query word: its stems, an exact
// form (ExactPrefix + form) or a prefix of exact forms.
type wordMatch struct {
	terms  []string
	prefix string // with ExactPrefix; "" when the word is not a prefix*
	// atoms number the terms, or the prefix, among the atoms of the
	// Matcher that owns the rule (see prepare.go).
	atoms []int32
}

// length is the length of the word's longest term or prefix.
func (w wordMatch) length() int {
	n := len(w.prefix)
	for _, t := range w.terms {
		n = max(n, len(t))
	}
	return n
}

func (w wordMatch) accepts(term string) bool {
	if w.prefix != "" {
		return strings.HasPrefix(term, w.prefix)
	}
	return slices.Contains(w.terms, term)
}

// posExpr is an operand of NEAR/n: a word, a phrase, alternatives of
// these or another NEAR.
type posExpr interface {
	// spans lists where the operand occurs in one field.
	spans(at positions) []span
	// marks lists the runs of the operand's own words where it occurs:
	// for a NEAR, its operands' words, not the words between them.
	marks(at positions) []span
}

// positions reads where words stand in one field: the bleve query reads
// them from the index's term vectors, a rule evaluated alone from the
// analysed article's strings. (A Matcher reads its prepared marks; see
// program.go.)
type positions interface {
	// of returns the sorted positions (from 1) of the words w accepts.
	of(w wordMatch) []int
}

// span is a run of positions [from, to].
type span struct{ from, to int }

type posWord struct{ w wordMatch }

func (p posWord) spans(at positions) []span { return wordSpans(at.of(p.w)) }

// wordSpans are the one-word runs at positions ps.
func wordSpans(ps []int) []span {
	if len(ps) == 0 {
		return nil
	}
	return runsAt(make([]span, len(ps)), ps)
}

// runsAt fills out, as long as ps, with the one-word runs at positions ps.
func runsAt(out []span, ps []int) []span {
	for i, x := range ps {
		out[i] = span{x, x}
	}
	return out
}

type posPhrase struct{ ws []wordMatch }

func (p posPhrase) spans(at positions) []span { return allSpans(p, at) }

// each calls fn with every occurrence of the phrase, in order, until fn
// returns false.
func (p posPhrase) each(at positions, fn func(span) bool) {
	first := at.of(p.ws[0])
	if len(first) == 0 {
		return
	}
	var room [4][]int
	rest := room[:0]
	if len(p.ws)-1 > len(room) {
		rest = make([][]int, 0, len(p.ws)-1)
	}
	for _, w := range p.ws[1:] {
		ps := at.of(w)
		if len(ps) == 0 {
			return
		}
		rest = append(rest, ps)
	}
	for _, x := range first {
		if phraseAt(rest, x) && !fn(span{x, x + len(p.ws) - 1}) {
			return
		}
	}
}

// phraseAt reports whether a phrase whose first word is at x goes on with
// its other words, at the sorted positions rest, next to each other.
func phraseAt(rest [][]int, x int) bool {
	for i, ps := range rest {
		if _, ok := slices.BinarySearch(ps, x+i+1); !ok {
			return false
		}
	}
	return true
}

// posOr is alternatives. An OR of plain words is a word set: the Matcher
// that owns the rule gives it an id and marks, once per article, which
// sets each field holds (and, for the operands of a NEAR, where), so a
// long list costs one lookup however many words it holds.
type posOr struct {
	alts []posExpr
	// id numbers the OR's trigger words as a set of the Matcher that
	// owns the rule: for a word set (words), the set holds exactly when
	// the OR does; for others, none of the alternatives can hold without
	// it.
	id    int32
	words bool
	// atoms are the atoms of a word set's words.
	atoms []int32
	// wordSet is the alternative that is a word set, if any, of an OR
	// that is not one; its words are not in the gate.
	wordSet *posOr
	// base numbers the alternatives of an OR that is not a word set, when
	// numbered, among those of the Matcher's ORs (see orExpr), so that
	// the alternatives none of whose triggers an article holds are
	// passed over without a look.
	base     int32
	numbered bool
}

// plainWords returns the words of an OR of plain words, or nil.
func (p *posOr) plainWords() []wordMatch {
	var ws []wordMatch
	for _, a := range p.alts {
		w, ok := a.(posWord)
		if !ok {
			return nil
		}
		ws = append(ws, w.w)
	}
	return ws
}

func (p *posOr) spans(at positions) []span {
	// Usually one alternative occurs: its spans are returned as they are.
	var out []span
	owned := false
	for _, a := range p.alts {
		out, owned = joinSpans(out, a.spans(at), owned)
	}
	return out
}

// joinSpans adds the spans ss of an OR's alternative to out, those of the
// alternatives before it. The first alternative that occurs keeps its
// spans as they are, without a copy; owned reports that out has become a
// copy of the OR's own, which later ones are appended to.
func joinSpans(out, ss []span, owned bool) ([]span, bool) {
	switch {
	case len(ss) == 0:
		return out, owned
	case len(out) == 0:
		return ss, false
	case !owned:
		return append(slices.Clip(out), ss...), true
	}
	return append(out, ss...), true
}

// posNear is two operands within dist words of each other, in either
// order: adjacent words are 1 apart, and runs that overlap (a word inside
// the run of an inner NEAR) are near; a word is not near itself.
type posNear struct {
	left, right posExpr
	dist        int
}

func (p posNear) spans(at positions) []span { return allSpans(p, at) }

// each calls fn with every match of the NEAR, until fn returns false.
func (p posNear) each(at positions, fn func(span) bool) {
	ls := p.left.spans(at)
	if len(ls) == 0 {
		return
	}
	rs := p.right.spans(at)
	for _, l := range ls {
		for _, r := range rs {
			if s, ok := near(l, r, p.dist); ok && !fn(s) {
				return
			}
		}
	}
}

// near reports whether runs l and r are within dist words of each other,
// and returns the run the two cover.
func near(l, r span, dist int) (span, bool) {
	var gap int
	switch {
	case l.to < r.from:
		gap = r.from - l.to
	case r.to < l.from:
		gap = l.from - r.to
	case l == r:
		return span{}, false // one word is not near itself
	default:
		// Overlapping runs, such as a word between the two words of an
		// inner NEAR: as near as can be.
		gap = 0
	}
	return span{min(l.from, r.from), max(l.to, r.to)}, gap <= dist
}

// stepper is an operand that finds its occurrences one by one (a phrase,
// a NEAR), so that a test of whether it occurs stops at the first.
type stepper interface {
	each(at positions, fn func(span) bool)
}

// allSpans collects every occurrence of s.
func allSpans(s stepper, at positions) []span {
	var out []span
	s.each(at, func(sp span) bool {
		out = append(out, sp)
		return true
	})
	return out
}

// occurs reports whether pe occurs in the field at all: a phrase or NEAR
// stops at its first occurrence.
func occurs(pe posExpr, at positions) bool {
	s, ok := pe.(stepper)
	if !ok {
		return len(pe.spans(at)) > 0
	}
	found := false
	s.each(at, func(span) bool {
		found = true
		return false
	})
	return found
}

func (p posWord) marks(at positions) []span   { return p.spans(at) }
func (p posPhrase) marks(at positions) []span { return p.spans(at) }

func (p *posOr) marks(at positions) []span {
	var out []span
	for _, a := range p.alts {
		out = append(out, a.marks(at)...)
	}
	return out
}

// marks of a NEAR are its operands' marks that lie inside one of its
// matches.
func (p posNear) marks(at positions) []span {
	cover := p.spans(at)
	if len(cover) == 0 {
		return nil
	}
	var out []span
	for _, m := range append(p.left.marks(at), p.right.marks(at)...) {
		for _, c := range cover {
			if c.from <= m.from && m.to <= c.to {
				out = append(out, m)
				break
			}
		}
	}
	return out
}
