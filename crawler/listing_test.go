package crawler

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"kuzot/config"
)

func TestParseListing(t *testing.T) {
	const doc = "https://kaktus.media/doc/530001_minzdrav_proverit_roddom.html"
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, bishkek) }
	tests := []struct {
		name, url string
		want      []Item
	}{
		{"a day's listing takes its date from date=", "https://kaktus.media/?lable=8&date=2026-11-25&order=time", []Item{
			{URL: doc, GUID: doc, Title: "Минздрав проверит роддом № 2 после жалобы пациентки", Published: at(25, 10, 35)},
			{URL: "https://kaktus.media/doc/530000_v_oshe_nehvatka_vrachey.html", GUID: "https://kaktus.media/doc/530000_v_oshe_nehvatka_vrachey.html", Title: "В Оше нехватка врачей в ЦСМ", Published: at(25, 9, 10)},
			{URL: "https://kaktus.media/doc/529990_kyrgyz_tili.html", GUID: "https://kaktus.media/doc/529990_kyrgyz_tili.html", Title: "Ооруканада жаңы бөлүм ачылды", Published: at(24, 23, 50)},
		}},
		{"the current listing is today", "https://kaktus.media/?lable=8&order=time", []Item{
			{URL: doc, GUID: doc, Title: "Минздрав проверит роддом № 2 после жалобы пациентки", Published: at(26, 10, 35)},
			{URL: "https://kaktus.media/doc/530000_v_oshe_nehvatka_vrachey.html", GUID: "https://kaktus.media/doc/530000_v_oshe_nehvatka_vrachey.html", Title: "В Оше нехватка врачей в ЦСМ", Published: at(26, 9, 10)},
			{URL: "https://kaktus.media/doc/529990_kyrgyz_tili.html", GUID: "https://kaktus.media/doc/529990_kyrgyz_tili.html", Title: "Ооруканада жаңы бөлүм ачылды", Published: at(25, 23, 50)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseListing(readFixture(t, "pages/kaktus-listing.html"), tt.url, kaktusSelectors(), bishkek, testNow)
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

func TestParseListingEdges(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		sel     *config.Selectors
		wantErr error
		want    []string
	}{
		{"no selectors", "<div></div>", nil, ErrNoSelectors, nil},
		{"bad item selector", "<div></div>", &config.Selectors{Item: "div[[["}, ErrSelector, nil},
		{"no link selector takes the first link", `<li class="n"><a href="/a">А</a><a href="/b">Б</a></li><li class="n"><a href="javascript:void(0)">В</a></li>`,
			&config.Selectors{Item: "li.n"}, nil, []string{"https://site.example.kg/a"}},
		{"the item itself may be the link", `<a class="n" href="x/1">Один</a>`, &config.Selectors{Item: "a.n"}, nil, []string{"https://site.example.kg/news/x/1"}},
		{"base href is honoured", `<head><base href="https://cdn.example.kg/ru/"></head><a class="n" href="p/2">Два</a>`, &config.Selectors{Item: "a.n"}, nil, []string{"https://cdn.example.kg/ru/p/2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := ParseListing([]byte(tt.body), "https://site.example.kg/news/", tt.sel, bishkek)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			var urls []string
			for _, it := range items {
				urls = append(urls, it.URL)
			}
			if !reflect.DeepEqual(urls, tt.want) {
				t.Errorf("got %v, want %v", urls, tt.want)
			}
		})
	}
}

func FuzzParseListing(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "pages", "*.html"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := ParseListing(body, "https://kaktus.media/?lable=8&date=2026-11-25", kaktusSelectors(), bishkek)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, it := range items {
			if seen[it.URL] || !strings.HasPrefix(it.URL, "http") {
				t.Errorf("item URL %q repeated or not absolute", it.URL)
			}
			seen[it.URL] = true
		}
	})
}
