package rules

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// This file holds what a Matcher works out about a batch of articles
// before it evaluates its rules on them. At Compile, every index term and
// every prefix* its rules look for gets a dense number, an atom; every
// word set and every gate of another OR inside a NEAR (see posOr) gets a
// set id, and every alternative of a rule's ORs an alternative id (see
// orExpr). Per article, one pass over each field's terms, and over its
// exact forms through a trie of the prefixes (see prefix.go), finds the
// atoms the field holds and where they stand. Per batch, each atom any of
// its articles holds then marks, once, the sets, alternatives and
// candidate rules it starts, in lanes: a bit per article (see batch).
// The Matcher's program (see program.go) then tests lanes, and merges the
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
	m.alwaysLive, m.setIDs = nil, nil
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

// newSet numbers a set of atoms. Sets of the same atoms share a number,
// as when rules spell out the same macro (@ru-health, say): what an
// article holds marks each set once however many rules look for it.
func (m *Matcher) newSet(atoms []int32) int32 {
	sorted := slices.Compact(slices.Sorted(slices.Values(atoms)))
	key := make([]byte, 0, 4*len(sorted))
	for _, a := range sorted {
		key = binary.LittleEndian.AppendUint32(key, uint32(a))
	}
	if id, ok := m.setIDs[string(key)]; ok {
		return id
	}
	id := int32(m.nSets)
	m.nSets++
	m.setIDs[string(key)] = id
	for _, a := range sorted {
		m.atoms[a].sets = append(m.atoms[a].sets, id)
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

// BatchSize is how many articles MatchBatch evaluates together, a bit of
// a word each (see batch). Whoever gathers articles to match gains most
// from handing it whole multiples.
const BatchSize = 64

// lanes are a bit per article of a batch: bit k for its k-th article.
//
// byField holds the lanes of each atom or set by field: which of the
// batch's articles hold it in the title, which in the body. The title's
// are apart from the body's, so that marking the body's, most of the
// work, reads half the memory.
type byField [2][]uint64

func newByField(n int) byField { return byField{make([]uint64, n), make([]uint64, n)} }

// in returns the lanes of i in the fields of the bits (1 title, 2 body,
// 3 either).
func (l *byField) in(i int32, fields uint8) uint64 {
	var x uint64
	if fields&1 != 0 {
		x = l[0][i]
	}
	if fields&2 != 0 {
		x |= l[1][i]
	}
	return x
}

// batch is what a Matcher worked out about up to BatchSize articles
// together: by atom, set, alternative and rule, which of them hold it, a
// bit each. The rules are evaluated on all the batch's articles at once,
// a node's test answering for every article (see program.go), and what
// an atom starts is marked once for the batch, however many of its
// articles hold the atom. It lives in a pool, and is taken for one batch
// at a time.
type batch struct {
	m *Matcher
	// ps are the batch's n articles, prepared, and room for up to
	// BatchSize.
	ps []*prepared
	n  int
	// atoms and sets hold the lanes of each atom and set. touchedSet
	// marks the atoms of the batch, a bit each, and touched lists them
	// once they are all marked, in order; pushes counts the set and
	// alternative lanes they marked, to pick the quicker way to clear
	// them.
	atoms      byField
	sets       byField
	touched    []int32
	touchedSet bitset
	pushes     int
	// alts holds the lanes of each alternative of an OR, a rule's or a
	// NEAR operand's, whose triggers an article holds: on the others it
	// cannot match. Those alwaysLive are all ones. live marks the
	// alternatives live in any article.
	alts []uint64
	live bitset
	// rules holds the lanes of each rule whose triggers an article
	// holds; cand lists those rules, in order.
	rules []uint64
	cand  []int32
	// keywords holds the lanes of each keyword (see program.keywords).
	keywords []uint64
	found    []int32 // the prefix* atoms of one form
	hitRoom  []hit   // the hits of one match, while they are collected
}

func (m *Matcher) newBatch() *batch {
	b := &batch{
		m:          m,
		atoms:      newByField(len(m.atoms)),
		touchedSet: newBitset(len(m.atoms)),
		sets:       newByField(m.nSets),
		alts:       make([]uint64, m.nAlts),
		live:       slices.Clone(m.liveAtStart),
		rules:      make([]uint64, len(m.rules)),
		keywords:   make([]uint64, len(m.prog.keywords)),
	}
	b.clearAlts()
	return b
}

// clearAlts clears the lanes of every alternative but those always live,
// which hold for every article.
func (b *batch) clearAlts() {
	clear(b.alts)
	for w, x := range b.m.liveAtStart {
		for ; x != 0; x &= x - 1 {
			b.alts[w*64+bits.TrailingZeros64(x)] = ^uint64(0)
		}
	}
}

// prepared is one article of a batch: its bit, and what its fields hold,
// where.
type prepared struct {
	b      *batch
	bit    uint64
	fields [2]fieldMarks
}

// fieldMarks is one field of a prepared article.
type fieldMarks struct {
	// b and bit are its batch and article's lane; fi is the field.
	b   *batch
	bit uint64
	fi  uint8
	// atoms are those the field holds.
	atoms bitset
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

func (b *batch) newPrepared(k int) *prepared {
	m := b.m
	p := &prepared{b: b, bit: 1 << k}
	for fi := range p.fields {
		p.fields[fi] = fieldMarks{b: b, bit: p.bit, fi: uint8(fi), atoms: newBitset(len(m.atoms)), rank: make([]int32, (len(m.atoms)+63)/64)}
	}
	return p
}

// start prepares the articles as, at most BatchSize, and marks what
// their atoms start, until reset.
func (b *batch) start(as []*Article) {
	m := b.m
	b.n = len(as)
	for k, a := range as {
		if k == len(b.ps) {
			b.ps = append(b.ps, b.newPrepared(k))
		}
		p := b.ps[k]
		for fi := range a.fields {
			f, fm := &a.fields[fi], &p.fields[fi]
			for _, t := range f.terms[:f.exactFrom] {
				if id, ok := m.stems.atomOf(t.term); ok {
					b.hit(fm, id, t.pos)
				}
			}
			// An exact form's own atom, and those of the prefixes it
			// starts with, are found in one walk of the trie.
			for _, t := range f.terms[f.exactFrom:] {
				b.found = m.trie.appendAtoms(b.found[:0], t.term)
				for _, id := range b.found {
					b.hit(fm, id, t.pos)
				}
			}
			fm.link()
		}
	}
	all := ^uint64(0) >> (64 - len(as))
	// In the order of their numbers, the atoms' links are read in one
	// pass over memory, and atoms numbered together, the words of one
	// rule, mark sets and alternatives near each other. The bits of the
	// batch's atoms list them in that order for less than sorting them
	// would cost.
	for w, x := range b.touchedSet {
		for ; x != 0; x &= x - 1 {
			b.touched = append(b.touched, int32(w*64+bits.TrailingZeros64(x)))
		}
	}
	for _, id := range b.touched {
		title, body := b.atoms[0][id], b.atoms[1][id]
		sets := m.atomSets.of(id)
		if title != 0 {
			for _, s := range sets {
				b.sets[0][s] |= title
			}
		}
		if body != 0 {
			for _, s := range sets {
				b.sets[1][s] |= body
			}
		}
		either := title | body
		alts := m.atomAlts.of(id)
		for _, i := range alts {
			b.alts[i] |= either
			b.live.add(i)
		}
		b.pushes += len(sets) + len(alts)
		b.mark(m.atomRules.of(id), either)
	}
	b.mark(m.always, all)
	slices.Sort(b.cand)
	for i, kw := range m.prog.keywords {
		var l uint64
		for k, a := range as {
			if kw.eval(a) {
				l |= 1 << k
			}
		}
		b.keywords[i] = l
	}
}

// hit records that field fm holds atom id at positions ps.
func (b *batch) hit(fm *fieldMarks, id int32, ps []int) {
	fm.lists = append(fm.lists, posList{ps, id, -1})
	if fm.atoms.has(id) {
		return // a prefix* met again in another form
	}
	fm.atoms.add(id)
	b.touchedSet.add(id)
	b.atoms[fm.fi][id] |= fm.bit
}

func (b *batch) mark(rules []int32, lanes uint64) {
	for _, i := range rules {
		if b.rules[i] == 0 {
			b.cand = append(b.cand, i)
		}
		b.rules[i] |= lanes
	}
}

// reset makes b ready for the next batch.
func (b *batch) reset() {
	m := b.m
	// Clearing the lanes an atom marked costs what marking them did;
	// when that is more than clearing them all, they are all cleared.
	all := b.pushes > (len(b.sets[0])+len(b.alts))/4
	for _, id := range b.touched {
		b.atoms[0][id], b.atoms[1][id] = 0, 0
		b.touchedSet[id>>6] = 0
		if all {
			continue
		}
		for _, s := range m.atomSets.of(id) {
			b.sets[0][s], b.sets[1][s] = 0, 0
		}
		for _, i := range m.atomAlts.of(id) {
			b.alts[i] = 0
		}
	}
	if all {
		clear(b.sets[0])
		clear(b.sets[1])
		b.clearAlts()
	}
	copy(b.live, m.liveAtStart)
	for _, i := range b.cand {
		b.rules[i] = 0
	}
	b.touched, b.cand, b.pushes = b.touched[:0], b.cand[:0], 0
	for _, p := range b.ps[:b.n] {
		for fi := range p.fields {
			fm := &p.fields[fi]
			for i := range fm.lists {
				id := fm.lists[i].atom
				fm.atoms[id>>6] = 0
			}
			clear(fm.lists) // drop the article's position lists
			fm.lists = fm.lists[:0]
		}
	}
	b.n = 0
}

// holds returns the lanes of mask whose fields (1 title, 2 body, 3
// either) hold a word of every clause of needs (see Matcher.needs).
func (b *batch) holds(needs []int32, mask uint64, fields uint8) uint64 {
	for i := 0; i < len(needs) && mask != 0; {
		n, lanes := int(needs[i]), &b.atoms
		if n < 0 {
			n, lanes = -n, &b.sets
		}
		var held uint64
		for _, x := range needs[i+1 : i+1+n] {
			if held |= lanes.in(x, fields); held&mask == mask {
				break
			}
		}
		mask &= held
		i += 1 + n
	}
	return mask
}

// holds reports whether the field holds a word of every clause of needs.
func (fm *fieldMarks) holds(needs []int32) bool {
	return fm.b.holds(needs, fm.bit, 1<<fm.fi) != 0
}

// hasSet reports whether the field holds set s.
func (fm *fieldMarks) hasSet(s int32) bool { return fm.b.sets[fm.fi][s]&fm.bit != 0 }

// nextLive returns the first alternative in [from, to) live in any of
// the batch's articles, or to.
func (b *batch) nextLive(from, to int32) int32 {
	for from < to {
		w := b.live[from>>6] >> (from & 63)
		if w != 0 {
			return min(from+int32(bits.TrailingZeros64(w)), to)
		}
		from = (from | 63) + 1
	}
	return to
}

// nextLive returns the first alternative in [from, to) live in p's
// article, or to.
func (p *prepared) nextLive(from, to int32) int32 {
	for id := p.b.nextLive(from, to); id < to; id = p.b.nextLive(id+1, to) {
		if p.b.alts[id]&p.bit != 0 {
			return id
		}
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

// listsOf appends to out the position lists of those of the atoms the
// field holds.
func (fm *fieldMarks) listsOf(out [][]int, atoms []int32) [][]int {
	// The batch's lanes of the field are read, not the field's own
	// atoms: one array for every article of the batch stays in the cache
	// where each article's own would not.
	lanes := fm.b.atoms[fm.fi]
	for _, id := range atoms {
		if lanes[id]&fm.bit == 0 {
			continue
		}
		for i := fm.head[fm.rankOf(id)] - 1; i >= 0; i = fm.lists[i].prev {
			out = append(out, fm.lists[i].pos)
		}
	}
	return out
}

// positions merges the position lists of the atoms; a list alone is
// returned without a copy.
func (fm *fieldMarks) positions(atoms []int32) []int {
	var room [16][]int
	lists := fm.listsOf(room[:0], atoms)
	switch len(lists) {
	case 0:
		return nil
	case 1:
		return lists[0]
	}
	total := 0
	for _, l := range lists {
		total += len(l)
	}
	if len(fm.posRoom)+total > cap(fm.posRoom) {
		fm.posRoom = make([]int, 0, max(2*cap(fm.posRoom), total, 256))
	}
	from := len(fm.posRoom)
	for _, l := range lists {
		fm.posRoom = append(fm.posRoom, l...)
	}
	ps := fm.posRoom[from:len(fm.posRoom):len(fm.posRoom)]
	slices.Sort(ps)
	return slices.Compact(ps)
}

// appendHits appends to out a one-word hit in the field at each position
// of the atoms, in no order and, where two atoms share a word, twice:
// the hits of a match are sorted once they are all collected, and a
// word met twice is marked and counted once.
func (fm *fieldMarks) appendHits(out []hit, atoms []int32) []hit {
	var room [16][]int
	for _, ps := range fm.listsOf(room[:0], atoms) {
		for _, x := range ps {
			out = append(out, hit{int(fm.fi), span{x, x}})
		}
	}
	return out
}

// wordSpans are the one-word runs at positions ps, in lent room.
func (fm *fieldMarks) wordSpans(ps []int) []span {
	if len(ps) == 0 {
		return nil
	}
	return runsAt(fm.lendSpans(len(ps)), ps)
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
