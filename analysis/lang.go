package analysis

import "unicode"

// Languages Kuzot analyses.
const (
	Russian = "ru"
	Kyrgyz  = "ky"
	English = "en"
)

// DetectLanguage guesses the language of text: Kyrgyz when the letters ң ө ү
// (absent from Russian) are frequent enough, Russian for other Cyrillic text,
// English for Latin text, and "" when there are too few letters to tell.
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
		if ky >= 2 && ky*100 >= cyr || ky >= 1 && cyr <= 40 {
			return Kyrgyz
		}
		return Russian
	}
	return English
}
