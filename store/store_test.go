package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "kuzot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)

func article(url, hash string) *Article {
	return &Article{URL: url, SourceID: "src", Outlet: "kaktus.media", Lang: "ru", Title: "Заголовок " + url,
		Body: "Текст", Published: t0, Fetched: t0.Add(time.Minute), ContentHash: hash}
}

func TestMigrateIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kuzot.db")
	for i := 0; i < 2; i++ {
		s, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		s.Close()
	}
}

// A migration numbered below the newest applied one (two changes that
// each added one) is applied all the same.
func TestMigrationMissedInTheMiddleIsApplied(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kuzot.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`DROP TABLE alert_events; DROP TABLE threads; DROP TABLE outbox; DROP TABLE alerts;
		DROP TABLE story_articles; DROP TABLE alerting_state; DELETE FROM schema_migrations WHERE version = 3`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Alerts(context.Background(), AlertFilter{}); err != nil {
		t.Fatalf("migration 3 was not applied again: %v", err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kuzot.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`INSERT INTO schema_migrations (version, applied) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "schema version 999") {
		t.Fatalf("opening a newer database: %v", err)
	}
}

func TestSaveArticlesDeduplicates(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	res, err := s.SaveArticles(ctx, []*Article{article("https://kaktus.media/doc/1.html", "h1"), article("https://kaktus.media/doc/2.html", "h2")})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Inserted || !res[1].Inserted {
		t.Fatalf("first save: %+v", res)
	}
	// The same URL again, and the same text republished by another outlet.
	again := article("https://kaktus.media/doc/1.html", "h1-changed")
	copied := article("https://24.kg/copy.html", "h2")
	copied.Outlet, copied.SourceID = "24.kg", "24-kg"
	res2, err := s.SaveArticles(ctx, []*Article{again, copied})
	if err != nil {
		t.Fatal(err)
	}
	if res2[0].Inserted || !res2[0].Duplicate || res2[0].ID != res[0].ID {
		t.Errorf("same URL: %+v", res2[0])
	}
	if res2[1].Inserted || !res2[1].Duplicate || res2[1].ID != res[1].ID {
		t.Errorf("same content: %+v", res2[1])
	}
	if n, _ := s.CountArticles(ctx); n != 2 {
		t.Errorf("articles stored = %d, want 2", n)
	}
	// The republishing outlet's URL is known and leads to the original.
	a, err := s.ArticleByURL(ctx, "https://24.kg/copy.html")
	if err != nil || a.ID != res[1].ID {
		t.Errorf("sighting lookup: %v %+v", err, a)
	}
	known, err := s.KnownURLs(ctx, []string{"https://kaktus.media/doc/1.html", "https://24.kg/copy.html", "https://x/none"})
	if err != nil {
		t.Fatal(err)
	}
	if !known["https://kaktus.media/doc/1.html"] || !known["https://24.kg/copy.html"] || known["https://x/none"] {
		t.Errorf("known = %v", known)
	}
	got, err := s.Article(ctx, res[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Published.Equal(t0) || got.Published.Location() != time.UTC || got.Outlet != "kaktus.media" {
		t.Errorf("round trip: %+v", got)
	}
	if _, err := s.Article(ctx, 12345); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing article: %v", err)
	}
}

func TestSaveArticlesRejectsIncomplete(t *testing.T) {
	s := openTest(t)
	_, err := s.SaveArticles(context.Background(), []*Article{article("https://a/1", "h1"), {Title: "no url"}})
	if err == nil {
		t.Fatal("saved an article without URL")
	}
	// The batch is one transaction: nothing of it was stored.
	if n, _ := s.CountArticles(context.Background()); n != 0 {
		t.Errorf("a failed batch left %d articles", n)
	}
}

func TestConcurrentSaves(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				u := fmt.Sprintf("https://site/%d/%d", w, i)
				if _, err := s.SaveArticles(ctx, []*Article{article(u, u)}); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.KnownURLs(ctx, []string{u}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n, _ := s.CountArticles(ctx); n != 200 {
		t.Errorf("stored %d, want 200", n)
	}
}

func TestEachArticlePages(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	var batch []*Article
	for i := 0; i < 2500; i++ {
		u := fmt.Sprintf("https://site/%d", i)
		batch = append(batch, article(u, u))
	}
	if _, err := s.SaveArticles(ctx, batch); err != nil {
		t.Fatal(err)
	}
	var seen int
	var last int64
	err := s.EachArticle(ctx, 0, func(a *Article) error {
		if a.ID <= last {
			t.Fatalf("ids not increasing: %d after %d", a.ID, last)
		}
		last = a.ID
		seen++
		return nil
	})
	if err != nil || seen != 2500 {
		t.Fatalf("saw %d articles, err %v", seen, err)
	}
}

func TestSourceState(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	st, err := s.SourceState(ctx, "kaktus-media")
	if err != nil || st.ID != "kaktus-media" || !st.NextCheck.IsZero() {
		t.Fatalf("never-polled source: %+v %v", st, err)
	}
	st = SourceState{ID: "kaktus-media", ETag: `"abc"`, LastModified: "Fri, 20 Nov 2026 08:00:00 GMT", NextCheck: t0.Add(5 * time.Minute),
		LastFetch: t0, LastSuccess: t0, LastStatus: "ok", ErrorCount: 0, ItemsSeen: 42, Cursor: "1234"}
	if err := s.SaveSourceState(ctx, st); err != nil {
		t.Fatal(err)
	}
	st.ErrorCount, st.LastError, st.LastStatus = 2, "crawler: fetch https://kaktus.media/: http 503", "http 503"
	if err := s.SaveSourceState(ctx, st); err != nil {
		t.Fatal(err)
	}
	all, err := s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := all["kaktus-media"]
	if got.ErrorCount != 2 || got.LastStatus != "http 503" || got.ETag != `"abc"` || !got.NextCheck.Equal(st.NextCheck) || got.Cursor != "1234" {
		t.Errorf("state round trip: %+v", got)
	}
}

func TestRecentCountsAndPublishingTimes(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	now := t0.Add(10 * 24 * time.Hour)
	var batch []*Article
	for i, age := range []time.Duration{time.Hour, 20 * time.Hour, 3 * 24 * time.Hour, 9 * 24 * time.Hour} {
		a := article(fmt.Sprintf("https://a/%d", i), fmt.Sprint(i))
		a.Fetched, a.Published = now.Add(-age), now.Add(-age)
		batch = append(batch, a)
	}
	if _, err := s.SaveArticles(ctx, batch); err != nil {
		t.Fatal(err)
	}
	c, err := s.RecentCounts(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if c["src"] != (SourceCounts{Day: 2, Week: 3}) {
		t.Errorf("counts = %+v, want 2 in a day, 3 in a week", c["src"])
	}
	times, err := s.PublishedSince(ctx, "src", now.Add(-7*24*time.Hour))
	if err != nil || len(times) != 3 || !times[0].Before(times[2]) {
		t.Errorf("published since: %v %v", times, err)
	}
}

func TestFetchFailures(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	f := FetchFailure{URL: "https://a/broken", SourceID: "src", LastError: "http 404", RetryAt: t0}
	for i := 0; i < 2; i++ {
		if err := s.RecordFetchFailure(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.FetchFailures(ctx, []string{"https://a/broken", "https://a/fine"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["https://a/broken"].Attempts != 2 || !got["https://a/broken"].RetryAt.Equal(t0) || got["https://a/broken"].SourceID != "src" {
		t.Errorf("failures = %+v", got)
	}
	// Over a chunk's worth of URLs, the failures among them all come back.
	var many []string
	for i := range 1200 {
		u := fmt.Sprintf("https://a/%d", i)
		many = append(many, u)
		if i%300 == 7 {
			if err := s.RecordFetchFailure(ctx, FetchFailure{URL: u, SourceID: "src", LastError: "http 503", RetryAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got, err := s.FetchFailures(ctx, append(many, "https://a/broken")); err != nil || len(got) != 5 || got["https://a/907"].LastError != "http 503" {
		t.Errorf("failures among 1201 URLs: %d found, %v", len(got), err)
	}
	if err := s.ClearFetchFailure(ctx, "https://a/broken"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FetchFailures(ctx, []string{"https://a/broken"}); len(got) != 0 {
		t.Errorf("cleared failure still there: %+v", got)
	}
}

func TestOpenUsesWAL(t *testing.T) {
	s := openTest(t)
	for name, db := range map[string]*sql.DB{"writer": s.w, "reader": s.r} {
		var mode string
		if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Errorf("%s journal_mode = %q, want wal", name, mode)
		}
	}
}
