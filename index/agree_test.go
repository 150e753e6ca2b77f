package index_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"kuzot/index"
	"kuzot/rules"
)

// Word families for the property test: the forms of one word, so that
// random rules and articles meet in stems, exact forms and prefixes.
var (
	ruFamilies = [][]string{
		{"врач", "врачи", "врачей", "врача", "врачом"},
		{"больница", "больнице", "больницы", "больниц"},
		{"ошибка", "ошибки", "ошибку", "ошибкой"},
		{"роддом", "роддоме", "роддома"},
		{"пациент", "пациенты", "пациентов"},
		{"задержан", "задержали", "задержаны"},
		{"лекарство", "лекарства", "лекарств"},
		{"и", "в", "на", "не"},
	}
	kyFamilies = [][]string{
		{"оорукана", "ооруканада", "ооруканасында", "ооруканадан", "ооруканага"},
		{"дарыгер", "дарыгерлер", "дарыгерге", "дарыгерлердин"},
		{"бейтап", "бейтаптар", "бейтаптын"},
		{"дары", "дарылар", "дарыны"},
		{"кезек", "кезекте", "кезектер"},
		{"жана", "менен", "бул"},
	}
	outlets = []string{"kaktus.media", "24.kg", "azattyk.org"}
)

func randWord(rng *rand.Rand, fams [][]string) string {
	f := fams[rng.IntN(len(fams))]
	return f[rng.IntN(len(f))]
}

func randText(rng *rand.Rand, lang string, n int) string {
	fams := ruFamilies
	if lang == "ky" {
		fams = kyFamilies
	}
	words := make([]string, n)
	for i := range words {
		// Now and then a word of the other language, as in real quotes.
		if rng.IntN(8) == 0 {
			words[i] = randWord(rng, append(ruFamilies[:len(ruFamilies):len(ruFamilies)], kyFamilies...))
		} else {
			words[i] = randWord(rng, fams)
		}
		if rng.IntN(5) == 0 {
			words[i] = strings.ToUpper(words[i][:2]) + words[i][2:]
		}
	}
	return strings.Join(words, " ") + "."
}

// randQuery writes a random query of the rule language.
func randQuery(rng *rand.Rand, depth int) string {
	all := append(ruFamilies[:len(ruFamilies):len(ruFamilies)], kyFamilies...)
	scope := func() string {
		switch rng.IntN(6) {
		case 0:
			return "title:"
		case 1:
			return "body:"
		}
		return ""
	}
	atom := func() string {
		w := randWord(rng, all)
		switch rng.IntN(5) {
		case 0:
			return "=" + w
		case 1:
			r := []rune(w)
			return string(r[:min(len(r), 3+rng.IntN(3))]) + "*"
		}
		return w
	}
	if depth <= 0 || rng.IntN(3) == 0 {
		switch rng.IntN(8) {
		case 0:
			return fmt.Sprintf(`%s"%s %s"`, scope(), randWord(rng, all), randWord(rng, all))
		case 1:
			return fmt.Sprintf("%s(%s NEAR/%d %s)", scope(), atom(), 1+rng.IntN(5), atom())
		case 2:
			if rng.IntN(2) == 0 {
				return "outlet:" + outlets[rng.IntN(len(outlets))]
			}
			return "lang:" + []string{"ru", "ky"}[rng.IntN(2)]
		}
		return scope() + atom()
	}
	a, b := randQuery(rng, depth-1), randQuery(rng, depth-1)
	switch rng.IntN(4) {
	case 0:
		return "(" + a + " OR " + b + ")"
	case 1:
		return "(" + a + " AND NOT " + b + ")"
	case 2:
		return "NOT " + a
	}
	return "(" + a + " " + b + ")"
}

// TestMatcherAgreesWithIndex generates random articles and rules and
// checks that the matcher and the bleve index find the same articles for
// every rule: a rule must match on ingest what it matches in a backtest.
func TestMatcherAgreesWithIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 12))
	var arts []article
	for i := range 150 {
		lang := []string{"ru", "ky"}[rng.IntN(2)]
		arts = append(arts, article{key: fmt.Sprint("a", i), outlet: outlets[rng.IntN(len(outlets))], lang: lang,
			title: randText(rng, lang, 2+rng.IntN(6)), body: randText(rng, lang, 5+rng.IntN(40)), day: rng.IntN(30)})
	}
	x, ids := openArticles(t, arts)
	docs := map[int64]*rules.Article{}
	for _, a := range arts {
		docs[ids[a.key]] = rules.NewArticle(a.title, a.body, a.outlet, a.lang)
	}

	queries := 600
	if testing.Short() {
		queries = 150
	}
	nonEmpty := 0
	for range queries {
		q := randQuery(rng, 3)
		r, err := rules.CompileRule(rules.Spec{ID: "random", Query: q})
		if err != nil {
			// The generator may write a NEAR over two fields; the parser
			// refuses it, and the index would too.
			if _, ierr := x.Search(context.Background(), index.Request{Query: q}); ierr == nil {
				t.Fatalf("%s: the matcher refuses it (%v) but the index accepts it", q, err)
			}
			continue
		}
		res, err := x.Search(context.Background(), index.Request{Query: q, Size: index.MaxPageSize})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var byIndex, byMatcher []int64
		for _, h := range res.Hits {
			byIndex = append(byIndex, h.Article.ID)
		}
		for id, d := range docs {
			if r.Matches(d) {
				byMatcher = append(byMatcher, id)
			}
		}
		slices.Sort(byIndex)
		slices.Sort(byMatcher)
		if !slices.Equal(byIndex, byMatcher) {
			only := func(a, b []int64) []string {
				var out []string
				for _, id := range a {
					if len(out) == 5 {
						break
					}
					if !slices.Contains(b, id) {
						for _, art := range arts {
							if ids[art.key] == id {
								out = append(out, fmt.Sprintf("%s [%s | %s]", art.lang, art.title, art.body))
							}
						}
					}
				}
				return out
			}
			t.Fatalf("%s\n(parsed %s)\nindex only: %q\nmatcher only: %q", q, r.Node(), only(byIndex, byMatcher), only(byMatcher, byIndex))
		}
		if len(byIndex) > 0 && len(byIndex) < len(arts) {
			nonEmpty++
		}
	}
	// The test means something only if many rules match some articles
	// and not others.
	if nonEmpty < queries/4 {
		t.Errorf("only %d of %d random rules split the articles", nonEmpty, queries)
	}
}
