package rules

import (
	"fmt"
	"testing"
)

// TestTermTable checks the stem table against the map it is built from:
// every stem is found with its atom, and no other string is, however
// close (a prefix, a longer word, the same letters in another case).
func TestTermTable(t *testing.T) {
	stems := map[string]int32{}
	for i, s := range []string{"врач", "врачеб", "больниц", "оорукана", "ооруканада", "x", "\xff\xfe", "doctor"} {
		stems[s] = int32(i)
	}
	// Enough stems that many share a slot's neighbourhood.
	for i := range 5000 {
		stems[fmt.Sprintf("стем%d", i)] = int32(100 + i)
	}
	tab := newTermTable(stems)
	for s, want := range stems {
		if got, ok := tab.atomOf(s); !ok || got != want {
			t.Errorf("%q: got %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "вра", "врачи", "Врач", "больница", "оорукан", "xx", "\xff", "стем5000", "стем-1", "doctors"} {
		if got, ok := tab.atomOf(s); ok {
			t.Errorf("%q: found atom %d, want none", s, got)
		}
	}
	if got, ok := newTermTable(nil).atomOf("врач"); ok {
		t.Errorf("an empty table found atom %d", got)
	}
}
