package crawler_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"kuzot/config"
	"kuzot/crawler"
)

// TestPollWrongCharset reads a windows-1251 feed that declares UTF-8 and a
// windows-1251 article page served as UTF-8: both are stored as the
// Cyrillic text they hold.
func TestPollWrongCharset(t *testing.T) {
	cp1251 := func(s string) []byte {
		b, err := charmap.Windows1251.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const title = "Минздрав сообщил о вспышке кори в Таласе"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
			w.Write(cp1251(`<?xml version="1.0" encoding="utf-8"?>` + rssOf(rssItem("http://"+r.Host+"/p/1", "1", title, "Wed, 25 Nov 2026 09:00:00 +0600", "Лид новости."))))
		case "/p/1":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(cp1251(`<html><head><title>` + title + `</title></head><body><article><h1>` + title + `</h1>` +
				`<p>Заболели пятеро детей, все они госпитализированы в областную больницу Таласа.</p>` +
				`<p>Министерство здравоохранения призывает родителей проверить прививочные карты детей.</p>` +
				`<p>Вакцинация в поликлиниках города проводится бесплатно и без записи.</p></article></body></html>`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	cfg := testConfig(t, config.Source{ID: "rss", Kind: config.KindRSS, URL: srv.URL + "/feed"})
	st := openStore(t, cfg.DataDir)
	c := crawler.New(cfg, st, quiet, crawler.WithClock(func() time.Time { return now }))
	if r := c.Poll(context.Background(), &cfg.Sources[0]); r.Err != nil || r.Stored != 1 {
		t.Fatalf("poll: %+v", r)
	}
	a, err := st.ArticleByURL(context.Background(), srv.URL+"/p/1")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != title || !strings.Contains(a.Body, "пятеро детей") || a.Lang != "ru" {
		t.Errorf("stored %q / %q (%s)", a.Title, a.Body, a.Lang)
	}
}
