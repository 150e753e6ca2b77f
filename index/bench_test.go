package index

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"kuzot/rules"
	"kuzot/store"
	"kuzot/synth"
)

// The benchmarks run over the synthetic archive of package synth.
//
//	go test ./index -run '^$' -bench 'Sync|StoredToSearchable' -benchtime 1x -count 5
var benchArticles = envInt("KUZOT_BENCH_ARTICLES", 20000)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

var benchQueries = []string{
	"оорукана",
	"врач AND больница",
	`"министерство здравоохранения"`,
	"дарыгер NEAR/5 бейтап",
	"больница AND NOT врач",
	"больниц*",
}

// benchStore stores n articles of the synthetic archive in a new SQLite
// file.
func benchStore(b *testing.B, n int) *store.Store {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "kuzot.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	end := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	g := synth.New(synth.Config{Seed: 42, Start: end.AddDate(-1, 0, 0), End: end, N: n})
	for start := 0; start < n; start += 1000 {
		var batch []*store.Article
		for i := start; i < min(start+1000, n); i++ {
			a := synthArticle(g.Article(i))
			a.ID, a.ContentHash = 0, strconv.Itoa(i)
			batch = append(batch, a)
		}
		if _, err := st.SaveArticles(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	return st
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// BenchmarkSync measures indexing from the store: articles/s.
func BenchmarkSync(b *testing.B) {
	st := benchStore(b, benchArticles)
	for b.Loop() {
		x, err := Open(filepath.Join(b.TempDir(), "index"), st, quiet())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		n, err := x.Sync(context.Background(), nil)
		if err != nil || n != benchArticles {
			b.Fatalf("Sync = %d, %v", n, err)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "articles/s")
		x.Close()
	}
}

// BenchmarkLayout compares the monthly shards Kuzot runs with (searches
// routed to the months their period overlaps) with one index over the same
// synthetic archive (KUZOT_ARCHIVE articles over two years, default
// 20,000): the time of the searches the search page makes, with and
// without the 30-day filter, and with facets.
//
//	KUZOT_ARCHIVE=100000 go test ./index -run '^$' -bench '^BenchmarkLayout$' -benchtime 20x
func BenchmarkLayout(b *testing.B) {
	n := envInt("KUZOT_ARCHIVE", 20000)
	end := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	g := synth.New(synth.Config{Seed: 2026, Start: end.AddDate(-2, 0, 0), End: end, N: n})
	dir := b.TempDir()
	one, _ := indexKuzot(b, g, n, filepath.Join(dir, "single"), single{})
	defer one.Close()
	months, _ := indexKuzot(b, g, n, filepath.Join(dir, "monthly"), monthly{})
	defer months.Close()
	settle(one)
	settle(months)
	layouts := []struct {
		name string
		x    *Index
	}{{"single", one}, {fmt.Sprintf("monthly-%d", len(months.shards)), months}}
	for _, q := range benchQueries {
		for _, kind := range []string{"all-time", "30-days", "30-days-faceted", "30-days-mid-month"} {
			for _, layout := range layouts {
				b.Run(kind+"/"+q+"/"+layout.name, func(b *testing.B) {
					req := Request{Query: q}
					switch kind {
					case "30-days", "30-days-faceted":
						req.Since, req.Until = end.AddDate(0, 0, -30), end
					case "30-days-mid-month": // two monthly shards
						req.Since, req.Until = end.AddDate(0, 0, -44), end.AddDate(0, 0, -14)
					}
					if kind == "30-days-faceted" {
						req.Facets, req.Histogram = FacetFields, true
					}
					for b.Loop() {
						if _, err := layout.x.Search(context.Background(), req); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkStoredToSearchable measures the time from storing an article to
// finding it, with Run going and the crawler's notification: the issue
// asks for under 2 s.
func BenchmarkStoredToSearchable(b *testing.B) {
	st := benchStore(b, 2000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	x, err := Open(filepath.Join(b.TempDir(), "index"), st, quiet())
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	if _, err := x.Sync(ctx, nil); err != nil {
		b.Fatal(err)
	}
	go x.Run(ctx)
	q, err := rules.CompileQuery("=уникальное")
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	var took []time.Duration
	for b.Loop() {
		i++
		a := &store.Article{URL: fmt.Sprintf("https://new.kg/%d", i), SourceID: "new", Outlet: "new.kg", Lang: "ru",
			Title: fmt.Sprintf("Уникальное событие номер %d", i), Body: "Текст.", Published: time.Now(), Fetched: time.Now(), ContentHash: fmt.Sprint("new", i)}
		start := time.Now()
		if _, err := st.SaveArticles(ctx, []*store.Article{a}); err != nil {
			b.Fatal(err)
		}
		x.Notify()
		for {
			x.mu.RLock()
			res, err := x.target(time.Time{}, time.Time{}).Search(bleve.NewSearchRequest(q))
			x.mu.RUnlock()
			if err != nil {
				b.Fatal(err)
			}
			if int(res.Total) == i {
				break
			}
			time.Sleep(time.Millisecond)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms-to-searchable")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms-to-searchable")
}
