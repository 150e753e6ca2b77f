package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"kuzot/rules"
	"kuzot/store"
)

// TestScoreArticlesInBatches checks the index's label function, which
// matches a batch of articles together, against scoring each article
// alone: the same matches, scores and evidence are stored for every
// article, in a batch longer than the matcher's.
func TestScoreArticlesInBatches(t *testing.T) {
	ctx := context.Background()
	_, set := loadShippedRules(t)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "kuzot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	texts := []struct{ lang, title, body string }{
		{"ru", "В роддоме Бишкека роженице ввели антисептик вместо лекарства", "Врачебная ошибка в роддоме: пациентке по ошибке ввели антисептик, её состояние тяжёлое."},
		{"ky", "Ооруканада дарыгерлер кармалды", "Бейтаптардан акча талап кылган үч дарыгер кармалды, деп билдирди ИИМ."},
		{"ru", "Футболист ошибся в финале", "Нападающий допустил ошибку, и команда проиграла."},
		{"ru", "В больнице нет инсулина", "Пациенты жалуются на нехватку инсулина в городской больнице уже вторую неделю."},
		{"ky", "Жаңы мектеп ачылды", "Райондо жаңы мектеп ачылып, окуучулар сабакка келишти."},
	}
	hour := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var arts []*store.Article
	for i := range rules.BatchSize + 11 {
		x := texts[i%len(texts)]
		arts = append(arts, &store.Article{URL: fmt.Sprintf("https://24.kg/n/%d", i), SourceID: "24kg", Outlet: "24.kg", Lang: x.lang,
			Title: x.title, Body: fmt.Sprintf("%s (%d)", x.body, i), Published: hour.Add(time.Duration(i) * time.Minute),
			Fetched: hour, ContentHash: fmt.Sprint(i)})
	}
	if _, err := st.SaveArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	var saved []*store.Article
	if err := st.EachArticle(ctx, 0, func(a *store.Article) error { saved = append(saved, a); return nil }); err != nil {
		t.Fatal(err)
	}
	label := set.scoreArticles(st, func() time.Time { return hour }, nil)
	ls, err := label(ctx, saved)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != len(saved) {
		t.Fatalf("%d labels for %d articles", len(ls), len(saved))
	}
	matched := 0
	for i, a := range saved {
		var want []string
		for _, m := range set.score(a.Title, a.Body, a.Outlet, a.Lang) {
			if m.Decision >= rules.Digest {
				want = append(want, fmt.Sprintf("%s %.3f %s %v", m.Rule.ID, m.Score, m.Decision, m.Evidence))
			}
		}
		stored, err := st.Matches(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range stored {
			var ev []rules.Evidence
			if err := json.Unmarshal([]byte(m.Evidence), &ev); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s %.3f %s %v", m.RuleID, m.Score, m.Decision, ev))
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("article %d (%q): stored %q, alone %q", i, a.Title, got, want)
		}
		if len(ls[i].Rules) != len(want) {
			t.Errorf("article %d: labelled with rules %v, %d matches", i, ls[i].Rules, len(want))
		}
		matched += len(want)
	}
	if matched < len(saved)/2 {
		t.Fatalf("only %d matches in %d articles: the test says little", matched, len(saved))
	}
}
