package rules

import (
	"fmt"
	"math/bits"
	"slices"
)

// This file lays a Matcher's rules out flat for evaluation on the
// articles it prepares. A rule compiled alone is a tree of expr values,
// each node its own allocation reached through an interface: evaluating
// a few hundred candidate rules per article spent much of its time
// loading nodes scattered over the heap. The program holds the same rules
// as one array of small nodes, each rule's next to each other, with their
// children, atoms and needs in arrays of their own, and evaluates them
// against the prepared marks (see prepare.go). The trees stay what a rule
// means: they evaluate an article no Matcher prepared, and the tests hold
// the program to them.

// Operations of a program node.
const (
	// opAnd: kids[from:mid] must hold and kids[mid:to] must not.
	opAnd uint8 = iota
	// opOr: one of kids[from:to] must hold; its alternatives are
	// numbered from mid among the Matcher's (see orExpr).
	opOr
	// opWord: a word, held when a field of fields holds one of
	// wordAtoms[from:to].
	opWord
	// opSet: a word set, held when a field of fields holds set from;
	// to is its opPSet node, which finds where.
	opSet
	// opPos: a phrase or NEAR, the positional node from, in a field of
	// fields that holds the words needs[mid:to] (see Matcher.needs).
	opPos
	// opKeyword: keywords[from], an outlet: or lang: filter.
	opKeyword

	// The positional nodes, below an opPos; what they find are spans of
	// one field.
	//
	// opPWord: a word, wordAtoms[from:to].
	opPWord
	// opPSet: a word set, set mid, of the words wordAtoms[from:to].
	opPSet
	// opPPhrase: the words kids[from:to] side by side.
	opPPhrase
	// opPOr: one of kids[from:to]; when mid >= 0 they are numbered from
	// mid among the Matcher's alternatives, and those not live are
	// passed over. Each kid's needs are tested in the field first.
	opPOr
	// opPNear: kids[from] and kids[from+1] within mid words.
	opPNear
)

type pnode struct {
	op uint8
	// fields of a word, set or positional leaf: a bit per field (1
	// title, 2 body, 3 either).
	fields        uint8
	from, to, mid int32
}

// kid is a child of an AND or OR: its node and, for an alternative of
// an OR, the range of needs it is tested against before it is read (see
// orExpr and Matcher.needs). When decided is set the needs are the whole
// alternative, a word or word set looked for in either field, and its
// node is not read.
type kid struct {
	node, needFrom, needTo int32
	decided                bool
}

// program is the flat form of a Matcher's rules.
type program struct {
	// owner numbered the words, sets and alternatives the nodes name.
	owner     *Matcher
	nodes     []pnode
	kids      []kid
	wordAtoms []int32
	needs     []int32
	// keywords are the distinct outlet: and lang: filters.
	keywords []keywordLeaf
	// roots are, by rule, the nodes of its query and exclude (-1 for
	// none).
	roots []root
}

// root is where a rule starts in the program. A part that holds no
// phrase or NEAR is evaluated exactly by its bounds (see bound).
type root struct {
	match, not       int32
	matchPos, notPos bool
}

// addRule lays out rule r, numbered in the Matcher's order.
func (g *program) addRule(r *Rule) {
	at := len(g.nodes)
	rt := root{match: g.emit(r.match), not: -1}
	rt.matchPos = g.positional(at)
	if r.not != nil {
		at = len(g.nodes)
		rt.not = g.emit(r.not)
		rt.notPos = g.positional(at)
	}
	g.roots = append(g.roots, rt)
}

// positional reports whether the nodes laid out from at on hold a phrase
// or NEAR.
func (g *program) positional(at int) bool {
	for _, n := range g.nodes[at:] {
		if n.op == opPos {
			return true
		}
	}
	return false
}

// emit lays out e and returns its node. Its words, sets and alternatives
// are those the Matcher numbered when it owned e.
func (g *program) emit(e expr) int32 {
	i := int32(len(g.nodes))
	g.nodes = append(g.nodes, pnode{})
	var n pnode
	switch e := e.(type) {
	case *andExpr:
		kids := make([]kid, 0, len(e.pos)+len(e.neg))
		for _, c := range e.pos {
			kids = append(kids, kid{node: g.emit(c)})
		}
		for _, c := range e.neg {
			kids = append(kids, kid{node: g.emit(c)})
		}
		n = g.withKids(opAnd, kids)
		n.mid = n.from + int32(len(e.pos))
	case *orExpr:
		kids := make([]kid, 0, len(e.alts))
		for _, c := range e.alts {
			k := kid{node: g.emit(c)}
			switch leaf := g.nodes[k.node]; {
			case leaf.op == opPos:
				// A phrase's or NEAR's needs are its leaf's, which it
				// tests again in each field: one copy serves both.
				k.needFrom, k.needTo = leaf.mid, leaf.to
			case leaf.op == opSet && leaf.fields == 3:
				k.needFrom = int32(len(g.needs))
				g.needs = append(g.needs, -1, leaf.from)
				k.needTo, k.decided = int32(len(g.needs)), true
			case leaf.op == opWord && leaf.fields == 3:
				k.needFrom = int32(len(g.needs))
				g.needs = append(g.needs, leaf.to-leaf.from)
				g.needs = append(g.needs, g.wordAtoms[leaf.from:leaf.to]...)
				k.needTo, k.decided = int32(len(g.needs)), true
			default:
				k.needFrom = int32(len(g.needs))
				if and, ok := c.(*andExpr); ok {
					// All its leaves must match: their words are needed.
					for _, d := range and.pos {
						if leaf, ok := d.(*posLeaf); ok {
							g.needs = g.owner.needs(g.needs, leaf.pe)
						}
					}
				}
				k.needTo = int32(len(g.needs))
			}
			kids = append(kids, k)
		}
		n = g.withKids(opOr, kids)
		n.mid = e.base
	case *posLeaf:
		var fields uint8
		for _, fi := range e.fields {
			fields |= 1 << fi
		}
		switch pe := e.pe.(type) {
		case posWord:
			n = g.withAtoms(opWord, pe.w.atoms)
			n.fields = fields
		default:
			if o, ok := pe.(*posOr); ok && e.set {
				// to is the set's positional node, for its marks.
				n = pnode{op: opSet, fields: fields, from: o.id, to: g.emitPos(o)}
				break
			}
			root := g.emitPos(pe)
			from := int32(len(g.needs))
			g.needs = g.owner.needs(g.needs, pe)
			n = pnode{op: opPos, fields: fields, from: root, mid: from, to: int32(len(g.needs))}
		}
	case *keywordLeaf:
		n = pnode{op: opKeyword, from: int32(slices.Index(g.keywords, *e))}
		if n.from < 0 {
			n.from = int32(len(g.keywords))
			g.keywords = append(g.keywords, *e)
		}
	default:
		panic(fmt.Sprintf("rules: cannot lay out %T", e))
	}
	g.nodes[i] = n
	return i
}

// emitPos lays out a positional operand and returns its node.
func (g *program) emitPos(pe posExpr) int32 {
	i := int32(len(g.nodes))
	g.nodes = append(g.nodes, pnode{})
	var n pnode
	switch pe := pe.(type) {
	case posWord:
		n = g.withAtoms(opPWord, pe.w.atoms)
	case posPhrase:
		kids := make([]kid, len(pe.ws))
		for j, w := range pe.ws {
			kids[j].node = g.emitPos(posWord{w})
		}
		n = g.withKids(opPPhrase, kids)
	case *posOr:
		if pe.words {
			n = g.withAtoms(opPSet, pe.atoms)
			n.mid = pe.id
			break
		}
		kids := make([]kid, len(pe.alts))
		for j, a := range pe.alts {
			kids[j].node = g.emitPos(a)
			kids[j].needFrom = int32(len(g.needs))
			g.needs = g.owner.needs(g.needs, a)
			kids[j].needTo = int32(len(g.needs))
		}
		n = g.withKids(opPOr, kids)
		n.mid = -1
		if pe.numbered {
			n.mid = pe.base
		}
	case posNear:
		kids := []kid{{node: g.emitPos(pe.left)}, {node: g.emitPos(pe.right)}}
		n = g.withKids(opPNear, kids)
		n.mid = int32(pe.dist)
	default:
		panic("rules: cannot lay out a positional operand")
	}
	g.nodes[i] = n
	return i
}

// withKids lays out kids and returns a node of op over them.
func (g *program) withKids(op uint8, kids []kid) pnode {
	from := int32(len(g.kids))
	g.kids = append(g.kids, kids...)
	return pnode{op: op, from: from, to: int32(len(g.kids))}
}

// withAtoms lays out the atoms of a word or set and returns a node of op
// over them.
func (g *program) withAtoms(op uint8, atoms []int32) pnode {
	from := int32(len(g.wordAtoms))
	g.wordAtoms = append(g.wordAtoms, atoms...)
	return pnode{op: op, from: from, to: int32(len(g.wordAtoms))}
}

// matches returns the lanes of the batch's articles that rule i matches.
// Phrases and NEARs, which read positions, are the dear part of a rule,
// and most candidate rules are decided without them: by an exclude that
// holds even if none of its phrases and NEARs does, or by a query that
// fails even if all of its own do. Only the articles these bounds leave
// undecided are evaluated exactly.
func (b *batch) matches(i int32) uint64 { return b.matchesIn(i, b.rules[i]) }

// matchesIn returns the lanes of mask that rule i matches.
func (b *batch) matchesIn(i int32, mask uint64) uint64 {
	rt := &b.m.prog.roots[i]
	if rt.not >= 0 {
		mask &^= b.bound(rt.not, mask, lower)
	}
	if mask = b.bound(rt.match, mask, upper); mask == 0 {
		return 0
	}
	if rt.matchPos {
		mask = b.bound(rt.match, mask, exact)
	}
	if rt.notPos && mask != 0 {
		mask &^= b.bound(rt.not, b.bound(rt.not, mask, upper), exact)
	}
	return mask
}

// What bound finds of a node.
const (
	// exact: whether the node holds.
	exact uint8 = iota
	// upper: whether it may hold, were every phrase and NEAR whose words
	// a field holds found there.
	upper
	// lower: whether it holds without any phrase or NEAR.
	lower
)

// flip is the bound a NOT asks of what it negates: to be sure that NOT x
// holds, x must fail even at its upper bound, and the other way round.
func flip(b uint8) uint8 { return [...]uint8{exact, lower, upper}[b] }

// bound returns the lanes of mask on which node i holds, as bd asks.
func (b *batch) bound(i int32, mask uint64, bd uint8) uint64 {
	g := &b.m.prog
	n := &g.nodes[i]
	switch n.op {
	case opWord:
		var held uint64
		for _, id := range g.wordAtoms[n.from:n.to] {
			if held |= b.atoms.in(id, n.fields); held&mask == mask {
				break
			}
		}
		return held & mask
	case opSet:
		return b.sets.in(n.from, n.fields) & mask
	case opAnd:
		for _, k := range g.kids[n.from:n.mid] {
			if mask = b.bound(k.node, mask, bd); mask == 0 {
				return 0
			}
		}
		nb := flip(bd)
		for _, k := range g.kids[n.mid:n.to] {
			if mask &^= b.bound(k.node, mask, nb); mask == 0 {
				return 0
			}
		}
		return mask
	case opOr:
		var held uint64
		base, end := n.mid, n.mid+n.to-n.from
		for id := b.nextLive(base, end); id < end; id = b.nextLive(id+1, end) {
			lanes := b.alts[id] & mask
			if lanes == 0 {
				continue
			}
			k := &g.kids[n.from+id-base]
			if lanes = b.holds(g.needs[k.needFrom:k.needTo], lanes, 3); lanes != 0 && !k.decided {
				lanes = b.bound(k.node, lanes, bd)
			}
			held |= lanes
			if mask &^= lanes; mask == 0 {
				break
			}
		}
		return held
	case opPos:
		if bd == lower {
			return 0
		}
		var held uint64
		for fi := range uint8(2) {
			if n.fields&(1<<fi) == 0 {
				continue
			}
			lanes := b.holds(g.needs[n.mid:n.to], mask&^held, 1<<fi)
			if bd == upper {
				held |= lanes
				continue
			}
			for ; lanes != 0; lanes &= lanes - 1 {
				k := bits.TrailingZeros64(lanes)
				p := b.ps[k]
				fm := &p.fields[fi]
				fm.takeBack()
				var room [1]span
				if len(p.occurrences(n.from, fm, true, room[:0])) > 0 {
					held |= p.bit
				}
			}
		}
		return held
	case opKeyword:
		return b.keywords[n.from] & mask
	}
	return 0
}

// eval reports whether node i holds in p's article.
func (p *prepared) eval(i int32) bool { return p.b.bound(i, p.bit, exact) != 0 }

// occurrences appends to out the occurrences of phrase or NEAR node i in
// field fm, in order, or, when first is set, only one: whether it occurs.
func (p *prepared) occurrences(i int32, fm *fieldMarks, first bool, out []span) []span {
	g := &p.b.m.prog
	n := &g.nodes[i]
	kids := g.kids[n.from:n.to]
	if n.op == opPPhrase {
		lead := fm.positions(g.wordAtoms[g.nodes[kids[0].node].from:g.nodes[kids[0].node].to])
		if len(lead) == 0 {
			return out
		}
		var room [4][]int
		rest := room[:0]
		for _, k := range kids[1:] {
			w := &g.nodes[k.node]
			ps := fm.positions(g.wordAtoms[w.from:w.to])
			if len(ps) == 0 {
				return out
			}
			rest = append(rest, ps)
		}
		for _, x := range lead {
			if !phraseAt(rest, x) {
				continue
			}
			out = append(out, span{x, x + len(kids) - 1})
			if first {
				return out
			}
		}
		return out
	}
	// opPNear
	dist := int(n.mid)
	if first && isWords(g.nodes[kids[0].node].op) && isWords(g.nodes[kids[1].node].op) {
		// Whether two words are near is told by their position lists
		// alone, in one pass over each pair, without merging them.
		var lroom, rroom [8][]int
		ll := p.wordLists(kids[0].node, fm, lroom[:0])
		if len(ll) == 0 {
			return out
		}
		rl := p.wordLists(kids[1].node, fm, rroom[:0])
		for _, lp := range ll {
			for _, rp := range rl {
				if x, ok := nearWords(lp, rp, dist); ok {
					return append(out, x)
				}
			}
		}
		return out
	}
	ls := p.spans(kids[0].node, fm)
	if len(ls) == 0 {
		return out
	}
	rs := p.spans(kids[1].node, fm)
	for _, l := range ls {
		for _, r := range rs {
			if s, ok := near(l, r, dist); ok {
				out = append(out, s)
				if first {
					return out
				}
			}
		}
	}
	return out
}

// isWords reports whether a positional node of op is a word or word set,
// whose spans are one-word runs (see wordLists).
func isWords(op uint8) bool { return op == opPWord || op == opPSet }

// wordLists appends to out the position lists in field fm of word or word
// set node i.
func (p *prepared) wordLists(i int32, fm *fieldMarks, out [][]int) [][]int {
	g := &p.b.m.prog
	n := &g.nodes[i]
	if n.op == opPSet && !fm.hasSet(n.mid) {
		return out
	}
	return fm.listsOf(out, g.wordAtoms[n.from:n.to])
}

// nearWords returns the first run, in the order of ls, that covers a word
// at one of the sorted positions ls and another at one of rs within dist
// words of it, as occurrences finds from their one-word spans.
func nearWords(ls, rs []int, dist int) (span, bool) {
	j := 0
	for _, x := range ls {
		for j < len(rs) && rs[j] < x-dist {
			j++
		}
		for _, y := range rs[j:] {
			if y > x+dist {
				break
			}
			if y != x {
				return span{min(x, y), max(x, y)}, true
			}
		}
	}
	return span{}, false
}

// nextKid returns the first alternative from j on of opPOr node n that
// may occur: the first live one when they are numbered, else j.
func (p *prepared) nextKid(n *pnode, j int) int {
	if n.mid < 0 {
		return j
	}
	end := n.mid + n.to - n.from
	return int(p.nextLive(n.mid+int32(j), end) - n.mid)
}

// spans lists where positional node i occurs in field fm, in the room fm
// lends until its next takeBack.
func (p *prepared) spans(i int32, fm *fieldMarks) []span {
	g := &p.b.m.prog
	n := &g.nodes[i]
	switch n.op {
	case opPWord:
		return fm.wordSpans(fm.positions(g.wordAtoms[n.from:n.to]))
	case opPSet:
		if !fm.hasSet(n.mid) {
			return nil
		}
		return fm.wordSpans(fm.positions(g.wordAtoms[n.from:n.to]))
	case opPOr:
		// Usually one alternative occurs: its spans are returned as they
		// are.
		var out []span
		owned := false
		kids := g.kids[n.from:n.to]
		for j := p.nextKid(n, 0); j < len(kids); j = p.nextKid(n, j+1) {
			if k := &kids[j]; fm.holds(g.needs[k.needFrom:k.needTo]) {
				out, owned = joinSpans(out, p.spans(k.node, fm), owned)
			}
		}
		return out
	}
	// A phrase or NEAR inside a NEAR.
	var room [8]span
	found := p.occurrences(i, fm, false, room[:0])
	if len(found) == 0 {
		return nil
	}
	out := fm.lendSpans(len(found))
	copy(out, found)
	return out
}

// hits returns where rule i's positive words matched in p's article, as
// Rule.hits does.
func (p *prepared) hits(i int32) []hit {
	room := p.b.hitRoom[:0]
	p.collect(p.b.m.prog.roots[i].match, &room)
	sortHits(room)
	p.b.hitRoom = room
	if len(room) == 0 {
		return nil
	}
	return slices.Clone(room)
}

// collect appends the spans of the positive parts of node i that match,
// as expr.collect does.
func (p *prepared) collect(i int32, out *[]hit) {
	g := &p.b.m.prog
	n := &g.nodes[i]
	switch n.op {
	case opAnd:
		for _, k := range g.kids[n.from:n.mid] {
			p.collect(k.node, out)
		}
	case opOr:
		base, end := n.mid, n.mid+n.to-n.from
		for id := p.nextLive(base, end); id < end; id = p.nextLive(id+1, end) {
			k := &g.kids[n.from+id-base]
			if p.b.holds(g.needs[k.needFrom:k.needTo], p.bit, 3) == 0 {
				continue
			}
			// A word, set, phrase or NEAR that does not hold has no
			// spans to collect: only ANDs and ORs are tested first.
			if op := g.nodes[k.node].op; k.decided || op == opWord || op == opSet || op == opPos || p.eval(k.node) {
				p.collect(k.node, out)
			}
		}
	case opWord, opSet, opPos:
		for fi := range p.fields {
			if n.fields&(1<<fi) == 0 {
				continue
			}
			fm := &p.fields[fi]
			switch n.op {
			case opWord:
				*out = fm.appendHits(*out, g.wordAtoms[n.from:n.to])
			case opSet:
				if fm.hasSet(n.from) {
					set := &g.nodes[n.to]
					*out = fm.appendHits(*out, g.wordAtoms[set.from:set.to])
				}
			default:
				if !fm.holds(g.needs[n.mid:n.to]) {
					continue
				}
				fm.takeBack()
				for _, s := range p.marks(n.from, fm) {
					*out = append(*out, hit{fi, s})
				}
			}
		}
	}
}

// marks lists the runs of positional node i's own words where it occurs
// in field fm, as posExpr.marks does: for a NEAR, its operands' words
// inside one of its matches, not the words between them.
func (p *prepared) marks(i int32, fm *fieldMarks) []span {
	g := &p.b.m.prog
	n := &g.nodes[i]
	switch n.op {
	case opPWord, opPSet:
		return p.spans(i, fm)
	case opPPhrase:
		return p.occurrences(i, fm, false, nil)
	case opPOr:
		var out []span
		kids := g.kids[n.from:n.to]
		for j := p.nextKid(n, 0); j < len(kids); j = p.nextKid(n, j+1) {
			out = append(out, p.marks(kids[j].node, fm)...)
		}
		return out
	}
	// opPNear
	cover := p.occurrences(i, fm, false, nil)
	if len(cover) == 0 {
		return nil
	}
	kids := g.kids[n.from:n.to]
	var out []span
	for _, m := range append(p.marks(kids[0].node, fm), p.marks(kids[1].node, fm)...) {
		for _, c := range cover {
			if c.from <= m.from && m.to <= c.to {
				out = append(out, m)
				break
			}
		}
	}
	return out
}
