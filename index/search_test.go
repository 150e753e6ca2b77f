package index_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"kuzot/index"
	"kuzot/rules"
	"kuzot/store"
)

// keysOf maps hits back to corpus keys, sorted.
func keysOf(t *testing.T, res *index.Result, ids map[string]int64) []string {
	t.Helper()
	byID := map[int64]string{}
	for k, id := range ids {
		byID[id] = k
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, byID[h.Article.ID])
	}
	slices.Sort(out)
	return out
}

func TestSearchWordForms(t *testing.T) {
	x, _, ids := openCorpus(t)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		// Russian word forms: врач, врачи, врачей, врача, врачу.
		{"врач", []string{"ru-arrest", "ru-doctors", "ru-error", "ru-near", "ru-yo"}},
		{"врачей", []string{"ru-arrest", "ru-doctors", "ru-error", "ru-near", "ru-yo"}},
		{"больница", []string{"ru-arrest", "ru-covid", "ru-doctors", "ru-xray", "ru-yo"}},
		{"ошибкой", []string{"ru-error", "ru-football", "ru-near"}},
		// Kyrgyz word forms: оорукана, ооруканада, ооруканасында, ооруканадан, ооруканага.
		{"оорукана", []string{"ky-doctor", "ky-hospital"}},
		{"ооруканасында", []string{"ky-doctor", "ky-hospital"}},
		{"дарыгерлердин", []string{"ky-doctor", "ky-hospital"}},
		{"бейтап", []string{"ky-doctor", "ky-hospital", "ky-medicine"}},
		{"дарыкана", []string{"ky-medicine"}},
		// ё is е.
		{"отвез", []string{"ru-yo"}},
		{"отвёз", []string{"ru-yo"}},
		// English is stemmed too.
		{"doctor", []string{"en-outbreak"}},
		// Exact forms and prefixes.
		{"=врачи", []string{"ru-error", "ru-near"}},
		{"=врача", []string{"ru-arrest", "ru-doctors"}},
		{"ооруката*", nil},
		{"ооруканас*", []string{"ky-doctor", "ky-hospital"}},
		{"рентген*", []string{"ru-xray"}},
		// Phrases in word forms, hyphenated words as phrases.
		{`"врачебная ошибка"`, []string{"ru-error"}},
		{`"врачебной ошибки"`, []string{"ru-error"}},
		{`"ошибка врачебная"`, nil},
		{"дары-дармек", []string{"ky-medicine"}},
		{"covid-19", []string{"ru-covid"}},
		{`"главного врача"`, []string{"ru-arrest", "ru-doctors"}},
		// Boolean logic and the negative context of a crisis.
		{"ошибка AND NOT (вратарь OR матч)", []string{"ru-error", "ru-near"}},
		{"ошибка NOT вратарь", []string{"ru-error", "ru-near"}},
		{"врач ошибка", []string{"ru-error", "ru-near"}},
		{"дарыгер OR врач", []string{"ky-doctor", "ky-hospital", "ru-arrest", "ru-doctors", "ru-error", "ru-near", "ru-yo"}},
		{"NOT врач AND больница", []string{"ru-covid", "ru-xray"}},
		// NEAR/n in either order, within n words.
		// "врачи слишком долго не начинали операцию": five words apart.
		{"врачи NEAR/5 операцию", []string{"ru-near"}},
		{"операцию NEAR/5 врачи", []string{"ru-near"}},
		{"врачи NEAR/4 операцию", nil},
		{"(задержан OR задержали) NEAR/2 врач", []string{"ru-arrest"}},
		{`"главного врача" NEAR/4 вымогательстве`, []string{"ru-arrest"}},
		{"аппарат NEAR/3 снег*", []string{"ru-xray"}},
		// Field scopes and keywords.
		{"title:ошибка", []string{"ru-error", "ru-football"}},
		{"body:ошибка", []string{"ru-error", "ru-football", "ru-near"}},
		{"title:(врач OR врачебная)", []string{"ru-arrest", "ru-doctors", "ru-error", "ru-yo"}},
		{"outlet:azattyk.org", []string{"ky-doctor", "ky-hospital"}},
		{"lang:ky AND дарыгер", []string{"ky-doctor", "ky-hospital"}},
		{"title:(врач NEAR/2 главный)", []string{"ru-arrest"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			res, err := x.Search(context.Background(), index.Request{Query: tc.query, Size: 50})
			if err != nil {
				t.Fatal(err)
			}
			if got := keysOf(t, res, ids); !slices.Equal(got, tc.want) {
				t.Errorf("Search(%s) = %v, want %v", tc.query, got, tc.want)
			}
			if int(res.Total) != len(res.Hits) {
				t.Errorf("Total = %d with %d hits", res.Total, len(res.Hits))
			}
		})
	}
}

func TestSearchBadQuery(t *testing.T) {
	x, _, _ := openCorpus(t)
	for _, q := range []string{"врач AND", `"врачебная ошибка`, "(врач", "foo:bar", "врач NEAR/0 ошибка"} {
		_, err := x.Search(context.Background(), index.Request{Query: q})
		var se *rules.SyntaxError
		if !errors.Is(err, index.ErrQuery) || !errors.As(err, &se) || se.Line < 1 || se.Col < 1 {
			t.Errorf("Search(%q) error = %v, want a syntax error with a position", q, err)
		}
	}
	if _, err := x.Search(context.Background(), index.Request{Query: "врач", Sort: "size"}); !errors.Is(err, index.ErrQuery) {
		t.Errorf("bad sort: %v", err)
	}
	if _, err := x.Search(context.Background(), index.Request{Query: "врач", Facets: []string{"author"}}); !errors.Is(err, index.ErrQuery) {
		t.Errorf("bad facet: %v", err)
	}
}

func TestSearchFiltersSortPaging(t *testing.T) {
	x, _, ids := openCorpus(t)
	ctx := context.Background()
	res, err := x.Search(ctx, index.Request{Query: "врач", Since: day0.Add(2 * 24 * time.Hour), Until: day0.Add(10*24*time.Hour + time.Hour), Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keysOf(t, res, ids), []string{"ru-arrest", "ru-near"}; !slices.Equal(got, want) {
		t.Errorf("since/until: %v, want %v", got, want)
	}
	res, err = x.Search(ctx, index.Request{Query: "врач OR дарыгер", Outlets: []string{"24.kg", "Azattyk.org"}, Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keysOf(t, res, ids), []string{"ky-doctor", "ky-hospital", "ru-doctors", "ru-near"}; !slices.Equal(got, want) {
		t.Errorf("outlet filter: %v, want %v", got, want)
	}
	res, err = x.Search(ctx, index.Request{Query: "врач OR дарыгер", Langs: []string{"ky"}, Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keysOf(t, res, ids), []string{"ky-doctor", "ky-hospital"}; !slices.Equal(got, want) {
		t.Errorf("lang filter: %v, want %v", got, want)
	}

	// Date order, newest first, in pages of two.
	var seen []time.Time
	for from := 0; from < 6; from += 2 {
		res, err := x.Search(ctx, index.Request{Query: "врач", Sort: index.SortDate, From: from, Size: 2})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 5 {
			t.Fatalf("total = %d, want 5", res.Total)
		}
		for _, h := range res.Hits {
			seen = append(seen, h.Article.Published)
		}
	}
	if len(seen) != 5 || !slices.IsSortedFunc(seen, func(a, b time.Time) int { return b.Compare(a) }) {
		t.Errorf("date order over pages: %v", seen)
	}
}

func TestSearchFacets(t *testing.T) {
	x, _, _ := openCorpus(t)
	res, err := x.Search(context.Background(), index.Request{Query: "врач OR дарыгер OR бейтап", Facets: []string{index.FieldOutlet, index.FieldLang}, Histogram: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Facets[index.FieldLang], []index.FacetCount{{"ru", 5}, {"ky", 3}}; !slices.Equal(got, want) {
		t.Errorf("lang facet = %v, want %v", got, want)
	}
	if got := res.Facets[index.FieldOutlet]; len(got) == 0 || got[0] != (index.FacetCount{"azattyk.org", 2}) && got[0] != (index.FacetCount{"24.kg", 2}) && got[0] != (index.FacetCount{"kaktus.media", 2}) {
		t.Errorf("outlet facet = %v", got)
	}
	h := res.Dates
	if h == nil || h.Unit != "day" {
		t.Fatalf("histogram = %+v, want days", h)
	}
	// Hits run from day 0 to day 11: twelve days, each holding at most one.
	if len(h.Buckets) != 12 {
		t.Fatalf("%d buckets, want 12: %+v", len(h.Buckets), h.Buckets)
	}
	total := 0
	for i, b := range h.Buckets {
		total += b.Count
		if want := time.Date(2026, 11, 2+i, 0, 0, 0, 0, time.UTC); !b.Start.Equal(want) {
			t.Errorf("bucket %d starts %s, want %s", i, b.Start, want)
		}
	}
	if total != int(res.Total) {
		t.Errorf("histogram counts %d, total %d", total, res.Total)
	}
	if h.Buckets[3].Count != 0 || h.Buckets[0].Count != 1 {
		t.Errorf("day 3 (football) = %d, day 0 = %d", h.Buckets[3].Count, h.Buckets[0].Count)
	}

	// Days are counted in the configured zone: 06:00 UTC is 12:00 in Bishkek.
	bishkek, err := time.LoadLocation("Asia/Bishkek")
	if err != nil {
		t.Skip("no Asia/Bishkek zone here:", err)
	}
	res, err = x.Search(context.Background(), index.Request{Query: "врач", Histogram: true, Location: bishkek})
	if err != nil {
		t.Fatal(err)
	}
	if b := res.Dates.Buckets[0]; b.Start.Location() != bishkek || b.Start.Hour() != 0 || b.Count != 1 {
		t.Errorf("first Bishkek bucket = %+v", b)
	}
}

func TestSearchHighlights(t *testing.T) {
	x, _, ids := openCorpus(t)
	for _, tc := range []struct {
		query, key    string
		title, inBody string
	}{
		{"оорукана", "ky-hospital", "<mark>Ооруканада</mark> дарыгерлер жетишпейт",
			"Нарын облустук <mark>ооруканасында</mark> дарыгерлер жетишпейт. Бейтаптар <mark>ооруканадан</mark>"},
		{"дарыгер", "ky-hospital", "Ооруканада <mark>дарыгерлер</mark> жетишпейт", "жаңы <mark>дарыгер</mark> келген"},
		{`"врачебная ошибка"`, "ru-error", "<mark>Врачебная</mark> <mark>ошибка</mark> в роддоме Бишкека", ""},
		{"врач", "ru-error", "Врачебная ошибка в роддоме Бишкека", "двух <mark>врачей</mark> отстранили от работы. <mark>Врачи</mark> роддома"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			res, err := x.Search(context.Background(), index.Request{Query: tc.query, Size: 50})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				if h.Article.ID != ids[tc.key] {
					continue
				}
				if !strings.Contains(h.TitleHTML, tc.title) {
					t.Errorf("title %q lacks %q", h.TitleHTML, tc.title)
				}
				if !strings.Contains(h.Snippet, tc.inBody) {
					t.Errorf("snippet %q lacks %q", h.Snippet, tc.inBody)
				}
				return
			}
			t.Fatalf("%s not found", tc.key)
		})
	}
}

func TestIndexRebuiltWhenCorrupt(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(dir string) error
	}{
		{"shard", func(dir string) error {
			// The corpus is of November 2026: one shard.
			return os.WriteFile(filepath.Join(dir, "2026-11", "index_meta.json"), []byte("{not json"), 0o644)
		}},
		{"metadata", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "kuzot-index.json"), []byte("{not json"), 0o644)
		}},
		{"old version", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "kuzot-index.json"), []byte(`{"version":"3","layout":"monthly","last_id":12}`), 0o644)
		}},
		{"one index before shards", func(dir string) error {
			if err := os.Remove(filepath.Join(dir, "kuzot-index.json")); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte(`{"storage":"scorch","index_type":"scorch"}`), 0o644)
		}},
		{"stray directory", func(dir string) error { return os.Mkdir(filepath.Join(dir, "backup"), 0o755) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, st, _ := openCorpus(t)
			ctx := context.Background()
			dir := filepath.Join(filepath.Dir(st.Path()), "index")
			if err := x.Close(); err != nil {
				t.Fatal(err)
			}
			if err := tc.damage(dir); err != nil {
				t.Fatal(err)
			}
			var logs strings.Builder
			x2, err := index.Open(dir, st, logTo(&logs))
			if err != nil {
				t.Fatalf("Open over a damaged index: %v", err)
			}
			defer x2.Close()
			if !strings.Contains(logs.String(), "rebuilding") || !strings.Contains(logs.String(), "from the store") {
				t.Errorf("no log line says the index is rebuilt: %q", logs.String())
			}
			if n, err := x2.Sync(ctx, nil); err != nil || n != len(corpus) {
				t.Fatalf("Sync after rebuild = %d, %v", n, err)
			}
			res, err := x2.Search(ctx, index.Request{Query: "оорукана"})
			if err != nil || res.Total != 2 {
				t.Fatalf("search after rebuild: %v, %v", res, err)
			}

			// A second open finds the index whole and syncs nothing more.
			x2.Close()
			logs.Reset()
			x3, err := index.Open(dir, st, logTo(&logs))
			if err != nil {
				t.Fatal(err)
			}
			defer x3.Close()
			if strings.Contains(logs.String(), "rebuilding") {
				t.Errorf("a whole index was rebuilt: %q", logs.String())
			}
			if n, err := x3.Sync(ctx, nil); err != nil || n != 0 {
				t.Fatalf("Sync of an up-to-date index = %d, %v", n, err)
			}
			if x3.LastID() == 0 {
				t.Error("high-water mark lost")
			}
		})
	}
}

func TestReindexAndRunFindNewArticles(t *testing.T) {
	x, st, _ := openCorpus(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); x.Run(ctx) }()

	ids := storeCorpus(t, st, []article{{"ky-new", "kaktus.media", "ky", "Төрөтканада шалаакылык", "Төрөтканадагы дарыгерлердин шалаакылыгы текшерилүүдө.", 12}})
	x.Notify()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := x.Search(ctx, index.Request{Query: "шалаакылык"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total == 1 && res.Hits[0].Article.ID == ids["ky-new"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a new article never became searchable")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done

	var calls int
	n, err := x.Reindex(context.Background(), func(done, total int) { calls++ })
	if err != nil || n != len(corpus)+1 || calls == 0 {
		t.Fatalf("Reindex = %d, %v (%d progress calls)", n, err, calls)
	}
	if c, _ := x.DocCount(); c != uint64(len(corpus)+1) {
		t.Errorf("DocCount after reindex = %d", c)
	}
}

func TestLabelsFilterAndFacet(t *testing.T) {
	ctx := context.Background()
	_, st, ids := openCorpus(t)
	dir := filepath.Join(t.TempDir(), "labelled")
	label := func(_ context.Context, as []*store.Article) ([]index.Labels, error) {
		ls := make([]index.Labels, len(as))
		for i, a := range as {
			switch {
			case a.ID == ids["ru-error"]:
				ls[i] = index.Labels{Categories: []string{"medical_error"}, Rules: []string{"medical-error-ru"}}
			case a.ID == ids["ru-arrest"]:
				ls[i] = index.Labels{Categories: []string{"arrest", "corruption_extortion"}, Rules: []string{"arrest-ru", "extortion-ru"}}
			}
		}
		return ls, nil
	}
	x, err := index.Open(dir, st, quietLog(), index.WithLabels(label))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if _, err := x.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	res, err := x.Search(ctx, index.Request{Categories: []string{"arrest", "medical_error"}, Facets: []string{index.FieldCategory}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keysOf(t, res, ids), []string{"ru-arrest", "ru-error"}; !slices.Equal(got, want) {
		t.Errorf("category filter: %v, want %v", got, want)
	}
	want := []index.FacetCount{{"arrest", 1}, {"corruption_extortion", 1}, {"medical_error", 1}}
	if got := res.Facets[index.FieldCategory]; !slices.Equal(got, want) {
		t.Errorf("category facet = %v, want %v", got, want)
	}
	// Relabelling an article moves it between categories.
	a, _ := st.Article(ctx, ids["ru-error"])
	if err := x.Relabel(ctx, a, index.Labels{Categories: []string{"ethics"}, Story: "s42"}); err != nil {
		t.Fatal(err)
	}
	res, err = x.Search(ctx, index.Request{Query: "ошибка", Categories: []string{"ethics"}})
	if err != nil || res.Total != 1 || res.Hits[0].Article.ID != ids["ru-error"] {
		t.Errorf("after relabel: %+v, %v", res, err)
	}
	// ...and into its story.
	res, err = x.Search(ctx, index.Request{Stories: []string{"s42", "s7"}})
	if err != nil || res.Total != 1 || res.Hits[0].Article.ID != ids["ru-error"] {
		t.Errorf("story filter: %+v, %v", res, err)
	}
}

func TestSnippetIsOneLine(t *testing.T) {
	text := "Первый абзац о больнице.\n\nВторой абзац:  врачи   ушли.\n\n" + strings.Repeat("Ещё текст без совпадений. ", 30)
	got := index.Snippet(text, []index.Span{{Start: strings.Index(text, "врачи"), End: strings.Index(text, "врачи") + len("врачи")}}, 120)
	if strings.ContainsAny(got, "\n\t") || strings.Contains(got, "  ") || !strings.Contains(got, "абзац: <mark>врачи</mark> ушли.") || !strings.HasSuffix(got, "…") {
		t.Errorf("Snippet = %q", got)
	}
	if got := index.Mark("a < b & <script>", []index.Span{{Start: 0, End: 1}}); got != "<mark>a</mark> &lt; b &amp; &lt;script&gt;" {
		t.Errorf("Mark escapes badly: %q", got)
	}
}
