package analysis

import (
	"strings"
	"unicode"
)

// Languages Kuzot analyses.
const (
	Russian = "ru"
	Kyrgyz  = "ky"
	English = "en"
)

// DetectLanguage guesses the language of text: Kyrgyz when the letters ң ө ү
// (absent from Russian) are frequent enough, or present and Russian function
// words do not clearly outnumber Kyrgyz ones; Russian for other Cyrillic text, English
// for Latin text, and "" when there are too few letters to tell.
func DetectLanguage(text string) string {
	var cyr, lat, ky, total int
	for _, r := range text {
		// The Russian alphabet and ASCII are most of any text; only the
		// rest goes through the Unicode tables.
		switch {
		case 'А' <= r && r <= 'я':
			total++
			cyr++
			continue
		case r < 0x80:
			if 'a' <= r|0x20 && r|0x20 <= 'z' {
				total++
				lat++
			}
			continue
		case !unicode.IsLetter(r):
			continue
		}
		total++
		switch {
		case r == 'ң' || r == 'ө' || r == 'ү' || r == 'Ң' || r == 'Ө' || r == 'Ү':
			ky++
			cyr++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	if total < 3 {
		return ""
	}
	if cyr >= lat {
		// About one letter in 25 of running Kyrgyz text is ң, ө or ү; a
		// Russian text quoting a Kyrgyz name has far fewer.
		// Running Kyrgyz text has one of them in 15 to 30 letters; a
		// Russian text quoting a Kyrgyz name has a few, in a short text
		// as many as one in 25. Unless they are dense, the function words
		// decide: a line of a Russian site's furniture under a Kyrgyz
		// article brings one or two Russian ones, a Russian text many.
		switch {
		case ky >= 2 && ky*15 >= cyr, ky >= 1 && cyr <= 20:
			return Kyrgyz
		case ky >= 1 && ky*150 >= cyr:
			if kyw, ruw := functionWords(text); 2*(kyw+1) > ruw {
				return Kyrgyz
			}
		case ky == 0 && cyr <= 300:
			// A short post without those letters: Kyrgyz function words
			// and no Russian ones.
			if kyw, ruw := functionWords(text); kyw >= 1 && ruw == 0 {
				return Kyrgyz
			}
		}
		return Russian
	}
	return English
}

// Frequent function words of each language that the other does not use.
var (
	kyFunctionWords = map[string]bool{"жана": true, "менен": true, "бул": true, "үчүн": true, "деп": true, "боюнча": true,
		"анын": true, "ал": true, "эле": true, "болгон": true, "бир": true, "дагы": true, "алар": true, "кийин": true,
		"чейин": true, "тууралуу": true, "жөнүндө": true, "эмес": true, "болуп": true, "ошол": true, "мындай": true, "экенин": true}
	ruFunctionWords = map[string]bool{"и": true, "в": true, "на": true, "не": true, "что": true, "с": true, "по": true,
		"для": true, "из": true, "от": true, "как": true, "это": true, "за": true, "к": true, "у": true, "же": true,
		"но": true, "а": true, "его": true, "был": true, "была": true, "также": true, "при": true, "о": true}
)

// functionWords counts the Kyrgyz and Russian function words of text.
func functionWords(text string) (ky, ru int) {
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) }) {
		w = strings.ToLower(w)
		if kyFunctionWords[w] {
			ky++
		} else if ruFunctionWords[w] {
			ru++
		}
	}
	return ky, ru
}
