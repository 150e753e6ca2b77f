package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kuzot/config"
	"kuzot/crawler/crawltest"
	"kuzot/index"
	"kuzot/store"
	"kuzot/web"
)

// TestServeIndexesWhatItCrawls runs kuzot serve against a local site,
// waits for the indexer to log that it indexed the crawled article, stops
// the service with SIGTERM the way an operator would, and finds the
// article in the index.
func TestServeIndexesWhatItCrawls(t *testing.T) {
	site := crawltest.New(crawltest.Article{ID: 1, Title: "Ооруканада кезек", Body: []string{"Бейтаптар ооруканасында кезекте күтүшөт."}, Published: time.Now().Add(-time.Hour)})
	srv := httptest.NewServer(site)
	defer srv.Close()
	cfgPath := writeConfig(t, srv.URL)
	cfg, err := config.LoadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}

	logs := &syncBuffer{}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	go io.Copy(logs, r)
	done := make(chan int)
	go func() { done <- run([]string{"serve", "--config", cfgPath, "--log-level", "debug"}) }()

	deadline := time.Now().Add(30 * time.Second)
	// The site is read as a feed and as a listing: two articles, the
	// second with id 2.
	for !strings.Contains(logs.String(), "last_id=2") {
		if time.Now().After(deadline) {
			os.Stderr = old
			t.Fatalf("the indexer never logged indexing the crawled articles:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d:\n%s", code, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	w.Close()
	os.Stderr = old
	if !strings.Contains(logs.String(), "kuzot stopped") {
		t.Errorf("no orderly stop in the log:\n%s", logs.String())
	}

	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(cfg.DataDir, "kuzot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	x, err := index.Open(filepath.Join(cfg.DataDir, "index"), st, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if n, err := x.Sync(ctx, nil); err != nil || n != 0 {
		t.Errorf("serve left %d articles unindexed (%v)", n, err)
	}
	res, err := x.Search(ctx, index.Request{Query: "оорукана"})
	if err != nil || res.Total != 2 {
		t.Errorf("search after serve: %+v, %v", res, err)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestServeWebAndMetrics runs kuzot serve with rules, finds the web
// address in its log, and reads /healthz, an unauthenticated refusal, and
// /metrics with an API token: polls by source and status, articles stored,
// rule matches and alerts by severity.
func TestServeWebAndMetrics(t *testing.T) {
	site := crawltest.New(crawltest.Article{ID: 1, Title: "Врачебная ошибка в роддоме",
		Body: []string{"Роженице ввели антисептик. Минздрав начал проверку."}, Published: time.Now().Add(-time.Hour)})
	srv := httptest.NewServer(site)
	defer srv.Close()
	cfgPath := rulesConfig(t, srv.URL)
	cfg, err := config.LoadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(cfg.DataDir, "kuzot.db"))
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := web.AddUser(ctx, st, "monitor", "viewer", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := web.AddToken(ctx, st, u, "prometheus", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	logs := &syncBuffer{}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	go io.Copy(logs, r)
	defer func() { os.Stderr = old }()
	done := make(chan int)
	go func() { done <- run([]string{"serve", "--config", cfgPath, "--log-level", "debug"}) }()
	addr := regexp.MustCompile(`web=http://(127\.0\.0\.1:[0-9]+)`)
	deadline := time.Now().Add(30 * time.Second)
	var base string
	for {
		if m := addr.FindStringSubmatch(logs.String()); m != nil && strings.Contains(logs.String(), "last_id=2") {
			base = "http://" + m[1]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never logged its web address and indexed the article:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	get := func(path, tok string) (int, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz", ""); code != 200 {
		t.Errorf("/healthz: %d", code)
	}
	if code, _ := get("/api/alerts", ""); code != 401 {
		t.Errorf("/api/alerts without a token: %d", code)
	}
	var metrics string
	for time.Now().Before(deadline) {
		_, metrics = get("/metrics", token)
		if strings.Contains(metrics, `kuzot_rule_matches_total{`) && strings.Contains(metrics, `kuzot_alerts{severity="high",status="open"} 1`) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, want := range []string{`kuzot_fetches_total{source="local-rss",status="ok"}`, `kuzot_articles_stored 2`,
		`kuzot_rule_matches_total{decision="alert",rule="medical-error-ru"}`, `kuzot_alerts{severity="high",status="open"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d:\n%s", code, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	w.Close()
}
