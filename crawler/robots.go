package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// How long a robots.txt answer is trusted.
const (
	robotsTTL      = 12 * time.Hour
	robotsRetryTTL = 10 * time.Minute
)

// robotsCache fetches and keeps each host's robots.txt. Per RFC 9309: a 4xx
// (no robots.txt) allows everything; a 5xx or an unreachable server
// disallows everything for a short while, since the site may be protecting
// itself.
type robotsCache struct {
	f       *Fetcher
	enabled bool
	mu      sync.Mutex
	byHost  map[string]*robotsEntry
}

type robotsEntry struct {
	once    chan struct{} // closed when the fetch below is done
	group   *robotstxt.Group
	deny    error
	expires time.Time
}

func newRobotsCache(f *Fetcher, enabled bool) *robotsCache {
	return &robotsCache{f: f, enabled: enabled, byHost: map[string]*robotsEntry{}}
}

// allowed returns nil when u may be fetched, ErrDisallowed (wrapped) when
// robots.txt forbids it. An entry's fields are written before its once channel
// closes and read only after, which orders them without the lock.
func (rc *robotsCache) allowed(ctx context.Context, u *url.URL) error {
	if !rc.enabled || u.Path == "/robots.txt" {
		return nil
	}
	key := u.Scheme + "://" + u.Host
	rc.mu.Lock()
	e, ok := rc.byHost[key]
	if !ok || isClosed(e.once) && time.Now().After(e.expires) {
		e = &robotsEntry{once: make(chan struct{})}
		rc.byHost[key] = e
		rc.mu.Unlock()
		rc.load(ctx, key, e)
		close(e.once)
	} else {
		rc.mu.Unlock()
		select {
		case <-e.once:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if e.deny != nil {
		return e.deny
	}
	if e.group != nil && !e.group.Test(u.EscapedPath()+queryPart(u)) {
		return ErrDisallowed
	}
	return nil
}

func (rc *robotsCache) load(ctx context.Context, key string, e *robotsEntry) {
	e.expires = time.Now().Add(robotsTTL)
	resp, err := rc.f.get(ctx, key+"/robots.txt", "", "")
	var se *StatusError
	switch {
	case err == nil:
		data, perr := robotstxt.FromBytes(resp.Body)
		if perr != nil {
			// An unparseable file says nothing: allow, as crawlers do.
			return
		}
		e.group = data.FindGroup(rc.f.cfg.UserAgent)
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500:
		// No robots.txt: everything is allowed.
	case errors.Is(err, ErrEmptyBody):
	case ctx.Err() != nil:
		// The caller gave up, the site did not answer: ask again next time.
		e.deny = ctx.Err()
		e.expires = time.Now()
	default:
		e.deny = fmt.Errorf("%w: robots.txt unavailable, so the site is left alone for %s: %v", ErrDisallowed, robotsRetryTTL, err)
		e.expires = time.Now().Add(robotsRetryTTL)
	}
}

func queryPart(u *url.URL) string {
	if u.RawQuery == "" {
		return ""
	}
	return "?" + u.RawQuery
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
