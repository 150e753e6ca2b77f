package index

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"kuzot/store"
	"kuzot/synth"
)

// BenchmarkArchive indexes a synthetic archive (package synth: realistic
// lengths, Zipf word frequencies, Russian and Kyrgyz) twice, into bleve
// with its default mapping (the baseline) and through Kuzot's mapping and
// analyzers, then measures searches on Kuzot's index. The size is
// KUZOT_ARCHIVE articles (default 20,000); the figures are at a
// million:
//
//	KUZOT_ARCHIVE=1000000 go test ./index -run '^$' -bench '^BenchmarkArchive$' -benchtime 1x -timeout 6h -v
//
// It reports articles/s of each, their ratio, size on disk, peak RSS while
// indexing, and p50/p99 latency of term, phrase, boolean and faceted
// queries over the last 30 days.
func BenchmarkArchive(b *testing.B) {
	n := envInt("KUZOT_ARCHIVE", 20000)
	end := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	g := synth.New(synth.Config{Seed: 2026, Start: end.AddDate(-2, 0, 0), End: end, N: n})
	dir := b.TempDir()
	for b.Loop() {
		// KUZOT_ARCHIVE_BASELINE=0 skips the baseline, to time searches alone.
		raw := indexed{rate: 1}
		if os.Getenv("KUZOT_ARCHIVE_BASELINE") != "0" {
			raw = indexArchive(b, g, n, filepath.Join(dir, "raw"), bleve.NewIndexMapping(), func(a *store.Article) any {
				return map[string]any{"title": a.Title, "body": a.Body, "outlet": a.Outlet, "lang": a.Lang, "published": a.Published}
			})
			raw.bi.Close()
		}
		x, ours := indexKuzot(b, g, n, filepath.Join(dir, "kuzot"), monthly{})
		b.Logf("%d articles: baseline %.0f articles/s, %s on disk, peak RSS %s (allocated %s); Kuzot %.0f articles/s (%.2f of baseline) in %d monthly shards, %s on disk, peak RSS %s (allocated %s)",
			n, raw.rate, mb(raw.disk), mb(raw.peak), mb(raw.peakAnon), ours.rate, ours.rate/raw.rate, len(x.shards), mb(ours.disk), mb(ours.peak), mb(ours.peakAnon))
		b.ReportMetric(raw.rate, "baseline-articles/s")
		b.ReportMetric(ours.rate, "kuzot-articles/s")
		b.ReportMetric(ours.rate/raw.rate, "ratio")
		b.ReportMetric(float64(ours.disk)/(1<<20), "kuzot-disk-MB")
		b.ReportMetric(float64(ours.peak)/(1<<20), "kuzot-peak-RSS-MB")
		b.ReportMetric(float64(ours.peakAnon)/(1<<20), "kuzot-peak-anon-MB")

		// Searches are timed once the merger has compacted the segments a
		// bulk load leaves, as on a running service.
		b.Logf("segments settled in %s", settle(x).Round(time.Second))
		// The same queries with every match's term locations read in the
		// main search (how searches ran before), as the baseline.
		x.locateAll = true
		searchLatencies(b, x, end, "locate-all ")
		x.locateAll = false
		searchLatencies(b, x, end, "")
		// The last 30 days seen from mid-month span two monthly shards.
		searchLatencies(b, x, end.AddDate(0, 0, -14), "two-month ")
		b.Logf("peak RSS over loading and searching %s", mb(peakRSS()))
		b.ReportMetric(float64(peakRSS())/(1<<20), "kuzot-peak-RSS-with-searches-MB")
		x.Close()
	}
}

// settle waits until the index's file count has not changed for ten
// seconds (at most fifteen minutes): scorch merges segments in the
// background after a bulk load, and searches during merges are slower.
func settle(x *Index) time.Duration {
	start := time.Now()
	files := func() any {
		var n []any
		for _, s := range x.shards {
			if m, ok := s.bi.StatsMap()["index"].(map[string]any); ok {
				n = append(n, m["CurOnDiskFiles"])
			}
		}
		return fmt.Sprint(n)
	}
	last, same := files(), 0
	for same < 10 && time.Since(start) < 15*time.Minute {
		time.Sleep(time.Second)
		if f := files(); f == last {
			same++
		} else {
			last, same = f, 0
		}
	}
	return time.Since(start)
}

type indexed struct {
	bi   bleve.Index
	rate float64
	disk int64
	// peak is the process's peak resident set (VmHWM), which counts the
	// pages of the index files bleve maps while it merges segments;
	// peakAnon is the peak of the memory the process itself allocated,
	// sampled every 100 ms.
	peak, peakAnon int64
}

// indexArchive indexes articles 0..n-1 into a bleve index of mapping m,
// each article as doc makes it, in batches of batchSize as Sync writes.
func indexArchive(b *testing.B, g *synth.Generator, n int, dir string, m mapping.IndexMapping, doc func(*store.Article) any) indexed {
	b.Helper()
	var bi bleve.Index
	out := loadArchive(b, g, n, dir, func() (func([]*store.Article) error, error) {
		var err error
		if bi, err = bleve.New(dir, m); err != nil {
			return nil, err
		}
		return func(arts []*store.Article) error {
			batch := bi.NewBatch()
			for _, a := range arts {
				if err := batch.Index(docID(a.ID), doc(a)); err != nil {
					return err
				}
			}
			return bi.Batch(batch)
		}, nil
	})
	out.bi = bi
	return out
}

// indexKuzot indexes articles 0..n-1 through an Index of the layout given,
// batchSize at a time as Sync writes them.
func indexKuzot(b *testing.B, g *synth.Generator, n int, dir string, l layout) (*Index, indexed) {
	b.Helper()
	var x *Index
	out := loadArchive(b, g, n, dir, func() (func([]*store.Article) error, error) {
		var err error
		if x, err = Open(dir, synthSource{g, n}, quiet(), withLayout(l)); err != nil {
			return nil, err
		}
		batch := make([]labelled, 0, batchSize)
		return func(arts []*store.Article) error {
			batch = batch[:0]
			for _, a := range arts {
				batch = append(batch, labelled{a: a})
			}
			return x.write(batch)
		}, nil
	})
	return x, out
}

// loadArchive opens an index with open, which returns how to write a
// batch to it, and writes articles 0..n-1 batchSize at a time, timing the
// writes alone (not the generator). The peak RSS counts from the open.
func loadArchive(b *testing.B, g *synth.Generator, n int, dir string, open func() (func([]*store.Article) error, error)) indexed {
	b.Helper()
	runtime.GC()
	resetPeakRSS()
	write, err := open()
	if err != nil {
		b.Fatal(err)
	}
	stop := sampleAnon()
	var took time.Duration
	arts := make([]*store.Article, 0, batchSize)
	for start := 0; start < n; start += batchSize {
		arts = arts[:0]
		for i := start; i < min(start+batchSize, n); i++ {
			arts = append(arts, synthArticle(g.Article(i)))
		}
		t0 := time.Now()
		if err := write(arts); err != nil {
			b.Fatal(err)
		}
		took += time.Since(t0)
		if start%100000 == 0 && start > 0 {
			b.Logf("%s: %d articles, %.0f/s, peak RSS %s", filepath.Base(dir), start, float64(start)/took.Seconds(), mb(peakRSS()))
		}
	}
	return indexed{rate: float64(n) / took.Seconds(), disk: dirSize(dir), peak: peakRSS(), peakAnon: stop()}
}

// sampleAnon samples the process's anonymous resident memory until the
// returned function is called, which returns the peak.
func sampleAnon() func() int64 {
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var most int64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			most = max(most, statusKB("RssAnon:"))
			select {
			case <-done:
				peak <- most
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 { close(done); return <-peak }
}

func synthArticle(s synth.Article) *store.Article {
	return &store.Article{ID: int64(s.N + 1), URL: "https://" + s.Outlet + "/" + strconv.Itoa(s.N), SourceID: s.Outlet, Outlet: s.Outlet,
		Lang: s.Lang, Title: s.Title, Body: s.Body, Published: s.Published, Fetched: s.Published}
}

// synthSource serves a synthetic archive as the store would.
type synthSource struct {
	g *synth.Generator
	n int
}

func (s synthSource) EachArticle(ctx context.Context, after int64, fn func(*store.Article) error) error {
	for i := int(after); i < s.n; i++ {
		if err := fn(synthArticle(s.g.Article(i))); err != nil {
			return err
		}
	}
	return nil
}

func (s synthSource) Article(_ context.Context, id int64) (*store.Article, error) {
	if id < 1 || id > int64(s.n) {
		return nil, store.ErrNotFound
	}
	return synthArticle(s.g.Article(int(id - 1))), nil
}

func (s synthSource) CountArticles(context.Context) (int, error) { return s.n, nil }

// Query words drawn for the latency figures: common and rarer words of
// both languages, as an analyst would type them.
var (
	latencyWords = strings.Fields("больница врач пациент министерство здравоохранения оорукана дарыгер бейтап дары лекарство очередь " +
		"кезек роддом операция задержан пара взятка вакцина кызылча корь инсулин скорая ооруканада врачей больнице проверка")
	latencyPhrases = []string{`"министерство здравоохранения"`, `"главный врач"`, `"саламаттык сактоо"`, `"скорой помощи"`, `"төрөт үйү"`}
)

// searchLatencies measures p50 and p99 of each kind of query over the 30
// days before end: the archive's last month, or with an end inside a month
// two months' shards.
func searchLatencies(b *testing.B, x *Index, end time.Time, label string) {
	rng := rand.New(rand.NewPCG(7, 7))
	word := func() string { return latencyWords[rng.IntN(len(latencyWords))] }
	kinds := []struct {
		name   string
		query  func() string
		facets bool
	}{
		{"term", word, false},
		{"phrase", func() string { return latencyPhrases[rng.IntN(len(latencyPhrases))] }, false},
		{"boolean", func() string { return fmt.Sprintf("(%s OR %s) AND %s AND NOT %s", word(), word(), word(), word()) }, false},
		{"faceted", word, true},
	}
	const runs = 200
	since := end.AddDate(0, 0, -30)
	for _, k := range kinds {
		var lat []time.Duration
		var hits uint64
		for range runs {
			req := Request{Query: k.query(), Since: since, Until: end}
			if k.facets {
				req.Facets = FacetFields
				req.Histogram = true
			}
			t0 := time.Now()
			res, err := x.Search(context.Background(), req)
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
			hits += res.Total
		}
		slices.Sort(lat)
		p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
		b.Logf("%s%-8s p50 %6.1f ms  p99 %6.1f ms  (%d hits on average)", label, k.name, ms(p50), ms(p99), hits/runs)
		switch label {
		case "":
			b.ReportMetric(ms(p50), k.name+"-p50-ms")
			b.ReportMetric(ms(p99), k.name+"-p99-ms")
		case "two-month ":
			b.ReportMetric(ms(p99), "two-month-"+k.name+"-p99-ms")
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mb(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/(1<<20)) }

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// resetPeakRSS starts the kernel's peak-RSS count afresh (Linux).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident set since the last reset.
func peakRSS() int64 { return statusKB("VmHWM:") }

// statusKB reads one field of /proc/self/status, in bytes.
func statusKB(field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
