package rules

import (
	"unicode/utf8"
)

// prefixTrie finds the prefix* atoms of a Matcher that an exact form
// starts with, and the atom of the form itself when a rule looks for it
// (=form), in one walk over the form's letters: a map lookup per prefix
// of every form costs far more, since it hashes the prefix again at each
// letter. The trie is one open-addressed table of its nodes but the root:
// a node is the slot of the edge that leads to it, from its parent by a
// letter, and holds what ends there, so each letter of a walk reads one
// slot, or the few after it.
//
// A walk's first two letters, when they are common ones (see leadIndex),
// are read from dense tables instead: every form takes those steps, and
// the tables stay in the cache where the slots do not.
type prefixTrie struct {
	// slots are a power of two long and at most half full; a free slot's
	// key is 0.
	slots []trieSlot
	shift uint
	// lead is the dense tables, nLead nodes a row: row 0 holds the node
	// of each first letter, by its leadIndex, and row 1+x the node of
	// each letter after the first letter x.
	lead []leadNode
}

// leadNode is a node of the dense tables: its slot, or -1 for none, and
// the prefix* that ends there, or -1.
type leadNode struct{ slot, atom int32 }

// nLead is how many letters leadIndex numbers.
const nLead = 32 + 4 + 26

// leadIndex numbers the common letters of the forms the trie reads: the
// Russian alphabet's, the Kyrgyz letters ң, ө and ү, and the Latin
// alphabet's lower case; -1 for any other.
func leadIndex(l uint64) int {
	switch {
	case l >= 'а' && l <= 'я':
		return int(l - 'а')
	case l == 'ё':
		return 32
	case l == 'ң':
		return 33
	case l == 'ө':
		return 34
	case l == 'ү':
		return 35
	case l >= 'a' && l <= 'z':
		return 36 + int(l-'a')
	}
	return -1
}

type trieSlot struct {
	// key is edgeKey(parent, letter).
	key   uint64
	atom  int32 // the prefix* that ends here, or -1
	exact int32 // the exact form that ends here, or -1
}

// trieRoot is the root's number, ExactPrefix itself; the other nodes are
// numbered by their slots.
const trieRoot = -1

// letter returns the letter at the start of s and its length in bytes. A
// byte that is not valid UTF-8 is a letter of its own, apart from every
// rune. Prefixes and forms are the analyser's tokens, whole letters, so
// the trie reads them as strings.HasPrefix does.
func letter(s string) (uint64, int) {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size == 1 {
		return utf8.MaxRune + 1 + uint64(s[0]), 1
	}
	return uint64(r), size
}

// edgeKey is never 0: letters take 22 bits, and the parent is counted
// from 1 above them (the root from 0).
func edgeKey(parent int32, l uint64) uint64 { return uint64(parent+2)<<22 | l }

func (t *prefixTrie) slot(key uint64) int {
	return int((key * 0x9e3779b97f4a7c15) >> t.shift)
}

// child returns the child of node by letter l, or -1.
func (t *prefixTrie) child(node int32, l uint64) int32 {
	key := edgeKey(node, l)
	mask := len(t.slots) - 1
	for i := t.slot(key); ; i = (i + 1) & mask {
		switch t.slots[i].key {
		case key:
			return int32(i)
		case 0:
			return -1
		}
	}
}

// newPrefixTrie builds the trie of prefixes, which maps each prefix*
// (with ExactPrefix) to its atom, and of exact forms, which maps each
// exact term (ExactPrefix + form) to its.
func newPrefixTrie(prefixes, exacts map[string]int32) *prefixTrie {
	// The trie is first built with a map of edges, its nodes numbered in
	// the order they are made, each after its parent.
	type node struct {
		parent      int32
		l           uint64
		atom, exact int32
	}
	nodes := []node{{parent: -1, atom: -1, exact: -1}}
	built := map[[2]uint64]int32{}
	add := func(p string) *node {
		cur := int32(0)
		for i := len(ExactPrefix); i < len(p); {
			l, size := letter(p[i:])
			i += size
			next, ok := built[[2]uint64{uint64(cur), l}]
			if !ok {
				next = int32(len(nodes))
				nodes = append(nodes, node{parent: cur, l: l, atom: -1, exact: -1})
				built[[2]uint64{uint64(cur), l}] = next
			}
			cur = next
		}
		return &nodes[cur]
	}
	for p, id := range prefixes {
		add(p).atom = id
	}
	for e, id := range exacts {
		add(e).exact = id
	}
	size, shift := tableSize(len(nodes) - 1) // a slot per edge
	t := &prefixTrie{slots: make([]trieSlot, size), shift: shift, lead: make([]leadNode, (1+nLead)*nLead)}
	for i := range t.lead {
		t.lead[i] = leadNode{-1, -1}
	}
	// Each node goes to the slot its edge's key leads to, its parent's
	// number being known by then; a node of the first two letters, when
	// common ones, goes to the dense tables too.
	at := make([]int32, len(nodes))
	at[0] = trieRoot
	for i, n := range nodes[1:] {
		key := edgeKey(at[n.parent], n.l)
		j := t.slot(key)
		for t.slots[j].key != 0 {
			j = (j + 1) & (size - 1)
		}
		t.slots[j] = trieSlot{key: key, atom: n.atom, exact: n.exact}
		at[i+1] = int32(j)
		x := leadIndex(n.l)
		if x < 0 {
			continue
		}
		switch p := nodes[n.parent]; {
		case n.parent == 0:
			t.lead[x] = leadNode{int32(j), n.atom}
		case p.parent == 0:
			if y := leadIndex(p.l); y >= 0 {
				t.lead[(1+y)*nLead+x] = leadNode{int32(j), n.atom}
			}
		}
	}
	return t
}

// appendAtoms appends to out the atom of every prefix* the exact form ex
// starts with, shortest first, then the atom of ex itself if it has one.
func (t *prefixTrie) appendAtoms(out []int32, ex string) []int32 {
	cur, i := int32(trieRoot), len(ExactPrefix)
	// The first two letters, when common ones, are read from the dense
	// tables.
	for depth, row := 0, 0; depth < 2 && i < len(ex); depth++ {
		l, size := letter(ex[i:])
		x := leadIndex(l)
		if x < 0 {
			break
		}
		n := t.lead[row*nLead+x]
		if n.slot < 0 {
			return out
		}
		if n.atom >= 0 {
			out = append(out, n.atom)
		}
		cur, i, row = n.slot, i+size, 1+x
	}
	for i < len(ex) {
		l, size := letter(ex[i:])
		i += size
		if cur = t.child(cur, l); cur < 0 {
			return out
		}
		if a := t.slots[cur].atom; a >= 0 {
			out = append(out, a)
		}
	}
	if cur != trieRoot {
		if a := t.slots[cur].exact; a >= 0 {
			out = append(out, a)
		}
	}
	return out
}
