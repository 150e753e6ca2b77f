package crawler

import (
	"context"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// hostLimits spaces requests to each host by at least interval; requests to
// different hosts never wait for each other.
type hostLimits struct {
	interval time.Duration
	mu       sync.Mutex
	byHost   map[string]*rate.Limiter
}

func newHostLimits(interval time.Duration) *hostLimits {
	return &hostLimits{interval: interval, byHost: map[string]*rate.Limiter{}}
}

// wait blocks until host may be sent a request, or ctx ends.
func (h *hostLimits) wait(ctx context.Context, host string) error {
	if h.interval <= 0 {
		return nil
	}
	host = strings.ToLower(host)
	h.mu.Lock()
	l, ok := h.byHost[host]
	if !ok {
		l = rate.NewLimiter(rate.Every(h.interval), 1)
		h.byHost[host] = l
	}
	h.mu.Unlock()
	return l.Wait(ctx)
}
