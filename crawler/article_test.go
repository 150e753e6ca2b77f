package crawler

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kuzot/config"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// bishkek stands for Asia/Bishkek without needing tzdata on the machine.
var bishkek = time.FixedZone("Asia/Bishkek", 6*3600)

// testNow is the fetch time the page tests run at.
var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, bishkek)

// kaktusSelectors are config.yaml's kaktus.media selectors, with a Remove
// added to exercise it.
func kaktusSelectors() *config.Selectors {
	return &config.Selectors{
		Item: "div.Tag--article", Link: "a.ArticleItem--name", ItemTime: "div.ArticleItem--time",
		Title: "h1.Article--title", Time: "time.Article--createAt", TimeAttr: "datetime",
		Body:           "div.Article--text div.BbCode p",
		Remove:         []string{"div.Banner"},
		DropParagraphs: []string{`^Есть тема\? Пишите Kaktus\.media`},
	}
}

// goldenArticle is the form of Extracted kept in the golden files.
type goldenArticle struct {
	Title  string `json:"title"`
	Time   string `json:"time"`
	Author string `json:"author"`
	Body   string `json:"body"`
}

func TestExtractArticleGolden(t *testing.T) {
	tests := []struct {
		page string
		sel  *config.Selectors
	}{
		{"kaktus-article.html", kaktusSelectors()},
		{"generic-noise.html", nil},
		{"kyrgyz-article.html", nil},
		{"jsonld-article.html", nil},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			ex, err := extractArticle(readFixture(t, "pages/"+tt.page), "https://example.kg/doc/1.html", tt.sel, bishkek, testNow)
			if err != nil {
				t.Fatal(err)
			}
			g := goldenArticle{Title: ex.Title, Author: ex.Author, Body: ex.Body}
			if !ex.Published.IsZero() {
				g.Time = ex.Published.In(bishkek).Format(time.RFC3339)
			}
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "pages", strings.TrimSuffix(tt.page, ".html")+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./crawler -run Golden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s", tt.page, golden, got)
			}
		})
	}
}

// TestExtractArticleNoise checks what the golden files could silently
// accept after an -update: the noise is gone and the text is there.
func TestExtractArticleNoise(t *testing.T) {
	tests := []struct {
		page      string
		sel       *config.Selectors
		keep, not []string
	}{
		{"kaktus-article.html", kaktusSelectors(),
			[]string{"направило комиссию", "помощь.\nДежурный врач", "дисциплинарной ответственности"},
			[]string{"Есть тема", "Реклама", "Поделиться", "Позор"}},
		{"generic-noise.html", nil,
			[]string{"третью неделю", "тендер на закупку", "небольшой резерв"},
			[]string{"Читайте также", "Минздрав закупит", "Подписывайтесь", "Комментарии", "Куда смотрит", "Футболист", "Facebook", "Похожие"}},
		{"kyrgyz-article.html", nil,
			[]string{"беш бала", "карантин", "акысыз"},
			[]string{"Ошондой эле окуңуз", "эмдөө өнөктүгү", "жазылыңыз", "Пикирлер", "Facebook"}},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			ex, err := extractArticle(readFixture(t, "pages/"+tt.page), "https://example.kg/doc/1.html", tt.sel, bishkek, testNow)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.keep {
				if !strings.Contains(ex.Body, s) {
					t.Errorf("body lost %q:\n%s", s, ex.Body)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(ex.Body, s) {
					t.Errorf("body kept noise %q:\n%s", s, ex.Body)
				}
			}
		})
	}
}

func TestExtractArticleSources(t *testing.T) {
	kaktus := readFixture(t, "pages/kaktus-article.html")
	tests := []struct {
		name      string
		body      []byte
		sel       *config.Selectors
		wantTitle string
		wantTime  time.Time
	}{
		{"selectors win over metadata", kaktus, kaktusSelectors(),
			"Минздрав проверит роддом № 2 после жалобы пациентки", time.Date(2026, 11, 25, 10, 35, 0, 0, bishkek)},
		{"without selectors the meta time is used", kaktus, nil,
			"Минздрав проверит роддом № 2 после жалобы пациентки", time.Date(2026, 11, 25, 9, 0, 0, 0, bishkek)},
		{"a body selector finding nothing falls back to readability", kaktus, &config.Selectors{Body: "div.Nowhere p", Title: "h1.Nowhere"},
			"Минздрав проверит роддом № 2 после жалобы пациентки", time.Date(2026, 11, 25, 9, 0, 0, 0, bishkek)},
		{"time element", []byte(`<html><head><title>Заголовок</title></head><body><time datetime="2026-11-20T08:00:00Z">20 ноября</time><p>Текст статьи о больнице.</p></body></html>`), nil,
			"Заголовок", time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)},
		{"Russian date in the text", []byte(`<html><body><h1>Врачи</h1><p>Бишкек, 21.11.2026 17:45. Текст статьи о больнице.</p></body></html>`), nil,
			"Врачи", time.Date(2026, 11, 21, 17, 45, 0, 0, bishkek)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := extractArticle(tt.body, "https://kaktus.media/doc/1.html", tt.sel, bishkek, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if ex.Title != tt.wantTitle || !ex.Published.Equal(tt.wantTime) {
				t.Errorf("got %q at %v; want %q at %v", ex.Title, ex.Published, tt.wantTitle, tt.wantTime)
			}
		})
	}
}

func TestExtractArticleErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		sel  *config.Selectors
		want error
	}{
		{"empty page", "", nil, ErrNoArticle},
		{"title only", "<html><head><title>404</title></head><body></body></html>", nil, ErrNoArticle},
		{"scripts only", "<html><body><script>var a = 'текст';</script></body></html>", nil, ErrNoArticle},
		{"bad selector", "<p>Текст</p>", &config.Selectors{Body: "div[[["}, ErrSelector},
		{"bad drop pattern", "<p>Текст</p>", &config.Selectors{DropParagraphs: []string{"(("}}, ErrSelector},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ExtractArticle([]byte(tt.body), "https://example.kg/a", tt.sel, bishkek)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSelectorCache(t *testing.T) {
	a, err := compileSelectors(kaktusSelectors())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := compileSelectors(kaktusSelectors())
	if a != b {
		t.Error("equal selectors were compiled twice")
	}
	other := kaktusSelectors()
	other.DropParagraphs = append(other.DropParagraphs, "^Реклама")
	c, _ := compileSelectors(other)
	if c == a || len(c.drop) != 2 {
		t.Error("changed selectors were served from the cache")
	}
}

func BenchmarkExtractArticle(b *testing.B) {
	body := readFixture(b, "pages/kaktus-article.html")
	sel := kaktusSelectors()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ExtractArticle(body, "https://kaktus.media/doc/530001.html", sel, bishkek); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzExtractArticle(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "pages", "*.html"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
		f.Add(b, false)
	}
	f.Fuzz(func(t *testing.T, body []byte, withSelectors bool) {
		var sel *config.Selectors
		if withSelectors {
			sel = kaktusSelectors()
		}
		ex, err := ExtractArticle(body, "https://fuzz.example.kg/a", sel, bishkek)
		if err == nil && strings.TrimSpace(ex.Body) == "" {
			t.Error("no error but an empty body")
		}
	})
}
