package analysis

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/russian"
)

// kyForm is one line of testdata/kyrgyz_forms.tsv.
type kyForm struct {
	line        int
	form, stem  string
	knownMiss   bool
	lemmaHeader string
}

func loadKyrgyzForms(tb testing.TB) []kyForm {
	tb.Helper()
	f, err := os.Open("testdata/kyrgyz_forms.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var forms []kyForm
	header := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "#"):
			header = strings.TrimSpace(strings.TrimPrefix(line, "#"))
			continue
		}
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 2 || fields[0] == "" || fields[1] == "" {
			tb.Fatalf("kyrgyz_forms.tsv:%d: want form<TAB>stem, got %q", n, line)
		}
		fm := kyForm{line: n, form: fields[0], stem: strings.TrimSpace(fields[1]), lemmaHeader: header}
		if len(fields) > 2 {
			fm.knownMiss = strings.Contains(fields[2], "known miss")
		}
		forms = append(forms, fm)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return forms
}

// TestStemKyrgyzTable measures the stemmer against real word forms and
// fails below 95% accuracy. Run with -v to see the figure and the misses.
func TestStemKyrgyzTable(t *testing.T) {
	forms := loadKyrgyzForms(t)
	if len(forms) < 300 {
		t.Fatalf("kyrgyz_forms.tsv has %d forms, want at least 300", len(forms))
	}
	var misses []string
	unexpected := 0
	for _, fm := range forms {
		got := StemKyrgyz(fm.form)
		if got == fm.stem {
			continue
		}
		note := ""
		if fm.knownMiss {
			note = " (known miss)"
		} else {
			unexpected++
		}
		misses = append(misses, fmt.Sprintf("kyrgyz_forms.tsv:%d: StemKyrgyz(%q) = %q, want %q [%s]%s",
			fm.line, fm.form, got, fm.stem, fm.lemmaHeader, note))
	}
	correct := len(forms) - len(misses)
	accuracy := float64(correct) / float64(len(forms))
	t.Logf("Kyrgyz stemmer accuracy: %d/%d = %.1f%% (%d known misses, %d other misses)",
		correct, len(forms), 100*accuracy, len(misses)-unexpected, unexpected)
	for _, m := range misses {
		t.Log(m)
	}
	if accuracy < 0.95 {
		t.Errorf("accuracy %.1f%% is below 95%%:\n%s", 100*accuracy, strings.Join(misses, "\n"))
	}
}

// TestStemKyrgyzRules pins one form for each rule whose loss the accuracy
// threshold alone would hide.
func TestStemKyrgyzRules(t *testing.T) {
	for _, c := range []struct{ word, want, rule string }{
		{"балдар", "бала", "contracted plural of бала"},
		{"балдарына", "бала", "contracted plural under possessive and case"},
		{"кармалды", "кармал", "past of a passive verb"},
		{"кармалган", "кармал", "participle of a passive verb"},
		{"кармалып", "кармал", "converb of a passive verb"},
		{"кармалгандыгы", "кармал", "participle noun with possessive"},
		{"министрлигине", "министрлик", "к voiced before the possessive"},
		{"китеби", "китеп", "п voiced before the possessive"},
		{"ооруканасындагы", "оорукана", "-дагы after the possessive -сы"},
		{"облусу", "облус", "root in -ус before the possessive"},
		{"окуучусу", "окууч", "agent noun in -чу before the possessive -су"},
		{"району", "район", "root in -он before the possessive"},
		{"рентгени", "рентген", "root in -ген before the possessive"},
		{"кармалганы", "кармал", "participle before the possessive, not an accusative"},
		{"тургундарды", "тург", "final -ун dropped on every form"},
		{"жетекчилер", "жетекч", "final high vowel dropped on every form"},
		{"ысык-көлдө", "ысык-көл", "only the part after a hyphen is stemmed"},
		{"ссм-дин", "ссм", "a bare suffix after a hyphen is dropped"},
		{"ссмдин", "ссм", "an abbreviation takes any shape of a suffix"},
		{"10дон", "10", "a number takes any shape of a suffix"},
		{"июлда", "июл", "soft sign of a loan"},
		{"кыштагы", "кыштак", "protected lemma under its voiced key"},
	} {
		if got := StemKyrgyz(c.word); got != c.want {
			t.Errorf("StemKyrgyz(%q) = %q, want %q (%s)", c.word, got, c.want, c.rule)
		}
	}
}

// TestKyrgyzFormsConsistent checks the table itself: a form listed twice
// must expect one stem, so a slip in the data cannot hide a split lemma.
func TestKyrgyzFormsConsistent(t *testing.T) {
	byForm := map[string]string{}
	for _, fm := range loadKyrgyzForms(t) {
		if prev, ok := byForm[fm.form]; ok && prev != fm.stem {
			t.Errorf("kyrgyz_forms.tsv:%d: %q listed with stems %q and %q", fm.line, fm.form, prev, fm.stem)
		}
		byForm[fm.form] = fm.stem
	}
}

// kyNaiveSuffixes are the suffix shapes a stripper that ignores vowel
// harmony, consonant assimilation and the order of suffixes would take off.
var kyNaiveSuffixes = strings.Fields(`
	лар лер лор лөр дар дер дор дөр тар тер тор төр
	нын нин нун нүн дын дин дун дүн тын тин тун түн
	га ге го гө ка ке ко кө на не а е
	ны ни ну нү ды ди ду дү ты ти ту тү н
	да де до дө та те то тө нда нде ндо ндө
	дан ден дон дөн тан тен тон төн нан нен нон нөн
	ым им ум үм м ың иң уң үң ң ыбыз ибиз убуз үбүз
	ы и у ү сы си су сү
	чы чи чу чү лык лик лук лүк дык дик дук дүк тык тик тук түк
	сыз сиз суз сүз луу лүү дуу дүү туу түү
	ган ген гон гөн кан кен кон көн`)

// kyNaiveStem strips the longest naive suffix, up to three times, keeping
// two letters: the stripper TestStemKyrgyzNoCollision is measured against.
func kyNaiveStem(w string) string {
	for range 3 {
		best := ""
		for _, sf := range kyNaiveSuffixes {
			if len(sf) > len(best) && strings.HasSuffix(w, sf) && utf8.RuneCountInString(w[:len(w)-len(sf)]) >= 2 {
				best = sf
			}
		}
		if best == "" {
			break
		}
		w = w[:len(w)-len(best)]
	}
	return w
}

// TestStemKyrgyzNoCollision lists different words that a naive suffix
// stripper gives one stem: a root that ends like a suffix (башка "other" is
// not баш "head" + dative), a final root vowel (дары "medicine", дар
// "gallows"), a derivation that changes the meaning (сапатсыз "poor
// quality", сапат "quality"). The test checks that the naive stripper does
// merge most of them, so that the list tests what it claims to.
func TestStemKyrgyzNoCollision(t *testing.T) {
	pairs := []struct{ a, b, gloss string }{
		{"ата", "ат", "father, horse"},
		{"атага", "атка", "to the father, to the horse"},
		{"бала", "бал", "child, honey"},
		{"баланы", "балды", "the child, the honey"},
		{"кана", "кан", "where, blood"},
		{"канадан", "кандан", "from Canada, from blood"},
		{"дары", "дар", "medicine, gallows"},
		{"дарыда", "дарда", "in the medicine, on the gallows"},
		{"оору", "оор", "illness, heavy"},
		{"оорулар", "оорлор", "illnesses, heavy ones"},
		{"ооруканада", "ооруда", "in hospital, in illness"},
		{"дарыгер", "дары", "doctor, medicine"},
		{"дарыкана", "дары", "pharmacy, medicine"},
		{"башка", "баш", "other, head"},
		{"башкалар", "баштар", "others, heads"},
		{"маска", "мас", "mask, drunk"},
		{"өпкө", "өп", "lungs, to kiss"},
		{"төрага", "төр", "chairman, seat of honour"},
		{"нарын", "нар", "Naryn, camel"},
		{"нарында", "нарда", "in Naryn, on the camel"},
		{"орун", "ор", "place, pit"},
		{"жакын", "жак", "near, side"},
		{"узун", "уз", "long, skilled"},
		{"үчүн", "үч", "for, three"},
		{"тегин", "тек", "free of charge, origin"},
		{"келин", "кел", "daughter-in-law, to come"},
		{"кемин", "кем", "Kemin, short of"},
		{"агын", "ак", "flow, white"},
		{"алтын", "алты", "gold, six"},
		{"алты", "ал", "six, to take"},
		{"акы", "ак", "fee, white"},
		{"акын", "акы", "poet, fee"},
		{"жети", "жет", "seven, to reach"},
		{"тери", "тер", "skin, sweat"},
		{"кары", "кар", "old, snow"},
		{"оюн", "ой", "game, thought"},
		{"дептер", "деп", "notebook, saying"},
		{"кыштагы", "кышта", "its village, in winter"},
		{"кыргызстан", "кыргыз", "Kyrgyzstan, Kyrgyz"},
		{"казакстанда", "казакта", "in Kazakhstan, in the Kazakh"},
		{"майдан", "май", "square, butter"},
		{"жалган", "жал", "false, mane"},
		{"жаран", "жара", "citizen, wound"},
		{"жараны", "жарага", "his citizen, to the wound"},
		{"жана", "жан", "and, soul"},
		{"доктор", "док", "doctor, dock"},
		{"саламаттык", "саламат", "health, healthy"},
		{"жетишсиздик", "жетишсиз", "shortage, insufficient"},
		{"сапатсыз", "сапат", "poor quality, quality"},
		{"сапаттуу", "сапатсыз", "high quality, poor quality"},
		{"окуучу", "окуу", "pupil, study"},
		{"төрөткана", "төрөт", "maternity hospital, childbirth"},
		{"бөлүм", "бөл", "department, to divide"},
		{"кийим", "кий", "clothes, to wear"},
		{"билим", "бил", "knowledge, to know"},
	}
	naive := 0
	for _, p := range pairs {
		if kyNaiveStem(p.a) == kyNaiveStem(p.b) {
			naive++
		} else {
			t.Logf("a naive stripper keeps %q and %q apart too", p.a, p.b)
		}
		if a, b := StemKyrgyz(p.a), StemKyrgyz(p.b); a == b {
			t.Errorf("StemKyrgyz(%q) = StemKyrgyz(%q) = %q: %s are different words", p.a, p.b, a, p.gloss)
		}
	}
	t.Logf("%d pairs, %d of them merged by a naive stripper", len(pairs), naive)
	if len(pairs) < 30 || naive < 30 {
		t.Errorf("%d pairs, %d merged by a naive stripper: want at least 30 real collisions", len(pairs), naive)
	}
}

// kyParadigmLemmas are common nouns of news text, with every kind of
// ending; TestStemKyrgyzParadigms inflects each of them.
var kyParadigmLemmas = strings.Fields(`
	адам аял эркек бала кыз уул ата эне эже ини келин небере
	оорукана дарыгер бейтап дары дарыкана медайым врач фельдшер хирург терапевт педиатр онколог
	оору ысытма жөтөл тумоо грипп коронавирус вирус бактерия инфекция кызамык диабет инсульт инфаркт
	кан жүрөк өпкө боор бөйрөк ашказан ичеги мээ көз кулак мурун тиш тил тери сөөк бут кол моюн
	вакцина эмдөө шприц таблетка укол дарылоо текшерүү анализ диагноз операция палата кабинет бөлүм
	поликлиника клиника министрлик министр депутат президент өкмөт мэрия сот прокуратура милиция
	мыйзам токтом буйрук чечим программа долбоор пара коррупция камак кылмыш айып түрмө
	шаар айыл район облус өлкө мамлекет республика борбор көчө үй мектеп университет мекеме завод
	базар дүкөн аптека банк фонд суу аба жер тоо көл дарыя талаа токой жамгыр күн жыл апта саат
	нан эт сүт шекер туз чай тамак акча сом доллар баа айлык пенсия салык бюджет каражат карыз
	маалымат кабар жаңылык гезит журналист редакция сайт интернет телефон компьютер
	иш жумуш кызмат кызматкер жумушчу адис мугалим окуучу студент жетекчи төрага айдоочу
	жол унаа автобус поезд көпүрө имарат бөлмө эшик терезе саламаттык соолук жетишсиздик тартыштык
	шалаакылык коопсуздук жоопкерчилик милдет укук эркиндик тынчтык сапат сан деңгээл абал кырдаал
	себеп жыйынтык маселе көйгөй суроо жооп пикир сөз тарых маданият билим илим дин майрам
	жаран тургун мүчө кырсык өрт сел ташкын окуя
`)

// kyInflect makes the case, plural and possessive forms of a noun by the
// rules of Kyrgyz grammar, written here apart from the stemmer: vowel
// harmony, the first consonant of a suffix after the last sound, к and п
// voiced before a vowel.
func kyInflect(lemma string) []string {
	const vowels = "аеиоуыэюяөү"
	low := map[rune]string{'а': "а", 'я': "а", 'ы': "а", 'у': "а", 'ю': "а", 'о': "о", 'е': "е", 'э': "е", 'и': "е", 'ө': "ө", 'ү': "ө"}
	high := map[rune]string{'а': "ы", 'я': "ы", 'ы': "ы", 'о': "у", 'у': "у", 'ю': "у", 'е': "и", 'э': "и", 'и': "и", 'ө': "ү", 'ү': "ү"}
	lastVowel := func(s string) rune {
		r := []rune(s)
		for i := len(r) - 1; i >= 0; i-- {
			if strings.ContainsRune(vowels, r[i]) {
				return r[i]
			}
		}
		return 0
	}
	// suffix picks the consonant for a stem's last letter: after a vowel,
	// after р or й, after another voiced consonant, after a voiceless one.
	suffix := func(s, vowel, sonorant, voiced, voiceless string) string {
		r, _ := utf8.DecodeLastRuneInString(s)
		switch {
		case strings.ContainsRune(vowels, r):
			return vowel
		case strings.ContainsRune("рй", r):
			return sonorant
		case strings.ContainsRune("кпстфхцчшщ", r):
			return voiceless
		}
		return voiced
	}
	v := lastVowel(lemma)
	a, i := low[v], high[v]
	plural := lemma + suffix(lemma, "л", "л", "д", "т") + a + "р"
	gen := suffix(lemma, "н", "д", "д", "т") + i + "н"
	loc := suffix(lemma, "д", "д", "д", "т") + a
	forms := []string{
		lemma, plural, lemma + gen, lemma + gen[:len(gen)-len("н")],
		lemma + suffix(lemma, "г", "г", "г", "к") + a, lemma + loc, lemma + loc + "н", lemma + loc + "г" + high[[]rune(a)[0]],
		plural + "д" + high[[]rune(a)[0]] + "н", plural + high[[]rune(a)[0]],
	}
	poss := lemma
	if r, size := utf8.DecodeLastRuneInString(lemma); strings.ContainsRune(vowels, r) {
		poss += "с" + i
	} else {
		before, _ := utf8.DecodeLastRuneInString(lemma[:len(lemma)-size])
		if strings.ContainsRune(vowels, before) && r == 'к' {
			poss = lemma[:len(lemma)-size] + "г"
		} else if strings.ContainsRune(vowels, before) && r == 'п' {
			poss = lemma[:len(lemma)-size] + "б"
		}
		poss += i
	}
	pa := low[lastVowel(poss)]
	forms = append(forms, poss, poss+"н", poss+"н"+i+"н", poss+"н"+pa, poss+"нд"+pa, poss+"н"+pa+"н",
		poss+"нд"+pa+"г"+high[[]rune(pa)[0]])
	return forms
}

// TestStemKyrgyzParadigms inflects common nouns by the grammar and checks
// that every form of a noun stems to one key, the promise the index relies
// on.
func TestStemKyrgyzParadigms(t *testing.T) {
	for _, lemma := range kyParadigmLemmas {
		forms := kyInflect(lemma)
		want := StemKyrgyz(lemma)
		for _, f := range forms[1:] {
			if got := StemKyrgyz(f); got != want {
				t.Errorf("StemKyrgyz(%q) = %q, but StemKyrgyz(%q) = %q", f, got, lemma, want)
			}
		}
	}
}

// TestStemKyrgyzShortRoots checks that short roots, which a stripper with
// no minimum would cut to nothing, come back whole.
func TestStemKyrgyzShortRoots(t *testing.T) {
	roots := []string{
		"үй", "суу", "ат", "эт", "дары", "бала", "ата", "эне", "бал", "кан", "көз", "тиш",
		"баш", "кол", "бут", "жол", "тоо", "көл", "эл", "жер", "от", "ай", "күн", "түн",
		"сүт", "нан", "чай", "ош", "оору", "тери", "эки", "жети", "алты", "он", "жүз", "миң",
		"ооз", "мээ", "бой", "ак", "кара", "тил", "ич", "уул", "кыз", "эр", "ага", "ини",
		"кары", "кана", "пара", "доо", "апа", "эже", "таш", "кум", "муз", "бир", "үч", "беш",
		"төрт", "жаш", "ден", "кой", "уй", "тамак", "сан", "аба", "аш", "жана",
	}
	for _, r := range roots {
		if got := StemKyrgyz(r); got != r {
			t.Errorf("StemKyrgyz(%q) = %q, want it unchanged", r, got)
		}
	}
}

func TestStemKyrgyzLeavesOtherWords(t *testing.T) {
	for _, w := range []string{
		"", "covid", "covid-19", "pcr", "2024", "19", "-", "--", "a-b", "ооруkана", "дары!", "дары дарылар",
		"\xff", "оору\xffлар", "ооруканада\u00ad", "дарылар.",
	} {
		if got := StemKyrgyz(w); got != w {
			t.Errorf("StemKyrgyz(%q) = %q, want it unchanged", w, got)
		}
	}
	// Edge shapes that are Cyrillic but give no room for a stem.
	for w, want := range map[string]string{
		"-да":    "-да",
		"да-":    "да-",
		"үй-":    "үй-",
		"а":      "а",
		"ны":     "ны",
		"10-дон": "10",
		"ь":      "ь",
	} {
		if got := StemKyrgyz(w); got != want {
			t.Errorf("StemKyrgyz(%q) = %q, want %q", w, got, want)
		}
	}
}

// kyStemIsPrefix reports whether stem is what the stemmer may make of w: a
// prefix of it, or a prefix whose final к or п stands for w's voiced г or
// б, or бала for the contracted plural балдар.
func kyStemIsPrefix(w, stem string) bool {
	if strings.HasPrefix(w, stem) {
		return true
	}
	for _, p := range [][2]string{{"к", "г"}, {"п", "б"}} {
		if base, ok := strings.CutSuffix(stem, p[0]); ok && strings.HasPrefix(w, base+p[1]) {
			return true
		}
	}
	head := w[:strings.LastIndexByte(w, '-')+1]
	return stem == head+"бала" && strings.HasPrefix(w, head+"балдар")
}

func FuzzStemKyrgyz(f *testing.F) {
	for _, fm := range loadKyrgyzForms(f) {
		f.Add(fm.form)
	}
	for _, w := range []string{"", "-", "ь", "үй-бүлөдө", "ссм-дин", "10дон", "ооруkана", "\xff"} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w string) {
		stem := StemKyrgyz(w)
		if !utf8.ValidString(w) {
			if stem != w {
				t.Fatalf("StemKyrgyz(%q) = %q: invalid UTF-8 must come back unchanged", w, stem)
			}
			return
		}
		if w != "" && stem == "" {
			t.Fatalf("StemKyrgyz(%q) is empty", w)
		}
		if len(stem) > len(w) {
			t.Fatalf("StemKyrgyz(%q) = %q is longer than the word", w, stem)
		}
		if !utf8.ValidString(stem) {
			t.Fatalf("StemKyrgyz(%q) = %q is not valid UTF-8", w, stem)
		}
		if !kyStemIsPrefix(w, stem) {
			t.Fatalf("StemKyrgyz(%q) = %q is not a prefix of the word", w, stem)
		}
		if !kyStemmable(w) && stem != w {
			t.Fatalf("StemKyrgyz(%q) = %q: a word that is not Cyrillic must come back unchanged", w, stem)
		}
	})
}

// BenchmarkStemKyrgyz stems the table's forms one per iteration; the
// baselines in the same run are a pass that only counts the word's letters
// and the Russian Snowball stemmer, which runs on the other half of the
// archive.
func BenchmarkStemKyrgyz(b *testing.B) {
	forms := loadKyrgyzForms(b)
	words := make([]string, len(forms))
	for i, fm := range forms {
		words[i] = fm.form
	}
	b.Run("count-letters", func(b *testing.B) {
		b.ReportAllocs()
		i, n := 0, 0
		for b.Loop() {
			n += utf8.RuneCountInString(words[i])
			if i++; i == len(words) {
				i = 0
			}
		}
		_ = n
	})
	b.Run("snowball-russian", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			env := snowball.NewEnv(words[i])
			russian.Stem(env)
			_ = env.Current()
			if i++; i == len(words) {
				i = 0
			}
		}
	})
	b.Run("kyrgyz", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			_ = StemKyrgyz(words[i])
			if i++; i == len(words) {
				i = 0
			}
		}
	})
}

func ExampleStemKyrgyz() {
	for _, w := range []string{"ооруканасында", "дарыгерлердин", "министрлигине", "балдарга", "оорулар", "ысык-көлдө"} {
		fmt.Println(w, StemKyrgyz(w))
	}
	// Output:
	// ооруканасында оорукана
	// дарыгерлердин дарыгер
	// министрлигине министрлик
	// балдарга бала
	// оорулар оору
	// ысык-көлдө ысык-көл
}
