package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kuzot/config"
)

const fetchTestAgent = "Kuzot/0.1 (+https://kuzot.test/contact)"

// fetchTestConfig is a crawler configuration with short timeouts, a small
// body cap and, unless a test turns them on, no robots.txt and no host limit.
func fetchTestConfig() config.Crawler {
	off := false
	return config.Crawler{
		UserAgent:      fetchTestAgent,
		MaxBodySize:    256 << 10,
		ConnectTimeout: config.Duration(time.Second),
		HeaderTimeout:  config.Duration(300 * time.Millisecond),
		BodyTimeout:    config.Duration(500 * time.Millisecond),
		MaxRedirects:   5,
		RespectRobots:  &off,
	}
}

// fetchTestNow is the fetcher's clock in tests that read HTTP dates.
var fetchTestNow = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

func newTestFetcher(c config.Crawler) *Fetcher {
	f := NewFetcher(c, slog.New(slog.DiscardHandler))
	f.now = func() time.Time { return fetchTestNow }
	return f
}

// gzipBytes compresses b.
func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFetch(t *testing.T) {
	page := []byte("<html><body><h1>Минздрав</h1></body></html>")
	bomb := gzipBytes(t, make([]byte, 20<<20))
	if len(bomb) > 64<<10 {
		t.Fatalf("the gzip bomb is %d bytes, meant to be small", len(bomb))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Fri, 13 Mar 2026 08:00:00 GMT")
		w.Write(page)
	})
	mux.HandleFunc("/conditional", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` && r.Header.Get("If-Modified-Since") == "Fri, 13 Mar 2026 08:00:00 GMT" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(page)
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Write([]byte("gzip was not offered"))
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gzipBytes(t, page))
	})
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(bomb)))
		w.Write(bomb)
	})
	mux.HandleFunc("/huge-declared", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(50<<20))
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for range 50 << 20 / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/huge-chunked", func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for range 50 << 20 / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/exact-cap", func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("a"), 256<<10))
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/busy-seconds", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/busy-date", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", fetchTestNow.Add(90*time.Second).Format(http.TimeFormat))
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/unavailable", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/loop-a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop-b", http.StatusFound) })
	mux.HandleFunc("/loop-b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop-a", http.StatusMovedPermanently)
	})
	// /hops/N redirects to /hops/N-1, and /hops/0 is the page.
	mux.HandleFunc("/hops/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			w.Write(page)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hops/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://files.example.kg/page.html", http.StatusFound)
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "file:///etc/passwd")
		w.WriteHeader(http.StatusMovedPermanently)
	})
	mux.HandleFunc("/silent", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	mux.HandleFunc("/slow-loris", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		for {
			if _, err := w.Write([]byte("<")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		name       string
		req        Request
		wantErr    error
		wantStatus int // of a *StatusError
		wantRetry  time.Duration
		temporary  bool
		wantInErr  string
		wantBody   []byte
		wantURL    string
	}{
		{name: "ok", req: Request{URL: srv.URL + "/ok"}, wantBody: page, wantURL: srv.URL + "/ok"},
		{name: "conditional GET answered 304", req: Request{URL: srv.URL + "/conditional", ETag: `"v1"`, LastModified: "Fri, 13 Mar 2026 08:00:00 GMT"}, wantErr: ErrNotModified},
		{name: "conditional GET with an old ETag", req: Request{URL: srv.URL + "/conditional", ETag: `"v0"`}, wantBody: page},
		{name: "gzip is decompressed", req: Request{URL: srv.URL + "/gzip"}, wantBody: page},
		{name: "gzip bomb", req: Request{URL: srv.URL + "/bomb"}, wantErr: ErrTooLarge},
		{name: "50 MB declared", req: Request{URL: srv.URL + "/huge-declared"}, wantErr: ErrTooLarge, wantInErr: "Content-Length"},
		{name: "50 MB chunked", req: Request{URL: srv.URL + "/huge-chunked"}, wantErr: ErrTooLarge},
		{name: "exactly the cap", req: Request{URL: srv.URL + "/exact-cap"}, wantBody: bytes.Repeat([]byte("a"), 256<<10)},
		{name: "empty body", req: Request{URL: srv.URL + "/empty"}, wantErr: ErrEmptyBody},
		{name: "429 with seconds", req: Request{URL: srv.URL + "/busy-seconds"}, wantStatus: 429, wantRetry: 120 * time.Second, temporary: true},
		{name: "429 with a date", req: Request{URL: srv.URL + "/busy-date"}, wantStatus: 429, wantRetry: 90 * time.Second, temporary: true},
		{name: "503", req: Request{URL: srv.URL + "/unavailable"}, wantStatus: 503, wantRetry: 30 * time.Second, temporary: true},
		{name: "500", req: Request{URL: srv.URL + "/broken"}, wantStatus: 500, temporary: true},
		{name: "404", req: Request{URL: srv.URL + "/missing"}, wantStatus: 404},
		{name: "redirect loop", req: Request{URL: srv.URL + "/loop-a"}, wantErr: ErrTooManyRedirects, wantInErr: "redirect loop " + srv.URL + "/loop-a -> " + srv.URL + "/loop-b -> " + srv.URL + "/loop-a"},
		{name: "5 redirects", req: Request{URL: srv.URL + "/hops/5"}, wantBody: page, wantURL: srv.URL + "/hops/0"},
		{name: "6 redirects", req: Request{URL: srv.URL + "/hops/6"}, wantErr: ErrTooManyRedirects, wantInErr: srv.URL + "/hops/0"},
		{name: "redirect to ftp", req: Request{URL: srv.URL + "/to-ftp"}, wantErr: ErrUnsupportedScheme, wantInErr: "ftp://files.example.kg/page.html"},
		{name: "redirect to file", req: Request{URL: srv.URL + "/to-file"}, wantErr: ErrUnsupportedScheme, wantInErr: "file:///etc/passwd"},
		{name: "not http", req: Request{URL: "file:///etc/passwd"}, wantErr: ErrUnsupportedScheme},
		{name: "never answers", req: Request{URL: srv.URL + "/silent"}, temporary: true, wantInErr: "timeout awaiting response headers"},
		{name: "slow loris", req: Request{URL: srv.URL + "/slow-loris"}, wantErr: context.DeadlineExceeded, temporary: true},
	}
	f := newTestFetcher(fetchTestConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			resp, err := f.Fetch(context.Background(), tt.req)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %s, want the timeouts to end it sooner", took)
			}
			if tt.wantBody != nil {
				if err != nil {
					t.Fatalf("Fetch: %v", err)
				}
				if !bytes.Equal(resp.Body, tt.wantBody) {
					t.Errorf("body = %.80q, want %.80q", resp.Body, tt.wantBody)
				}
				if tt.wantURL != "" && resp.URL != tt.wantURL {
					t.Errorf("URL = %s, want %s", resp.URL, tt.wantURL)
				}
				return
			}
			if err == nil {
				t.Fatalf("Fetch succeeded with %d bytes, want an error", len(resp.Body))
			}
			if resp != nil {
				t.Errorf("a response came with the error %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "crawler: fetch "+tt.req.URL+":") {
				t.Errorf("err = %q, want it to start with crawler: fetch and the URL", err)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("err = %q, want it to mention %q", err, tt.wantInErr)
			}
			var se *StatusError
			switch {
			case tt.wantStatus != 0 && !errors.As(err, &se):
				t.Errorf("err = %v, want a *StatusError", err)
			case tt.wantStatus != 0 && se.Code != tt.wantStatus:
				t.Errorf("status = %d, want %d", se.Code, tt.wantStatus)
			}
			if got := RetryAfter(err); got != tt.wantRetry {
				t.Errorf("RetryAfter = %s, want %s", got, tt.wantRetry)
			}
			if got := IsTemporary(err); got != tt.temporary {
				t.Errorf("IsTemporary(%v) = %v, want %v", err, got, tt.temporary)
			}
		})
	}
}

func TestFetchResponseFields(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=windows-1251")
		w.Header().Set("ETag", `W/"abc"`)
		w.Header().Set("Last-Modified", "Fri, 13 Mar 2026 08:00:00 GMT")
		w.Header().Set("X-Site", "kaktus")
		w.Write([]byte("<p>x</p>"))
	}))
	defer srv.Close()
	resp, err := newTestFetcher(fetchTestConfig()).Fetch(context.Background(), Request{URL: srv.URL + "/news/1#comments"})
	if err != nil {
		t.Fatal(err)
	}
	want := Response{URL: srv.URL + "/news/1", Status: 200, ContentType: "text/html; charset=windows-1251", ETag: `W/"abc"`, LastModified: "Fri, 13 Mar 2026 08:00:00 GMT"}
	got := *resp
	got.Header, got.Body = nil, nil
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("response = %+v, want %+v", got, want)
	}
	if resp.Header.Get("X-Site") != "kaktus" {
		t.Errorf("header X-Site = %q, want kaktus", resp.Header.Get("X-Site"))
	}
}

func TestFetchUserAgent(t *testing.T) {
	var mu sync.Mutex
	agents := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents[r.URL.Path] = r.UserAgent()
		mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			w.Write([]byte("User-agent: *\nAllow: /\n"))
		case "/old":
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
		default:
			w.Write([]byte("page"))
		}
	}))
	defer srv.Close()
	c := fetchTestConfig()
	c.RespectRobots = nil
	if _, err := newTestFetcher(c).Fetch(context.Background(), Request{URL: srv.URL + "/old"}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/robots.txt", "/old", "/new"} {
		t.Run(path, func(t *testing.T) {
			mu.Lock()
			defer mu.Unlock()
			if got, ok := agents[path]; !ok || got != fetchTestAgent {
				t.Errorf("User-Agent = %q (requested: %v), want %q", got, ok, fetchTestAgent)
			}
		})
	}
}

func TestFetchReusesConnections(t *testing.T) {
	var dials atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Write(bytes.Repeat([]byte("x"), 4<<10))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	f := newTestFetcher(fetchTestConfig())
	for i := range 6 {
		path := "/page"
		if i%2 == 1 {
			path = "/missing"
		}
		_, _ = f.Fetch(context.Background(), Request{URL: srv.URL + path})
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("6 requests opened %d connections, want 1 reused", n)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"120", 120 * time.Second},
		{" 5 ", 5 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"", 0},
		{"soon", 0},
		{"99999999999999", maxRetryAfterHeader},
		{fetchTestNow.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{fetchTestNow.Add(-time.Hour).Format(http.TimeFormat), 0},
		{fetchTestNow.Add(2 * time.Hour).Format(time.RFC850), 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseRetryAfter(tt.in, fetchTestNow); got != tt.want {
				t.Errorf("parseRetryAfter(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestIsTemporary(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"429", &StatusError{Code: 429}, true},
		{"503 wrapped", fmt.Errorf("crawler: source x: %w", &StatusError{Code: 503}), true},
		{"404", &StatusError{Code: 404}, false},
		{"403", &StatusError{Code: 403}, false},
		{"robots rule", fmt.Errorf("crawler: fetch x: %w", ErrDisallowed), false},
		{"robots unavailable", fmt.Errorf("%w: %w", ErrDisallowed, errRobotsUnavailable), true},
		{"too large", ErrTooLarge, false},
		{"redirects", ErrTooManyRedirects, false},
		{"timeout", fmt.Errorf("x: %w", context.DeadlineExceeded), true},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{"no such host", &net.DNSError{Err: "no such host", Name: "x.kg", IsNotFound: true}, false},
		{"dns timeout", &net.DNSError{Err: "timeout", Name: "x.kg", IsTimeout: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsTemporary(tt.err); got != tt.want {
				t.Errorf("IsTemporary(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestFetchConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = newTestFetcher(fetchTestConfig()).Fetch(context.Background(), Request{URL: "http://" + addr + "/"})
	if err == nil || !IsTemporary(err) {
		t.Errorf("err = %v, want a temporary connection error", err)
	}
}
