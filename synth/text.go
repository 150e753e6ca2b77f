package synth

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rates of the items a word slot can hold besides an ordinary word, in the
// body and in the title. Numbers make about 3% of the words.
const (
	bodyNumber, titleNumber = 0.029, 0.02
	bodyEntity, titleEntity = 0.02, 0.12
	bodyTopic, titleTopic   = 0.05, 0.15
	// focusShare of entity mentions go to the article's own few entities,
	// so that an article names the same hospital or person repeatedly.
	focusShare = 0.7
	// commaRate is out of 2^11: 143/2048 ≈ 7% of words take a comma.
	commaRate = 143
)

// writer writes one article.
type writer struct {
	r     rng
	v     *vocab
	b     strings.Builder
	lang  int
	topic int
	year  int
	focus [3]int // entities the article is about
	num   [32]byte
}

func (w *writer) title() string {
	w.b.Grow(160)
	n := 5 + w.r.intn(5) + w.r.intn(6) // 5–14, most often 9 or 10
	for left, first := n, true; left > 0; first = false {
		left -= w.item(w.r.uint64(), left, first, true)
	}
	s := w.b.String()
	w.b = strings.Builder{}
	return s
}

// body writes n words in 2–12 paragraphs of sentences of 8–30 words.
func (w *writer) body(n int) string {
	// Enough bytes for nearly every article (a word and its space or comma
	// average 11.3 bytes in Russian, 12.9 in Kyrgyz, 6.1 in English).
	w.b.Grow(n*[nLangs]int{13, 15, 7}[w.lang] + 64)
	paras := int(math.Round(float64(n) / float64(40+w.r.intn(41))))
	paras = max(2, min(paras, 12, n/8))
	// Each paragraph gets 8 words and a random share of the rest.
	var share [12]float64
	total := 0.0
	for i := range paras {
		share[i] = 0.5 + w.r.float()
		total += share[i]
	}
	rest, used := n-8*paras, 0
	for i := range paras {
		words := 8 + int(float64(rest)*share[i]/total)
		if i == paras-1 {
			words = n - used
		}
		used += words
		if i > 0 {
			w.b.WriteString("\n\n")
		}
		w.paragraph(words)
	}
	return w.b.String()
}

func (w *writer) paragraph(n int) {
	for first := true; n > 0; first = false {
		k := n
		if n > 30 {
			// 8–28 words, most often about 18; never leave fewer than 8.
			k = min(8+w.r.intn(11)+w.r.intn(11), n-8)
		}
		if !first {
			w.b.WriteByte(' ')
		}
		w.sentence(k)
		n -= k
	}
}

func (w *writer) sentence(n int) {
	for left, first := n, true; left > 0; first = false {
		// One draw decides both what the item is (its high bits) and
		// whether a comma follows (its low bits).
		u := w.r.uint64()
		left -= w.item(u, left, first, false)
		if left > 0 && u&(1<<11-1) < commaRate {
			w.b.WriteByte(',')
		}
	}
	w.b.WriteByte('.')
}

// item writes one word, number or name of at most left words, preceded by
// a space unless first (then capitalised), and returns its length in words;
// the high 53 bits of u choose which.
func (w *writer) item(u uint64, left int, first, title bool) int {
	pn, pe, pt := bodyNumber, bodyEntity, bodyTopic
	if title {
		pn, pe, pt = titleNumber, titleEntity, titleTopic
	}
	switch x := float64(u>>11) / (1 << 53); {
	case x < pn:
		return w.number(left, first)
	case x < pn+pe:
		e := w.v.ents[w.focus[w.r.intn(len(w.focus))]]
		if !w.r.chance(focusShare) {
			e = w.v.ents[w.v.entZipf.draw(&w.r)]
		}
		if k := w.phrase(pickForm(&w.r, e), left, first); k > 0 {
			return k
		}
	case x < pn+pe+pt && w.topic != topicGeneral:
		lm := pick(&w.r, w.v.topics[w.topic])
		if k := w.phrase(pickForm(&w.r, lm.forms), left, first); k > 0 {
			return k
		}
	}
	for tries := 0; ; tries++ {
		i := w.v.zipf.draw(&w.r)
		// Titles are short of function words.
		if title && i < 60 && tries < 6 && w.r.chance(0.85) {
			continue
		}
		if k := int(w.v.ntok[i]); k <= left {
			w.word(w.v.words[i], first)
			return k
		}
	}
}

// phrase writes s if it has at most left words and returns its words, or 0.
func (w *writer) phrase(s string, left int, first bool) int {
	k := strings.Count(s, " ") + 1
	if k > left {
		return 0
	}
	w.word(s, first)
	return k
}

func (w *writer) word(s string, first bool) {
	if !first {
		w.b.WriteByte(' ')
		w.b.WriteString(s)
		return
	}
	r, n := utf8.DecodeRuneInString(s)
	w.b.WriteRune(unicode.ToUpper(r))
	w.b.WriteString(s[n:])
}
