package crawler

import (
	"testing"
	"unicode"
)

// TestFastRuneClasses checks the fast paths against package unicode over the
// whole Basic Multilingual Plane.
func TestFastRuneClasses(t *testing.T) {
	for r := rune(0); r < 0x10000; r++ {
		if got, want := isSpace(r), unicode.IsSpace(r); got != want {
			t.Fatalf("isSpace(%U) = %v, want %v", r, got, want)
		}
		if got, want := isWordRune(r), unicode.IsLetter(r) || unicode.IsDigit(r); got != want {
			t.Fatalf("isWordRune(%U) = %v, want %v", r, got, want)
		}
		if got, want := toLower(r), unicode.ToLower(r); got != want {
			t.Fatalf("toLower(%U) = %U, want %U", r, got, want)
		}
	}
}
