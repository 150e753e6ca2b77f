package analysis

import (
	"hash/maphash"
	"sync"

	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/russian"
)

// Stem stems one folded word (see Fold) as a word of a text in lang: a
// Latin word with the English Porter2 stemmer whatever the text's
// language, a Cyrillic word with the Kyrgyz stemmer in a Kyrgyz text and
// with Russian Snowball otherwise. Numbers and other words are unchanged.
func Stem(form, lang string) string {
	switch {
	case IsCyrillic(form):
		if lang == Kyrgyz {
			return kyStems.get(form, StemKyrgyz)
		}
		return ruStems.get(form, stemRussian)
	case isLatinWord(form):
		return enStems.get(form, stemEnglish)
	}
	return form
}

// QueryStems is the set of terms a query word matches: a query is not in
// one language, so a Cyrillic word is stemmed both as Russian and as
// Kyrgyz and finds its forms in articles of either language (and Russian
// words quoted in Kyrgyz text). The Russian stem comes first.
func QueryStems(form string) []string {
	if !IsCyrillic(form) {
		return []string{Stem(form, English)}
	}
	ru, ky := Stem(form, Russian), Stem(form, Kyrgyz)
	if ru == ky {
		return []string{ru}
	}
	return []string{ru, ky}
}

// ruRootFinal are Russian nouns whose root ends in -ом or -ем, which
// Snowball takes for an instrumental or prepositional ending: it stems
// роддом to родд while роддома and роддоме stem to роддом, so the
// nominative would not find the other forms. These words stem to
// themselves.
var ruRootFinal = map[string]bool{
	"роддом": true, "детдом": true, "дурдом": true, "военком": true, "профком": true, "горком": true,
	"обком": true, "райком": true, "прием": true, "объем": true, "подъем": true, "заем": true,
	"наем": true, "водоем": true, "симптом": true, "синдром": true, "диплом": true, "альбом": true,
}

func stemRussian(w string) string {
	if ruRootFinal[w] {
		return w
	}
	env := snowball.NewEnv(w)
	russian.Stem(env)
	return env.Current()
}

func stemEnglish(w string) string {
	env := snowball.NewEnv(w)
	english.Stem(env)
	return env.Current()
}

// isLatinWord reports whether w has a Latin letter: digits alone are not
// stemmed.
func isLatinWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; 'a' <= c && c <= 'z' {
			return true
		}
	}
	return false
}

// stemCache remembers stems: news vocabulary repeats, and a map lookup is
// several times cheaper than a Snowball run. It is sharded so that index
// and matcher goroutines do not queue on one lock, and a shard is emptied
// when full so memory stays bounded however long the service runs.
type stemCache struct {
	seed   maphash.Seed
	shards [64]stemShard
}

type stemShard struct {
	mu sync.Mutex
	m  map[string]string
}

// stemShardSize bounds a shard: 64 × 4096 words, a few MB per language.
const stemShardSize = 4096

var ruStems, kyStems, enStems = newStemCache(), newStemCache(), newStemCache()

func newStemCache() *stemCache { return &stemCache{seed: maphash.MakeSeed()} }

func (c *stemCache) get(w string, stem func(string) string) string {
	sh := &c.shards[maphash.String(c.seed, w)%uint64(len(c.shards))]
	sh.mu.Lock()
	s, ok := sh.m[w]
	sh.mu.Unlock()
	if ok {
		return s
	}
	s = stem(w)
	sh.mu.Lock()
	if sh.m == nil || len(sh.m) >= stemShardSize {
		sh.m = make(map[string]string, 256)
	}
	sh.m[w] = s
	sh.mu.Unlock()
	return s
}
