package analysis

import (
	"strings"
	"unicode/utf8"
)

// StemKyrgyz reduces one Kyrgyz word to the key that its inflected forms
// share, so that a search for оорукана finds ооруканада, ооруканасында and
// ооруканаларынын. The word must already be folded (lower case, ё as е); a
// word with anything but Cyrillic letters, ASCII digits and hyphens is
// returned unchanged.
//
// Kyrgyz is agglutinative: a noun takes plural, possessive and case suffixes
// in that order, and each suffix has up to twelve shapes, because its vowel
// follows the last vowel of the word (vowel harmony) and its first consonant
// follows the last sound (оорукана-лар, үй-лөр, айыл-дар, бейтап-тар). No
// Kyrgyz stemmer exists in Snowball or bleve, so this one strips suffixes
// from the end, case first, then possessive, then plural, and takes a suffix
// off only when the stem left behind would have produced exactly that shape:
// -да after a vowel or a voiced consonant and -та after a voiceless one,
// with the vowel the stem's last vowel calls for. The check is what keeps a
// lexical ending in place: оорукана does not lose -на (a dative after a
// possessive needs a high vowel before it), аптека does not lose -ка (апте
// would take -ге), доллар does not lose -лар (after л the plural is -дар).
//
// Derivational suffixes (-лык, -чы, -сыз, -луу, -кана, -гер) are kept: they
// make a different word, and жетишсиз (insufficient) must not find
// жетишсиздик (shortage) nor сапатсыз (poor quality) find сапат (quality).
// Of the verb, only the forms that fill news reports of incidents are
// reduced, and only on passive and reflexive stems in -л and -н, where few
// nouns collide: кармалды, кармалган, кармалып all stem to кармал.
//
// The result is an index key, not a dictionary form, in the way Snowball
// stems больница to больниц. A high vowel at the end of a word after a
// consonant is dropped, alone or with an н after it, because it cannot be
// told from the third-person possessive and its accusative (аппарат-ы "its
// apparatus" beside жетекчи "manager", аппарат-ын beside ташкын "flood");
// doing it for every form, whatever came off before, keeps all of a lemma's
// forms on one key (жетекчи, жетекчиси and жетекчилер all stem to жетекч).
// A final г or б after a vowel is the voiced form of к or п before a vowel
// (министрлиги, китеби) and is given back as к or п, on every form, so
// министрлик and министрлигине agree, and so do педагог and педагогу. The
// lemmas that these rules would merge with another word (дары and дар, оору
// and оор, башка and баш, нарын and нар) are listed in kyProtected.
//
// A stem keeps at least two letters and a vowel, so that short roots such
// as үй, ат, эт and ош survive; a vowel-less stem (an abbreviation such as
// ССМ, or digits) takes a case or plural suffix of any shape, since its
// harmony depends on how the letters are read aloud. After a hyphen only
// the last part is stemmed (ысык-көлдө gives ысык-көл), and a last part
// that is a bare suffix is dropped with its hyphen (ссм-дин gives ссм).
//
// Known limits: the first- and second-person singular possessives (-ым,
// -ың) are not stripped, because far more nouns end that way (медайым,
// чечим, билим, миң) than news text says "my"; vowel elision in a root
// (орун, ордуна; мурун, мурду) is not undone, except for бала, балдар; verb
// forms outside the passive and reflexive stems are left whole.
func StemKyrgyz(word string) string {
	head, tail := "", word
	if i := strings.LastIndexByte(word, '-'); i >= 0 {
		head, tail = word[:i+1], word[i+1:]
	}
	var w kyWord
	letters, ok := w.decode(tail)
	if head != "" && ok {
		var more int
		more, ok = kyScan(head)
		letters += more
	}
	if !ok || letters == 0 {
		return word
	}
	if head != "" {
		if w.n == 0 {
			return word
		}
		if kyBareSuffix(&w) {
			if h := strings.TrimRight(head, "-"); h != "" {
				return h
			}
			return word
		}
	}
	n, last := kyStemTail(&w)
	if last == "" {
		return word[:len(head)+int(w.off[n])]
	}
	return word[:len(head)+int(w.off[n])] + last
}

// The letters the stemmer knows are U+0400 to U+052F, two bytes each in
// UTF-8 (lead byte D0 to D4).
const (
	kyBase  = 0x400
	kyRange = 0x530 - kyBase
)

// kyStemmable reports whether w is a word the stemmer may touch: Cyrillic
// letters, ASCII digits and hyphens only, and at least one letter. Anything
// else (Latin, invalid UTF-8, punctuation) is some other language or not a
// word, and is returned as it came.
func kyStemmable(w string) bool {
	letters, ok := kyScan(w)
	return ok && letters > 0
}

// kyScan counts the letters of s and reports whether it holds only
// letters, ASCII digits and hyphens.
func kyScan(s string) (letters int, ok bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '-' || '0' <= c && c <= '9':
		case kyLetterAt(s, i):
			letters++
			i++
		default:
			return 0, false
		}
	}
	return letters, true
}

// kyLetterAt reports whether s has a letter from U+0400 to U+052F at i.
func kyLetterAt(s string, i int) bool {
	c := s[i]
	return 0xD0 <= c && c <= 0xD4 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 && (c < 0xD4 || s[i+1] <= 0xAF)
}

// kyMaxRunes bounds the words the stemmer works on; the longest Kyrgyz word
// forms in news text have about 25 letters.
const kyMaxRunes = 48

// kyWord is a word decoded once, with what the suffix checks ask of each of
// its prefixes.
type kyWord struct {
	s   string
	n   int
	r   [kyMaxRunes]rune
	off [kyMaxRunes + 1]uint8 // byte offset of letter i; off[n] is len(s)
	lv  [kyMaxRunes + 1]rune  // last vowel of r[:i], or 0
}

// decode fills w from s and counts its letters; ok is false if s holds
// anything but letters and ASCII digits, or is too long for a word.
func (w *kyWord) decode(s string) (letters int, ok bool) {
	w.s = s
	n := 0
	for i := 0; i < len(s); n++ {
		if n == kyMaxRunes {
			return 0, false
		}
		var r rune
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			r = rune(c)
			i++
		case kyLetterAt(s, i):
			r = rune(c&0x1F)<<6 | rune(s[i+1]&0x3F)
			i += 2
			letters++
		default:
			return 0, false
		}
		w.r[n], w.off[n+1] = r, uint8(i)
		w.lv[n+1] = w.lv[n]
		if kyClass(r) == kyVowel {
			w.lv[n+1] = r
		}
	}
	w.n = n
	return letters, true
}

// kyStemTail stems one hyphen-free word. The stem is its first n letters
// and then last, which is "" (the common case: a prefix of the word, with
// no allocation), the к or п given back for a voiced г or б, or the а of
// бала.
func kyStemTail(w *kyWord) (n int, last string) {
	n = w.n
	postPoss := false
	if k, sf := kyStrip(w, n, &kyCaseTable); sf != nil {
		n -= k
		postPoss = sf.postPoss
	}
	if !postPoss {
		if k, sf := kyStrip(w, n, &kyPossTable); sf != nil {
			n -= k
		}
	}
	if k, sf := kyStrip(w, n, &kyPluralTable); sf != nil {
		n -= k
		// бала "child" has the contracted plural балдар; бал "honey" is
		// almost never counted, so балдар is taken for бала.
		if n == 3 && w.r[0] == 'б' && w.r[1] == 'а' && w.r[2] == 'л' {
			return n, "а"
		}
	}
	if k, sf := kyStrip(w, n, &kyVerbTable); sf != nil {
		n -= k
	}
	// A stem does not end in a possessive shape: see StemKyrgyz.
	if k, sf := kyStrip(w, n, &kyFinalTable); sf != nil {
		n -= k
	}
	if p, last := kyProtectedPrefix(w, n); p > 0 {
		return p, last
	}
	if n >= 2 && w.r[n-1] == 'ь' && w.lv[n-1] != 0 {
		n-- // Russian loans drop the soft sign before a suffix: июль, июлда.
	}
	if n >= 2 && kyClass(w.r[n-2]) == kyVowel {
		switch w.r[n-1] {
		case 'г':
			return n - 1, "к"
		case 'б':
			return n - 1, "п"
		}
	}
	return n, ""
}

// kyProtectedPrefix looks for the longest key of kyProtected that begins
// the word and is longer than its first n letters, and returns its lemma
// as kyStemTail does; p is 0 if there is none.
func kyProtectedPrefix(w *kyWord, n int) (p int, last string) {
	first := w.r[0] - kyBase
	if first < 0 || first >= kyRange {
		return 0, ""
	}
	lens := kyProtectedLens[first]
	for i := w.n; i > n; i-- {
		if i >= 64 || lens&(1<<i) == 0 {
			continue
		}
		key := w.s[:w.off[i]]
		if lemma, ok := kyProtected[key]; ok {
			if lemma == key {
				return i, ""
			}
			// A voiced key: кыштаг stands for кыштак.
			return i - 1, lemma[len(lemma)-len("к"):]
		}
	}
	return 0, ""
}

// kyProtected are lemmas that the rules would cut into another word's stem:
// a final high vowel that is part of the root (дары, оору, тери would become
// дар "gallows", оор "heavy", тер "sweat"), a root ending like a case suffix
// (башка "other" is not баш "head" + dative, кыргызстан is not an ablative,
// жалган "false" is not a participle), or a root in -ын (нарын, орун, бүгүн)
// that would lose it as an accusative. A word that begins with one of these
// and would stem shorter stems to the lemma.
var kyProtected = kyProtect(map[string]bool{
	// Final high vowel after a consonant.
	"дары": true, "оору": true, "тери": true, "кары": true, "акы": true, "эки": true,
	"алты": true, "жети": true, "эми": true, "ини": true, "киши": true, "жакшы": true,
	"жаңы": true, "ичеги": true, "дагы": true,
	// Roots in -ын, -ин, -ун, -үн.
	"акын": true, "карын": true, "нарын": true, "орун": true, "кийин": true, "жакын": true,
	"кыйын": true, "бүгүн": true, "чейин": true, "үчүн": true, "тегин": true, "эгин": true,
	"агын": true, "алтын": true, "мурун": true, "эркин": true, "кемин": true, "келин": true,
	"узун": true, "бүтүн": true, "жыйын": true, "оюн": true,
	// Roots in a vowel and н, which before the possessive -ы look like a
	// vowel-final root and the accusative -ны (району is "its district",
	// not райо + ны; саны "its number"): vowel-final roots are the commoner
	// reading, so the н-final roots that news text counts on are listed.
	"жаран": true, "кан": true, "сан": true, "план": true,
	// (Roots in -ган, -ген and a consonant and -он are told by kyRootInN.)
	"күн": true, "түн": true, "жан": true, "ден": true, "заман": true, "мекен": true,
	"экран": true, "бассейн": true, "дүкөн": true, "дыйкан": true, "нан": true, "дин": true,
	"ашказан": true, "муун": true, "моюн": true, "регион": true, "стадион": true, "миллион": true,
	"экзамен": true,
	// Loans in two consonants and т or д, whose possessive (проекти, фонду)
	// looks like an accusative after the first consonant (проек + ти).
	"фонд": true, "миллиард": true, "тест": true, "текст": true, "факт": true, "проект": true,
	"объект": true, "продукт": true, "пункт": true, "рецепт": true, "контракт": true,
	"журналист": true, "специалист": true, "турист": true, "активист": true, "окулист": true,
	"инфаркт": true, "поезд": true,
	// Nouns in -нды, which look like a root in н and the accusative -ды.
	"таштанды": true, "чыгынды": true, "агынды": true,
	// Roots that end like a case, plural or participle suffix.
	"башка": true, "кыска": true, "маска": true, "канада": true, "майдан": true,
	"дастан": true, "доктор": true, "жалган": true, "деңиз": true, "мурда": true,
	"мурдагы": true, "алдагы": true, "апта": true, "наристе": true, "пахта": true, "убада": true,
	"өпкө": true, "төрага": true, "кичине": true, "дептер": true,
	"кыргызстан": true, "казакстан": true, "өзбекстан": true, "тажикстан": true,
	"пакистан": true, "ооганстан": true, "афганистан": true,
	// Roots in -дак, -так..., whose possessive (кыштагы "its village")
	// looks like the adjective -дагы, -тагы (кыш "winter" + тагы).
	"кыштак": true, "бутак": true, "жидек": true,
})

// kyProtect keys each lemma under itself and, when it ends in a vowel and к
// or п, also under the voiced form that a possessive brings (кыштаг for
// кыштак), so that кыштагы finds its lemma too.
func kyProtect(lemmas map[string]bool) map[string]string {
	m := make(map[string]string, 2*len(lemmas))
	for l := range lemmas {
		m[l] = l
		r, size := utf8.DecodeLastRuneInString(l)
		if v, _ := utf8.DecodeLastRuneInString(l[:len(l)-size]); kyClass(v) != kyVowel {
			continue
		}
		switch r {
		case 'к':
			m[l[:len(l)-size]+"г"] = l
		case 'п':
			m[l[:len(l)-size]+"б"] = l
		}
	}
	return m
}

// kyProtectedLens has, for each first letter, a bit for each length in
// letters of a kyProtected key, so that most words need no map lookup.
var kyProtectedLens = func() (t [kyRange]uint64) {
	for k := range kyProtected {
		r, _ := utf8.DecodeRuneInString(k)
		t[r-kyBase] |= 1 << utf8.RuneCountInString(k)
	}
	return t
}()

// kySFinal are roots ending in a vowel and с. Before a possessive such a root
// looks like a vowel-final root with the possessive -сы (облус-у beside
// оорукана-сы); vowel-final roots are far more common and win, except for
// these and for the roots in a consonant and -ус (вирус, статус, корпус),
// which outnumber the vowel-final roots in a consonant and у (оору, and
// the agent nouns in -чу such as окуучу).
var kySFinal = []string{
	"талас", "атлас", "адрес", "запас", "интерес", "күрөс", "тыныс", "жыныс", "адис",
	"кризис", "сервис", "полис", "космос", "түс",
}

// Sound classes of a letter: the class of a stem's last letter chooses the
// first consonant of the suffix that follows.
const (
	kyOther     = iota // digit or anything that is not a Kyrgyz letter
	kyVowel            // -лар, -нын, -га, -да
	kySonorant         // р, й: -лар, -дын, -га, -да
	kyVoiced           // -дар, -дын, -га, -да
	kyVoiceless        // -тар, -тын, -ка, -та
)

// kyLetters holds each letter's class and the low and high suffix vowels
// that follow it if it is a vowel. Kyrgyz rounds a low vowel only after a
// low rounded one: after у it is а (суу-лар, облус-та) but after ү it is ө
// (үй-лөр, күн-дө).
var kyLetters = func() (t [kyRange]struct {
	class     uint8
	low, high rune
}) {
	set := func(letters string, class uint8, low, high rune) {
		for _, r := range letters {
			t[r-kyBase].class, t[r-kyBase].low, t[r-kyBase].high = class, low, high
		}
	}
	set("ая", kyVowel, 'а', 'ы')
	set("ы", kyVowel, 'а', 'ы')
	set("оё", kyVowel, 'о', 'у')
	set("ую", kyVowel, 'а', 'у')
	set("еэи", kyVowel, 'е', 'и')
	set("өү", kyVowel, 'ө', 'ү')
	set("рй", kySonorant, 0, 0)
	set("бвгджзлмнң", kyVoiced, 0, 0)
	set("кпстфхцчшщ", kyVoiceless, 0, 0)
	return t
}()

func kyClass(r rune) int {
	if i := r - kyBase; 0 <= i && i < kyRange {
		return int(kyLetters[i].class)
	}
	return kyOther
}

func kyLow(v rune) rune  { return kyLetters[v-kyBase].low }
func kyHigh(v rune) rune { return kyLetters[v-kyBase].high }

// kyFinal is the class of the last sound of the word's first m letters; a
// soft or hard sign is silent and the letter before it counts.
func kyFinal(w *kyWord, m int) int {
	r := w.r[m-1]
	if (r == 'ь' || r == 'ъ') && m >= 2 {
		r = w.r[m-2]
	}
	return kyClass(r)
}

// A suffix pattern is written with Cyrillic letters, which stand for
// themselves, and these placeholders, each resolved from what precedes it:
//
//	A  low vowel:  а е о ө
//	I  high vowel: ы и у ү
//	L  plural consonant:    л after a vowel, р or й; д after a voiced; т after a voiceless consonant
//	N  genitive/accusative: н after a vowel; д after р, й or a voiced; т after a voiceless consonant
//	D  locative/ablative:   д, or т after a voiceless consonant
//	G  dative:              г, or к after a voiceless consonant
//	P  3rd person possessive: сI after a vowel, I after a consonant
//	B  1st person plural possessive: бIз after a vowel, IбIз after a consonant
//	Z  2nd person polite possessive: ңIз after a vowel, IңIз after a consonant
type kySuffix struct {
	pat      []rune
	minRunes int  // length with P, B, Z in their short shape
	flexible bool // has P, B or Z, so two lengths are tried
	postPoss bool // the pattern includes the possessive: skip that step
	needLN   bool // verb suffix: the stem must end in л or н
}

// Suffixes by step, each list longest first. A word takes one suffix per
// step; the forms after a possessive (-сында, -ына, -ын) are matched with
// the possessive as one piece, since their н is only found there.
var (
	kyCaseSuffixes = []kySuffix{
		{pat: []rune("PндAгI"), postPoss: true}, // ооруканасындагы
		{pat: []rune("DAгI")},                   // ооруканадагы, бишкектеги
		{pat: []rune("PндA"), postPoss: true},   // ооруканасында, үйүндө
		{pat: []rune("PнAн"), postPoss: true},   // ооруканасынан
		{pat: []rune("DAн")},                    // ооруканадан, оштон
		{pat: []rune("NIн")},                    // дарыгердин, бейтаптын
		{pat: []rune("PнA"), postPoss: true},    // ооруканасына, министрлигине
		{pat: []rune("DA")},                     // ооруканада, кезекте
		{pat: []rune("GA")},                     // ооруканага, бейтапка
		{pat: []rune("NI")},                     // дарыгерди, аппаратты
		{pat: []rune("Pн"), postPoss: true},     // ооруканасын, үйүн
	}
	kyPossSuffixes = []kySuffix{
		{pat: []rune("Z")}, // ден соолугуңуз
		{pat: []rune("B")}, // өлкөбүз, элибиз
		{pat: []rune("P")}, // ооруканасы, аппараты
	}
	kyPluralSuffixes = []kySuffix{
		{pat: []rune("LAр")},
	}
	kyVerbSuffixes = []kySuffix{
		{pat: []rune("гAндIк"), needLN: true}, // кармалгандык
		{pat: []rune("гAндIг"), needLN: true}, // кармалгандыгы, its к voiced
		{pat: []rune("гAн"), needLN: true},    // кармалган, берилген
		{pat: []rune("Iп"), needLN: true},     // кармалып
	}
	kyFinalSuffixes = []kySuffix{
		{pat: []rune("Pн")},
		{pat: []rune("P")},
	}
)

// A kyTable holds a step's suffixes bucketed by the letter they can end in,
// so that a word looks only at the few that could match its last letter.
type kyTable [kyRange][]*kySuffix

var kyCaseTable, kyPossTable, kyPluralTable, kyVerbTable, kyFinalTable = kyBuild(kyCaseSuffixes),
	kyBuild(kyPossSuffixes), kyBuild(kyPluralSuffixes), kyBuild(kyVerbSuffixes), kyBuild(kyFinalSuffixes)

func kyBuild(list []kySuffix) kyTable {
	var t kyTable
	for i := range list {
		sf := &list[i]
		sf.minRunes = len(sf.pat)
		for _, r := range sf.pat {
			switch {
			case r == 'P':
				sf.flexible = true
			case r == 'B' || r == 'Z':
				sf.flexible = true
				sf.minRunes += 2
			case strings.ContainsRune("AILNDG", r):
			case kyClass(r) == kyOther || r < 'а':
				// A Latin look-alike or a capital would never match.
				panic("analysis: Kyrgyz suffix pattern " + string(sf.pat) + " has letter " + string(r))
			}
		}
		var ends []rune
		switch last := sf.pat[len(sf.pat)-1]; last {
		case 'A':
			ends = []rune("аеоө")
		case 'I', 'P':
			ends = []rune("ыиуү")
		case 'B', 'Z':
			ends = []rune("з")
		default:
			ends = []rune{last}
		}
		for _, r := range ends {
			t[r-kyBase] = append(t[r-kyBase], sf)
		}
	}
	return t
}

// kyStrip finds the first suffix of the table that the word's first n
// letters end in and that its stem would produce, and returns its length
// in letters.
func kyStrip(w *kyWord, n int, t *kyTable) (int, *kySuffix) {
	if n == 0 {
		return 0, nil
	}
	last := w.r[n-1] - kyBase
	if last < 0 || last >= kyRange {
		return 0, nil
	}
	for _, sf := range t[last] {
		k := sf.minRunes
		if sf.flexible {
			k++ // the longer shape first: оорукана-сына, not ооруканас-ына
		}
		for ; k >= sf.minRunes; k-- {
			m := n - k // letters left in the stem
			if m < 1 {
				continue
			}
			end := w.r[m-1]
			if sf.needLN && end != 'л' && end != 'н' {
				continue
			}
			v := w.lv[m]
			if v == 0 || '0' <= end && end <= '9' {
				// An abbreviation or a number: its harmony is that of the
				// letters' names, so any shape is accepted; a single
				// consonant is not a stem (т of тын).
				if !sf.flexible && !sf.needLN && (m >= 2 || '0' <= end && end <= '9') && kyWild(w.r[m:n], sf.pat) {
					return k, sf
				}
				continue
			}
			if m < 2 || !kyMatch(w, m, n, sf.pat, v) {
				continue
			}
			if sf.pat[0] == 'P' && kyFinal(w, m) == kyVowel && kyRootInS(w, m) {
				continue // облус-у, not облу-су: try the shorter shape
			}
			if sf.pat[0] == 'N' && kyFinal(w, m) == kyVowel && kyRootInN(w, m) {
				continue // кармалган-ы, not кармалга-ны
			}
			return k, sf
		}
	}
	return 0, nil
}

// kyMatch reports whether letters m to n of the word are exactly the shape
// pattern pat takes after the first m, whose last vowel is v. Vowels
// harmonise with the vowel before them, so a suffix's later vowels follow
// its earlier ones (оору-су-на).
func kyMatch(w *kyWord, m, n int, pat []rune, v rune) bool {
	prev := kyFinal(w, m)
	if prev == kyOther {
		return false
	}
	i := m
	for _, p := range pat {
		var want rune
		switch p {
		case 'A':
			want = kyLow(v)
		case 'I':
			want = kyHigh(v)
		case 'L':
			want = kyPick(prev, 'л', 'л', 'д', 'т')
		case 'N':
			want = kyPick(prev, 'н', 'д', 'д', 'т')
		case 'D':
			want = kyPick(prev, 'д', 'д', 'д', 'т')
		case 'G':
			want = kyPick(prev, 'г', 'г', 'г', 'к')
		case 'P':
			if prev == kyVowel {
				if i >= n || w.r[i] != 'с' {
					return false
				}
				i++
			}
			want = kyHigh(v)
		case 'B', 'Z':
			c, h := 'б', kyHigh(v)
			if p == 'Z' {
				c = 'ң'
			}
			if prev != kyVowel {
				if i >= n || w.r[i] != h {
					return false
				}
				i++
			}
			if i+3 > n || w.r[i] != c || w.r[i+1] != h || w.r[i+2] != 'з' {
				return false
			}
			i += 3
			v, prev = h, kyVoiced
			continue
		default:
			want = p
		}
		if want == 0 || i >= n || w.r[i] != want {
			return false
		}
		i++
		if prev = kyClass(want); prev == kyVowel {
			v = want
		}
	}
	return i == n
}

func kyPick(class int, vowel, sonorant, voiced, voiceless rune) rune {
	switch class {
	case kyVowel:
		return vowel
	case kySonorant:
		return sonorant
	case kyVoiced:
		return voiced
	case kyVoiceless:
		return voiceless
	}
	return 0
}

// kyWild reports whether tail has pattern pat's shape with any choice of
// vowel and consonant, for a stem whose harmony cannot be read off it.
func kyWild(tail []rune, pat []rune) bool {
	if len(tail) != len(pat) {
		return false
	}
	for i, p := range pat {
		var set string
		switch p {
		case 'A':
			set = "аеоө"
		case 'I':
			set = "ыиуү"
		case 'L':
			set = "лдт"
		case 'N':
			set = "ндт"
		case 'D':
			set = "дт"
		case 'G':
			set = "гк"
		default:
			if tail[i] != p {
				return false
			}
			continue
		}
		if !strings.ContainsRune(set, tail[i]) {
			return false
		}
	}
	return true
}

// kyBareSuffix reports whether the part of a word after a hyphen is only a
// case or plural suffix, as in ССМ-дин or 10-дон.
func kyBareSuffix(w *kyWord) bool {
	if w.n < 2 {
		return false
	}
	for _, list := range [][]kySuffix{kyCaseSuffixes, kyPluralSuffixes} {
		for i := range list {
			if sf := &list[i]; !sf.flexible && kyWild(w.r[:w.n], sf.pat) {
				return true
			}
		}
	}
	return false
}

// kyRootInS reports whether the stem of m letters and the с after it are a
// root in a vowel and с rather than a vowel-final root and the possessive
// -сы.
func kyRootInS(w *kyWord, m int) bool {
	stem := w.s[:w.off[m]]
	if _, ok := kyProtected[stem]; ok {
		return false // оору-су
	}
	if m >= 2 && w.r[m-1] == 'у' && kyClass(w.r[m-2]) > kyVowel && w.r[m-2] != 'ч' {
		return true // not the agent nouns in -чу: окуучу-су
	}
	withS := w.s[:w.off[m+1]]
	for _, e := range kySFinal {
		if strings.HasSuffix(withS, e) {
			return true
		}
	}
	return false
}

// kyRootInN reports whether the stem of m letters followed by н is more
// likely a root in н and a possessive vowel than a vowel-final root and the
// genitive or accusative -нын, -ны: the participle in -ган (кармалганы is
// "that he was detained", not кармалга + ны), the loans in -ген and -ган
// (рентгени, органы) but not ага or төрага, and the loans in a consonant
// and -он (району, телефону), where few words end in a single о.
func kyRootInN(w *kyWord, m int) bool {
	if m < 2 {
		return false
	}
	r, before := w.r[m-1], kyClass(w.r[m-2])
	if r == 'о' && before > kyVowel {
		return true
	}
	switch r {
	case 'а', 'е', 'о', 'ө':
		return w.r[m-2] == 'г' && m >= 3 && kyClass(w.r[m-3]) > kyVowel
	}
	return false
}
