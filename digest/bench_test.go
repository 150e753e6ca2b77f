package digest_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"kuzot/config"
	"kuzot/digest"
	"kuzot/index"
	"kuzot/store"
	"kuzot/synth"
)

// BenchmarkDigest100k computes and renders the weekly digest (figures,
// watch-list counts through the bleve index, chart, text and HTML) over a
// store of 100,000 synthetic articles (KUZOT_DIGEST_N to change it) spread
// over the ten weeks before the digest's week end, 6% of them matched:
//
//	go test ./digest -run '^$' -bench '^BenchmarkDigest100k$' -benchtime 5x -timeout 30m
//
// Seeding (one transaction) and indexing are set-up, not timed.
func BenchmarkDigest100k(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("KUZOT_DIGEST_N")); err == nil && v > 0 {
		n = v
	}
	cfg := testConfig(b, config.SMTP{Host: "127.0.0.1", Port: 25}, "ru")
	ctx := context.Background()
	path := filepath.Join(cfg.DataDir, "kuzot.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	seedSynth(b, path, n)
	b.Logf("seeded %d articles in %s", n, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	x, err := index.Open(filepath.Join(cfg.DataDir, "index"), st, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	if _, err := x.Sync(ctx, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("indexed in %s", time.Since(start).Round(time.Millisecond))
	r := runnerWith(b, &fixture{st: st, x: x, cfg: cfg}, nil, digest.Options{})
	b.ResetTimer()
	for b.Loop() {
		d, err := r.Preview(ctx, weekFrom, weekTo)
		if err != nil {
			b.Fatal(err)
		}
		if d.Figures.Categorised.Cur == 0 || d.Figures.Articles == 0 {
			b.Fatalf("empty figures: %+v", d.Figures)
		}
	}
}

// seedSynth writes n synthetic articles, their matches and stories straight
// into the database in one transaction: SaveArticles's per-article
// duplicate lookups are not what is measured.
func seedSynth(b *testing.B, path string, n int) {
	g := synth.New(synth.Config{Seed: 7, Start: weekTo.AddDate(0, 0, -70), End: weekTo, N: n})
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=synchronous(OFF)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	art, _ := tx.Prepare(`INSERT INTO articles (id, url, source_id, outlet, lang, title, body, published, fetched, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	match, _ := tx.Prepare(`INSERT INTO matches (article_id, rule_id, category, severity, score, decision, evidence, scored) VALUES (?, ?, ?, 'high', ?, 'alert', '[]', 0)`)
	story, _ := tx.Prepare(`INSERT INTO story_articles (article_id, story_id, added) VALUES (?, ?, 0)`)
	for i := 0; i < n; i++ {
		a := g.Article(i)
		id := int64(i + 1)
		pub := a.Published.UnixMilli()
		if _, err := art.Exec(id, fmt.Sprintf("https://%s/a/%d", a.Outlet, i), a.Outlet, a.Outlet, a.Lang, a.Title, a.Body, pub, pub, strconv.Itoa(i)); err != nil {
			b.Fatal(err)
		}
		// 6% matched, in a category drawn from the article number; one
		// in three of those in a story of about five articles.
		if h := uint64(i) * 2654435761 % 1000; h < 60 {
			cat := config.Categories[h%uint64(len(config.Categories))]
			if _, err := match.Exec(id, cat, cat, 2+float64(h%80)/10); err != nil {
				b.Fatal(err)
			}
			if h%3 == 0 {
				if _, err := story.Exec(id, fmt.Sprintf("story-%d", i/97)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
