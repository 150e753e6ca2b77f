package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"kuzot/crawler/crawltest"
)

// capture runs the command line and returns its exit code and standard
// output.
func capture(t *testing.T, args ...string) (int, string) {
	t.Helper()
	stop := redirect(t, &os.Stdout)
	code := run(args)
	return code, stop()
}

// redirect points *f (os.Stdout or os.Stderr) at a pipe until the returned
// function is called, which restores it and returns what was written.
func redirect(t *testing.T, f **os.File) func() string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := *f
	*f = w
	done := make(chan string)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, r)
		done <- b.String()
	}()
	return func() string {
		w.Close()
		*f = old
		return <-done
	}
}

// writeConfig writes a configuration polling a local site.
func writeConfig(t *testing.T, base string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := `data_dir: ` + filepath.Join(dir, "data") + `
crawler:
  host_interval: 0s
web:
  listen: 127.0.0.1:0
sources:
  - id: local-rss
    kind: rss
    url: ` + base + `/rss.xml
  - id: local-listing
    kind: html
    url: ` + base + `/?lable=8&order=time
    selectors:
      item: div.Tag--article
      link: a.ArticleItem--name
      title: h1.Article--title
      time: time.Article--createAt
      time_attr: datetime
      body: div.Article--text div.BbCode p
`
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCrawlOnceThenSources(t *testing.T) {
	end := time.Now().Add(-time.Hour)
	srv := httptest.NewServer(crawltest.New(crawltest.Generate(1, 5, end, time.Minute, 1)...))
	defer srv.Close()
	cfg := writeConfig(t, srv.URL)

	code, out := capture(t, "crawl", "--once", "--config", cfg, "--json", "--log-level", "error")
	if code != 0 {
		t.Fatalf("crawl exited %d: %s", code, out)
	}
	var polls []pollRow
	if err := json.Unmarshal([]byte(out), &polls); err != nil {
		t.Fatalf("crawl --json: %v\n%s", err, out)
	}
	if len(polls) != 2 || polls[0].Stored != 5 || polls[1].Items != 5 || polls[1].Stored+polls[1].Duplicates != 5 {
		t.Errorf("polls: %+v", polls)
	}

	code, out = capture(t, "sources", "--config", cfg, "--json")
	if code != 0 {
		t.Fatalf("sources exited %d", code)
	}
	var health []healthRow
	if err := json.Unmarshal([]byte(out), &health); err != nil {
		t.Fatal(err)
	}
	if health[0].Status != "ok" || health[0].Articles24h != 5 || health[0].LastFetch == "" {
		t.Errorf("health: %+v", health[0])
	}

	code, out = capture(t, "sources", "check", "--config", cfg)
	if code != 0 || !strings.Contains(out, "2 of 2 sources work") {
		t.Errorf("sources check exited %d:\n%s", code, out)
	}
}

func TestCommandErrors(t *testing.T) {
	srv := httptest.NewServer(crawltest.New())
	defer srv.Close()
	cfg := writeConfig(t, srv.URL)
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("sources:\n  - id: x\n    kind: rss\n    url: https://example.org/\n    intervall: 5m\n"), 0o644)
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"crawl", "--config", cfg}, 1},           // --once is required
		{[]string{"crawl", "--once", "--config", bad}, 1}, // unknown key
		{[]string{"crawl", "--once", "--backfill", "a week", "--config", cfg}, 1},
		{[]string{"nonsense"}, 2},
		{[]string{"sources", "--config", cfg, "--bogus"}, 2},
		{[]string{"sources", "frobnicate", "--config", cfg}, 1},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if code, _ := capture(t, tt.args...); code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
		})
	}
}

func TestCrawlThenSearch(t *testing.T) {
	end := time.Now().Add(-time.Hour)
	arts := []crawltest.Article{
		{ID: 1, Title: "Ооруканада дарыгерлер жетишпейт", Body: []string{"Нарын облустук ооруканасында дарыгерлер жетишпейт, бейтаптар кезекте күтүшөт."}, Published: end.Add(-2 * time.Hour)},
		{ID: 2, Title: "В роддоме не хватает врачей", Body: []string{"Главный врач роддома сообщил, что врачей не хватает."}, Published: end.Add(-time.Hour)},
		{ID: 3, Title: "Ремонт дороги в Оше", Body: []string{"Мэрия начала ремонт дороги."}, Published: end},
	}
	srv := httptest.NewServer(crawltest.New(arts...))
	defer srv.Close()
	cfg := writeConfig(t, srv.URL)
	if code, out := capture(t, "crawl", "--once", "--config", cfg, "--log-level", "error"); code != 0 {
		t.Fatalf("crawl exited %d: %s", code, out)
	}

	code, out := capture(t, "search", "ооруканадан OR врач", "--config", cfg, "--json", "--facet", "lang,outlet,date", "--since", "7d")
	if code != 0 {
		t.Fatalf("search exited %d: %s", code, out)
	}
	var res searchJSONOut
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("search --json: %v\n%s", err, out)
	}
	// The site is read twice, as a feed and as a listing: each article is
	// stored under both URLs, since the two bodies differ by the site's
	// trailing line.
	if res.Total != 4 || len(res.Hits) != 4 || len(res.Facets["lang"]) != 2 || res.Histogram == nil {
		t.Fatalf("search result: %s", out)
	}
	for _, h := range res.Hits {
		if !strings.Contains(h.TitleHTML+h.Snippet, "<mark>") {
			t.Errorf("hit %q has no highlight: %+v", h.Title, h)
		}
	}

	code, out = capture(t, "search", "врач", "--config", cfg, "--sort", "date")
	if code != 0 || !strings.Contains(out, "2 articles for врач") || !strings.Contains(out, "[врачей]") {
		t.Errorf("search (text) exited %d:\n%s", code, out)
	}

	if code, out := capture(t, "reindex", "--config", cfg); code != 0 || !strings.Contains(out, "indexed 6 articles") {
		t.Errorf("reindex exited %d: %s", code, out)
	}
	for _, bad := range [][]string{{"search", "врач AND", "--config", cfg}, {"search", "--config", cfg}, {"search", "врач", "--since", "soon", "--config", cfg}} {
		if code, _ := capture(t, bad...); code != 1 {
			t.Errorf("%q exited %d, want 1", bad, code)
		}
	}
}

// TestBackfillProgressLines checks the backfill's progress when standard
// error is not a terminal: plain numbered lines a CI log can keep.
func TestBackfillProgressLines(t *testing.T) {
	now := time.Now()
	var arts []crawltest.Article
	for d := range 4 {
		arts = append(arts, crawltest.Article{ID: 100 + d, Title: "Новость дня " + strconv.Itoa(d), Body: []string{"Текст новости."}, Published: now.AddDate(0, 0, -d).Add(-time.Hour)})
	}
	srv := httptest.NewServer(crawltest.New(arts...))
	defer srv.Close()
	cfg := writeConfig(t, srv.URL)
	data, _ := os.ReadFile(cfg)
	data = []byte(strings.Replace(string(data), "  - id: local-listing\n", "  - id: local-listing\n    backfill_url: "+srv.URL+"/?lable=8&date={date}&order=time\n", 1))
	os.WriteFile(cfg, data, 0o644)

	stop := redirect(t, &os.Stderr)
	code, out := capture(t, "crawl", "--once", "--backfill", "2d", "--config", cfg, "--log-level", "error")
	progress := stop()
	if code != 0 {
		t.Fatalf("crawl exited %d: %s\n%s", code, out, progress)
	}
	bishkek, _ := time.LoadLocation("Asia/Bishkek")
	oldest := "local-listing: " + now.In(bishkek).AddDate(0, 0, -2).Format(time.DateOnly) + ": 1 stored"
	for _, want := range []string{"[1/2] ", "[2/2] ", oldest, "local-rss: latest (cannot walk back)"} {
		if !strings.Contains(progress, want) {
			t.Errorf("progress lacks %q:\n%s", want, progress)
		}
	}
	if strings.Contains(progress, "\r") || strings.Contains(progress, "\x1b[") {
		t.Errorf("progress is drawn for a terminal, not written as lines:\n%q", progress)
	}
	if !strings.Contains(out, "LATER") {
		t.Errorf("the table lacks the deferred column:\n%s", out)
	}
}
