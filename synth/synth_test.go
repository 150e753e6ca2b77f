package synth

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

var (
	testStart = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	testEnd   = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
)

func testConfig(n int) Config { return Config{Seed: 42, Start: testStart, End: testEnd, N: n} }

// sample returns the first n articles of an archive of n articles, so that
// they span the whole period.
var sample = sync.OnceValue(func() []Article {
	g := New(testConfig(5000))
	out := make([]Article, 5000)
	for i := range out {
		out[i] = g.Article(i)
	}
	return out
})

func TestDeterministic(t *testing.T) {
	cfg := testConfig(1_000_000)
	g1, g2 := New(cfg), New(cfg)
	ns := []int{0, 1, 2, 999_999, 123_456, 500_000, 7, 31_337}
	want := make([]Article, len(ns))
	for i, n := range ns {
		want[i] = g1.Article(n)
	}
	// The same articles from another generator, in reverse order, from
	// concurrent goroutines, twice over.
	var wg sync.WaitGroup
	got := make([]Article, 2*len(ns))
	for i := range got {
		wg.Go(func() {
			j := len(ns) - 1 - i%len(ns)
			got[j+i/len(ns)*len(ns)] = g2.Article(ns[j])
		})
	}
	wg.Wait()
	for i, a := range got {
		w := want[i%len(ns)]
		if a.N != w.N || a.Lang != w.Lang || a.Outlet != w.Outlet || a.Title != w.Title || a.Body != w.Body || !a.Published.Equal(w.Published) {
			t.Errorf("article %d differs between generators:\n%+v\n%+v", w.N, a, w)
		}
	}
}

func TestDifferent(t *testing.T) {
	g := New(testConfig(1_000_000))
	other := New(Config{Seed: 43, Start: testStart, End: testEnd, N: 1_000_000})
	titles := make(map[string]int)
	for n := range 2000 {
		a := g.Article(n)
		if m, dup := titles[a.Title]; dup {
			t.Errorf("articles %d and %d have the same title %q", m, n, a.Title)
		}
		titles[a.Title] = n
		if b := g.Article(n + 1); a.Body == b.Body {
			t.Errorf("articles %d and %d have the same body", n, n+1)
		}
		if b := other.Article(n); a.Body == b.Body {
			t.Errorf("article %d is the same under seeds 42 and 43", n)
		}
	}
}

func TestNewPanics(t *testing.T) {
	for _, cfg := range []Config{
		{N: 0, Start: testStart, End: testEnd},
		{N: 10, Start: testEnd, End: testStart},
		{N: 10, Start: testStart, End: testStart},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%+v) did not panic", cfg)
				}
			}()
			New(cfg)
		}()
	}
}

func words(s string) []string { return strings.Fields(s) }

// quantile returns the q-quantile of sorted xs.
func quantile(xs []int, q float64) int { return xs[int(q*float64(len(xs)-1))] }

func TestShape(t *testing.T) {
	arts := sample()
	langs := map[string]int{}
	outlets := map[string]int{}
	var lens []int
	for _, a := range arts {
		langs[a.Lang]++
		outlets[a.Outlet]++
		lens = append(lens, len(words(a.Body)))

		if n := len(words(a.Title)); n < 5 || n > 14 {
			t.Errorf("article %d: title of %d words: %q", a.N, n, a.Title)
		}
		if strings.HasSuffix(a.Title, ".") {
			t.Errorf("article %d: title ends in a full stop: %q", a.N, a.Title)
		}
		paras := strings.Split(a.Body, "\n\n")
		if len(paras) < 2 || len(paras) > 12 {
			t.Errorf("article %d: %d paragraphs", a.N, len(paras))
		}
		for _, p := range paras {
			if !strings.HasSuffix(p, ".") {
				t.Errorf("article %d: paragraph does not end in a full stop: %q", a.N, p)
			}
			for s := range strings.SplitSeq(strings.TrimSuffix(p, "."), ". ") {
				ws := words(s)
				if len(ws) < 8 || len(ws) > 30 {
					t.Errorf("article %d: sentence of %d words: %q", a.N, len(ws), s)
				}
				first := []rune(ws[0])[0]
				if unicode.IsLetter(first) && !unicode.IsUpper(first) {
					t.Errorf("article %d: sentence starts in lower case: %q", a.N, s)
				}
			}
		}
	}
	ky := float64(langs["ky"]) / float64(len(arts))
	en := float64(langs["en"]) / float64(len(arts))
	if ky < 0.30 || ky > 0.40 || en < 0.01 || en > 0.03 || langs["ru"]+langs["ky"]+langs["en"] != len(arts) {
		t.Errorf("languages %v: ky %.3f, en %.3f", langs, ky, en)
	}
	slices.Sort(lens)
	med, p5, p95 := quantile(lens, 0.5), quantile(lens, 0.05), quantile(lens, 0.95)
	t.Logf("body words: p5 %d, median %d, p95 %d, max %d", p5, med, p95, lens[len(lens)-1])
	if med < 180 || med > 350 || p95 < 600 || p95 > 1200 || p5 < 40 || p5 > 100 || lens[len(lens)-1] > bodyMax {
		t.Errorf("body lengths: p5 %d, median %d, p95 %d, max %d", p5, med, p95, lens[len(lens)-1])
	}
	// A few big outlets and many small ones.
	counts := make([]int, 0, len(outlets))
	for _, c := range outlets {
		counts = append(counts, c)
	}
	slices.Sort(counts)
	slices.Reverse(counts)
	t.Logf("%d outlets, biggest %d articles, smallest %d", len(counts), counts[0], counts[len(counts)-1])
	if len(counts) < 35 || len(counts) > len(outlets) || counts[0] < 10*counts[len(counts)-1] || counts[0] < len(arts)/10 {
		t.Errorf("outlet sizes %v", counts)
	}
}

func TestPublished(t *testing.T) {
	arts := sample()
	var hours [24]int
	for i, a := range arts {
		if a.Published.Before(testStart) || !a.Published.Before(testEnd) {
			t.Errorf("article %d published at %v, outside [%v, %v)", a.N, a.Published, testStart, testEnd)
		}
		if a.Published.Location() != time.UTC {
			t.Errorf("article %d published at %v, not in UTC", a.N, a.Published)
		}
		if i > 0 && a.Published.Before(arts[i-1].Published) {
			t.Errorf("article %d published at %v, before article %d at %v", a.N, a.Published, i-1, arts[i-1].Published)
		}
		hours[(a.Published.Hour()+6)%24]++
	}
	// Spread over the whole year: each quarter of the articles within a
	// few days of a quarter of the year.
	for q := range 4 {
		a := arts[q*len(arts)/4]
		want := testStart.Add(time.Duration(q) * testEnd.Sub(testStart) / 4)
		if d := a.Published.Sub(want); d < -7*24*time.Hour || d > 7*24*time.Hour {
			t.Errorf("article %d published at %v, want about %v", a.N, a.Published, want)
		}
	}
	// A daily rhythm in Bishkek time: office hours busier than the night.
	day, night := 0, 0
	for h := 10; h < 18; h++ {
		day += hours[h]
	}
	for h := range 6 {
		night += hours[h]
	}
	if day < 5*night {
		t.Errorf("articles by hour in Bishkek %v: %d in 10–18, %d in 0–6", hours, day, night)
	}
}

// terms returns the lower-case words of text without punctuation.
func terms(text string) []string {
	f := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
	return f
}

func TestZipf(t *testing.T) {
	counts := map[string]int{}
	total := 0
	for _, a := range sample() {
		if a.Lang != "ru" {
			continue
		}
		for _, w := range terms(a.Body) {
			counts[w]++
			total++
		}
	}
	type wc struct {
		w string
		c int
	}
	var ranked []wc
	for w, c := range counts {
		ranked = append(ranked, wc{w, c})
	}
	slices.SortFunc(ranked, func(a, b wc) int { return b.c - a.c })
	ratio := float64(ranked[0].c) / float64(ranked[9].c)
	t.Logf("Russian: %d words, %d distinct; top %v; top/10th %.1f", total, len(ranked), ranked[:10], ratio)
	if ratio < 5 || ratio > 15 {
		t.Errorf("top word / 10th word = %.1f, want 5–15 as by Zipf's law", ratio)
	}
	// Words 100 to 1000 ranks apart still fall off roughly as a power law.
	if r := float64(ranked[99].c) / float64(ranked[999].c); r < 5 || r > 25 {
		t.Errorf("100th word / 1000th word = %.1f, want about 10", r)
	}
	// Numbers are about 3% of the words.
	digits := 0
	for w, c := range counts {
		if strings.ContainsAny(w, "0123456789") {
			digits += c
		}
	}
	if share := float64(digits) / float64(total); share < 0.02 || share > 0.05 {
		t.Errorf("numbers are %.1f%% of the words, want about 3%%", 100*share)
	}
}

func TestHeaps(t *testing.T) {
	arts := sample()
	distinct := func(arts []Article) int {
		seen := map[string]bool{}
		for _, a := range arts {
			for _, w := range terms(a.Title + " " + a.Body) {
				seen[w] = true
			}
		}
		return len(seen)
	}
	small, large := distinct(arts[:500]), distinct(arts)
	t.Logf("distinct words: %d in 500 articles, %d in 5000", small, large)
	if float64(large) < 2.5*float64(small) {
		t.Errorf("distinct words: %d in 500 articles, %d in 5000; want a factor of 2.5 at least", small, large)
	}
}

func TestLetters(t *testing.T) {
	var kyLetters, kySpecial int
	for _, a := range sample() {
		for _, r := range a.Title + a.Body {
			if !unicode.IsLetter(r) {
				continue
			}
			special := strings.ContainsRune("ңөүҢӨҮ", r)
			switch a.Lang {
			case "ky":
				kyLetters++
				if special {
					kySpecial++
				}
			case "ru":
				if special {
					t.Fatalf("Russian article %d has %q: %s", a.N, r, a.Title)
				}
				if unicode.Is(unicode.Latin, r) {
					t.Fatalf("Russian article %d has Latin %q", a.N, r)
				}
			case "en":
				if !unicode.Is(unicode.Latin, r) {
					t.Fatalf("English article %d has %q", a.N, r)
				}
			}
		}
	}
	t.Logf("ң ө ү: 1 in %.1f Kyrgyz letters", float64(kyLetters)/float64(kySpecial))
	if kySpecial*40 < kyLetters {
		t.Errorf("ң ө ү are %d of %d Kyrgyz letters, want 1 in 40 at least", kySpecial, kyLetters)
	}
}

func TestVocabularies(t *testing.T) {
	for _, v := range vocabularies() {
		t.Logf("%s: %d forms: %d head words and forms of %d real lemmas, %d invented forms", v.code, len(v.words), v.real, v.lemmas, len(v.words)-v.real)
		seen := map[string]bool{}
		for _, w := range v.words {
			if seen[w] {
				t.Errorf("%s: %q twice", v.code, w)
			}
			seen[w] = true
		}
		want := map[string]int{"ru": vocabSizeRU, "ky": vocabSizeKY, "en": vocabSizeEN}[v.code]
		if len(v.words) != want {
			t.Errorf("%s: %d forms, want %d", v.code, len(v.words), want)
		}
		for _, w := range map[string][]string{
			"ru": {"и", "в", "заявил", "Кыргызстана", "врач", "больницы", "Минздрава", "взятку", "задержан", "очереди", "роддоме", "лекарства"},
			"ky": {"жана", "менен", "билдирди", "Бишкекте", "оорукана", "ооруканада", "дарыгерлер", "бейтаптын", "кезекте", "пара", "кармалды", "дары", "бейтап", "төрөт үйү", "төрөт үйүндө"},
			"en": {"the", "hospital", "doctors", "detained"},
		}[v.code] {
			if !seen[w] {
				t.Errorf("%s: %q is not in the vocabulary", v.code, w)
			}
		}
	}
}

func TestRussianForms(t *testing.T) {
	for _, tt := range []struct {
		lemma, code string
		want        []string
	}{
		{"врач", "m", []string{"врач", "врача", "врачом", "врачи", "врачей"}},
		{"больница", "f", []string{"больница", "больницы", "больнице", "больницу", "больниц"}},
		{"взятка", "f", []string{"взятка", "взятки", "взяткой"}},
		{"очередь", "fs", []string{"очередь", "очереди", "очередью"}},
		{"операция", "fi", []string{"операция", "операции", "операций"}},
		{"лечение", "ne", []string{"лечение", "лечения", "лечением"}},
		{"медицинский", "a", []string{"медицинский", "медицинская", "медицинских", "медицинское"}},
		{"задержать", "vp", []string{"задержал", "задержали", "задержан", "задержана", "задержать"}},
		{"госпитализировать", "vo", []string{"госпитализировали", "госпитализирует", "госпитализирован"}},
		{"сообщить", "vi", []string{"сообщил", "сообщит", "сообщат"}},
		{"обратиться", "vi", []string{"обратился", "обратилась", "обратились", "обратиться"}},
	} {
		t.Run(tt.lemma, func(t *testing.T) {
			got := ruInflect(tt.lemma, tt.code)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("ruInflect(%q, %q) = %v, lacks %q", tt.lemma, tt.code, got, w)
				}
			}
			if slices.Contains(got, "взятк") {
				t.Errorf("ruInflect(%q, %q) = %v has a stem for a word", tt.lemma, tt.code, got)
			}
		})
	}
}

func TestKyrgyzForms(t *testing.T) {
	for _, tt := range []struct {
		lemma, code string
		want        []string
	}{
		{"оорукана", "n", []string{"ооруканалар", "ооруканада", "ооруканадан", "ооруканага", "оорукананын", "ооруканасы", "ооруканасынын", "ооруканасында", "ооруканалардын"}},
		{"мектеп", "n", []string{"мектептер", "мектепте", "мектептен", "мектепке", "мектептин", "мектеби"}},
		{"үй", "n", []string{"үйлөр", "үйдө", "үйгө", "үйдүн", "үйү", "үйүнө"}},
		{"жол", "n", []string{"жолдор", "жолдо", "жолго", "жолдун", "жолу", "жолуна"}},
		{"кезек", "n", []string{"кезекте", "кезеги", "кезектер"}},
		{"шаар", "n", []string{"шаарлар", "шаарда", "шаарга", "шаардын", "шаары"}},
		{"төрөт үй", "i", []string{"төрөт үйү", "төрөт үйүндө", "төрөт үйүнүн", "төрөт үйүнө"}},
		{"карма", "v", []string{"кармады", "кармаган", "кармайт", "кармап", "кармалды", "кармоо"}},
		{"бер", "v", []string{"берди", "берген", "берет", "берип", "берилди", "берүү", "беришти", "бербеген"}},
		{"ал", "v", []string{"алды", "алган", "алат", "алып", "алынды", "алуу"}},
		{"айт", "v", []string{"айтты", "айткан", "айтылды", "айтпаган"}},
		{"көр", "v", []string{"көрдү", "көргөн", "көрөт", "көрүп", "көрүү", "көрбөгөн"}},
		{"тап", "v", []string{"тапты", "тапкан", "табат", "табылды"}},
		{"шайла", "v", []string{"шайлады", "шайланды", "шайлоо"}},
		{"иште", "v", []string{"иштеди", "иштейт", "иштөө"}},
		{"азай", "v", []string{"азайды", "азаят", "азайып"}},
	} {
		t.Run(tt.lemma, func(t *testing.T) {
			got := kyInflect(tt.lemma, tt.code)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("kyInflect(%q, %q) = %v, lacks %q", tt.lemma, tt.code, got, w)
				}
			}
		})
	}
}

func TestAlias(t *testing.T) {
	w := []float64{5, 1, 0, 3, 1}
	a := newAlias(w)
	var r rng
	r.seed(1, 2)
	var got [5]int
	const n = 200_000
	for range n {
		got[a.draw(&r)]++
	}
	for i, x := range w {
		want := x / 10 * n
		if math.Abs(float64(got[i])-want) > 5*math.Sqrt(want+1) {
			t.Errorf("draws %v, want about %v·%d/10", got, w, n)
			break
		}
	}
}

func ExampleGenerator_Article() {
	g := New(Config{
		Seed:  1,
		Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		End:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		N:     1_000_000,
	})
	a := g.Article(12345)
	fmt.Println(a.N, a.Lang, a.Outlet, a.Published.Format(time.RFC3339))
	fmt.Println(a.Title)
	fmt.Println(len(strings.Split(a.Body, "\n\n")), "paragraphs,", len(strings.Fields(a.Body)), "words")
	// Output:
	// 12345 ky erkin-soz.kg 2025-01-05T10:42:26Z
	// Студенттин жентиге терсирдеде менен Жумалиева токтомдо өтө алдамчы Эсеновго
	// 8 paragraphs, 557 words
}

// BenchmarkArticle generates the articles of a million-article archive in
// turn; BenchmarkArticleFields splits the same articles into words, the
// least an indexer does with them, as a baseline.
func BenchmarkArticle(b *testing.B) {
	g := New(testConfig(1_000_000))
	nw, n := 0, 0
	for b.Loop() {
		a := g.Article(n % 1_000_000)
		nw += strings.Count(a.Body, " ") + strings.Count(a.Body, "\n\n") + 1
		n++
	}
	b.ReportMetric(float64(nw)/float64(n), "words/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(nw), "ns/word")
}

func BenchmarkArticleFields(b *testing.B) {
	g := New(testConfig(1_000_000))
	arts := make([]Article, 1000)
	for i := range arts {
		arts[i] = g.Article(i)
	}
	nw, n := 0, 0
	for b.Loop() {
		nw += len(strings.Fields(arts[n%len(arts)].Body))
		n++
	}
	b.ReportMetric(float64(nw)/float64(n), "words/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(nw), "ns/word")
}
