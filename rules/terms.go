package rules

import (
	"hash/maphash"
	"math/bits"
)

// termTable maps the stems a Matcher's rules look for to their atoms, for
// the lookup of every stem of every article. A map of strings keeps each
// key's letters where its string was made, all over the heap; the table
// keeps them side by side in one string, and its slots small, so that a
// lookup reads little memory: a slot, and the letters of the one stem
// whose hash it holds.
type termTable struct {
	// slots are a power of two long and at most half full; a free
	// slot's n is 0 (no stem is empty).
	slots []termSlot
	shift uint
	seed  maphash.Seed
	text  string
}

type termSlot struct {
	tag  uint32 // the low bits of the stem's hash
	atom int32
	off  uint32 // the stem is text[off : off+n]
	n    uint32
}

// tableSize returns the length of an open-addressed table for n keys, a
// power of two at least twice n, and the shift that takes a 64-bit hash
// to a slot.
func tableSize(n int) (int, uint) {
	size := 1 << bits.Len(uint(2*n+1))
	return size, uint(64 - bits.Len(uint(size-1)))
}

func newTermTable(terms map[string]int32) *termTable {
	size, shift := tableSize(len(terms))
	t := &termTable{slots: make([]termSlot, size), shift: shift, seed: maphash.MakeSeed()}
	var text []byte
	for term, atom := range terms {
		if term == "" {
			continue
		}
		h := maphash.String(t.seed, term)
		i := t.slot(h)
		for t.slots[i].n != 0 {
			i = (i + 1) & (size - 1)
		}
		t.slots[i] = termSlot{tag: uint32(h), atom: atom, off: uint32(len(text)), n: uint32(len(term))}
		text = append(text, term...)
	}
	t.text = string(text)
	return t
}

func (t *termTable) slot(h uint64) int { return int(h >> t.shift) }

// atomOf returns the atom of term, or false.
func (t *termTable) atomOf(term string) (int32, bool) {
	h := maphash.String(t.seed, term)
	mask := len(t.slots) - 1
	for i := t.slot(h); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.n == 0 {
			return 0, false
		}
		if s.tag == uint32(h) && int(s.n) == len(term) && t.text[s.off:s.off+s.n] == term {
			return s.atom, true
		}
	}
}
