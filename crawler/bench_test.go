package crawler_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kuzot/config"
	"kuzot/crawler"
	"kuzot/crawler/crawltest"
	"kuzot/store"
)

// benchSitesEnv, when set to "sites,articles,latency", makes this test
// binary serve that many local news sites instead of running tests: the
// benchmarks start it as a child process, so that the memory and CPU they
// measure are the crawler's alone, not the servers'.
const benchSitesEnv = "KUZOT_BENCH_SITES"

func TestMain(m *testing.M) {
	if spec := os.Getenv(benchSitesEnv); spec != "" {
		serveBenchSites(spec)
		return
	}
	os.Exit(m.Run())
}

// serveBenchSites starts the sites spec asks for, prints one base URL a
// line, and serves until its standard input closes (the parent is gone).
func serveBenchSites(spec string) {
	var n, per int
	var latency time.Duration
	if _, err := fmt.Sscanf(spec, "%d,%d,%d", &n, &per, &latency); err != nil {
		fmt.Fprintln(os.Stderr, "bad", benchSitesEnv, spec, err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; i < n; i++ {
		site := crawltest.New(crawltest.Generate(i*per+1, per, now, time.Minute, uint64(i))...)
		site.PageSize = per
		var h http.Handler = site
		if latency > 0 {
			// A remote server answers after a round trip and some work;
			// the sleep stands for both.
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(latency)
				site.ServeHTTP(w, r)
			})
		}
		fmt.Fprintln(out, httptest.NewServer(h).URL)
	}
	out.Flush()
	io.Copy(io.Discard, os.Stdin)
}

// benchSites starts n local news sites of per articles each in a child
// process and returns their sources (half listing sites read with
// selectors, half RSS feeds whose pages are read by the generic
// extractor) and every page URL a crawl fetches.
func benchSites(b *testing.B, n, per int, latency time.Duration) ([]config.Source, []string) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d,%d,%d", benchSitesEnv, n, per, latency))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	lines := bufio.NewScanner(stdout)
	var srcs []config.Source
	var pages []string
	for i := 0; i < n; i++ {
		if !lines.Scan() {
			b.Fatalf("the site process gave %d of %d sites: %v", i, n, lines.Err())
		}
		base := lines.Text()
		if i%2 == 0 {
			s := htmlSource(base)
			s.ID = "site-" + strconv.Itoa(i)
			srcs = append(srcs, s)
			pages = append(pages, s.URL)
			for j := 0; j < per; j++ {
				pages = append(pages, fmt.Sprintf("%s/doc/%d.html", base, i*per+1+j))
			}
		} else {
			srcs = append(srcs, config.Source{ID: "feed-" + strconv.Itoa(i), Kind: config.KindRSS, URL: base + "/rss.xml"})
			pages = append(pages, base+"/rss.xml")
			for j := 0; j < per; j++ {
				pages = append(pages, fmt.Sprintf("%s/news/%d", base, i*per+1+j))
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

// crawlOnce polls every source once into a new store and returns what was
// stored, the time it took, the CPU time this process spent and its peak
// resident set meanwhile.
func crawlOnce(b *testing.B, cfg *config.Config) (stored int, took, cpu time.Duration, peak int64) {
	b.Helper()
	st, err := store.Open(context.Background(), filepath.Join(cfg.DataDir, "kuzot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	c := crawler.New(cfg, st, quiet)
	// What came before (site setup, the raw fetch) is given back to the
	// system, so the peak is the crawl's own.
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	cpu0 := cpuTime()
	start := time.Now()
	b.StartTimer()
	results := c.PollAll(context.Background(), nil)
	b.StopTimer()
	took, cpu, peak = time.Since(start), cpuTime()-cpu0, peakRSS()
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			failed++
			b.Errorf("%s: %v", r.Source, r.Err)
		}
		stored += r.Stored
	}
	if failed > 0 {
		b.Fatalf("%d of %d sources failed", failed, len(results))
	}
	return stored, took, cpu, peak
}

// BenchmarkCrawl crawls 5,000 articles over 50 local sources end to end
// (fetch, parse, extract, normalise, store) and compares the rate with raw
// HTTP GETs of the same pages in the same run, against servers that answer
// at once (latency=0: the crawler's CPU cost against a bare GET's) and
// after 5 ms (a near network: how much of the fetch rate the crawler
// keeps). The sites run in a child process. Run it with
//
//	go test ./crawler -run '^$' -bench 'BenchmarkCrawl$' -benchtime 1x -count 5
//
// and take the medians.
func BenchmarkCrawl(b *testing.B) {
	const sources, per = 50, 100
	for _, latency := range []time.Duration{0, 5 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) {
			b.StopTimer()
			srcs, pages := benchSites(b, sources, per, latency)
			for i := 0; i < b.N; i++ {
				cfg := testConfig(b, srcs...)
				cfg.Crawler.MaxArticlesPerPoll = per
				raw := rawFetch(b, pages, cfg.Crawler.Workers)
				stored, took, cpu, peak := crawlOnce(b, cfg)
				if stored != sources*per {
					b.Fatalf("stored %d articles, want %d", stored, sources*per)
				}
				crawlRate := float64(stored) / took.Seconds()
				rawRate := float64(stored) / raw.Seconds()
				b.ReportMetric(crawlRate, "articles/s")
				b.ReportMetric(rawRate, "raw-articles/s")
				b.ReportMetric(crawlRate/rawRate, "ratio")
				b.ReportMetric(float64(cpu.Microseconds())/1000/float64(stored), "cpu-ms/article")
				b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
			}
		})
	}
}

// BenchmarkCrawl1000Sources polls 1,000 configured sources of 5 articles
// each once and reports the crawler's peak resident set; the sites run in
// a child process:
//
//	go test ./crawler -run '^$' -bench BenchmarkCrawl1000Sources -benchtime 1x -count 5
func BenchmarkCrawl1000Sources(b *testing.B) {
	const sources, per = 1000, 5
	b.StopTimer()
	srcs, _ := benchSites(b, sources, per, 0)
	for i := 0; i < b.N; i++ {
		cfg := testConfig(b, srcs...)
		stored, took, _, peak := crawlOnce(b, cfg)
		if stored != sources*per {
			b.Fatalf("stored %d articles, want %d", stored, sources*per)
		}
		b.ReportMetric(float64(stored)/took.Seconds(), "articles/s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
	}
}

// resetPeakRSS sets the process's high-water resident set to its current
// one (Linux 4.0 and later), so peakRSS measures from here.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
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

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
