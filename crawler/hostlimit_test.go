package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"kuzot/config"
)

// arrivals is a test server that notes when each request arrives.
type arrivals struct {
	srv   *httptest.Server
	mu    sync.Mutex
	times []time.Time
}

func newArrivals(t *testing.T) *arrivals {
	t.Helper()
	a := &arrivals{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.times = append(a.times, time.Now())
		a.mu.Unlock()
		w.Write([]byte("page"))
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *arrivals) gaps() []time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(a.times); i++ {
		out = append(out, a.times[i].Sub(a.times[i-1]))
	}
	return out
}

func TestHostLimitSpacesRequests(t *testing.T) {
	for _, interval := range []time.Duration{50 * time.Millisecond, 80 * time.Millisecond} {
		t.Run(interval.String(), func(t *testing.T) {
			site := newArrivals(t)
			c := fetchTestConfig()
			c.HostInterval = config.Duration(interval)
			f := newTestFetcher(c)
			start := time.Now()
			for _, path := range []string{"/a", "/b", "/c"} {
				if _, err := f.Fetch(context.Background(), Request{URL: site.srv.URL + path}); err != nil {
					t.Fatal(err)
				}
			}
			site.mu.Lock()
			defer site.mu.Unlock()
			if len(site.times) != 3 {
				t.Fatalf("%d requests arrived, want 3", len(site.times))
			}
			// The n-th turn comes n intervals after the first at the
			// earliest. Measured from before the first request, the bound
			// holds however late a busy machine delivers a request, where
			// the gap between two arrivals would not: a late first request
			// leaves a short gap to the second.
			for n, at := range site.times {
				if d := at.Sub(start); d < time.Duration(n)*interval {
					t.Errorf("request %d arrived %s after the start, want at least %s", n+1, d, time.Duration(n)*interval)
				}
			}
		})
	}
}

func TestHostLimitHostsDoNotBlockEachOther(t *testing.T) {
	slow, other := newArrivals(t), newArrivals(t)
	c := fetchTestConfig()
	c.HostInterval = config.Duration(300 * time.Millisecond)
	f := newTestFetcher(c)
	if _, err := f.Fetch(context.Background(), Request{URL: slow.srv.URL + "/1"}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	done := make(chan time.Duration, 1)
	go func() {
		_, err := f.Fetch(context.Background(), Request{URL: slow.srv.URL + "/2"})
		if err != nil {
			t.Error(err)
		}
		done <- time.Since(start)
	}()
	if _, err := f.Fetch(context.Background(), Request{URL: other.srv.URL + "/1"}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 150*time.Millisecond {
		t.Errorf("the other host waited %s behind the busy one", took)
	}
	if took := <-done; took < 250*time.Millisecond {
		t.Errorf("the second request to the busy host came after %s, want about 300ms", took)
	}
}

func TestHostLimitWaitEndsWithContext(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		wantErr error
	}{
		{"deadline before the turn", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancelled while waiting", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(30*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newArrivals(t)
			c := fetchTestConfig()
			c.HostInterval = config.Duration(10 * time.Second)
			f := newTestFetcher(c)
			if _, err := f.Fetch(context.Background(), Request{URL: site.srv.URL + "/1"}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			_, err := f.Fetch(ctx, Request{URL: site.srv.URL + "/2"})
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("the wait took %s, want it to end with the context", took)
			}
			if len(site.gaps()) != 0 {
				t.Errorf("the second request reached the server")
			}
		})
	}
}

func TestHostLimitAtLeast(t *testing.T) {
	h := newHostLimits(5 * time.Millisecond)
	u, _ := url.Parse("https://kaktus.media/doc/1.html")
	h.atLeast(u, 60*time.Millisecond)
	// A shorter delay afterwards does not undo the longer one.
	h.atLeast(u, time.Millisecond)
	start := time.Now()
	for range 2 {
		if err := h.wait(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("two turns took %s, want the 60ms Crawl-delay between them", took)
	}
}

func TestHostKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://Kaktus.Media/doc/1", "kaktus.media:80"},
		{"http://kaktus.media:80/doc/1", "kaktus.media:80"},
		{"https://kaktus.media/doc/1", "kaktus.media:443"},
		{"https://kaktus.media:8443/", "kaktus.media:8443"},
		{"http://[::1]:8080/", "[::1]:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := url.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := hostKey(u); got != tt.want {
				t.Errorf("hostKey(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestHostLimitsForgetIdleHosts(t *testing.T) {
	h := newHostLimits(time.Hour)
	busy := hostKey(&url.URL{Scheme: "https", Host: "busy.kg"})
	h.mu.Lock()
	defer h.mu.Unlock()
	// The busy host has used its turn; the others never have, so their
	// limiters are as good as new and may go.
	h.add(busy, h.interval).lim.Allow()
	for i := range maxIdleLimiters + 10 {
		h.add(fmt.Sprintf("h%d.kg:80", i), h.interval)
	}
	if n := len(h.hosts); n > maxIdleLimiters {
		t.Errorf("%d limiters kept, want at most %d", n, maxIdleLimiters)
	}
	if hl := h.hosts[busy]; hl == nil || hl.lim.Allow() {
		t.Errorf("the busy host's limiter was forgotten, so its next request would not wait")
	}
}
