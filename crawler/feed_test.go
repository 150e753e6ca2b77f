package crawler

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func readFixture(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseFeed(t *testing.T) {
	plus6 := time.FixedZone("", 6*3600)
	tests := []struct {
		file, url string
		want      []Item
	}{
		{"rss.xml", "https://news.example.kg/rss", []Item{
			{
				URL: "https://news.example.kg/news/2026/11/25/osh-skoraya.html", GUID: "news-1001",
				Title:     "В Оше открыли новое отделение «скорой»",
				Summary:   "Отделение рассчитано на 12 бригад.",
				Content:   "В Оше открыли отделение скорой помощи.\n\nПервая строка\nвторая строка\n\nВрачи приступили к работе.",
				Author:    "Нурлан Абдыкадыров",
				Published: time.Date(2026, 11, 25, 10, 35, 0, 0, plus6),
			},
			{
				URL: "https://news.example.kg/news/2026/11/25/guid-only.html", GUID: "https://news.example.kg/news/2026/11/25/guid-only.html",
				Title: "Ссылка только в GUID", Summary: "Простой текст без разметки.",
				Published: time.Date(2026, 11, 25, 9, 0, 0, 0, plus6),
			},
		}},
		{"atom.xml", "https://ky.example.kg/atom.xml", []Item{
			{
				URL: "https://ky.example.kg/kabar/1501", GUID: "urn:uuid:1501", Title: "Ооруканада жаңы жабдуулар орнотулду",
				Summary: "Жабдуулар Жалал-Абад облусуна жеткирилди.", Author: "Айпери Садыкова",
				Published: time.Date(2026, 11, 25, 7, 30, 0, 0, time.UTC),
			},
			{
				URL: "https://ky.example.kg/kabar/1502", GUID: "urn:uuid:1502", Title: "Дарыгерлер үчүн семинар",
				Content:   "Семинар Бишкекте өттү.\n\nКатышуучулар 40 адам.",
				Published: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC),
			},
		}},
		{"jsonfeed.json", "https://json.example.kg/feed.json", []Item{
			{
				URL: "https://json.example.kg/post/1", GUID: "j-1", Title: "Вакцинация в школах продолжится",
				Summary: "Кампания продлится до декабря.", Content: "Кампания продлится до декабря.", Author: "Пресс-служба",
				Published: time.Date(2026, 11, 25, 10, 0, 0, 0, plus6),
			},
			{
				URL: "https://json.example.kg/post/2", GUID: "j-2", Title: "Относительная ссылка",
				Content:   "Первый абзац.\n\nВторой абзац\nс переносом строки.",
				Published: time.Date(2026, 11, 24, 18, 0, 0, 0, plus6),
			},
		}},
		{"rss-cp1251.xml", "https://cp.example.kg/rss", []Item{{
			URL: "https://cp.example.kg/news/77", GUID: "https://cp.example.kg/news/77",
			Title: "Минздрав сообщил о вспышке кори в Таласе", Summary: "Заболели пятеро детей, ёлки-палки.",
			Published: time.Date(2026, 11, 25, 10, 35, 0, 0, plus6),
		}}},
		{"duplicates.xml", "https://dup.example.kg/rss", []Item{
			{URL: "https://dup.example.kg/a", GUID: "g-1", Title: "Первая"},
			{URL: "https://dup.example.kg/b", GUID: "g-3", Title: "Вторая"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseFeed(readFixture(t, "feeds/"+tt.file), tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d items, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if !g.Published.Equal(w.Published) {
					t.Errorf("item %d: Published = %v, want %v", i, g.Published, w.Published)
				}
				g.Published, w.Published = time.Time{}, time.Time{}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("item %d:\n got %#v\nwant %#v", i, g, w)
				}
			}
		})
	}
}

func TestParseFeedOddDates(t *testing.T) {
	plus6 := time.FixedZone("", 6*3600)
	items, err := ParseFeed(readFixture(t, "feeds/odd-dates.xml"), "https://dates.example.kg/rss")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{
		"Без дня недели": time.Date(2026, 11, 25, 10, 35, 0, 0, plus6),
		"ISO без зоны":   time.Date(2026, 11, 25, 10, 35, 0, 0, time.UTC),
		"Название зоны":  time.Date(2026, 11, 25, 4, 35, 0, 0, time.UTC),
		"По-русски":      time.Date(2026, 11, 25, 10, 35, 0, 0, time.UTC),
		// A date in the future is kept as the feed gives it: clamping to the
		// fetch time is the caller's job.
		"Из будущего": time.Date(2026, 12, 25, 10, 35, 0, 0, plus6),
		"Без даты":    {},
	}
	if len(items) != len(want) {
		t.Fatalf("got %d items, want %d", len(items), len(want))
	}
	for _, it := range items {
		t.Run(it.Title, func(t *testing.T) {
			if w := want[it.Title]; !it.Published.Equal(w) {
				t.Errorf("Published = %v, want %v", it.Published, w)
			}
		})
	}
}

func TestParseFeedErrors(t *testing.T) {
	tests := []struct {
		file    string
		notFeed bool   // the error wraps ErrNotFeed
		says    string // the error names what was seen
	}{
		{"html-not-feed.html", true, `got an HTML page ("Страница не найдена — Новости"); is the feed URL right?`},
		{"empty.xml", true, "got an empty body"},
		{"unknown.xml", true, "not RSS, Atom or JSON Feed"},
		{"malformed.xml", false, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			items, err := ParseFeed(readFixture(t, "feeds/"+tt.file), "https://example.kg/rss")
			if err == nil {
				t.Fatalf("no error; items %+v", items)
			}
			if errors.Is(err, ErrNotFeed) != tt.notFeed {
				t.Errorf("errors.Is(%v, ErrNotFeed) = %v, want %v", err, !tt.notFeed, tt.notFeed)
			}
			if !strings.HasPrefix(err.Error(), "crawler: ") || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
		})
	}
}

// bigFeed is an RSS feed of n items with markup in every description.
func bigFeed(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Большая лента</title><link>https://big.example.kg/</link><description>x</description>`)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>Новость номер %d о здравоохранении</title><link>https://big.example.kg/news/%d</link><guid>big-%d</guid><pubDate>Wed, 25 Nov 2026 10:35:00 +0600</pubDate><description>&lt;p&gt;Врачи областной больницы &lt;b&gt;сообщили&lt;/b&gt; о поступлении %d пациентов.&lt;/p&gt;</description></item>`, i, i, i, i)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

func TestParseFeedTenThousandItems(t *testing.T) {
	body := bigFeed(10000)
	start := time.Now()
	items, err := ParseFeed(body, "https://big.example.kg/rss")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 10000 {
		t.Fatalf("got %d items, want 10000", len(items))
	}
	if got, want := items[9999].Summary, "Врачи областной больницы сообщили о поступлении 9999 пациентов."; got != want {
		t.Errorf("last summary = %q, want %q", got, want)
	}
	// The bound is loose for a shared, loaded machine; it catches a
	// quadratic step, which would take minutes here.
	if d := time.Since(start); d > time.Minute {
		t.Errorf("10,000 items took %v", d)
	}
}

func BenchmarkParseFeed(b *testing.B) {
	body := bigFeed(100)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseFeed(body, "https://big.example.kg/rss"); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseFeed(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "feeds", "*"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := ParseFeed(body, "https://fuzz.example.kg/rss")
		if err != nil {
			return
		}
		for _, it := range items {
			if !strings.HasPrefix(it.URL, "http://") && !strings.HasPrefix(it.URL, "https://") {
				t.Errorf("item URL %q is not absolute http(s)", it.URL)
			}
		}
	})
}

// TestParseFeedWrongCharset serves the same feed in the ways sites get the
// charset wrong; each must read as the same Cyrillic text.
func TestParseFeedWrongCharset(t *testing.T) {
	feed := func(decl string) string {
		return decl + `<rss version="2.0"><channel><title>Лента</title><item><title>Минздрав сообщил о вспышке кори</title>` +
			`<link>https://cp.example.kg/news/1</link><description>Заболели пятеро детей.</description></item></channel></rss>`
	}
	tests := []struct {
		name        string
		body        []byte
		contentType string
	}{
		{"windows-1251 declaring utf-8", encodeAs(t, "windows-1251", feed(`<?xml version="1.0" encoding="utf-8"?>`)), "application/rss+xml"},
		{"windows-1251 declaring nothing", encodeAs(t, "windows-1251", feed(`<?xml version="1.0"?>`)), "application/rss+xml"},
		{"windows-1251 without a declaration, charset in the header", encodeAs(t, "windows-1251", feed("")), "application/rss+xml; charset=windows-1251"},
		{"utf-8 declaring windows-1251", []byte(feed(`<?xml version="1.0" encoding="windows-1251"?>`)), "text/xml"},
		{"utf-8 declaring koi8-r in single quotes", []byte(feed(`<?xml version='1.0' encoding='KOI8-R'?>`)), ""},
		{"utf-16 with a BOM", append([]byte{0xFF, 0xFE}, encodeAs(t, "utf-16le", feed(`<?xml version="1.0" encoding="UTF-16"?>`))...), "application/xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := parseFeed(tt.body, tt.contentType, "https://cp.example.kg/rss")
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || items[0].Title != "Минздрав сообщил о вспышке кори" || items[0].Summary != "Заболели пятеро детей." {
				t.Errorf("items %+v", items)
			}
		})
	}
}

func TestDeclareUTF8(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<?xml version="1.0" encoding="windows-1251"?><rss/>`, `<?xml version="1.0" encoding="utf-8"?><rss/>`},
		{"\n  <?xml version='1.0' encoding = 'cp1251' ?><rss/>", "\n  <?xml version='1.0' encoding = 'utf-8' ?><rss/>"},
		{`<?xml version="1.0"?><rss encoding="x"/>`, `<?xml version="1.0"?><rss encoding="x"/>`},
		{`<rss/>`, `<rss/>`},
		{`<?xml version="1.0" encoding="windows-1251`, `<?xml version="1.0" encoding="windows-1251`},
		{`{"version": "https://jsonfeed.org/version/1.1"}`, `{"version": "https://jsonfeed.org/version/1.1"}`},
	}
	for _, tt := range tests {
		if got := string(declareUTF8([]byte(tt.in))); got != tt.want {
			t.Errorf("declareUTF8(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
