package rules

import (
	"math/bits"
	"slices"
)

// This file holds what a Matcher works out about an article before it
// evaluates its rules on it. At Compile, every index term and every prefix*
// its rules look for gets a dense number, an atom; every word set and
// every gate of another OR inside a NEAR (see posOr) gets a set id, and
// every alternative of a rule's ORs an alternative id (see orExpr). Per
// article, one pass over each field's terms, and over its exact forms
// through a trie of the prefixes (see prefix.go), finds the atoms the
// field holds, where they stand and, from them, the candidate rules, the
// sets present and the live alternatives.
// The Matcher's program (see program.go) then tests bits and merges the
// position lists of atoms instead of looking strings up. A rule evaluated
// alone reads the strings, with the same answers.

// atom is one index term or prefix* that the rules of a Matcher look for.
// What it starts is gathered in its lists while the rules are compiled,
// then laid out flat in an atomLinks (see Matcher.link).
type atom struct {
	// rules are the rules whose triggers hold the atom.
	rules []int32
	// term is the index term, or prefix* when prefix is true.
	term   string
	prefix bool
	// sets are the word sets and gates that hold it.
	sets []int32
	// alts are the alternatives of ORs (see orExpr) it can start.
	alts []int32
}

// atomLinks lays out one list per atom in one array: atom a's is
// list[at[a]:at[a+1]], next to the lists of the atoms numbered beside
// it, so that an article reads them without chasing a slice per atom.
type atomLinks struct {
	at   []int32
	list []int32
}

func newAtomLinks(atoms []atom, of func(*atom) []int32) atomLinks {
	l := atomLinks{at: make([]int32, 1, len(atoms)+1)}
	for i := range atoms {
		l.list = append(l.list, of(&atoms[i])...)
		l.at = append(l.at, int32(len(l.list)))
	}
	return l
}

func (l *atomLinks) of(a int32) []int32 { return l.list[l.at[a]:l.at[a+1]] }

// link lays out what each atom starts flat, once every rule is compiled,
// and drops the lists it was gathered in; it sets out the live bits an
// article starts with.
func (m *Matcher) link() {
	m.liveAtStart = newBitset(m.nAlts)
	for _, i := range m.alwaysLive {
		m.liveAtStart.add(i)
	}
	m.atomRules = newAtomLinks(m.atoms, func(a *atom) []int32 { return a.rules })
	m.atomSets = newAtomLinks(m.atoms, func(a *atom) []int32 { return a.sets })
	m.atomAlts = newAtomLinks(m.atoms, func(a *atom) []int32 { return a.alts })
	for i := range m.atoms {
		m.atoms[i].rules, m.atoms[i].sets, m.atoms[i].alts = nil, nil, nil
	}
	m.alwaysLive = nil
}

// bitset is a set of small numbers.
type bitset []uint64

func newBitset(n int) bitset      { return make(bitset, (n+63)/64) }
func (b bitset) has(i int32) bool { return b[i>>6]&(1<<(i&63)) != 0 }
func (b bitset) add(i int32)      { b[i>>6] |= 1 << (i & 63) }

// termAtom returns the atom of an index term, numbering it if new.
func (m *Matcher) termAtom(t string) int32 {
	if id, ok := m.terms[t]; ok {
		return id
	}
	id := int32(len(m.atoms))
	m.atoms = append(m.atoms, atom{term: t})
	m.terms[t] = id
	return id
}

// prefixAtom returns the atom of a prefix* (with ExactPrefix), numbering it
// if new.
func (m *Matcher) prefixAtom(p string) int32 {
	if id, ok := m.prefixes[p]; ok {
		return id
	}
	id := int32(len(m.atoms))
	m.atoms = append(m.atoms, atom{term: p, prefix: true})
	m.prefixes[p] = id
	return id
}

func (m *Matcher) internWord(w wordMatch) wordMatch {
	if w.prefix != "" {
		w.atoms = []int32{m.prefixAtom(w.prefix)}
		return w
	}
	w.atoms = make([]int32, len(w.terms))
	for i, t := range w.terms {
		w.atoms[i] = m.termAtom(t)
	}
	return w
}

// triggerAtoms returns the atoms of a trigger's words.
func (m *Matcher) triggerAtoms(t trigger) []int32 {
	var ids []int32
	for _, term := range t.terms {
		ids = append(ids, m.termAtom(term))
	}
	for _, p := range t.prefixes {
		ids = append(ids, m.prefixAtom(p))
	}
	return ids
}

// newSet numbers a set of atoms.
func (m *Matcher) newSet(atoms []int32) int32 {
	id := int32(m.nSets)
	m.nSets++
	for _, a := range atoms {
		at := &m.atoms[a]
		if n := len(at.sets); n > 0 && at.sets[n-1] == id {
			continue // two words of the set share a term
		}
		at.sets = append(at.sets, id)
	}
	return id
}

// own makes m the owner of the leaves and ORs of e: it interns their
// words and numbers their word sets and gates.
func (m *Matcher) own(e expr) {
	switch e := e.(type) {
	case *posLeaf:
		e.pe = m.intern(e.pe)
	case *andExpr:
		for _, c := range e.pos {
			m.own(c)
		}
		for _, c := range e.neg {
			m.own(c)
		}
	case *orExpr:
		for _, c := range e.alts {
			m.own(c)
		}
		e.base = int32(m.nAlts)
		m.nAlts += len(e.alts)
		for i, c := range e.alts {
			t, ok := c.triggers()
			if leaf, isLeaf := c.(*posLeaf); !ok || isLeaf && leaf.set {
				// It can match without any word, or it is a word set,
				// whose own marks are as quick to test: always live.
				m.alwaysLive = append(m.alwaysLive, e.base+int32(i))
				continue
			}
			for _, a := range m.triggerAtoms(t) {
				if l := m.atoms[a].alts; len(l) == 0 || l[len(l)-1] != e.base+int32(i) {
					m.atoms[a].alts = append(l, e.base+int32(i))
				}
			}
		}
	}
}

// intern returns pe with the atoms of its words, and numbers its word
// sets and the gates of its other ORs. Words, phrases and NEARs are
// values, so they are rebuilt.
func (m *Matcher) intern(pe posExpr) posExpr {
	switch pe := pe.(type) {
	case posWord:
		return posWord{m.internWord(pe.w)}
	case posPhrase:
		ws := make([]wordMatch, len(pe.ws))
		for i, w := range pe.ws {
			ws[i] = m.internWord(w)
		}
		return posPhrase{ws}
	case *posOr:
		for i, a := range pe.alts {
			pe.alts[i] = m.intern(a)
		}
		if ws := pe.plainWords(); ws != nil {
			for _, w := range ws {
				for _, a := range w.atoms {
					if !slices.Contains(pe.atoms, a) {
						pe.atoms = append(pe.atoms, a)
					}
				}
			}
			pe.id, pe.words = m.newSet(pe.atoms), true
		} else {
			// The gate leaves out the words of the word sets among the
			// alternatives: their own marks tell.
			var t trigger
			for _, a := range pe.alts {
				if o, ok := a.(*posOr); ok && o.words && pe.wordSet == nil {
					pe.wordSet = o
					continue
				}
				t = t.union(posTriggers(a))
			}
			pe.id = m.newSet(m.triggerAtoms(t))
			m.numberAlts(pe)
		}
		return pe
	case posNear:
		return posNear{m.intern(pe.left), m.intern(pe.right), pe.dist}
	}
	return pe
}

// needs appends to out the words pe needs, whichever field they are in:
// a clause per word, word of a phrase, word of a NEAR, word set and OR
// operand of a NEAR, each a count n and n atoms one of which must be
// present, or -n and n sets one of which must be. The field's own test is
// left to the leaf.
func (m *Matcher) needs(out []int32, pe posExpr) []int32 {
	switch pe := pe.(type) {
	case posWord:
		out = append(out, int32(len(pe.w.atoms)))
		return append(out, pe.w.atoms...)
	case posPhrase:
		for _, w := range pe.ws {
			out = m.needs(out, posWord{w})
		}
	case *posOr:
		if !pe.words && pe.wordSet != nil {
			return append(out, -2, pe.id, pe.wordSet.id)
		}
		return append(out, -1, pe.id)
	case posNear:
		out = m.needs(out, pe.left)
		return m.needs(out, pe.right)
	}
	return out
}

// numberAlts numbers the alternatives of an OR inside a NEAR that is not
// a word set, so that an article's atoms mark those whose triggers it
// holds, as for the alternatives of a rule's ORs.
func (m *Matcher) numberAlts(pe *posOr) {
	pe.base, pe.numbered = int32(m.nAlts), true
	m.nAlts += len(pe.alts)
	for i, a := range pe.alts {
		id := pe.base + int32(i)
		if o, ok := a.(*posOr); ok && o.words {
			// A word set's own mark is as quick to test.
			m.alwaysLive = append(m.alwaysLive, id)
			continue
		}
		for _, at := range m.triggerAtoms(posTriggers(a)) {
			if l := m.atoms[at].alts; len(l) == 0 || l[len(l)-1] != id {
				m.atoms[at].alts = append(l, id)
			}
		}
	}
}

// prepared is what a Matcher worked out about one article: the candidate
// rules and, per field, the atoms and sets it holds. It lives in a pool,
// and is taken for one article at a time.
type prepared struct {
	owner  *Matcher
	fields [2]fieldMarks
	// atoms and sets are those either field holds.
	atoms, sets bitset
	seen        []bool // by rule
	cand        []int32
	found       []int32 // the prefix* atoms of one form
	// live marks the alternatives of ORs (a rule's or a NEAR operand's)
	// whose triggers either field holds: the others cannot match.
	live bitset
}

// fieldMarks is one field of a prepared article.
type fieldMarks struct {
	atoms, sets bitset
	// Where the field holds each atom: lists, one per atom and form (a
	// prefix* has one per form it starts). Once the field is marked,
	// head[r] is 1 + the index in lists of the latest list of the atom
	// of rank r (its number among the atoms the field holds, see rankOf),
	// and each list links to the one before. rank[w] counts the atoms
	// held in the words of atoms before w. All this takes a few KB, where
	// a table by atom would take four bytes per atom of the Matcher.
	lists []posList
	rank  []int32
	head  []int32
	// spanRoom and posRoom lend the spans and merged positions worked
	// out while one leaf is tested or its marks collected; they are
	// taken back before the next.
	spanRoom []span
	posRoom  []int
}

type posList struct {
	pos        []int
	atom, prev int32
}

func (m *Matcher) newPrepared() *prepared {
	p := &prepared{owner: m, atoms: newBitset(len(m.atoms)), sets: newBitset(m.nSets), seen: make([]bool, len(m.rules)), live: slices.Clone(m.liveAtStart)}
	for fi := range p.fields {
		p.fields[fi] = fieldMarks{atoms: newBitset(len(m.atoms)), sets: newBitset(m.nSets), rank: make([]int32, (len(m.atoms)+63)/64)}
	}
	return p
}

// prepare marks a's atoms, sets and candidate rules, until release.
func (m *Matcher) prepare(a *Article) *prepared {
	p := m.pool.Get().(*prepared)
	p.mark(m.always)
	for fi := range a.fields {
		f, fm := &a.fields[fi], &p.fields[fi]
		for _, t := range f.terms[:f.exactFrom] {
			if id, ok := m.terms[t.term]; ok {
				p.hit(fm, id, t.pos)
			}
		}
		// An exact form's own atom, and those of the prefixes it starts
		// with, are found in one walk of the trie.
		for _, t := range f.terms[f.exactFrom:] {
			p.found = m.trie.appendAtoms(p.found[:0], t.term)
			for _, id := range p.found {
				p.hit(fm, id, t.pos)
			}
		}
		fm.link()
	}
	// What either field holds.
	for i := range p.sets {
		p.sets[i] = p.fields[0].sets[i] | p.fields[1].sets[i]
	}
	return p
}

// release makes p ready for the next article.
func (m *Matcher) release(p *prepared) {
	for _, i := range p.cand {
		p.seen[i] = false
	}
	p.cand = p.cand[:0]
	clear(p.atoms)
	clear(p.sets)
	copy(p.live, m.liveAtStart)
	for fi := range p.fields {
		fm := &p.fields[fi]
		clear(fm.atoms)
		clear(fm.sets)
		clear(fm.lists) // drop the article's position lists
		fm.lists = fm.lists[:0]
	}
	m.pool.Put(p)
}

// hit records that field fm holds atom id at positions ps.
func (p *prepared) hit(fm *fieldMarks, id int32, ps []int) {
	fm.lists = append(fm.lists, posList{ps, id, -1})
	if fm.atoms.has(id) {
		return // a prefix* met again in another form
	}
	fm.atoms.add(id)
	m := p.owner
	for _, s := range m.atomSets.of(id) {
		fm.sets.add(s)
	}
	if p.atoms.has(id) {
		return // the other field has marked what the atom starts
	}
	p.atoms.add(id)
	for _, i := range m.atomAlts.of(id) {
		p.live.add(i)
	}
	p.mark(m.atomRules.of(id))
}

func (p *prepared) mark(rules []int32) {
	for _, i := range rules {
		if !p.seen[i] {
			p.seen[i] = true
			p.cand = append(p.cand, i)
		}
	}
}

// holds reports whether either field holds a word of every clause of
// needs (see Matcher.needs).
func (p *prepared) holds(needs []int32) bool { return holds(needs, p.atoms, p.sets) }

// holds reports whether the field holds a word of every clause of needs
// (see Matcher.needs).
func (fm *fieldMarks) holds(needs []int32) bool { return holds(needs, fm.atoms, fm.sets) }

// holds reports whether every clause of needs has an atom in atoms or a
// set in sets, as its kind asks.
func holds(needs []int32, atoms, sets bitset) bool {
	for i := 0; i < len(needs); {
		n, held := int(needs[i]), atoms
		if n < 0 {
			n, held = -n, sets
		}
		clause := needs[i+1 : i+1+n]
		i += 1 + n
		found := false
		for _, x := range clause {
			if held[x>>6]&(1<<(x&63)) != 0 {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// nextLive returns the first live alternative in [from, to), or to.
func (p *prepared) nextLive(from, to int32) int32 {
	for from < to {
		w := p.live[from>>6] >> (from & 63)
		if w != 0 {
			return min(from+int32(bits.TrailingZeros64(w)), to)
		}
		from = (from | 63) + 1
	}
	return to
}

// link ranks the atoms the field holds and links each atom's position
// lists, once the field is marked.
func (fm *fieldMarks) link() {
	n := int32(0)
	for w, bits64 := range fm.atoms {
		fm.rank[w] = n
		n += int32(bits.OnesCount64(bits64))
	}
	fm.head = slices.Grow(fm.head[:0], int(n))[:n]
	clear(fm.head)
	for i := range fm.lists {
		r := fm.rankOf(fm.lists[i].atom)
		fm.lists[i].prev = fm.head[r] - 1
		fm.head[r] = int32(i) + 1
	}
}

// rankOf returns the number of atoms the field holds below id, which it
// holds.
func (fm *fieldMarks) rankOf(id int32) int32 {
	w := id >> 6
	return fm.rank[w] + int32(bits.OnesCount64(fm.atoms[w]&(1<<(id&63)-1)))
}

// positions merges the position lists of the atoms; a list alone is
// returned without a copy.
func (fm *fieldMarks) positions(atoms []int32) []int {
	var only []int
	found, total := 0, 0
	for _, id := range atoms {
		if !fm.atoms.has(id) {
			continue
		}
		for i := fm.head[fm.rankOf(id)] - 1; i >= 0; i = fm.lists[i].prev {
			found++
			only = fm.lists[i].pos
			total += len(only)
		}
	}
	if found <= 1 {
		return only
	}
	if len(fm.posRoom)+total > cap(fm.posRoom) {
		fm.posRoom = make([]int, 0, max(2*cap(fm.posRoom), total, 256))
	}
	from := len(fm.posRoom)
	for _, id := range atoms {
		if !fm.atoms.has(id) {
			continue
		}
		for i := fm.head[fm.rankOf(id)] - 1; i >= 0; i = fm.lists[i].prev {
			fm.posRoom = append(fm.posRoom, fm.lists[i].pos...)
		}
	}
	ps := fm.posRoom[from:len(fm.posRoom):len(fm.posRoom)]
	slices.Sort(ps)
	return slices.Compact(ps)
}

// wordSpans are the one-word runs at positions ps, in lent room.
func (fm *fieldMarks) wordSpans(ps []int) []span {
	if len(ps) == 0 {
		return nil
	}
	out := fm.lendSpans(len(ps))
	for i, x := range ps {
		out[i] = span{x, x}
	}
	return out
}

// lendSpans lends room for n spans until takeBack.
func (fm *fieldMarks) lendSpans(n int) []span {
	if len(fm.spanRoom)+n > cap(fm.spanRoom) {
		fm.spanRoom = make([]span, 0, max(2*cap(fm.spanRoom), n, 256))
	}
	from := len(fm.spanRoom)
	fm.spanRoom = fm.spanRoom[:from+n]
	return fm.spanRoom[from : from+n : from+n]
}

// takeBack makes the room lent for one leaf free for the next.
func (fm *fieldMarks) takeBack() {
	fm.spanRoom = fm.spanRoom[:0]
	fm.posRoom = fm.posRoom[:0]
}
