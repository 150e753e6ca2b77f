package crawler_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kuzot/config"
	"kuzot/crawler"
	"kuzot/crawler/crawltest"
	"kuzot/store"
)

// benchSites starts n local news sites of per articles each and returns
// their sources (half listing sites read with selectors, half RSS feeds
// whose pages are read by the readability extractor) and every page URL a
// crawl fetches.
func benchSites(b *testing.B, n, per int) ([]config.Source, []string) {
	b.Helper()
	var srcs []config.Source
	var pages []string
	for i := 0; i < n; i++ {
		site := crawltest.New(crawltest.Generate(i*per+1, per, now, time.Minute, uint64(i))...)
		site.PageSize = per
		srv := httptest.NewServer(site)
		b.Cleanup(srv.Close)
		if i%2 == 0 {
			s := htmlSource(srv.URL)
			s.ID = "site-" + strconv.Itoa(i)
			srcs = append(srcs, s)
			pages = append(pages, s.URL)
			for j := 0; j < per; j++ {
				pages = append(pages, fmt.Sprintf("%s/doc/%d.html", srv.URL, i*per+1+j))
			}
		} else {
			srcs = append(srcs, config.Source{ID: "feed-" + strconv.Itoa(i), Kind: config.KindRSS, URL: srv.URL + "/rss.xml"})
			pages = append(pages, srv.URL+"/rss.xml")
			for j := 0; j < per; j++ {
				pages = append(pages, fmt.Sprintf("%s/news/%d", srv.URL, i*per+1+j))
			}
		}
	}
	return srcs, pages
}

// rawFetch GETs every page with workers goroutines and plain net/http, the
// baseline a crawl is compared with.
func rawFetch(b *testing.B, pages []string, workers int) time.Duration {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	defer client.CloseIdleConnections()
	start := time.Now()
	jobs := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range jobs {
				resp, err := client.Get(u)
				if err != nil {
					b.Error(err)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	for _, u := range pages {
		jobs <- u
	}
	close(jobs)
	wg.Wait()
	return time.Since(start)
}

// BenchmarkCrawl crawls 5,000 articles over 50 local sources end to end
// (fetch, parse, extract, normalise, store) and compares the rate with raw
// HTTP GETs of the same pages in the same run. Run it with
//
//	go test ./crawler -run '^$' -bench BenchmarkCrawl -benchtime 1x -count 5
//
// and take the medians.
func BenchmarkCrawl(b *testing.B) {
	const sources, per = 50, 100
	srcs, pages := benchSites(b, sources, per)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cfg := testConfig(b, srcs...)
		cfg.Crawler.MaxArticlesPerPoll = per
		raw := rawFetch(b, pages, cfg.Crawler.Workers)
		st, err := store.Open(context.Background(), filepath.Join(cfg.DataDir, "kuzot.db"))
		if err != nil {
			b.Fatal(err)
		}
		c := crawler.New(cfg, st, quiet)
		b.StartTimer()
		start := time.Now()
		results := c.PollAll(context.Background(), nil)
		took := time.Since(start)
		b.StopTimer()
		stored := 0
		for _, r := range results {
			if r.Err != nil {
				b.Fatalf("%s: %v", r.Source, r.Err)
			}
			stored += r.Stored
		}
		st.Close()
		if stored != sources*per {
			b.Fatalf("stored %d articles, want %d", stored, sources*per)
		}
		crawlRate := float64(stored) / took.Seconds()
		rawRate := float64(stored) / raw.Seconds()
		b.ReportMetric(crawlRate, "articles/s")
		b.ReportMetric(rawRate, "raw-articles/s")
		b.ReportMetric(crawlRate/rawRate, "ratio")
		b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MB")
		b.StartTimer()
	}
}

// BenchmarkCrawl1000Sources polls 1,000 configured sources of 5 articles
// each once and reports the process's peak RSS, local sites included:
//
//	go test ./crawler -run '^$' -bench BenchmarkCrawl1000Sources -benchtime 1x
func BenchmarkCrawl1000Sources(b *testing.B) {
	const sources, per = 1000, 5
	srcs, _ := benchSites(b, sources, per)
	for i := 0; i < b.N; i++ {
		cfg := testConfig(b, srcs...)
		st, err := store.Open(context.Background(), filepath.Join(cfg.DataDir, "kuzot.db"))
		if err != nil {
			b.Fatal(err)
		}
		c := crawler.New(cfg, st, quiet)
		results := c.PollAll(context.Background(), nil)
		failed := 0
		for _, r := range results {
			if r.Err != nil {
				failed++
			}
		}
		st.Close()
		if failed > 0 {
			b.Fatalf("%d sources failed", failed)
		}
		b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MB")
	}
}

// peakRSS reads the process's high-water resident set size in bytes.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
