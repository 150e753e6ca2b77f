package synth

import (
	"math"
	"strconv"
)

// number writes a year, date, amount, percentage, number sign or count of
// at most left words and returns its length in words.
func (w *writer) number(left int, first bool) int {
	if !first {
		w.b.WriteByte(' ')
	}
	r := &w.r
	switch x := r.intn(100); {
	case x < 30:
		return w.yearNumber()
	case x < 50:
		return w.date(left)
	case x < 70:
		return w.amount(left)
	case x < 80:
		return w.percent(left)
	case x < 85:
		if w.lang == langEN {
			w.b.WriteString("No.")
		} else {
			w.b.WriteString("№")
		}
		w.int(1 + r.intn(20))
		return 1
	}
	w.int(int(math.Exp(math.Log(2) + r.float()*math.Log(500))))
	return 1
}

func (w *writer) int(v int) { w.b.Write(strconv.AppendInt(w.num[:0], int64(v), 10)) }

var kyYearSuffixes = []string{"-жылы", "-жылы", "-жылы", "-жылдын", "-жылга", "-жылдан", "-жылдагы", ""}

func (w *writer) yearNumber() int {
	y := w.year
	switch x := w.r.intn(10); {
	case x < 3:
		y--
	case x < 4:
		y++
	}
	w.int(y)
	if w.lang == langKY {
		w.b.WriteString(pick(&w.r, kyYearSuffixes))
	}
	return 1
}

func (w *writer) date(left int) int {
	d, m := 1+w.r.intn(28), w.r.intn(12)
	switch {
	case w.lang == langKY:
		w.int(d)
		w.b.WriteByte('-')
		w.b.WriteString(kyMonths[m])
		return 1
	case left < 2:
		w.int(d)
		return 1
	case w.lang == langEN:
		w.b.WriteString(enMonths[m])
		w.b.WriteByte(' ')
		w.int(d)
	default:
		w.int(d)
		w.b.WriteByte(' ')
		w.b.WriteString(ruMonths[m])
	}
	return 2
}

// amount writes a sum of soms: 120 сомов, 3,5 млн сомов.
func (w *writer) amount(left int) int {
	r := &w.r
	if left >= 3 && r.chance(0.3) {
		w.int(1 + r.intn(99))
		if r.chance(0.4) {
			w.b.WriteString([]string{",", ",", "."}[w.lang])
			w.int(1 + r.intn(9))
		}
		w.b.WriteString([]string{" млн сомов", " млн сом", " million soms"}[w.lang])
		return 3
	}
	// Two significant digits, from 10 to 990 000.
	v := int(math.Exp(math.Log(10) + r.float()*math.Log(1e5)))
	for p := 1; ; p *= 10 {
		if v < 100*p {
			v = v / p * p
			break
		}
	}
	w.int(v)
	if left < 2 {
		return 1
	}
	switch w.lang {
	case langRU:
		w.b.WriteString(ruSom(v))
	case langKY:
		w.b.WriteString(" сом")
	default:
		w.b.WriteString(" soms")
	}
	return 2
}

// ruSom is the Russian word for som after v: 1 сом, 2 сома, 5 сомов.
func ruSom(v int) string {
	switch {
	case v%10 == 1 && v%100 != 11:
		return " сом"
	case v%10 >= 2 && v%10 <= 4 && (v%100 < 12 || v%100 > 14):
		return " сома"
	}
	return " сомов"
}

func (w *writer) percent(left int) int {
	r := &w.r
	w.int(1 + r.intn(99))
	if r.chance(0.3) {
		w.b.WriteString([]string{",", ",", "."}[w.lang])
		w.int(1 + r.intn(9))
	}
	if w.lang == langKY && left >= 2 && r.chance(0.5) {
		w.b.WriteString(" пайыз")
		return 2
	}
	w.b.WriteByte('%')
	return 1
}
