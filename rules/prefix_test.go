package rules

import (
	"slices"
	"strings"
	"testing"
)

// TestPrefixTrie checks the trie against the plain reading of a prefix*
// and of an exact form: every prefix* a form starts with is found,
// shortest first, then the form itself when it is an exact term, and no
// other, whether its first letters are read from the dense tables or
// not.
func TestPrefixTrie(t *testing.T) {
	prefixes := map[string]int32{}
	for i, p := range []string{"в", "вр", "врач", "врачеб", "больн", "бо", "ооруk", "оорук", "ж", "өмү", "\xffа", "в1", "1в", "ё", "zq", "нң"} {
		prefixes[ExactPrefix+p] = int32(i)
	}
	exacts := map[string]int32{}
	for i, e := range []string{"врач", "вр", "бол", "дарыгер", "дары"} {
		exacts[ExactPrefix+e] = int32(100 + i)
	}
	trie := newPrefixTrie(prefixes, exacts)
	for _, form := range []string{"врачебная", "врач", "вр", "в", "больница", "бол", "оорукана", "ооруkана", "жана", "ы", "", "дарыгер", "өмүр", "өмр", "\xffаб", "\xfeаб", "үү", "в1х", "в2", "1вх", "1", "ёж", "ё", "zq", "z", "нңа", "нн"} {
		ex := ExactPrefix + form
		var got, want []int32
		got = trie.appendAtoms(got, ex)
		for p, id := range prefixes {
			if strings.HasPrefix(ex, p) {
				want = append(want, id)
			}
		}
		// Shortest first: in the order of the prefixes' lengths.
		slices.SortFunc(want, func(x, y int32) int { return len(atomPrefix(prefixes, x)) - len(atomPrefix(prefixes, y)) })
		if id, ok := exacts[ex]; ok {
			want = append(want, id)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: trie %v, want %v", form, got, want)
		}
	}
}

func atomPrefix(prefixes map[string]int32, id int32) string {
	for p, i := range prefixes {
		if i == id {
			return p
		}
	}
	return ""
}
