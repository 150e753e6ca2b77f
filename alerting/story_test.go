package alerting

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"kuzot/synth"
)

// labelled is one article of testdata/stories.yaml.
type labelled struct {
	ID        int64  `yaml:"id"`
	Event     string `yaml:"event"`
	Outlet    string `yaml:"outlet"`
	Lang      string `yaml:"lang"`
	Title     string `yaml:"title"`
	Lead      string `yaml:"lead"`
	Published string `yaml:"published"`

	item Item
}

// loadSet reads the labelled set in publication order, the order in which
// a crawler would meet the articles.
func loadSet(t testing.TB) []labelled {
	t.Helper()
	data, err := os.ReadFile("testdata/stories.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var set []labelled
	if err := dec.Decode(&set); err != nil {
		t.Fatalf("stories.yaml: %v", err)
	}
	ids := make(map[int64]bool)
	for i := range set {
		a := &set[i]
		p, err := time.Parse(time.RFC3339, a.Published)
		if err != nil {
			t.Fatalf("stories.yaml: article %d: %v", a.ID, err)
		}
		if ids[a.ID] || a.Event == "" || a.Title == "" || a.Lead == "" || a.Outlet == "" {
			t.Fatalf("stories.yaml: article %d: duplicate id or empty field", a.ID)
		}
		ids[a.ID] = true
		a.item = Item{ID: a.ID, Outlet: a.Outlet, Lang: a.Lang, Title: a.Title, Lead: a.Lead, Published: p.UTC()}
	}
	slices.SortStableFunc(set, func(a, b labelled) int { return a.item.Published.Compare(b.item.Published) })
	return set
}

// pairs is the pairwise comparison of a grouping with the labels.
type pairs struct {
	tp, fp, fn         int // together and same event; together, different; apart, same
	crossTP, crossSame int // the same for pairs of a Russian and a Kyrgyz article
	wrong, missed      []string
}

func (p pairs) precision() float64 { return ratio(p.tp, p.tp+p.fp) }
func (p pairs) recall() float64    { return ratio(p.tp, p.tp+p.fn) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// background is the number of synthetic articles a warmed grouper has seen.
const background = 2000

var warmed = sync.OnceValue(func() *Grouper {
	g := NewGrouper(0)
	gen := synth.New(synth.Config{Seed: 3, Start: t0.Add(-30 * 24 * time.Hour), End: t0.Add(-4 * 24 * time.Hour), N: background})
	for n := range background {
		g.Add(synthItem(gen, n))
	}
	g.Expire(t0)
	return g
})

// newWarmGrouper returns a grouper that has seen a month of synthetic news
// before the labelled set, as a running grouper has seen the news before,
// and forgotten their stories: what remains is the document frequencies of
// everyday words.
func newWarmGrouper() *Grouper {
	w := warmed()
	g := NewGrouper(0)
	g.df, g.docs = maps.Clone(w.df), w.docs
	return g
}

// group adds the articles of set to g and returns the story of each.
func group(g *Grouper, set []labelled) map[int64]string {
	story := make(map[int64]string)
	for _, a := range set {
		s, _ := g.Add(a.item)
		story[a.ID] = s.ID
	}
	return story
}

// compare compares every pair of articles of set grouped into story with
// their labels.
func compare(set []labelled, story map[int64]string) pairs {
	var p pairs
	for i, a := range set {
		for _, b := range set[i+1:] {
			same, together := a.Event == b.Event, story[a.ID] == story[b.ID]
			switch {
			case same && together:
				p.tp++
			case together:
				p.fp++
				p.wrong = append(p.wrong, fmt.Sprintf("%d %s + %d %s", a.ID, a.Event, b.ID, b.Event))
			case same:
				p.fn++
				p.missed = append(p.missed, fmt.Sprintf("%d+%d %s (%s/%s)", a.ID, b.ID, a.Event, a.Lang, b.Lang))
			}
			if same && a.Lang != b.Lang {
				p.crossSame++
				if together {
					p.crossTP++
				}
			}
		}
	}
	return p
}

// evaluate groups set with g and compares every pair of articles.
func evaluate(g *Grouper, set []labelled) pairs {
	return compare(set, group(g, set))
}

// holdoutID is where the holdout articles begin: written after the method
// was fixed and never tuned on.
const holdoutID = 1000

func split(set []labelled) (tune, holdout []labelled) {
	for _, a := range set {
		if a.ID < holdoutID {
			tune = append(tune, a)
		} else {
			holdout = append(holdout, a)
		}
	}
	return tune, holdout
}

func (p pairs) String() string {
	return fmt.Sprintf("precision %.3f (%d/%d), recall %.3f (%d/%d); ru–ky pairs recall %.3f (%d/%d)",
		p.precision(), p.tp, p.tp+p.fp, p.recall(), p.tp, p.tp+p.fn, ratio(p.crossTP, p.crossSame), p.crossTP, p.crossSame)
}

// TestGroupingPrecisionRecall measures the grouping of the labelled set
// pairwise: of the pairs of articles put in one story, the share about
// one event (precision), and of the pairs about one event, the share put
// in one story (recall). The figures that count are those of a grouper
// that has seen the news of the month before, as a running one has; those
// of a cold start, whose first articles meet flat weights, are logged too.
func TestGroupingPrecisionRecall(t *testing.T) {
	set := loadSet(t)
	tune, holdout := split(set)
	events := make(map[string]int)
	for _, a := range set {
		events[a.Event]++
	}
	multi := 0
	for _, n := range events {
		if n > 1 {
			multi++
		}
	}
	t.Logf("%d articles (%d tune, %d holdout), %d events, %d of them reported more than once", len(set), len(tune), len(holdout), len(events), multi)

	cold := group(NewGrouper(0), set)
	t.Logf("cold start, tune:      %v", compare(tune, cold))
	t.Logf("cold start, holdout:   %v", compare(holdout, cold))
	warm := group(newWarmGrouper(), set)
	pt, ph, all := compare(tune, warm), compare(holdout, warm), compare(set, warm)
	t.Logf("warm, tune:            %v", pt)
	t.Logf("warm, holdout:         %v", ph)
	t.Logf("warm, all:             %v", all)
	for _, w := range all.wrong {
		t.Logf("wrongly together: %s", w)
	}
	for _, m := range all.missed {
		t.Logf("missed: %s", m)
	}
	if all.precision() < 0.9 || all.recall() < 0.8 {
		t.Errorf("precision %.3f, recall %.3f: want ≥ 0.9 and ≥ 0.8", all.precision(), all.recall())
	}
}

// TestTune prints the figures over a grid of the Grouper's parameters:
// ALERTING_TUNE=1 go test -run TestTune -v ./alerting
func TestTune(t *testing.T) {
	if os.Getenv("ALERTING_TUNE") == "" {
		t.Skip("set ALERTING_TUNE=1 to tune")
	}
	set, _ := split(loadSet(t))
	type result struct {
		f    float64
		line string
	}
	var rs []result
	for _, nb := range []float64{1, 2, 3, 4} {
		for _, minShared := range []int{1, 2, 3} {
			for th := 0.2; th < 0.5; th += 0.025 {
				g := newWarmGrouper()
				g.nameBoost, g.minShared, g.threshold = nb, minShared, th
				p := evaluate(g, set)
				f := 2 * p.precision() * p.recall() / (p.precision() + p.recall())
				rs = append(rs, result{f, fmt.Sprintf("names ×%.0f, %d shared, threshold %.3f: P %.3f R %.3f F %.3f ru–ky %.2f",
					nb, minShared, th, p.precision(), p.recall(), f, ratio(p.crossTP, p.crossSame))})
			}
		}
	}
	slices.SortStableFunc(rs, func(a, b result) int { return cmp.Compare(b.f, a.f) })
	for _, r := range rs[:min(len(rs), 20)] {
		t.Log(r.line)
	}
}

var t0 = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

// report returns an article about the Bishkek anaesthesia case, as a
// different outlet words it when v differs.
func report(id int64, outlet string, at time.Time, v int) Item {
	titles := []string{
		"В Бишкеке трёхлетний Эрлан Жумабеков умер во время операции",
		"Минздрав проверит больницу, где умер трёхлетний Эрлан Жумабеков",
	}
	leads := []string{
		"В детской больнице Бишкека после наркоза скончался трёхлетний Эрлан Жумабеков, анестезиолог отстранён.",
		"Анестезиолог отстранён: трёхлетний Эрлан Жумабеков скончался в детской больнице Бишкека после наркоза.",
	}
	return Item{ID: id, Outlet: outlet, Lang: "ru", Title: titles[v%2], Lead: leads[v%2], Published: at}
}

// other is an unrelated article.
func other(id int64, at time.Time) Item {
	return Item{ID: id, Outlet: "kabar.kg", Lang: "ru", Published: at,
		Title: "В Нарыне открыли новую школу на 600 мест",
		Lead:  "Строительство школы в Нарыне обошлось в 210 миллионов сомов, в ней учатся дети трёх сёл."}
}

func TestAddStoryFields(t *testing.T) {
	g := NewGrouper(0)
	steps := []struct {
		it      Item
		story   string
		isNew   bool
		outlets []string
	}{
		{report(7, "24.kg", t0, 0), "s7", true, []string{"24.kg"}},
		{other(8, t0.Add(time.Hour)), "s8", true, []string{"kabar.kg"}},
		{report(9, "kaktus.media", t0.Add(2*time.Hour), 1), "s7", false, []string{"24.kg", "kaktus.media"}},
		{report(10, "24.kg", t0.Add(3*time.Hour), 1), "s7", false, []string{"24.kg", "kaktus.media"}},
		// Out of order: published before the story's first article.
		{report(11, "akipress.org", t0.Add(-time.Hour), 0), "s7", false, []string{"24.kg", "kaktus.media", "akipress.org"}},
		// Again: nothing changes.
		{report(9, "kaktus.media", t0.Add(2*time.Hour), 1), "s7", false, []string{"24.kg", "kaktus.media", "akipress.org"}},
	}
	for i, st := range steps {
		s, isNew := g.Add(st.it)
		if s.ID != st.story || isNew != st.isNew || !slices.Equal(s.Outlets, st.outlets) {
			t.Errorf("step %d: Add(%d) = %s, %v, outlets %v; want %s, %v, %v", i, st.it.ID, s.ID, isNew, s.Outlets, st.story, st.isNew, st.outlets)
		}
	}
	ss := g.Stories()
	if len(ss) != 2 || ss[0].ID != "s7" || ss[1].ID != "s8" {
		t.Fatalf("Stories() = %v, want s7, s8", ss)
	}
	s := ss[0]
	if !slices.Equal(s.Articles, []int64{7, 9, 10, 11}) {
		t.Errorf("Articles = %v, want [7 9 10 11]", s.Articles)
	}
	if !s.First.Equal(t0.Add(-time.Hour)) || !s.Last.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("First, Last = %v, %v; want %v, %v", s.First, s.Last, t0.Add(-time.Hour), t0.Add(3*time.Hour))
	}
}

func TestWindow(t *testing.T) {
	w := 72 * time.Hour
	tests := []struct {
		name  string
		after time.Duration // publication of the second article after the first
		isNew bool
	}{
		{"same day", 5 * time.Hour, false},
		{"just within", w, false},
		{"beyond", w + time.Minute, true},
		{"long before", -w - time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewGrouper(w)
			g.Add(report(1, "24.kg", t0, 0))
			s, isNew := g.Add(report(2, "kaktus.media", t0.Add(tt.after), 1))
			if isNew != tt.isNew {
				t.Errorf("article %v after: story %s, isNew %v; want isNew %v", tt.after, s.ID, isNew, tt.isNew)
			}
		})
	}

	t.Run("follow-ups extend the window", func(t *testing.T) {
		g := NewGrouper(w)
		for i := range 4 {
			if s, _ := g.Add(report(int64(i+1), "24.kg", t0.Add(time.Duration(i)*60*time.Hour), i)); s.ID != "s1" {
				t.Fatalf("follow-up %d after %dh opened %s", i, i*60, s.ID)
			}
		}
	})
}

func TestExpire(t *testing.T) {
	g := NewGrouper(72 * time.Hour)
	g.Add(report(1, "24.kg", t0, 0))
	g.Add(report(2, "kaktus.media", t0.Add(10*time.Hour), 1))
	g.Add(other(3, t0.Add(48*time.Hour)))

	g.Expire(t0.Add(82 * time.Hour)) // exactly one window after s1's last article: kept
	if n := len(g.Stories()); n != 2 {
		t.Fatalf("after Expire at the edge: %d stories, want 2", n)
	}
	g.Expire(t0.Add(83 * time.Hour))
	if ss := g.Stories(); len(ss) != 1 || ss[0].ID != "s3" {
		t.Fatalf("after Expire: %v, want only s3", ss)
	}
	// A report published within the window of the forgotten story opens a
	// new one: the old story is gone from the index.
	if s, isNew := g.Add(report(4, "akipress.org", t0.Add(80*time.Hour), 0)); !isNew || s.ID != "s4" {
		t.Errorf("after Expire: Add = %s, %v; want s4, true", s.ID, isNew)
	}
	g.Expire(t0.Add(1000 * time.Hour))
	if len(g.active) != 0 || len(g.byArticle) != 0 || len(g.postings) != 0 || len(g.buckets) != 0 {
		t.Errorf("after expiring everything: %d stories, %d articles, %d postings, %d buckets left",
			len(g.active), len(g.byArticle), len(g.postings), len(g.buckets))
	}
}

func TestAddDeterministic(t *testing.T) {
	set := loadSet(t)
	run := func() string {
		g := NewGrouper(0)
		var b strings.Builder
		for _, a := range set {
			s, isNew := g.Add(a.item)
			fmt.Fprintf(&b, "%d:%s:%v ", a.ID, s.ID, isNew)
		}
		return b.String()
	}
	first := run()
	for range 3 {
		if again := run(); again != first {
			t.Fatalf("two runs differ:\n%s\n%s", first, again)
		}
	}
}

// TestKeyAcrossLanguages checks that a word of a Russian article and its
// form or translation in a Kyrgyz one get the same grouping key.
func TestKeyAcrossLanguages(t *testing.T) {
	tests := []struct{ ru, ky string }{
		{"Бишкеке", "Бишкектеги"},
		{"Нарынской", "Нарында"},
		{"Кадамжайской", "Кадамжай"},
		{"Джалал-Абаде", "Жалал-Абадда"},
		{"операции", "операциясы"},
		{"Абдыраимовой", "Абдыраимова"},
		{"Жумабекова", "Жумабековдун"},
		{"электронного", "электрондук"},
		{"больнице", "ооруканада"},
		{"задержан", "кармалды"},
		{"ГКНБ", "УКМК"},
		{"50", "50"},
	}
	for _, tt := range tests {
		ru := formKeys(tt.ru, "ru", key)
		ky := formKeys(tt.ky, "ky", key)
		if !slices.Equal(ru, ky) {
			t.Errorf("%s → %v, %s → %v: want the same keys", tt.ru, ru, tt.ky, ky)
		}
	}
}

func TestPlacesApart(t *testing.T) {
	g := NewGrouper(0)
	osh := Item{ID: 1, Outlet: "24.kg", Lang: "ru", Published: t0,
		Title: "Министр Эркин Чолпонбаев уволил главврача Ошской областной больницы",
		Lead:  "Министр здравоохранения Эркин Чолпонбаев освободил от должности главного врача областной больницы в Оше."}
	naryn := osh
	naryn.ID, naryn.Published = 2, t0.Add(time.Hour)
	naryn.Title = strings.ReplaceAll(naryn.Title, "Ошской", "Нарынской")
	naryn.Lead = strings.ReplaceAll(naryn.Lead, "Оше", "Нарыне")
	again := osh
	again.ID, again.Outlet, again.Published = 3, "akipress.org", t0.Add(2*time.Hour)
	again.Title = "Главврача Ошской областной больницы уволили"
	for _, tt := range []struct {
		it    Item
		story string
	}{{osh, "s1"}, {naryn, "s2"}, {again, "s1"}} {
		if s, _ := g.Add(tt.it); s.ID != tt.story {
			t.Errorf("%q joined %s, want %s", tt.it.Title, s.ID, tt.story)
		}
	}
}

func TestNearDuplicate(t *testing.T) {
	g := NewGrouper(0)
	a := Item{ID: 1, Outlet: "24.kg", Lang: "ru", Published: t0,
		Title: "В аптеках Бишкека изъяли поддельный антибиотик",
		Lead:  "Департамент лекарственного обеспечения изъял из 14 аптек Бишкека более 3 тысяч упаковок поддельного цефтриаксона. Экспертиза показала, что во флаконах нет действующего вещества."}
	b := a
	b.ID, b.Outlet, b.Published = 2, "vesti.kg", t0.Add(time.Hour)
	b.Title += " цефтриаксон"
	b.Lead = strings.Replace(b.Lead, "показала", "подтвердила", 1)
	da, db := g.fingerprint(a), g.fingerprint(b)
	if j := sigJaccard(&da.sig, &db.sig); j < g.dupJaccard {
		t.Errorf("estimated Jaccard of a lightly edited copy = %.2f, want ≥ %.2f", j, g.dupJaccard)
	}
	g.Add(a)
	if s, isNew := g.Add(b); isNew {
		t.Errorf("copy opened %s", s.ID)
	}
	dc := g.fingerprint(other(3, t0))
	if j := sigJaccard(&da.sig, &dc.sig); j > 0.2 {
		t.Errorf("estimated Jaccard of unrelated articles = %.2f", j)
	}
}

func TestDocumentFrequencyBounded(t *testing.T) {
	g := NewGrouper(0)
	g.maxDFTerms = 2000
	gen := synth.New(synth.Config{Seed: 1, Start: t0, End: t0.Add(24 * time.Hour), N: 500})
	for n := range 500 {
		g.Add(synthItem(gen, n))
		if len(g.df) > g.maxDFTerms {
			t.Fatalf("after %d articles: %d terms counted, limit %d", n+1, len(g.df), g.maxDFTerms)
		}
	}
	if g.docs >= 500 {
		t.Errorf("article count %v was never halved", g.docs)
	}
}

func TestLead(t *testing.T) {
	long := strings.Repeat("слово ", 100)
	if got := strings.Fields(Lead(long)); len(got) != LeadWords {
		t.Errorf("Lead of 100 words has %d", len(got))
	}
	if got := Lead("  два\n\nслова "); got != "два\n\nслова" {
		t.Errorf("Lead = %q", got)
	}
}

func synthItem(gen *synth.Generator, n int) Item {
	a := gen.Article(n)
	return Item{ID: int64(n), Outlet: a.Outlet, Lang: a.Lang, Title: a.Title, Lead: Lead(a.Body), Published: a.Published}
}

// BenchmarkGrouperAdd measures Add against a grouper holding about 500 and
// 5,000 active stories of synthetic news, beside the cost of analysing an
// article alone, the floor of any Add. The grouper keeps growing while the
// benchmark runs; every article stays within the window.
func BenchmarkGrouperAdd(b *testing.B) {
	const pool = 20000
	gen := synth.New(synth.Config{Seed: 7, Start: t0, End: t0.Add(48 * time.Hour), N: pool})
	items := make([]Item, pool)
	for n := range items {
		items[n] = synthItem(gen, n)
	}
	b.Run("analyse", func(b *testing.B) {
		g := NewGrouper(0)
		i := 0
		for b.Loop() {
			g.fingerprint(items[i%pool])
			i++
		}
	})
	for _, stories := range []int{500, 5000} {
		b.Run(fmt.Sprintf("stories=%d", stories), func(b *testing.B) {
			g := NewGrouper(0)
			n := 0
			for len(g.active) < stories {
				g.Add(items[n])
				n++
			}
			start := n
			i := 0
			for b.Loop() {
				it := items[start+i%(pool-start)]
				it.ID = int64(pool + i)
				g.Add(it)
				i++
			}
			b.ReportMetric(float64(len(g.active)), "stories")
		})
	}
}

// TestOutletBoilerplateJoinsNothing: two unrelated short articles of one
// outlet that end in the same "send us a tip" line are two stories, even
// while the grouper has seen too few articles to know the line is common.
func TestOutletBoilerplateJoinsNothing(t *testing.T) {
	tip := "\n\nЕсть тема? Пишите Kaktus.media в WhatsApp"
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, order := range [][2]int{{0, 1}, {1, 0}} {
		g := NewGrouper(DefaultWindow)
		items := []Item{
			{ID: 1, Outlet: "kaktus.media", Lang: "ru", Title: "Ремонт дорог", Lead: "Мэрия отремонтирует дороги." + tip, Published: now},
			{ID: 2, Outlet: "kaktus.media", Lang: "ru", Title: "Врачебная ошибка в роддоме: роженице ввели антисептик",
				Lead: "Роженице в роддоме ввели антисептик. Минздрав начал проверку." + tip, Published: now.Add(time.Hour)},
		}
		a, _ := g.Add(items[order[0]])
		b, _ := g.Add(items[order[1]])
		if a == b {
			t.Errorf("order %v: a road repair and a medical error are one story %s", order, a.ID)
		}
		// The same event from the feed, without the line, still joins.
		c, _ := g.Add(Item{ID: 3, Outlet: "kaktus.media", Lang: "ru", Title: items[1].Title,
			Lead: "Роженице в роддоме ввели антисептик. Минздрав начал проверку.", Published: now.Add(time.Hour)})
		if want := map[bool]*Story{true: a, false: b}[order[0] == 1]; c != want {
			t.Errorf("order %v: the feed's copy of the medical error joined %s, want %s", order, c.ID, want.ID)
		}
	}
}

// TestKyrgyzLoanwordsInIk keep their -тик/-лик: антисептик in a Kyrgyz
// report is the антисептик of a Russian one, not the adjective антисеп-тик.
func TestKyrgyzLoanwordsInIk(t *testing.T) {
	k := func(w, lang string) string { return formKeys(w, lang, key)[0] }
	for _, w := range []string{"антисептик", "антибиотик", "диабетик"} {
		if ky, ru := k(w, "ky"), k(w, "ru"); ky != ru {
			t.Errorf("%s: Kyrgyz key %q, Russian key %q", w, ky, ru)
		}
	}
	// The adjective suffix still goes where it is one.
	if got, want := k("медициналык", "ky"), k("медицина", "ru"); got != want {
		t.Errorf("медициналык: key %q, want %q", got, want)
	}
	if k("ката", "ky") != k("ошибка", "ru") {
		t.Errorf("ката and ошибка have different keys: %q %q", k("ката", "ky"), k("ошибка", "ru"))
	}
}
