package crawler

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kuzot/config"
)

// robotsSite is a test site whose robots.txt answer can change, and which
// counts the requests for robots.txt and for pages.
type robotsSite struct {
	srv    *httptest.Server
	robots atomic.Int32
	pages  atomic.Int32
	mu     sync.Mutex
	status int
	body   string
	delay  time.Duration
}

func newRobotsSite(t *testing.T, status int, body string) *robotsSite {
	t.Helper()
	s := &robotsSite{status: status, body: body}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			s.pages.Add(1)
			w.Write([]byte("page " + r.URL.Path))
			return
		}
		s.robots.Add(1)
		s.mu.Lock()
		status, body, delay := s.status, s.body, s.delay
		s.mu.Unlock()
		time.Sleep(delay)
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *robotsSite) setDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

func (s *robotsSite) answer(status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = status, body
}

// testClock is a settable clock for robots.txt expiry.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func robotsFetcher() *Fetcher {
	c := fetchTestConfig()
	c.RespectRobots = nil
	// No robots.txt test waits for a timeout; long ones keep a loaded
	// machine from failing them.
	c.HeaderTimeout, c.BodyTimeout = config.Duration(10*time.Second), config.Duration(20*time.Second)
	return newTestFetcher(c)
}

func TestRobots(t *testing.T) {
	type check struct {
		path      string
		allowed   bool
		temporary bool
	}
	tests := []struct {
		name   string
		status int
		body   string
		checks []check
	}{
		{
			name: "a path disallowed to everyone", status: 200,
			body:   "User-agent: *\nDisallow: /private\n",
			checks: []check{{path: "/private/report", allowed: false}, {path: "/news/1", allowed: true}, {path: "/", allowed: true}},
		},
		{
			name: "a group for Kuzot wins over *", status: 200,
			body:   "User-agent: *\nDisallow:\n\nUser-agent: kuzot\nDisallow: /\n",
			checks: []check{{path: "/news/1", allowed: false}},
		},
		{
			name: "a group for another bot", status: 200,
			body:   "User-agent: GoogleBot\nDisallow: /\n",
			checks: []check{{path: "/news/1", allowed: true}},
		},
		{
			name: "a query pattern", status: 200,
			body:   "User-agent: *\nDisallow: /*?print=\n",
			checks: []check{{path: "/news/1?print=1", allowed: false}, {path: "/news/1", allowed: true}},
		},
		{
			name: "a rule before any User-agent is ignored", status: 200,
			body:   "Disallow: /x\nUser-agent: *\nDisallow: /private\n",
			checks: []check{{path: "/private", allowed: false}, {path: "/x", allowed: true}},
		},
		{
			name: "an empty robots.txt", status: 200, body: "",
			checks: []check{{path: "/news/1", allowed: true}},
		},
		{
			name: "404 allows all", status: 404, body: "not found",
			checks: []check{{path: "/news/1", allowed: true}, {path: "/private", allowed: true}},
		},
		{
			name: "403 allows all", status: 403, body: "forbidden",
			checks: []check{{path: "/news/1", allowed: true}},
		},
		{
			name: "500 disallows all for a while", status: 500, body: "oops",
			checks: []check{{path: "/news/1", allowed: false, temporary: true}, {path: "/", allowed: false, temporary: true}},
		},
		{
			name: "429 disallows all for a while", status: 429, body: "slow down",
			checks: []check{{path: "/news/1", allowed: false, temporary: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newRobotsSite(t, tt.status, tt.body)
			f := robotsFetcher()
			wantPages := int32(0)
			for _, c := range tt.checks {
				resp, err := f.Fetch(context.Background(), Request{URL: site.srv.URL + c.path})
				if c.allowed {
					wantPages++
					if err != nil {
						t.Errorf("%s: %v, want it allowed", c.path, err)
					} else if string(resp.Body) != "page "+c.path[:len(c.path)-len(queryOf(c.path))] {
						t.Errorf("%s: body %q", c.path, resp.Body)
					}
					continue
				}
				if !errors.Is(err, ErrDisallowed) {
					t.Errorf("%s: err = %v, want ErrDisallowed", c.path, err)
				}
				if got := IsTemporary(err); got != c.temporary {
					t.Errorf("%s: IsTemporary(%v) = %v, want %v", c.path, err, got, c.temporary)
				}
			}
			if got := site.robots.Load(); got != 1 {
				t.Errorf("robots.txt requested %d times, want once", got)
			}
			if got := site.pages.Load(); got != wantPages {
				t.Errorf("%d pages requested, want %d (disallowed pages are not requested)", got, wantPages)
			}
		})
	}
}

func queryOf(path string) string {
	u, err := url.Parse(path)
	if err != nil || u.RawQuery == "" {
		return ""
	}
	return "?" + u.RawQuery
}

func TestRobotsExpiry(t *testing.T) {
	site := newRobotsSite(t, 503, "down")
	f := robotsFetcher()
	clock := &testClock{t: fetchTestNow}
	f.now = clock.now
	fetch := func() error {
		_, err := f.Fetch(context.Background(), Request{URL: site.srv.URL + "/news/1"})
		return err
	}
	steps := []struct {
		name       string
		advance    time.Duration
		answer     int
		wantErr    error
		wantRobots int32
	}{
		{name: "503 pauses the site", answer: 503, wantErr: ErrDisallowed, wantRobots: 1},
		{name: "still paused a minute later", advance: time.Minute, answer: 200, wantErr: ErrDisallowed, wantRobots: 1},
		{name: "asked again after the retry period", advance: robotsRetry, answer: 200, wantRobots: 2},
		{name: "kept for hours", advance: 6 * time.Hour, answer: 404, wantRobots: 2},
		{name: "asked again when it expires", advance: robotsTTL, answer: 200, wantRobots: 3},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			clock.advance(s.advance)
			if s.answer == 200 {
				site.answer(200, "User-agent: *\nDisallow: /private\n")
			} else {
				site.answer(s.answer, "")
			}
			err := fetch()
			if s.wantErr == nil && err != nil || s.wantErr != nil && !errors.Is(err, s.wantErr) {
				t.Errorf("err = %v, want %v", err, s.wantErr)
			}
			if got := site.robots.Load(); got != s.wantRobots {
				t.Errorf("robots.txt requested %d times, want %d", got, s.wantRobots)
			}
		})
	}
}

func TestRobotsFetchedOnceForConcurrentRequests(t *testing.T) {
	site := newRobotsSite(t, 200, "User-agent: *\nDisallow: /private\n")
	site.setDelay(30 * time.Millisecond)
	f := robotsFetcher()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := f.Fetch(context.Background(), Request{URL: site.srv.URL + "/news/1"})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := site.robots.Load(); got != 1 {
		t.Errorf("robots.txt requested %d times by 8 concurrent fetches, want once", got)
	}
}

func TestRobotsCancelledLoadIsNotCached(t *testing.T) {
	site := newRobotsSite(t, 200, "User-agent: *\nDisallow:\n")
	site.setDelay(200 * time.Millisecond)
	f := robotsFetcher()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := f.Fetch(ctx, Request{URL: site.srv.URL + "/news/1"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the caller's deadline", err)
	}
	site.setDelay(0)
	// Under load the cancelled request may not even reach the server, so
	// count what the next fetch asks for: a fresh load, not a kept failure.
	before := site.robots.Load()
	if _, err := f.Fetch(context.Background(), Request{URL: site.srv.URL + "/news/1"}); err != nil {
		t.Fatalf("a fetch after a cancelled robots.txt load: %v", err)
	}
	if got := site.robots.Load(); got != before+1 {
		t.Errorf("robots.txt requested %d times by the next fetch, want 1 (the cancelled load is not kept)", got-before)
	}
}

func TestRobotsCheckedOnEveryRedirectHop(t *testing.T) {
	other := newRobotsSite(t, 200, "User-agent: *\nDisallow: /secret\n")
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, other.srv.URL+"/secret/page", http.StatusFound)
	}))
	defer first.Close()
	_, err := robotsFetcher().Fetch(context.Background(), Request{URL: first.URL + "/go"})
	if !errors.Is(err, ErrDisallowed) {
		t.Errorf("err = %v, want ErrDisallowed from the redirect target's robots.txt", err)
	}
	if got := other.pages.Load(); got != 0 {
		t.Errorf("the disallowed page was requested %d times", got)
	}
}

func TestRobotsOff(t *testing.T) {
	site := newRobotsSite(t, 200, "User-agent: *\nDisallow: /\n")
	if _, err := newTestFetcher(fetchTestConfig()).Fetch(context.Background(), Request{URL: site.srv.URL + "/news/1"}); err != nil {
		t.Fatal(err)
	}
	if got := site.robots.Load(); got != 0 {
		t.Errorf("robots.txt requested %d times with respect_robots off", got)
	}
}

func TestRobotsCrawlDelay(t *testing.T) {
	tests := []struct {
		name string
		body string
		want time.Duration
	}{
		{"longer than the host interval", "User-agent: *\nCrawl-delay: 2\n", 2 * time.Second},
		{"capped", "User-agent: *\nCrawl-delay: 3600\n", maxCrawlDelay},
		{"shorter than the host interval", "User-agent: *\nCrawl-delay: 0.01\n", 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newRobotsSite(t, 200, tt.body)
			c := fetchTestConfig()
			c.RespectRobots = nil
			c.HostInterval = config.Duration(50 * time.Millisecond)
			f := newTestFetcher(c)
			// Only robots.txt is read: the page itself would wait out the
			// delay.
			u, _ := url.Parse(site.srv.URL + "/news/1")
			if err := f.robots.allowed(context.Background(), u); err != nil {
				t.Fatal(err)
			}
			f.limits.mu.Lock()
			hl := f.limits.hosts[hostKey(u)]
			f.limits.mu.Unlock()
			if hl == nil || hl.every != tt.want {
				t.Errorf("host interval = %v, want %s", hl, tt.want)
			}
		})
	}
}

func TestProductToken(t *testing.T) {
	tests := []struct{ ua, want string }{
		{"Kuzot/0.1 (+https://kuzot.test/contact)", "kuzot"},
		{"KuzotBot (+https://x)", "kuzotbot"},
		{"kuzot", "kuzot"},
	}
	for _, tt := range tests {
		t.Run(tt.ua, func(t *testing.T) {
			if got := productToken(tt.ua); got != tt.want {
				t.Errorf("productToken(%q) = %q, want %q", tt.ua, got, tt.want)
			}
		})
	}
}
