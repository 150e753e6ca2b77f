package index_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"kuzot/index"
)

// months is a corpus spread over four months (day 0 is 2 November 2026):
// the same word in each, so every search below spans shards.
var months = []article{
	{"sep", "kaktus.media", "ru", "Очередь в поликлинике", "Пациенты жалуются на очередь в поликлинике.", -50},
	{"oct-a", "24.kg", "ru", "Очереди в больнице", "В больнице снова очереди к врачу.", -20},
	{"oct-b", "azattyk.org", "ky", "Ооруканада кезек", "Бейтаптар ооруканада кезекте турушат. Очередь.", -2},
	{"nov-a", "kaktus.media", "ru", "Очередь за инсулином", "Очередь за инсулином растет.", 3},
	{"nov-b", "24.kg", "ru", "Без очереди", "Врачи принимают без очереди.", 27},
	{"dec", "kaktus.media", "ru", "Очереди в декабре", "Очереди в поликлиниках не уменьшились.", 31},
}

func TestMonthlyShards(t *testing.T) {
	ctx := context.Background()
	x, st, ids := openStored(t, months)
	dir := filepath.Join(filepath.Dir(st.Path()), "index")
	for _, m := range []string{"2026-09", "2026-10", "2026-11", "2026-12"} {
		if fi, err := os.Stat(filepath.Join(dir, m)); err != nil || !fi.IsDir() {
			t.Errorf("no shard for %s: %v", m, err)
		}
	}
	if n, err := x.DocCount(); err != nil || n != uint64(len(months)) {
		t.Errorf("DocCount = %d, %v; want %d", n, err, len(months))
	}
	at := func(day int) time.Time { return day0.Add(time.Duration(day) * 24 * time.Hour) }
	search := func(req index.Request) []string {
		t.Helper()
		req.Query = "очередь"
		res, err := x.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if int(res.Total) != len(res.Hits) && req.Size == 0 {
			t.Errorf("%+v: total %d, %d hits", req, res.Total, len(res.Hits))
		}
		return keysOf(t, res, ids)
	}
	for _, tc := range []struct {
		name         string
		since, until time.Time
		want         []string
	}{
		{"all time", time.Time{}, time.Time{}, []string{"dec", "nov-a", "nov-b", "oct-a", "oct-b", "sep"}},
		{"across two months", at(-3), at(4), []string{"nov-a", "oct-b"}},
		{"since only", at(20), time.Time{}, []string{"dec", "nov-b"}},
		{"until only, exclusive", time.Time{}, at(-20), []string{"sep"}},
		{"inside one month", at(1), at(26), []string{"nov-a"}},
		{"no shard", at(400), at(430), nil},
		{"before the first shard", at(-400), at(-300), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := search(index.Request{Since: tc.since, Until: tc.until}); !slices.Equal(got, tc.want) {
				t.Errorf("hits %v, want %v", got, tc.want)
			}
		})
	}

	// Newest first across shards, page by page.
	var order []string
	for from := 0; from < len(months); from += 2 {
		res, err := x.Search(ctx, index.Request{Query: "очередь", Sort: index.SortDate, From: from, Size: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			order = append(order, h.Article.URL)
		}
	}
	want := []string{"dec", "nov-b", "nov-a", "oct-b", "oct-a", "sep"}
	for i := range want {
		want[i] = "https://" + months[slices.IndexFunc(months, func(a article) bool { return a.key == want[i] })].outlet + "/news/" + want[i]
	}
	if !slices.Equal(order, want) {
		t.Errorf("by date across shards:\n got %v\nwant %v", order, want)
	}

	// Facets and the histogram add up across shards.
	res, err := x.Search(ctx, index.Request{Query: "очередь", Since: at(-30), Until: at(35), Facets: index.FacetFields, Histogram: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 5 {
		t.Errorf("total %d, want 5", res.Total)
	}
	outlets := map[string]int{}
	for _, f := range res.Facets[index.FieldOutlet] {
		outlets[f.Value] = f.Count
	}
	if outlets["kaktus.media"] != 2 || outlets["24.kg"] != 2 || outlets["azattyk.org"] != 1 {
		t.Errorf("outlet facet %v", res.Facets[index.FieldOutlet])
	}
	sum := 0
	for _, b := range res.Dates.Buckets {
		sum += b.Count
	}
	if res.Dates.Unit != "day" || sum != 5 {
		t.Errorf("histogram %s adds up to %d, want day and 5", res.Dates.Unit, sum)
	}

	// A period no shard holds answers with nothing, facets and histogram
	// included, not an error.
	res, err = x.Search(ctx, index.Request{Query: "очередь", Since: at(400), Until: at(410), Facets: index.FacetFields, Histogram: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 || len(res.Hits) != 0 || len(res.Dates.Buckets) != 11 || len(res.Facets[index.FieldOutlet]) != 0 {
		t.Errorf("empty period: %+v", res)
	}
}

// A relabelled article is found in its own month with its new labels, once.
func TestRelabelInOldShard(t *testing.T) {
	ctx := context.Background()
	x, st, ids := openStored(t, months)
	a, err := st.Article(ctx, ids["sep"])
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Relabel(ctx, a, index.Labels{Categories: []string{"queues_closures"}}); err != nil {
		t.Fatal(err)
	}
	res, err := x.Search(ctx, index.Request{Categories: []string{"queues_closures"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(t, res, ids); !slices.Equal(got, []string{"sep"}) {
		t.Errorf("relabelled search %v", got)
	}
	if n, _ := x.DocCount(); n != uint64(len(months)) {
		t.Errorf("DocCount after relabel = %d, want %d", n, len(months))
	}
	// A newly stored article of an old month goes to that month's shard.
	late := storeCorpus(t, st, []article{{"late", "kabar.kg", "ru", "Очередь в сентябре", "Очередь.", -55}})
	if n, err := x.Sync(ctx, nil); err != nil || n != 1 {
		t.Fatalf("Sync = %d, %v", n, err)
	}
	res, err = x.Search(ctx, index.Request{Query: "очередь", Since: day0.AddDate(0, 0, -60), Until: day0.AddDate(0, 0, -40)})
	if err != nil {
		t.Fatal(err)
	}
	ids["late"] = late["late"]
	if got := keysOf(t, res, ids); !slices.Equal(got, []string{"late", "sep"}) {
		t.Errorf("September %v", got)
	}
}
