package synth

import (
	"strings"
	"unicode/utf8"
)

// Kyrgyz morphology: suffixes agree with the word's last vowel (vowel
// harmony) and their first consonant with its last sound.

const kyVowels = "аеёиоуүөыэюя"

func kyIsVowel(r rune) bool       { return strings.ContainsRune(kyVowels, r) }
func kyVoiceless(r rune) bool     { return strings.ContainsRune("кпстфхчшщц", r) }
func kyLast(w string) rune        { r, _ := utf8.DecodeLastRuneInString(w); return r }
func kyEndsInVowel(w string) bool { return kyIsVowel(kyLast(w)) }

func kyLastVowel(w string) rune {
	for w != "" {
		r, n := utf8.DecodeLastRuneInString(w)
		if kyIsVowel(r) {
			return r
		}
		w = w[:len(w)-n]
	}
	return 'а'
}

// kyLow is the open vowel of a suffix after w: after у it is а (уулдар),
// after о it is о (жолдор), after ө and ү it is ө (үйлөр).
func kyLow(w string) string {
	switch kyLastVowel(w) {
	case 'о', 'ё':
		return "о"
	case 'е', 'и', 'э':
		return "е"
	case 'ө', 'ү':
		return "ө"
	}
	return "а"
}

// kyHigh is the close vowel of a suffix after w.
func kyHigh(w string) string {
	switch kyLastVowel(w) {
	case 'о', 'ё', 'у', 'ю':
		return "у"
	case 'е', 'и', 'э':
		return "и"
	case 'ө', 'ү':
		return "ү"
	}
	return "ы"
}

// kyDT is д after a vowel or a voiced consonant and т after a voiceless one
// (locative, ablative, past tense).
func kyDT(w string) string {
	if kyVoiceless(kyLast(w)) {
		return "т"
	}
	return "д"
}

// kyNDT is н after a vowel, else as kyDT (genitive, accusative).
func kyNDT(w string) string {
	if kyEndsInVowel(w) {
		return "н"
	}
	return kyDT(w)
}

// kyGK is г, or к after a voiceless consonant (dative, participle).
func kyGK(w string) string {
	if kyVoiceless(kyLast(w)) {
		return "к"
	}
	return "г"
}

// kyAlt voices a final п or к after a vowel before a suffix that starts with
// a vowel: мектеп → мектеби, кезек → кезеги, тап → табат.
func kyAlt(w string) string {
	rest, last := cutLastRune(w)
	if !kyEndsInVowel(rest) {
		return w
	}
	switch last {
	case "п":
		return rest + "б"
	case "к":
		return rest + "г"
	}
	return w
}

func kyPl(w string) string {
	c := "д"
	switch r := kyLast(w); {
	case kyIsVowel(r) || r == 'й' || r == 'р':
		c = "л"
	case kyVoiceless(r):
		c = "т"
	}
	return w + c + kyLow(w) + "р"
}

func kyGen(w string) string { return w + kyNDT(w) + kyHigh(w) + "н" }
func kyAcc(w string) string { return w + kyNDT(w) + kyHigh(w) }
func kyDat(w string) string { return w + kyGK(w) + kyLow(w) }
func kyLoc(w string) string { return w + kyDT(w) + kyLow(w) }
func kyAbl(w string) string { return kyLoc(w) + "н" }

// kyPoss is the third-person possessive: ооруканасы, мектеби, үйү.
func kyPoss(w string) string {
	if kyEndsInVowel(w) {
		return w + "с" + kyHigh(w)
	}
	return kyAlt(w) + kyHigh(w)
}

// Cases after the possessive take a pronominal н: ооруканасынын,
// ооруканасына, ооруканасында, ооруканасынан, ооруканасын.
func kyPGen(p string) string { return p + "н" + kyHigh(p) + "н" }
func kyPDat(p string) string { return p + "н" + kyLow(p) }
func kyPLoc(p string) string { return p + "нд" + kyLow(p) }
func kyPAbl(p string) string { return p + "н" + kyLow(p) + "н" }
func kyPAcc(p string) string { return p + "н" }

// kyNoun returns a noun's forms, most frequent first.
func kyNoun(w string) []string {
	pl, poss := kyPl(w), kyPoss(w)
	plPoss := kyPoss(pl)
	return dedup([]string{
		w, kyGen(w), kyLoc(w), kyDat(w), poss, pl, kyAbl(w), kyAcc(w), kyGen(pl),
		kyPLoc(poss), kyLoc(pl), kyPGen(poss), kyDat(pl), kyPDat(poss), plPoss,
		kyPAbl(poss), kyAbl(pl), kyAcc(pl), kyPAcc(poss), kyPLoc(plPoss), kyPGen(plPoss),
	})
}

// kyIzafet returns the forms of the head of a compound such as төрөт үйү,
// which is always possessive.
func kyIzafet(w string) []string {
	poss, plPoss := kyPoss(w), kyPoss(kyPl(w))
	return []string{poss, kyPLoc(poss), kyPGen(poss), kyPDat(poss), kyPAbl(poss), kyPAcc(poss), plPoss, kyPLoc(plPoss), kyPGen(plPoss)}
}

// kyVerb returns the forms of a verb root: past, participle, present,
// converb, passive past, verbal noun, plural past, participle with
// possessive, negative participle.
func kyVerb(w string) []string {
	v := kyEndsInVowel(w)
	a := kyAlt(w)
	past := func(s string) string { return s + kyDT(s) + kyHigh(s) }
	part := w + kyGK(w) + kyLow(w) + "н"
	var pres, conv, pass, noun, plural string
	if v {
		pres, conv, plural = w+"йт", w+"п", w+"шт"+kyHigh(w)
		rest, last := cutLastRune(w)
		if _, c := cutLastRune(rest); c == "л" {
			pass = w + "н" // шайла → шайланды
		} else {
			pass = w + "л" // карма → кармалды
		}
		switch last {
		case "а", "о":
			noun = rest + "оо"
		case "е", "ө":
			noun = rest + "өө"
		case "ы", "у":
			noun = rest + "уу"
		default:
			noun = rest + "үү"
		}
	} else {
		pres, conv = a+kyLow(w)+"т", a+kyHigh(w)+"п"
		plural = a + kyHigh(w) + "шт" + kyHigh(w)
		if kyLast(w) == 'л' {
			pass = w + kyHigh(w) + "н" // ал → алынды
		} else {
			pass = a + kyHigh(w) + "л" // бер → берилди
		}
		if l := kyLow(w); l == "е" || l == "ө" {
			noun = a + "үү"
		} else {
			noun = a + "уу"
		}
	}
	neg := "б"
	if kyVoiceless(kyLast(w)) {
		neg = "п"
	}
	neg = w + neg + kyLow(w) + "г" + kyLow(w) + "н"
	return dedup([]string{past(w), part, pres, conv, past(pass), noun, plural, part + kyHigh(part), neg})
}

// kyInflect returns the forms of a Kyrgyz lemma of paradigm code: n noun,
// i possessive compound head, v verb root, x invariant. In a lemma of
// several words only the last is inflected.
func kyInflect(word, code string) []string {
	prefix := ""
	if i := strings.LastIndexByte(word, ' '); i >= 0 {
		prefix, word = word[:i+1], word[i+1:]
	}
	var forms []string
	switch code {
	case "n":
		forms = kyNoun(word)
	case "i":
		forms = kyIzafet(word)
	case "v":
		forms = kyVerb(word)
	case "x":
		forms = []string{word}
	default:
		panic("synth: unknown Kyrgyz paradigm " + code)
	}
	for i, f := range forms {
		forms[i] = prefix + kySpell.Replace(f)
	}
	return forms
}

// kySpell writes й before a vowel as one letter: азай+ат → азаят,
// кой+уу → коюу.
var kySpell = strings.NewReplacer("йа", "я", "йу", "ю", "йо", "ё")

// Vowel classes of invented Kyrgyz words: the first syllable's vowel and the
// vowels that may follow it.
var kyClasses = []struct {
	weight      float64
	first, rest weighted
}{
	{34, newWeighted(`а*3 ы`), newWeighted(`а*3 ы*2`)},
	{10, newWeighted(`о`), newWeighted(`о*2 у`)},
	{12, newWeighted(`у`), newWeighted(`а*2 у`)},
	{24, newWeighted(`е*3 и*2`), newWeighted(`е*3 и*2`)},
	{20, newWeighted(`ө ү`), newWeighted(`ө ү*2`)},
}

var (
	kyInitial = newWeighted(`0*3 б*3 ж*3 к*4 т*4 с*3 ч*2 м*2 ш`)
	kyMedial  = newWeighted(`б*2 г*2 д*3 ж*2 з й к*3 л*4 м*3 н*3 ң*2 п р*4 с*3 т*4 ч*2 ш`)
	kyCoda    = newWeighted(`н*4 р*4 л*3 й*2 т*3 к*3 ң*2 ш м*2 з с п`)
)

// kyPseudo invents a Kyrgyz-looking lemma that keeps vowel harmony and
// inflects it as a noun or a verb.
func kyPseudo(r *rng) []string {
	x := r.float() * 100
	cl := &kyClasses[0]
	for i := range kyClasses {
		cl = &kyClasses[i]
		if x < cl.weight {
			break
		}
		x -= cl.weight
	}
	var b strings.Builder
	verb := r.chance(0.3)
	syl := 1 + r.intn(3)
	if verb {
		syl = 1 + r.intn(2)
	}
	prevCoda := false
	for i := range syl {
		switch {
		case i == 0:
			b.WriteString(kyInitial.pick(r))
		case !prevCoda || r.chance(0.5):
			b.WriteString(kyMedial.pick(r))
		}
		if i == 0 {
			v := cl.first.pick(r)
			if v == "е" && b.Len() == 0 {
				v = "э" // a word starts with э, not е: эл, эмгек
			}
			b.WriteString(v)
		} else {
			b.WriteString(cl.rest.pick(r))
		}
		prevCoda = r.chance(0.3) || i == syl-1 && r.chance(0.5)
		if prevCoda {
			b.WriteString(kyCoda.pick(r))
		}
	}
	w := b.String()
	if verb {
		if r.chance(0.3) {
			w += "л" + kyLow(w) // a denominal verb in -ла
		}
		return kyInflect(w, "v")
	}
	switch x := r.float(); {
	case x < 0.1:
		w += "ч" + kyHigh(w)
	case x < 0.2: // an abstract noun in -лык/-дык/-тык
		c := "л"
		if !kyEndsInVowel(w) {
			c = kyDT(w)
		}
		w += c + kyHigh(w) + "к"
	}
	return kyInflect(w, "n")
}

// kyHead holds Kyrgyz function words and the commonest words of news,
// roughly in order of frequency.
var kyHead = strings.Fields(`
	жана менен бул да үчүн деп боюнча бир ал анын алар эле дагы же бирок болуп болгон болот
	жылы тарабынан ичинде кийин чейин азыр бүгүн кечээ билдирди маалымдады Кыргызстандын
	Бишкекте Кыргызстанда Бишкектин өкмөтү министрлиги башчысы жетекчиси айтты деди белгиледи
	кабарлады ошондой мындан тууралуу жөнүндө ар бардык көп аз жаңы эски чоң биринчи экинчи
	эки үч төрт беш он жүз миң млн млрд сом сомго сомдон адам адамдар киши эл элдин өлкөнүн
	өлкөдө өлкө шаардын шаарында облусунун облусунда районунун районунда айылында жылдын
	жылга айда айынын күнү күндөн күн саат учурда убакта мезгилде ошол ушул мына эми кайра эч
	мурда азырынча тез жакында алдында артында үстүндө жанында ортосунда аркылуу сыяктуу
	катары каршы карата байланыштуу ылайык маалыматка маалыматына булагы басма сөз кызматы
	кызматынын кабыл алынды берилди болду жатат жаткан керек мүмкүн тийиш эмес жок бар экен
	болсо болушу кылды кылып кылган калды калган келди келген кетти алды алган берди берген
	жасалды чыкты чыккан түштү көрсөттү белгилегендей айткандай Кыргыз Республикасынын Жогорку
	Кеңеши Кеңештин Бишкек Ош шаары облусу району айылы балдар балдардын балдарга аялдар
	жарандар жарандардын тургундар тургундары кызматкерлери кызматкерлер өкүлдөрү өкүлү
	мекемелер мекемесинин иш иштер иштерди иштөө жүргүзүлүүдө жүргүзүлдү уюштурулду өттү
	өтөт өткөн өткөрүлдү түзүлдү түзүлгөн чыгарылды жиберилди белгиленди каралды каралууда
	сунушталды колдоо жардам көмөк маселе маселеси маселелер маселелери жагынан тартып
	баштап улам гана бери эң өтө абдан дайыма ошентип ошондуктан себеби анткени эгерде
	качан кайда эмне ким кандай канча кээ башка өзү өз өзүнүн биз мен сиз бизге бизде аны
	ага андан анда мында ушундай ошондо азыркы бүгүнкү быйыл былтыр келерки учурдагы
	жергиликтүү мамлекеттик коомдук расмий улуттук негизги жалпы тиешелүү зарыл маанилүү
	көптөгөн бардыгы баары жалпысынан тактап кошумчалады түшүндүрдү эскертти билдиришти
	маалымдашты айтышты белгилешти Орусия Казакстан Кытай Өзбекстан пайыз пайызга
	жыл жылдары айы айдын жумада жуманын иштери ишин иши ишинде боюнча жөнүндөгү
	`)

// kyLemmas holds real Kyrgyz lemmas by topic and paradigm.
const kyLemmas = `
[h]
n: жаракат медицина фельдшер санитар поликлиника дарылануу оорулуу кан жүрөк шишик ымыркай эне кош_бойлуу үй-бүлөлүк_дарыгер
n: оорукана дарыгер бейтап дары кезек медайым дарт вирус вакцина операция хирург дарыкана клиника төрөт грипп туберкулез инсульт диагноз саламаттык бейтапкана ооруу уулануу реанимация эпидемия
n: тез_жардам медициналык_жардам
i: төрөт_үй ден_соолук
v: дарыла жаткыр эмде
[c]
i: кылмыш_иш кызмат_адам
n: тергөөчү прокуратура айыпкер адвокат өкүм мөөнөт паракорчулук
v: уурда камал
n: пара кылмыш сот прокурор милиция тергөө шектүү камак түрмө айып уурулук алдамчы күбө укук коррупция айыппул кылмышкер тинтүү
v: карма соттол айыпта
[e]
n: каражат карыз өндүрүш завод фабрика түшүм жүк бажы соодагер ишкердик кредит
v: көбөй азай өс бөл
n: баа бюджет акча салык насыя банк базар соода товар экспорт импорт айлык пенсия долбоор курулуш ишкер ишкана киреше чыгым инвестиция тариф
i: эмгек_акы
v: сат төлө кур
[p]
n: референдум конституция сессия отурум комитет төрага кеңешчи жарлык макулдашуу делегация
n: орун_басар
v: дайында жарыяла кабыл_ал
n: өкмөт парламент депутат министр президент мыйзам токтом жыйын шайлоо партия комиссия кеңеш чечим мамлекет министрлик жолугушуу келишим сапар элчи мэр мэрия фракция
v: бекит талкуула шайла
[g]
n: жаңылык кабар сүрөт видео тармак пенсионер мигрант аймак өрөөн тоо көл дарыя аба электр жылуулук класс китеп үй-бүлө таза_суу чек_ара
i: балдар_бакча эмгек_мигрант окуу_жай
v: жибер чакыр түз өткөр уюштур көрсөт жетиш кайтар токтот кыскарт жогорула билдир маалымда белгиле түшүндүр эскерт сүйлө каттал
n: шаар айыл район облус мектеп мугалим окуучу тургун жаран жол суу жарык газ үй имарат көчө көпүрө транспорт автобус айдоочу кырсык өрт кар жамгыр сел куткаруучу майрам концерт спорт оюн мелдеш команда спортчу аял эркек студент университет билим маданият театр музей эстелик интернет байланыш телефон көйгөй абал чара кызмат система борбор бөлүм кызматкер адис өкүл жетекчи маалымат билдирүү окуя ата-эне дыйкан мал жайыт аэропорт сабак сынак
n: жер_титирөө
i: аба_ырай
v: бер ал кел бар кет айт көр жаса иште ач жап оңдо текшер тап сура бил чык түш өт жаз оку
`

// kyEntities holds named entities with their forms; the most frequent first.
const kyEntities = `
Бишкек|Бишкектин|Бишкекке|Бишкектен
Ош|Оштун|Ошко|Оштон|Ошто
Саламаттык сактоо министрлиги|Саламаттык сактоо министрлигинин|Саламаттык сактоо министрлигине|Саламаттык сактоо министрлигинде
Ички иштер министрлиги|Ички иштер министрлигинин|Ички иштер министрлигине
Жогорку Кеңеш|Жогорку Кеңештин|Жогорку Кеңешке|Жогорку Кеңеште
Министрлер кабинети|Министрлер кабинетинин|Министрлер кабинетине
Чүй облусу|Чүй облусунун|Чүй облусунда|Чүй облусуна
Улуттук госпиталь|Улуттук госпиталдын|Улуттук госпиталда|Улуттук госпиталга
УКМК
Каракол|Караколдун|Караколго|Караколдо
Жалал-Абад|Жалал-Абаддын|Жалал-Абадга|Жалал-Абадда
Башкы прокуратура|Башкы прокуратуранын|Башкы прокуратурага
Нарын|Нарындын|Нарынга|Нарында
Бишкек мэриясы|Бишкек мэриясынын|Бишкек мэриясына
Ош облусу|Ош облусунун|Ош облусунда
Шаардык клиникалык оорукана|Шаардык клиникалык ооруканасынын|Шаардык клиникалык ооруканасында
Өзгөчө кырдаалдар министрлиги|Өзгөчө кырдаалдар министрлигинин|ӨКМ
Талас|Таластын|Таласка|Таласта
Казакстан|Казакстандын|Казакстанга|Казакстанда
Ысык-Көл|Ысык-Көлдүн|Ысык-Көлгө|Ысык-Көлдө
Баткен|Баткендин|Баткенге|Баткенде
Милдеттүү медициналык камсыздандыруу фонду|Милдеттүү медициналык камсыздандыруу фондунун
Билим берүү жана илим министрлиги|Билим берүү жана илим министрлигинин
Токмок|Токмоктун|Токмокко|Токмокто
Улуттук банк|Улуттук банктын|Улуттук банкка
Ош облустук ооруканасы|Ош облустук ооруканасынын|Ош облустук ооруканасында
Улуттук онкология борбору|Улуттук онкология борборунун|Улуттук онкология борборунда
№2 шаардык төрөт үйү|№2 шаардык төрөт үйүнүн|№2 шаардык төрөт үйүндө
Финансы министрлиги|Финансы министрлигинин
Орусия|Орусиянын|Орусияга|Орусияда
Кытай|Кытайдын|Кытайга|Кытайда
Өзбекстан|Өзбекстандын|Өзбекстанга
Кара-Балта|Кара-Балтанын|Кара-Балтага|Кара-Балтада
Чолпон-Ата|Чолпон-Атада
Нарын облусу|Нарын облусунун|Нарын облусунда
Ысык-Көл облусу|Ысык-Көл облусунун|Ысык-Көл облусунда
Улуттук статистика комитети|Улуттук статистика комитетинин
Борбордук шайлоо комиссиясы|Борбордук шайлоо комиссиясынын
Экономика министрлиги|Экономика министрлигинин
Өзгөн|Өзгөндүн|Өзгөнгө|Өзгөндө
Кант|Канттын|Кантта
Сокулук|Сокулуктун|Сокулукта
Кызыл-Кыя|Кызыл-Кыянын|Кызыл-Кыяда
Балыкчы|Балыкчынын|Балыкчыда
Тажикстан|Тажикстандын|Тажикстанга
Эне жана баланы коргоо улуттук борбору|Эне жана баланы коргоо улуттук борборунун
Дүйнөлүк саламаттык сактоо уюму|Дүйнөлүк саламаттык сактоо уюмунун
ЮНИСЕФ
Бишкек шаардык кеңеши|Бишкек шаардык кеңешинин
№3 балдар ооруканасы|№3 балдар ооруканасынын|№3 балдар ооруканасында
`

var (
	kyMen      = strings.Fields(`Бакыт Нурлан Улан Мирлан Азамат Эрлан Айбек Канат Тимур Алмаз Нуржан Бектур Самат Руслан Адилет Данияр Марат Эркин`)
	kyWomen    = strings.Fields(`Айгүл Гүлнара Чолпон Жамила Динара Асел Айжан Назгүл Жыпар Бермет Айпери Нургүл`)
	kySurnames = strings.Fields(`Асанов Үсөнов Мамытов Токтосунов Жумабаев Абдылдаев Исаков Кадыров Осмонов Турдубаев Садыков Бекмуратов Ибраимов Сыдыков Жумалиев Эсенов Шаршенов Байсалов Орозбеков Маматов Калыков Бейшенов Акматов`)
	kyMonths   = strings.Fields(`январда февралда мартта апрелде майда июнда июлда августта сентябрда октябрда ноябрда декабрда`)
)

// kyPerson returns the forms of a person: full name, then surname cases.
func kyPerson(first, surname string, woman bool) []string {
	if woman {
		surname += "а"
	}
	return []string{first + " " + surname, surname, kyGen(surname), kyDat(surname), kyAbl(surname), first + " " + kyGen(surname)}
}
