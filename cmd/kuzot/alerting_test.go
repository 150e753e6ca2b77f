package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"kuzot/index"
	"kuzot/store"
)

// TestIndexCounterMentions counts a query's articles in a period, with as
// many samples as asked for and none when none are.
func TestIndexCounterMentions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "kuzot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hour := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var arts []*store.Article
	for i := range 25 {
		arts = append(arts, &store.Article{URL: fmt.Sprintf("https://24.kg/n/%d", i), SourceID: "24kg", Outlet: "24.kg", Lang: "ru",
			Title: fmt.Sprintf("Минздрав сообщил новость %d", i), Body: "Текст.", Published: hour.Add(time.Duration(i) * time.Minute),
			Fetched: hour, ContentHash: fmt.Sprint(i)})
	}
	if _, err := st.SaveArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	x, err := index.Open(filepath.Join(dir, "index"), st, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if _, err := x.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	c := indexCounter{x: x}
	for _, sample := range []int{0, 3} {
		n, got, err := c.Mentions(ctx, "минздрав", hour, hour.Add(time.Hour), sample)
		if err != nil || n != 25 || len(got) != sample {
			t.Errorf("sample %d: %d mentions, %d samples, %v; want 25 and %d", sample, n, len(got), err, sample)
		}
	}
}
