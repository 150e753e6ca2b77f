package synth

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Topics an article can be about. An article of a topic other than general
// draws some of its words from that topic's lemmas, so health words cluster
// in health articles as a crisis rule expects, and also turn up elsewhere
// through the ordinary Zipf draw.
const (
	topicGeneral = iota
	topicHealth
	topicCrime
	topicEconomy
	topicPolitics
	nTopics
)

// Zipf–Mandelbrot parameters of the word draw: the form of rank k (from 0)
// has probability proportional to (k+zipfQ)^-zipfS. With zipfQ = 1.5 the
// most frequent word is about 8 times as frequent as the tenth, close to
// news text; a pure power law (zipfQ = 1) would make it 12 times.
const (
	zipfS = 1.07
	zipfQ = 1.5
)

// formExp spreads the forms of a lemma over the ranks: form j of the lemma of
// rank r is ranked as r·(j+1)^formExp among all forms, so a lemma's first
// form (nominative, past tense) is its most frequent and rare lemmas are seen
// in few forms, as in real text.
const formExp = 1.2

// lemma is a word with its inflected forms, most frequent first.
type lemma struct {
	forms []string
	topic int
}

// langSpec is what a language contributes to its vocabulary.
type langSpec struct {
	code     string
	head     []string              // function and common words, most frequent first
	lemmas   []lemma               // real lemmas, in no particular order
	pseudo   func(r *rng) []string // forms of one invented lemma
	entities [][]string            // named entities' forms, most frequent entity first
	size     int                   // distinct forms in the Zipf vocabulary
	seed     uint64                // of the invented words, fixed so the vocabulary never changes
}

// vocab is the immutable word material of one language.
type vocab struct {
	code    string
	words   []string // by rank
	ntok    []uint8  // words in words[i] (a few forms are two words or more)
	zipf    alias
	topics  [nTopics][]lemma
	ents    [][]string
	entZipf alias
	lemmas  int // real lemmas
	real    int // forms in words that are head words or forms of real lemmas
}

// formCDF[j] is the cumulative weight of forms 0..j of a lemma when one is
// drawn outside the Zipf vocabulary (topic words, entities).
var formCDF = func() (c [32]float64) {
	s := 0.0
	for j := range c {
		s += math.Pow(float64(j+1), -formExp)
		c[j] = s
	}
	return c
}()

// pickForm returns a form of forms, earlier forms more often.
func pickForm(r *rng, forms []string) string {
	n := min(len(forms), len(formCDF))
	x := r.float() * formCDF[n-1]
	for j := 0; j < n-1; j++ {
		if x < formCDF[j] {
			return forms[j]
		}
	}
	return forms[n-1]
}

// buildVocab ranks the head words, the real lemmas' forms and enough
// invented forms, and keeps the size most frequent distinct ones (every real
// form, the rest invented).
func buildVocab(spec langSpec) *vocab {
	type entry struct {
		key float64
		seq int32 // index in forms
	}
	entries := make([]entry, 0, spec.size*2)
	forms := make([]string, 0, spec.size*2)
	// seen holds every form added, so each is added once: a real form
	// where it first appears, an invented one only if no real or earlier
	// invented word has its spelling.
	seen := make(map[string]bool, spec.size*2)
	add := func(form string, key float64) {
		if !seen[form] {
			seen[form] = true
			entries = append(entries, entry{key, int32(len(forms))})
			forms = append(forms, form)
		}
	}
	for i, w := range spec.head {
		add(w, float64(i+1))
	}
	r := rng{}
	r.seed(spec.seed, 1)
	// Real lemmas are shuffled so that topics interleave in frequency.
	lemmas := slices.Clone(spec.lemmas)
	for i := len(lemmas) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		lemmas[i], lemmas[j] = lemmas[j], lemmas[i]
	}
	rank := float64(len(spec.head))
	for _, lm := range lemmas {
		rank++
		for j, f := range lm.forms {
			add(f, rank*math.Pow(float64(j+1), formExp))
		}
	}
	nreal := len(forms)
	quota := spec.size - nreal
	// A quarter more invented forms than needed, so the truncation by rank
	// drops the rare forms of rare lemmas.
	for len(forms)-nreal < quota*5/4 {
		rank++
		for j, f := range spec.pseudo(&r) {
			add(f, rank*math.Pow(float64(j+1), formExp))
		}
	}
	slices.SortFunc(entries, func(a, b entry) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	v := &vocab{code: spec.code, lemmas: len(spec.lemmas), ents: spec.entities, real: nreal}
	v.words = make([]string, 0, spec.size)
	for _, e := range entries {
		if int(e.seq) >= nreal { // invented
			if quota == 0 {
				continue
			}
			quota--
		}
		v.words = append(v.words, forms[e.seq])
	}
	// The forms are copied into one string in rank order, so the frequent
	// ones share a few cache lines (copying words is most of an article's
	// cost) and the garbage collector sees one object instead of 60,000.
	var arena strings.Builder
	for _, f := range v.words {
		arena.WriteString(f)
	}
	all, off := arena.String(), 0
	for i, f := range v.words {
		v.words[i] = all[off : off+len(f)]
		off += len(f)
	}
	v.ntok = make([]uint8, len(v.words))
	w := make([]float64, len(v.words))
	for i, f := range v.words {
		v.ntok[i] = uint8(strings.Count(f, " ") + 1)
		w[i] = math.Pow(float64(i)+zipfQ, -zipfS)
	}
	v.zipf = newAlias(w)
	for _, lm := range spec.lemmas {
		v.topics[lm.topic] = append(v.topics[lm.topic], lm)
	}
	w = w[:0]
	for i := range spec.entities {
		w = append(w, 1/float64(i+1))
	}
	v.entZipf = newAlias(w)
	return v
}

// alias draws from a fixed discrete distribution in constant time (Vose's
// alias method): one 64-bit random number picks a column and decides
// between the column and its alias. A column's threshold and alias sit
// together, so a draw touches one cache line of the table.
type alias []aliasCell

type aliasCell struct {
	prob  uint32 // threshold for keeping the column, out of 2^32
	alias uint32
}

func newAlias(w []float64) alias {
	n := len(w)
	a := make(alias, n)
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	p := make([]float64, n)
	var small, large []int
	for i, x := range w {
		p[i] = x * float64(n) / sum
		if p[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a[s] = aliasCell{uint32(p[s] * (1 << 32)), uint32(l)}
		p[l] -= 1 - p[s]
		if p[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// What is left has probability 1 up to rounding.
	for _, i := range append(small, large...) {
		a[i] = aliasCell{math.MaxUint32, uint32(i)}
	}
	return a
}

func (a alias) draw(r *rng) int {
	u := r.uint64()
	c := a[(u>>32)*uint64(len(a))>>32]
	if uint32(u) < c.prob {
		return int((u >> 32) * uint64(len(a)) >> 32)
	}
	return int(c.alias)
}
