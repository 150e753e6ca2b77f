package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kuzot/config"
)

// Errors a fetch can end with, besides a *StatusError and network errors.
var (
	ErrNotModified       = errors.New("crawler: not modified")
	ErrTooLarge          = errors.New("crawler: response too large")
	ErrDisallowed        = errors.New("crawler: disallowed by robots.txt")
	ErrTooManyRedirects  = errors.New("crawler: too many redirects")
	ErrEmptyBody         = errors.New("crawler: empty response body")
	ErrUnsupportedScheme = errors.New("crawler: only http and https are fetched")
)

// StatusError is an HTTP answer other than 200 or 304.
type StatusError struct {
	URL        string
	Code       int
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("crawler: fetch %s: http %d %s", e.URL, e.Code, http.StatusText(e.Code))
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// Temporary reports whether the same request may work later.
func (e *StatusError) Temporary() bool {
	return e.Code == http.StatusTooManyRequests || e.Code == http.StatusRequestTimeout || e.Code >= 500
}

// RetryAfter is the pause a server asked for through err, or zero.
func RetryAfter(err error) time.Duration {
	var se *StatusError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

// IsTemporary reports whether err may go away by itself: 429, 5xx,
// timeouts and connection failures. Robots refusals, 4xx and bad content do
// not.
func IsTemporary(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Temporary()
	}
	if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrDisallowed) || errors.Is(err, ErrTooManyRedirects) ||
		errors.Is(err, ErrUnsupportedScheme) || errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrEmptyBody) {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

// Request is one GET, conditional when ETag or LastModified is set.
type Request struct {
	URL          string
	ETag         string
	LastModified string
}

// Response is a successful (200) answer.
type Response struct {
	// URL is the final URL after redirects.
	URL    string
	Status int
	Header http.Header
	// Body is decompressed and at most crawler.max_body_size long.
	Body         []byte
	ContentType  string
	ETag         string
	LastModified string
}

// Fetcher makes polite HTTP requests: it names Kuzot, honours robots.txt,
// spaces requests to one host, sends conditional requests, caps bodies and
// bounds every phase with a timeout.
type Fetcher struct {
	client *http.Client
	cfg    config.Crawler
	limits *hostLimits
	robots *robotsCache
	log    *slog.Logger
}

// NewFetcher builds a Fetcher from the crawler settings (defaults applied).
func NewFetcher(c config.Crawler, log *slog.Logger) *Fetcher {
	dialer := &net.Dialer{Timeout: c.ConnectTimeout.D(), KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   c.ConnectTimeout.D(),
		ResponseHeaderTimeout: c.HeaderTimeout.D(),
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	f := &Fetcher{cfg: c, log: log, limits: newHostLimits(c.HostInterval.D())}
	f.client = &http.Client{
		Transport: transport,
		Timeout:   c.BodyTimeout.D(),
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), ErrUnsupportedScheme)
			}
			if len(via) > c.MaxRedirects {
				chain := make([]string, 0, len(via)+1)
				for _, v := range via {
					chain = append(chain, v.URL.String())
				}
				chain = append(chain, req.URL.String())
				return fmt.Errorf("%w (more than %d): %s", ErrTooManyRedirects, c.MaxRedirects, strings.Join(chain, " → "))
			}
			for _, v := range via {
				if v.URL.String() == req.URL.String() {
					return fmt.Errorf("%w: redirect loop back to %s", ErrTooManyRedirects, req.URL)
				}
			}
			// Each hop is a request to its host: it waits its turn too.
			return f.limits.wait(req.Context(), req.URL.Host)
		},
	}
	f.robots = newRobotsCache(f, c.RobotsEnabled())
	return f
}

// Fetch GETs r.URL politely. A 304 is ErrNotModified; any status but 200 is
// a *StatusError.
func (f *Fetcher) Fetch(ctx context.Context, r Request) (*Response, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, fmt.Errorf("crawler: fetch %q: %w", r.URL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("crawler: fetch %s: %w", r.URL, ErrUnsupportedScheme)
	}
	if err := f.robots.allowed(ctx, u); err != nil {
		return nil, fmt.Errorf("crawler: fetch %s: %w", r.URL, err)
	}
	resp, err := f.get(ctx, u.String(), r.ETag, r.LastModified)
	if err != nil {
		return nil, fmt.Errorf("crawler: fetch %s: %w", r.URL, err)
	}
	return resp, nil
}

// get is one request, without the robots.txt check (robots.txt itself is
// fetched through it).
func (f *Fetcher) get(ctx context.Context, rawURL, etag, lastModified string) (*Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if err := f.limits.wait(ctx, u.Host); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.8")
	req.Header.Set("Accept-Language", "ru,ky;q=0.9,en;q=0.5")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if isTimeout(err) {
			return nil, fmt.Errorf("timeout (no complete answer within the configured timeouts): %w", err)
		}
		return nil, err
	}
	defer resp.Body.Close()
	final := resp.Request.URL.String()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return nil, ErrNotModified
	case resp.StatusCode != http.StatusOK:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &StatusError{URL: final, Code: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	limit := int64(f.cfg.MaxBodySize)
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: Content-Length %d is above crawler.max_body_size %d", ErrTooLarge, resp.ContentLength, limit)
	}
	// The transport decompresses gzip itself, so the cap applies to the
	// decompressed bytes and a gzip bomb stops at the limit.
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		if isTimeout(err) {
			return nil, fmt.Errorf("timeout reading the body (crawler.body_timeout): %w", err)
		}
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: the body is larger than crawler.max_body_size %d", ErrTooLarge, limit)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, ErrEmptyBody
	}
	return &Response{
		URL:          final,
		Status:       resp.StatusCode,
		Header:       resp.Header,
		Body:         body,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
	}, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
