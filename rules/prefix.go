package rules

import "slices"

// prefixTrie finds the prefix* atoms of a Matcher that an exact form
// starts with, and the atom of the form itself when a rule looks for it
// (=form), in one walk over the form's bytes: a map lookup per prefix of
// every form costs far more, since it hashes the prefix again at each
// letter.
type prefixTrie struct {
	// nodes[0] is the root, ExactPrefix itself. A node's children are
	// edges[first : first+n], sorted by byte.
	nodes []trieNode
	edges []trieEdge
}

type trieNode struct {
	atom     int32 // the prefix* that ends here, or -1
	exact    int32 // the exact form that ends here, or -1
	first, n int32
}

type trieEdge struct {
	b     byte
	child int32
}

// newPrefixTrie builds the trie of prefixes, which maps each prefix*
// (with ExactPrefix) to its atom, and of exact forms, which maps each
// exact term (ExactPrefix + form) to its.
func newPrefixTrie(prefixes, exacts map[string]int32) *prefixTrie {
	// Build with a map per node, then lay the children out by byte.
	type building struct {
		atom, exact int32
		children    map[byte]int32
	}
	nodes := []building{{atom: -1, exact: -1}}
	add := func(p string) *building {
		cur := int32(0)
		for i := len(ExactPrefix); i < len(p); i++ {
			next, ok := nodes[cur].children[p[i]]
			if !ok {
				next = int32(len(nodes))
				nodes = append(nodes, building{atom: -1, exact: -1})
				if nodes[cur].children == nil {
					nodes[cur].children = map[byte]int32{}
				}
				nodes[cur].children[p[i]] = next
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
	t := &prefixTrie{nodes: make([]trieNode, len(nodes))}
	for i, n := range nodes {
		t.nodes[i] = trieNode{atom: n.atom, exact: n.exact, first: int32(len(t.edges)), n: int32(len(n.children))}
		for b, c := range n.children {
			t.edges = append(t.edges, trieEdge{b, c})
		}
		slices.SortFunc(t.edges[t.nodes[i].first:], func(x, y trieEdge) int { return int(x.b) - int(y.b) })
	}
	return t
}

// appendAtoms appends to out the atom of every prefix* the exact form ex
// starts with, shortest first, then the atom of ex itself if it has one.
func (t *prefixTrie) appendAtoms(out []int32, ex string) []int32 {
	cur := int32(0)
	for i := len(ExactPrefix); i < len(ex); i++ {
		n := t.nodes[cur]
		edges := t.edges[n.first : n.first+n.n]
		lo, hi := 0, len(edges)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if edges[mid].b < ex[i] {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo == len(edges) || edges[lo].b != ex[i] {
			return out
		}
		cur = edges[lo].child
		if a := t.nodes[cur].atom; a >= 0 {
			out = append(out, a)
		}
	}
	if a := t.nodes[cur].exact; a >= 0 {
		out = append(out, a)
	}
	return out
}
