package crawler

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxIdleLimiters is how many host limiters are kept before the idle ones
// are dropped. An idle limiter has a full bucket and behaves exactly like a
// new one, so dropping it changes nothing but memory.
const maxIdleLimiters = 512

// hostLimits spaces the requests to each host:port by at least its
// interval; requests to different hosts never wait for each other.
type hostLimits struct {
	interval time.Duration
	mu       sync.Mutex
	hosts    map[string]*hostLimit
}

type hostLimit struct {
	lim *rate.Limiter
	// every is this host's interval: the configured one, or a longer
	// Crawl-delay from its robots.txt.
	every time.Duration
}

func newHostLimits(interval time.Duration) *hostLimits {
	return &hostLimits{interval: interval, hosts: map[string]*hostLimit{}}
}

// hostKey is host:port with the scheme's default port filled in, so that
// http://x and http://x:80 share one limiter.
func hostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// wait blocks until u's host may be sent a request, or ctx ends.
func (h *hostLimits) wait(ctx context.Context, u *url.URL) error {
	key := hostKey(u)
	h.mu.Lock()
	hl := h.hosts[key]
	if hl == nil && h.interval > 0 {
		hl = h.add(key, h.interval)
	}
	h.mu.Unlock()
	if hl == nil {
		return nil
	}
	if err := hl.lim.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Wait refuses at once when the turn would come after ctx's
		// deadline; that is a timeout like any other.
		return fmt.Errorf("waiting for a turn at %s: %w", key, context.DeadlineExceeded)
	}
	return nil
}

// atLeast makes u's host interval at least d, for a robots.txt
// Crawl-delay.
func (h *hostLimits) atLeast(u *url.URL, d time.Duration) {
	key := hostKey(u)
	h.mu.Lock()
	defer h.mu.Unlock()
	hl := h.hosts[key]
	switch {
	case hl == nil:
		h.add(key, max(d, h.interval))
	case d > hl.every:
		hl.every = d
		hl.lim.SetLimit(rate.Every(d))
	}
}

// add makes key's limiter; h.mu is held.
func (h *hostLimits) add(key string, every time.Duration) *hostLimit {
	if len(h.hosts) >= maxIdleLimiters {
		for k, old := range h.hosts {
			if old.every <= h.interval && old.lim.Tokens() >= 1 {
				delete(h.hosts, k)
			}
		}
	}
	hl := &hostLimit{lim: rate.NewLimiter(rate.Every(every), 1), every: every}
	h.hosts[key] = hl
	return hl
}
