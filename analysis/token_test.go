package analysis

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTokenize(t *testing.T) {
	for _, tc := range []struct {
		text string
		want string // form@pos:start-end ...
	}{
		{"Врач, врачи!", "врач@1:0-8 врачи@2:10-20"},
		{"Ёлка ЁЖ", "елка@1:0-8 еж@2:9-13"},
		{"дары-дармек", "дары@1:0-8 дармек@2:9-21"},
		{"COVID-19 в 2026 году", "covid@1:0-5 19@2:6-8 в@3:9-11 2026@4:12-16 году@5:17-25"},
		{"«Саламаттык сактоо» — министрлик…", "саламаттык@1:2-22 сактоо@2:23-35 министрлик@3:42-62"},
		{"ӨКМӨТ үйүндө Ңң", "өкмөт@1:0-10 үйүндө@2:11-23 ңң@3:24-28"},
		{"", ""},
		{"— … !!", ""},
		// A decomposed й (и + U+0306) is the letter й; a decomposed ё is е.
		{"геи\u0306 е\u0308ж", "гей@1:0-8 еж@2:9-15"},
	} {
		var got []string
		for _, tok := range Tokenize(tc.text) {
			got = append(got, fmt.Sprintf("%s@%d:%d-%d", tok.Form, tok.Pos, tok.Start, tok.End))
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("Tokenize(%q) = %s\nwant %s", tc.text, g, tc.want)
		}
	}
}

// TestRussianStems checks that the word forms of one Russian word share a
// term and those of different words do not.
func TestRussianStems(t *testing.T) {
	for _, group := range [][]string{
		{"врач", "врача", "врачу", "врачом", "враче", "врачи", "врачей", "врачам", "врачами", "врачах"},
		{"больница", "больницы", "больнице", "больницу", "больницей", "больниц", "больницам", "больницах"},
		// Snowball leaves the genitive plural ошибок apart (a fleeting
		// vowel); rules write ошиб* or list it.
		{"ошибка", "ошибки", "ошибке", "ошибку", "ошибкой"},
		{"пациент", "пациента", "пациенты", "пациентов", "пациентам"},
		{"задержан", "задержана", "задержаны"},
		{"лекарство", "лекарства", "лекарств", "лекарствами"},
		{"роддом", "роддома", "роддоме", "роддомов", "роддомом"},
		{"прием", "приема", "приеме", "приемом"},
		{"симптом", "симптомы", "симптомов"},
		{"очередь", "очереди", "очередей", "очередями"},
	} {
		want := Stem(group[0], Russian)
		for _, w := range group[1:] {
			if got := Stem(w, Russian); got != want {
				t.Errorf("Stem(%q) = %q, want %q like %q", w, got, want, group[0])
			}
		}
	}
	for _, pair := range [][2]string{{"врач", "врата"}, {"больница", "боль"}, {"ошибка", "ошибаться"}, {"арест", "артист"}} {
		if Stem(pair[0], Russian) == Stem(pair[1], Russian) {
			t.Errorf("%q and %q share the stem %q", pair[0], pair[1], Stem(pair[0], Russian))
		}
	}
}

func TestStemByScript(t *testing.T) {
	for _, tc := range []struct{ word, lang, want string }{
		{"doctors", Russian, "doctor"},
		{"doctors", Kyrgyz, "doctor"},
		{"врачей", English, Stem("врачей", Russian)},
		{"2026", Russian, "2026"},
		{"19", Kyrgyz, "19"},
	} {
		if got := Stem(tc.word, tc.lang); got != tc.want {
			t.Errorf("Stem(%q, %s) = %q, want %q", tc.word, tc.lang, got, tc.want)
		}
	}
}

func TestQueryStems(t *testing.T) {
	if got := QueryStems("doctors"); !slices.Equal(got, []string{"doctor"}) {
		t.Errorf("QueryStems(doctors) = %v", got)
	}
	got := QueryStems("врачей")
	if len(got) == 0 || got[0] != Stem("врачей", Russian) || !slices.Contains(got, Stem("врачей", Kyrgyz)) {
		t.Errorf("QueryStems(врачей) = %v, want the Russian then the Kyrgyz stem", got)
	}
	if got := QueryStems("ооруканада"); !slices.Contains(got, Stem("ооруканада", Kyrgyz)) {
		t.Errorf("QueryStems(ооруканада) = %v lacks the Kyrgyz stem", got)
	}
}

func TestAnalyzeByLanguage(t *testing.T) {
	ky := Analyze("Ооруканада дарыгерлер", Kyrgyz)
	ru := Analyze("В больнице врачи", Russian)
	if ky[0].Term != Stem("ооруканада", Kyrgyz) || ru[1].Term != Stem("больнице", Russian) || ru[2].Form != "врачи" {
		t.Errorf("Analyze: %+v %+v", ky, ru)
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"Врач, врачи!", "дары-дармек", "геи\u0306", "\xff\xfeабв", "ӨКМӨТ 2026-жылы"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		last := 0
		for i, tok := range Tokenize(text) {
			if tok.Pos != i+1 || tok.Start < last || tok.End <= tok.Start || tok.End > len(text) {
				t.Fatalf("token %d of %q: %+v", i, text, tok)
			}
			if !utf8.ValidString(tok.Form) && utf8.ValidString(text) || tok.Form == "" && utf8.ValidString(text[tok.Start:tok.End]) && hasLetterOrDigit(text[tok.Start:tok.End]) {
				t.Fatalf("token %d of %q has form %q", i, text, tok.Form)
			}
			last = tok.End
			for _, lang := range []string{Russian, Kyrgyz, English} {
				if s := Stem(tok.Form, lang); tok.Form != "" && s == "" {
					t.Fatalf("Stem(%q, %s) is empty", tok.Form, lang)
				}
			}
		}
	})
}

func hasLetterOrDigit(s string) bool {
	for _, r := range s {
		if isWordRune(r) && r != utf8.RuneError {
			return true
		}
	}
	return false
}

func BenchmarkAnalyze(b *testing.B) {
	text := strings.Repeat("Министерство здравоохранения сообщило, что в больнице Оша не хватает врачей. Ооруканада дарыгерлер жетишпейт. ", 40)
	n := len(Tokenize(text))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Analyze(text, Russian)
	}
	b.ReportMetric(float64(n), "words/op")
}

func TestDetectLanguage(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"Ооруканада дарыгерлер жетишпейт, бейтаптар кезекте күтүшөт.", Kyrgyz},
		{"В больнице Оша не хватает врачей, пациенты ждут часами.", Russian},
		{"Measles outbreak reported in two villages of Chui region.", English},
		{"Минздрав сообщил, что в Бишкеке открыли центр семейной медицины «Үй-бүлө», где будут принимать пациентов из трёх районов города.", Russian},
		{"Ок", ""},
		{"", ""},
		{"ЁЛКА ёжик Ещё", Russian},
	} {
		if got := DetectLanguage(tc.text); got != tc.want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestDetectLanguageMixed covers the texts between the clear cases: a
// Russian text quoting a Kyrgyz name, a Kyrgyz text with a Russian site's
// line under it.
func TestDetectLanguageMixed(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"Сотрудники центра «Үй-бүлө» и врачи ЦСМ провели приём пациентов в Нарыне, сообщили в мэрии.", Russian},
		{"Нарын облустук ооруканасында дарыгерлер жетишпейт, бейтаптар кезекте күтүшөт.\n\nЕсть тема? Пишите в WhatsApp", Kyrgyz},
		{"Ооруканада дарыгерлер жетишпейт жана бейтаптар кезекте күтүшөт деп билдирди.", Kyrgyz},
		{"Бишкекте дарыгер пара алган деп кармалды", Kyrgyz},
		{"Врач задержан за взятку в Бишкеке", Russian},
	} {
		if got := DetectLanguage(tc.text); got != tc.want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
