package crawler

import "unicode"

// plainByte marks the bytes that can neither be nor start white space, an
// invisible or a control character: printable ASCII, and every byte of
// UTF-8 text but the lead bytes 0xC2, 0xE1, 0xE2, 0xE3 and 0xEF. Text
// scanners skip runs of them without decoding.
var plainByte = func() (t [256]bool) {
	for c := 0x21; c < 0x7F; c++ {
		t[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = c != 0xC2 && (c < 0xE1 || c > 0xE3) && c != 0xEF
	}
	return t
}()

// isSpace is unicode.IsSpace with a fast answer for the Cyrillic block,
// where news text spends nearly all its runes and none is a space; the
// table search behind unicode.IsSpace was a tenth of a crawl's CPU time.
func isSpace(r rune) bool {
	switch {
	case r < 0x80:
		return r == ' ' || r >= '\t' && r <= '\r'
	case r >= 0x0400 && r < 0x1680:
		return false
	default:
		return unicode.IsSpace(r)
	}
}

// isWordRune reports whether r is a letter or digit, quickly for ASCII and
// Cyrillic.
func isWordRune(r rune) bool {
	switch {
	case r < 0x80:
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	case r >= 0x0400 && r <= 0x0481, r >= 0x048a && r <= 0x04ff:
		return true
	default:
		return unicode.IsLetter(r) || unicode.IsDigit(r)
	}
}

// toLower is unicode.ToLower with the common Cyrillic cases inline.
func toLower(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + 'a' - 'A'
	case r < 0x80:
		return r
	case r >= 0x0410 && r <= 0x042f:
		return r + 0x20
	case r >= 0x0430 && r <= 0x045f:
		return r
	case r >= 0x0400 && r <= 0x040f:
		return r + 0x50
	default:
		return unicode.ToLower(r)
	}
}
