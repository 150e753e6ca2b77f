package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

const (
	// robotsTTL is how long a robots.txt that was read, or found missing,
	// is trusted. RFC 9309 asks for no more than 24 hours.
	robotsTTL = 12 * time.Hour
	// robotsRetry is how long a site whose robots.txt failed (5xx, 429,
	// no connection) is left alone before robots.txt is asked for again.
	robotsRetry = 10 * time.Minute
	// maxCrawlDelay bounds the Crawl-delay a robots.txt can impose, so that
	// a typo of 3600 does not silence an outlet for an hour per page.
	maxCrawlDelay = 30 * time.Second
	// maxRobotsEntries bounds the cache; past it, expired entries go.
	maxRobotsEntries = 1024
)

// errRobotsUnavailable marks a disallow that comes from a robots.txt that
// could not be read rather than from a rule, so IsTemporary can tell them
// apart.
var errRobotsUnavailable = errors.New("crawler: robots.txt unavailable")

// robotsCache keeps one robots.txt verdict per scheme, host and port, read
// at most once at a time: concurrent requests to a new site wait for the
// one robots.txt fetch.
type robotsCache struct {
	f     *Fetcher
	agent string
	mu    sync.Mutex
	sites map[string]*robotsEntry
}

// robotsEntry is a site's verdict. Its fields are written before done is
// closed and only read after, which orders them without the lock.
type robotsEntry struct {
	done chan struct{}
	// group holds the rules for Kuzot; nil allows everything.
	group *robotstxt.Group
	// deny, when set, refuses every path: robots.txt was unavailable.
	deny error
	// abandoned means the fetch was cancelled by its caller, so the
	// entry says nothing and the next caller fetches again.
	abandoned bool
	expires   time.Time
}

func newRobotsCache(f *Fetcher) *robotsCache {
	return &robotsCache{f: f, agent: productToken(f.cfg.UserAgent), sites: map[string]*robotsEntry{}}
}

// productToken is the name robots.txt groups are matched against: the user
// agent up to its first slash or space ("Kuzot" in "Kuzot/0.1 (...)").
func productToken(ua string) string {
	if i := strings.IndexAny(ua, "/ "); i > 0 {
		ua = ua[:i]
	}
	return strings.ToLower(ua)
}

// allowed returns nil when u may be fetched and an error wrapping
// ErrDisallowed when robots.txt forbids it or could not be read.
func (rc *robotsCache) allowed(ctx context.Context, u *url.URL) error {
	if strings.EqualFold(u.EscapedPath(), "/robots.txt") {
		return nil
	}
	key := u.Scheme + "://" + strings.ToLower(u.Host)
	for {
		e, owner := rc.entry(key)
		if owner {
			rc.load(ctx, key, e)
			close(e.done)
		} else {
			select {
			case <-e.done:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if e.abandoned {
			if err := ctx.Err(); err != nil {
				return err
			}
			// Another caller gave up on the fetch; this one tries itself.
			continue
		}
		if e.deny != nil {
			return e.deny
		}
		path := u.EscapedPath()
		if path == "" {
			path = "/"
		}
		if u.RawQuery != "" {
			path += "?" + u.RawQuery
		}
		if e.group != nil && !e.group.Test(path) {
			return fmt.Errorf("%w: %s", ErrDisallowed, path)
		}
		return nil
	}
}

// entry returns the site's entry, and whether the caller must load it
// because there was none, or it expired or was abandoned.
func (rc *robotsCache) entry(key string) (*robotsEntry, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	now := rc.f.now()
	if e, ok := rc.sites[key]; ok {
		select {
		case <-e.done:
			if !e.abandoned && now.Before(e.expires) {
				return e, false
			}
		default:
			return e, false
		}
	}
	if len(rc.sites) >= maxRobotsEntries {
		for k, old := range rc.sites {
			select {
			case <-old.done:
				if !now.Before(old.expires) || old.abandoned {
					delete(rc.sites, k)
				}
			default:
			}
		}
	}
	e := &robotsEntry{done: make(chan struct{})}
	rc.sites[key] = e
	return e, true
}

// load fetches key's robots.txt and fills e. Per RFC 9309, a 4xx means no
// rules; a 5xx, a 429 or an unreachable server means the site is left alone
// for a while, since it may be struggling.
func (rc *robotsCache) load(ctx context.Context, key string, e *robotsEntry) {
	resp, err := rc.f.fetch(ctx, Request{URL: key + "/robots.txt"}, false)
	now := rc.f.now()
	e.expires = now.Add(robotsTTL)
	var se *StatusError
	switch {
	case err == nil:
		e.group = rc.parse(key, resp.Body)
	case ctx.Err() != nil:
		e.abandoned = true
	case errors.As(err, &se) && !se.Temporary():
		// No robots.txt (404), or one kept private (401, 403): no rules.
	case errors.Is(err, ErrEmptyBody), errors.Is(err, ErrTooManyRedirects), errors.Is(err, ErrUnsupportedScheme):
		// RFC 9309 counts an empty file and a robots.txt that cannot be
		// reached by following redirects as no rules.
	case errors.Is(err, ErrTooLarge):
		rc.f.log.Warn("robots.txt too large; no rules applied", "site", key, "err", err)
	default:
		wait := max(robotsRetry, RetryAfter(err))
		e.expires = now.Add(wait)
		until := e.expires.UTC().Format(time.RFC3339)
		if errors.As(err, &se) {
			e.deny = fmt.Errorf("%w: %w (http %d), site left alone until %s", ErrDisallowed, errRobotsUnavailable, se.Code, until)
		} else {
			// The site did not answer at all: say so, rather than blame
			// robots.txt for what is a network failure.
			e.deny = fmt.Errorf("site unreachable, left alone until %s: %w", until, err)
		}
		rc.f.log.Warn("robots.txt unavailable; site paused", "site", key, "for", wait, "err", err)
	}
}

// parse reads a robots.txt body into Kuzot's group and applies its
// Crawl-delay to the host limit.
func (rc *robotsCache) parse(key string, body []byte) *robotstxt.Group {
	data, err := robotstxt.FromBytes(body)
	if err != nil {
		// The parser rejects a file over one misplaced line, such as a
		// Disallow before any User-agent. RFC 9309 ignores such lines, so
		// the file is read again without them.
		data, err = robotstxt.FromBytes(dropOrphanRules(body))
	}
	if err != nil {
		rc.f.log.Warn("robots.txt unreadable; no rules applied", "site", key, "err", err)
		return nil
	}
	g := data.FindGroup(rc.agent)
	if g.CrawlDelay > 0 {
		if u, perr := url.Parse(key); perr == nil {
			rc.f.limits.atLeast(u, min(g.CrawlDelay, maxCrawlDelay))
		}
	}
	return g
}

// dropOrphanRules removes the lines before the first User-agent line.
func dropOrphanRules(body []byte) []byte {
	lines := bytes.Split(body, []byte("\n"))
	for i, l := range lines {
		l = bytes.ToLower(bytes.TrimSpace(l))
		if bytes.HasPrefix(l, []byte("user-agent")) || bytes.HasPrefix(l, []byte("useragent")) {
			return bytes.Join(lines[i:], []byte("\n"))
		}
	}
	return nil
}
