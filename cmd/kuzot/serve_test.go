package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kuzot/config"
	"kuzot/crawler/crawltest"
	"kuzot/index"
	"kuzot/store"
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
