package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"kuzot/analysis"
	"kuzot/config"
	"kuzot/rules"
	"kuzot/synth"
)

// BenchmarkMatch1000Rules scores synthetic archive articles against 1,000
// rules generated from the default rule set, with the matcher and the
// naive way (each rule as a bleve query against a one-document in-memory
// index), in one goroutine so the figures are per core. The matcher is
// timed twice: on articles already analysed, and end to end with
// NewArticle's analysis:
//
//	go test ./index -run '^$' -bench '^BenchmarkMatch1000Rules$' -benchtime 1x -v
func BenchmarkMatch1000Rules(b *testing.B) {
	const nRules = 1000
	end := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	g := synth.New(synth.Config{Seed: 99, Start: end.AddDate(-1, 0, 0), End: end, N: 1_000_000})
	specs := generateRules(b, g, nRules)
	m, err := rules.Compile(specs)
	if err != nil {
		b.Fatal(err)
	}
	queries := make([]query.Query, len(m.Rules()))
	for i, r := range m.Rules() {
		if queries[i], err = rules.Bleve(r.Combined()); err != nil {
			b.Fatal(err)
		}
	}
	// Articles spread over the whole archive.
	pick := func(i int) *synth.Article { a := g.Article((i * 7919) % 1_000_000); return &a }

	for b.Loop() {
		nMatcher, nNaive := envInt("KUZOT_MATCH_ARTICLES", 5000), envInt("KUZOT_NAIVE_ARTICLES", 40)
		// Each article is generated outside the timed parts, so that
		// neither figure counts the synthetic archive's own cost. End to
		// end times analysis and matching, as the pipeline does for a new
		// article; the matcher alone is timed on the article analysed
		// again just before, untimed, since the pipeline analyses an
		// article once and matches it while it is fresh.
		matched, matchedAnalysed := 0, 0
		var endToEndTook, matcherTook time.Duration
		for i := range nMatcher {
			src := pick(i)
			t0 := time.Now()
			matched += len(m.Match(rules.NewArticle(src.Title, src.Body, src.Outlet, src.Lang)))
			endToEndTook += time.Since(t0)
			a := rules.NewArticle(src.Title, src.Body, src.Outlet, src.Lang)
			t0 = time.Now()
			matchedAnalysed += len(m.Match(a))
			matcherTook += time.Since(t0)
		}
		if matched != matchedAnalysed {
			b.Fatalf("%d matches end to end, %d on analysed articles", matched, matchedAnalysed)
		}
		matcherRate := float64(nMatcher) / matcherTook.Seconds()
		endToEndRate := float64(nMatcher) / endToEndTook.Seconds()

		naiveMatched, agreeMatched := 0, 0
		var naiveTook time.Duration
		for i := range nNaive {
			a := pick(i)
			t1 := time.Now()
			mem, err := bleve.NewMemOnly(newMapping())
			if err != nil {
				b.Fatal(err)
			}
			if err := mem.Index("1", newDocument(synthArticle(*a), Labels{})); err != nil {
				b.Fatal(err)
			}
			var ids []string
			for qi, q := range queries {
				res, err := mem.SearchInContext(context.Background(), bleve.NewSearchRequestOptions(q, 1, 0, false))
				if err != nil {
					b.Fatal(err)
				}
				if res.Total > 0 {
					ids = append(ids, m.Rules()[qi].ID)
				}
			}
			mem.Close()
			naiveTook += time.Since(t1)
			naiveMatched += len(ids)
			// The two ways must agree, or the comparison is meaningless.
			got := m.MatchIDs(rules.NewArticle(a.Title, a.Body, a.Outlet, a.Lang))
			sort.Strings(got)
			sort.Strings(ids)
			if strings.Join(got, ",") != strings.Join(ids, ",") {
				b.Fatalf("article %d: matcher %v, bleve %v", a.N, got, ids)
			}
			agreeMatched += len(got)
		}
		naiveRate := float64(nNaive) / naiveTook.Seconds()
		b.Logf("%d rules: matcher %.0f articles/s per core on analysed articles, %.0f end to end with the analysis (%.2f matches per article); naive %.1f articles/s (%.2f matches per article): %.0f× analysed, %.0f× end to end",
			len(specs), matcherRate, endToEndRate, float64(matched)/float64(nMatcher), naiveRate, float64(naiveMatched)/float64(nNaive), matcherRate/naiveRate, endToEndRate/naiveRate)
		b.ReportMetric(matcherRate, "matcher-articles/s")
		b.ReportMetric(endToEndRate, "end-to-end-articles/s")
		b.ReportMetric(naiveRate, "naive-articles/s")
		b.ReportMetric(matcherRate/naiveRate, "speedup")
		b.ReportMetric(endToEndRate/naiveRate, "end-to-end-speedup")
	}
}

// generateRules makes n rules from the default rule set: the shipped rules
// themselves, then variants that keep each rule's shape (its AND, OR, NOT,
// phrases and NEAR) with most words replaced by words of the archive's
// middle frequencies, the way new rules differ from old ones.
func generateRules(b *testing.B, g *synth.Generator, n int) []rules.Spec {
	b.Helper()
	cfg, err := config.LoadFile("../config.yaml")
	if err != nil {
		b.Fatal(err)
	}
	base := cfg.RuleSpecs()
	if len(base) == 0 {
		b.Fatal("config.yaml has no rules to generate from")
	}
	// The vocabulary of a sample, by frequency.
	freq := map[string]int{}
	for i := range 3000 {
		a := g.Article(i * 331)
		for _, t := range analysis.Tokenize(a.Title + " " + a.Body) {
			if len([]rune(t.Form)) > 3 && analysis.IsCyrillic(t.Form) {
				freq[t.Form]++
			}
		}
	}
	words := make([]string, 0, len(freq))
	for w := range freq {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		return freq[words[i]] > freq[words[j]] || freq[words[i]] == freq[words[j]] && words[i] < words[j]
	})
	words = words[min(200, len(words)/10):min(20000, len(words))]

	rng := rand.New(rand.NewPCG(5, 5))
	out := append([]rules.Spec(nil), base...)
	for i := 0; len(out) < n; i++ {
		s := base[i%len(base)]
		s.ID = fmt.Sprintf("%s-v%d", s.ID, i)
		s.Query = mutate(b, s.Query, rng, words)
		if s.Exclude != "" {
			s.Exclude = mutate(b, s.Exclude, rng, words)
		}
		out = append(out, s)
	}
	return out
}

func mutate(b *testing.B, q string, rng *rand.Rand, words []string) string {
	n, err := rules.Parse(q)
	if err != nil {
		b.Fatal(err)
	}
	rules.Walk(n, func(n rules.Node) bool {
		switch n := n.(type) {
		case *rules.Term:
			if rng.IntN(10) < 7 {
				n.Word = words[rng.IntN(len(words))]
				if n.Mode == rules.Prefix {
					r := []rune(n.Word)
					n.Word = string(r[:min(len(r), 4)])
				}
			}
		case *rules.Phrase:
			for i := range n.Words {
				if rng.IntN(10) < 7 {
					n.Words[i] = words[rng.IntN(len(words))]
				}
			}
		}
		return true
	})
	return n.String()
}
