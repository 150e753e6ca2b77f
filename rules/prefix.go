package rules

import (
	"math/bits"
	"unicode/utf8"
)

// prefixTrie finds the prefix* atoms of a Matcher that an exact form
// starts with, and the atom of the form itself when a rule looks for it
// (=form), in one walk over the form's letters: a map lookup per prefix
// of every form costs far more, since it hashes the prefix again at each
// letter. The trie's edges, from a node and a letter to the child, are
// one open-addressed table, so each letter costs one probe or two.
type prefixTrie struct {
	// nodes[0] is the root, ExactPrefix itself.
	nodes []trieNode
	// keys and children are the edges: keys[i] is edgeKey(node, letter)
	// and children[i] the child, or keys[i] is 0 for a free slot. The
	// table is a power of two long and at most half full.
	keys     []uint64
	children []int32
	shift    uint
}

type trieNode struct {
	atom  int32 // the prefix* that ends here, or -1
	exact int32 // the exact form that ends here, or -1
}

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

// edgeKey is never 0: letters take 22 bits, and the node is counted from
// 1 above them.
func edgeKey(node int32, l uint64) uint64 { return uint64(node+1)<<22 | l }

func (t *prefixTrie) slot(key uint64) int {
	return int((key * 0x9e3779b97f4a7c15) >> t.shift)
}

// child returns the child of node by letter l, or -1.
func (t *prefixTrie) child(node int32, l uint64) int32 {
	key := edgeKey(node, l)
	mask := len(t.keys) - 1
	for i := t.slot(key); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case key:
			return t.children[i]
		case 0:
			return -1
		}
	}
}

// newPrefixTrie builds the trie of prefixes, which maps each prefix*
// (with ExactPrefix) to its atom, and of exact forms, which maps each
// exact term (ExactPrefix + form) to its.
func newPrefixTrie(prefixes, exacts map[string]int32) *prefixTrie {
	type edge struct {
		node  int32
		l     uint64
		child int32
	}
	t := &prefixTrie{nodes: []trieNode{{atom: -1, exact: -1}}}
	built := map[[2]uint64]int32{}
	var edges []edge
	add := func(p string) *trieNode {
		cur := int32(0)
		for i := len(ExactPrefix); i < len(p); {
			l, size := letter(p[i:])
			i += size
			next, ok := built[[2]uint64{uint64(cur), l}]
			if !ok {
				next = int32(len(t.nodes))
				t.nodes = append(t.nodes, trieNode{atom: -1, exact: -1})
				built[[2]uint64{uint64(cur), l}] = next
				edges = append(edges, edge{cur, l, next})
			}
			cur = next
		}
		return &t.nodes[cur]
	}
	for p, id := range prefixes {
		add(p).atom = id
	}
	for e, id := range exacts {
		add(e).exact = id
	}
	size := 1 << bits.Len(uint(2*len(edges)+1))
	t.keys, t.children = make([]uint64, size), make([]int32, size)
	t.shift = uint(64 - bits.Len(uint(size-1)))
	for _, e := range edges {
		key := edgeKey(e.node, e.l)
		i := t.slot(key)
		for t.keys[i] != 0 {
			i = (i + 1) & (size - 1)
		}
		t.keys[i], t.children[i] = key, e.child
	}
	return t
}

// appendAtoms appends to out the atom of every prefix* the exact form ex
// starts with, shortest first, then the atom of ex itself if it has one.
func (t *prefixTrie) appendAtoms(out []int32, ex string) []int32 {
	cur := int32(0)
	for i := len(ExactPrefix); i < len(ex); {
		l, size := letter(ex[i:])
		i += size
		if cur = t.child(cur, l); cur < 0 {
			return out
		}
		if a := t.nodes[cur].atom; a >= 0 {
			out = append(out, a)
		}
	}
	if a := t.nodes[cur].exact; a >= 0 {
		out = append(out, a)
	}
	return out
}
