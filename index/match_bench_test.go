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
// timed on analysed articles in batches (MatchBatch), as the pipeline
// and a rebuild of the index match them, the articles of one write of
// the index (batchSize) at a time; on the same articles one at a time
// (Match), as kuzot rules test does; and end to end, the batch with
// NewArticle's analysis of its articles:
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
		// Each article is generated outside the timed parts, so that no
		// figure counts the synthetic archive's own cost. The articles
		// go in chunks of what the index labels at once (batchSize):
		// each chunk is analysed, timed, and matched while it is fresh,
		// as the index's label function does, one by one and as a
		// batch, which goes first in every other chunk so that neither
		// gains from the other's warm caches.
		const chunk = batchSize
		matchedAnalysed, matchedBatch := 0, 0
		var analysisTook, matcherTook, batchTook time.Duration
		for from := 0; from < nMatcher; from += chunk {
			srcs := make([]*synth.Article, 0, chunk)
			for i := from; i < min(from+chunk, nMatcher); i++ {
				srcs = append(srcs, pick(i))
			}
			t0 := time.Now()
			as := make([]*rules.Article, len(srcs))
			for i, src := range srcs {
				as[i] = rules.NewArticle(src.Title, src.Body, src.Outlet, src.Lang)
			}
			analysisTook += time.Since(t0)
			one := make([][]rules.Match, len(as))
			single := func() {
				t0 := time.Now()
				for i, a := range as {
					one[i] = m.Match(a)
				}
				matcherTook += time.Since(t0)
			}
			var batch [][]rules.Match
			batched := func() {
				t0 := time.Now()
				batch = m.MatchBatch(as)
				batchTook += time.Since(t0)
			}
			if from/chunk%2 == 0 {
				single()
				batched()
			} else {
				batched()
				single()
			}
			for i := range as {
				matchedAnalysed += len(one[i])
				matchedBatch += len(batch[i])
				if fmt.Sprint(one[i]) != fmt.Sprint(batch[i]) {
					b.Fatalf("article %d: alone %v, in a batch %v", from+i, one[i], batch[i])
				}
			}
		}
		if matchedAnalysed != matchedBatch {
			b.Fatalf("%d matches one at a time, %d in batches", matchedAnalysed, matchedBatch)
		}
		matched := matchedBatch
		matcherRate := float64(nMatcher) / matcherTook.Seconds()
		batchRate := float64(nMatcher) / batchTook.Seconds()
		endToEndRate := float64(nMatcher) / (analysisTook + batchTook).Seconds()

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
		b.Logf("%d rules: matcher %.0f articles/s per core on analysed articles in batches, %.0f one at a time, %.0f end to end with the analysis of each batch (%.2f matches per article); naive %.1f articles/s (%.2f matches per article): %.0f× in batches, %.0f× one at a time, %.0f× end to end",
			len(specs), batchRate, matcherRate, endToEndRate, float64(matched)/float64(nMatcher), naiveRate, float64(naiveMatched)/float64(nNaive), batchRate/naiveRate, matcherRate/naiveRate, endToEndRate/naiveRate)
		b.ReportMetric(batchRate, "batch-articles/s")
		b.ReportMetric(matcherRate, "matcher-articles/s")
		b.ReportMetric(endToEndRate, "end-to-end-articles/s")
		b.ReportMetric(naiveRate, "naive-articles/s")
		b.ReportMetric(batchRate/naiveRate, "batch-speedup")
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
