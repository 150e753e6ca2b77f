package synth

import "strings"

// enInflect returns the forms of an English lemma: n noun (plural), v verb
// (-s, -ed, -ing), x invariant.
func enInflect(word, code string) []string {
	switch code {
	case "n":
		return []string{word, enS(word)}
	case "v":
		stem := strings.TrimSuffix(word, "e")
		ed, ing := stem+"ed", stem+"ing"
		if r, _ := cutLastRune(word); strings.HasSuffix(word, "y") && !strings.ContainsAny(r[len(r)-1:], "aeiou") {
			ed, ing = r+"ied", word+"ing"
		}
		return []string{word, ed, enS(word), ing}
	case "x":
		return []string{word}
	}
	panic("synth: unknown English paradigm " + code)
}

func enS(w string) string {
	switch {
	case strings.HasSuffix(w, "s"), strings.HasSuffix(w, "x"), strings.HasSuffix(w, "ch"), strings.HasSuffix(w, "sh"):
		return w + "es"
	case strings.HasSuffix(w, "y") && len(w) > 1 && !strings.ContainsAny(w[len(w)-2:len(w)-1], "aeiou"):
		return w[:len(w)-1] + "ies"
	}
	return w + "s"
}

var (
	enOnset  = newWeighted(`b*3 c*3 d*3 f*2 g*2 h*2 j k l*3 m*3 n*2 p*3 r*3 s*4 t*4 v w*2 br cr dr fr gr pr*2 tr*2 st*2 sp sl pl bl cl gl sh ch th*2`)
	enVowel  = newWeighted(`a*5 e*5 i*4 o*4 u*2 ai ea ee oo ou`)
	enCoda   = newWeighted(`0*4 n*3 r*3 l*2 s*2 t*3 m nd nt st rk ck ng`)
	enMedial = newWeighted(`n*3 r*3 l*2 s t m`)
)

// enPseudo invents an English-looking noun or verb.
func enPseudo(r *rng) []string {
	var b strings.Builder
	syl := 1 + r.intn(3)
	for i := range syl {
		if i > 0 || r.chance(0.8) {
			b.WriteString(enOnset.pick(r))
		}
		b.WriteString(enVowel.pick(r))
		if i == syl-1 {
			b.WriteString(enCoda.pick(r))
		} else if r.chance(0.3) {
			b.WriteString(enMedial.pick(r))
		}
	}
	if r.chance(0.35) {
		return enInflect(b.String(), "v")
	}
	return enInflect(b.String(), "n")
}

var enHead = strings.Fields(`
	the of to and in a for on that is said was with by at as from it has be are have will its an
	were which but not this government after year Kyrgyzstan Bishkek Kyrgyz president minister
	ministry also their more been had they he she his her who about over than other new first two
	three people percent million som soms country city region district official officials
	according told reported week month day today yesterday last next during since while would
	could should may can into out up all some one such these those there when where what how only
	most many between against under before through per Osh national state public local cabinet
	parliament deputies republic law chairman head office service citizens residents children
	work part number time years days data report information support development program
	`)

const enLemmas = `
[h]
n: hospital doctor patient clinic medicine vaccine nurse surgeon queue ambulance disease infection treatment ward maternity
x: health medical
v: treat hospitalize vaccinate
[c]
n: court prosecutor police bribe suspect investigation crime fraud arrest fine sentence
v: detain charge
[e]
n: budget price market bank tax loan export import salary pension project investment tariff
v: increase allocate build
[p]
n: deputy decree session election party commission agreement visit delegation
v: approve sign discuss
[g]
n: village school teacher student road water house building street bridge bus driver accident fire weather snow holiday concert team woman university museum problem center employee border airport
v: report announce open close
`

const enEntities = `
Bishkek
Osh
Ministry of Health
Interior Ministry
Jogorku Kenesh
Cabinet of Ministers
Chui Region|Chui region
National Hospital
GKNB|State Committee for National Security
Karakol
Jalal-Abad
Prosecutor General's Office
Naryn
Bishkek City Hall
Kazakhstan
Issyk-Kul
Talas
Batken
Mandatory Health Insurance Fund
National Bank
Russia
China
Uzbekistan
WHO
UNICEF
Central Election Commission
National Center of Oncology
Tokmok
`

var (
	enMen      = strings.Fields(`Bakyt Nurlan Ulan Mirlan Azamat Erlan Aibek Kanat Timur Almaz`)
	enWomen    = strings.Fields(`Aigul Gulnara Cholpon Jamila Dinara Asel`)
	enSurnames = strings.Fields(`Asanov Usenov Mamytov Toktosunov Dzhumabaev Abdyldaev Isakov Kadyrov Osmonov Turdubaev Sadykov`)
	enMonths   = strings.Fields(`January February March April May June July August September October November December`)
)

func enPerson(first, surname string, woman bool) []string {
	if woman {
		surname += "a"
	}
	return []string{first + " " + surname, surname, surname + "'s"}
}
