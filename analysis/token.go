package analysis

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one word of a text.
type Token struct {
	// Term is the analysed term: the word form stemmed in the text's
	// language. It is what a plain query word matches.
	Term string
	// Form is the folded surface form (lower case, ё as е): what =exact and
	// prefix* queries match.
	Form string
	// Pos is the word's position in its text, from 1; phrases and NEAR/n
	// count in positions.
	Pos int
	// Start and End are byte offsets of the word in the text.
	Start, End int
}

// Tokenize splits text into folded words with positions and offsets; Term
// is left empty. A word is a run of letters and digits. A hyphen or an
// apostrophe inside a word splits it into parts at consecutive positions,
// so дары-дармек is the two words дары and дармек, and the query
// "дары-дармек" is the phrase of both; COVID-19 is covid and 19.
func Tokenize(text string) []Token {
	toks := make([]Token, 0, len(text)/7)
	pos := 0
	start := -1
	for i := 0; i <= len(text); {
		var r rune = -1
		size := 1
		if i < len(text) {
			r, size = rune(text[i]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(text[i:])
			}
		}
		if r >= 0 && isWordRune(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			// Combining marks alone fold to nothing and are no word.
			if form := Fold(text[start:i]); form != "" {
				pos++
				toks = append(toks, Token{Form: form, Pos: pos, Start: start, End: i})
			}
			start = -1
		}
		i += size
	}
	return toks
}

// isWordRune reports whether r belongs to a word. Combining marks count, so
// a decomposed й stays inside its word.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	if 'А' <= r && r <= 'я' {
		return true // the Russian alphabet, the bulk of the text
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// Fold lower-cases a word and folds ё to е, the way Russian is usually
// typed. Combining marks are dropped, so a decomposed ё (е and a diaeresis)
// folds to е as well, except that и followed by a combining breve is the
// letter й it spells.
func Fold(word string) string {
	ascii := true
	for i := 0; i < len(word); i++ {
		if c := word[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			ascii = false
			break
		}
	}
	if ascii || isFolded(word) {
		return word
	}
	var b strings.Builder
	b.Grow(len(word))
	prev := rune(0)
	for _, r := range word {
		switch {
		case r == 'ё' || r == 'Ё':
			r = 'е'
		case r == '\u0306' && (prev == 'и' || prev == 'И'):
			// и + combining breve is й: replace the и just written.
			s := b.String()
			b.Reset()
			b.WriteString(s[:len(s)-len("и")])
			b.WriteRune('й')
			prev = 'й'
			continue
		case 'А' <= r && r <= 'Я':
			r += 'а' - 'А'
		case 'а' <= r && r <= 'я' || r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		case unicode.Is(unicode.Mn, r):
			continue
		default:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// isFolded reports whether Fold would return word unchanged: the usual
// lower-case word, which then costs no copy.
func isFolded(word string) bool {
	for _, r := range word {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				return false
			}
		case 'а' <= r && r <= 'я':
		case r == 'ё' || 'А' <= r && r <= 'Я' || unicode.Is(unicode.Mn, r) || unicode.IsUpper(r):
			return false
		}
	}
	return true
}

// IsCyrillic reports whether word holds a Cyrillic letter.
func IsCyrillic(word string) bool {
	for _, r := range word {
		if r >= 0x0400 && r <= 0x052F {
			return true
		}
	}
	return false
}

// Analyze tokenises text and stems every word in lang, the language of the
// article: Cyrillic words with the Kyrgyz stemmer in a Kyrgyz text and the
// Russian one otherwise, Latin words with the English (Porter) stemmer.
func Analyze(text, lang string) []Token {
	toks := Tokenize(text)
	for i := range toks {
		toks[i].Term = Stem(toks[i].Form, lang)
	}
	return toks
}
