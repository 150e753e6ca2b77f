package crawler

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"kuzot/config"
)

// Errors a fetch can end with, besides *StatusError and network errors.
var (
	// ErrNotModified means the server answered a conditional GET with 304:
	// nothing new since the ETag or Last-Modified the caller sent.
	ErrNotModified = errors.New("crawler: not modified")
	// ErrTooLarge means the body, after decompression, is larger than
	// crawler.max_body_size.
	ErrTooLarge = errors.New("crawler: body too large")
	// ErrDisallowed means robots.txt forbids the URL to Kuzot, or could not
	// be read because the site failed, which RFC 9309 counts as a disallow.
	ErrDisallowed = errors.New("crawler: disallowed by robots.txt")
	// ErrTooManyRedirects means the redirects went on for more than
	// crawler.max_redirects hops or came back to a URL already visited.
	ErrTooManyRedirects = errors.New("crawler: too many redirects")
	// ErrEmptyBody means a successful answer carried no body at all.
	ErrEmptyBody = errors.New("crawler: empty body")
	// ErrUnsupportedScheme means a URL, or a redirect, leads somewhere other than
	// http or https.
	ErrUnsupportedScheme = errors.New("crawler: only http and https URLs are fetched")
)

// drainLimit is how much of an unwanted body (an error page, a redirect) is
// read so the connection can be reused; past it the connection is dropped.
const drainLimit = 64 << 10

// maxRetryAfterHeader bounds a Retry-After value so that an absurd number
// cannot overflow a time.Duration.
const maxRetryAfterHeader = 365 * 24 * time.Hour

// fetchAccept lists what the crawler reads: pages and feeds.
const fetchAccept = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"

// Request is one page to fetch. ETag and LastModified, when set, make it a
// conditional GET.
type Request struct {
	URL, ETag, LastModified string
}

// Response is a fetched page.
type Response struct {
	// URL is the final URL after redirects.
	URL    string
	Status int
	Header http.Header
	// Body holds the raw bytes, decompressed, at most MaxBodySize of them.
	Body                            []byte
	ContentType, ETag, LastModified string
}

// StatusError is an answer with a status the crawler cannot use.
type StatusError struct {
	URL  string
	Code int
	// RetryAfter is what the server asked for with Retry-After, zero when
	// it did not.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("crawler: fetch %s: http %d %s", e.URL, e.Code, http.StatusText(e.Code))
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Temporary reports whether the same request may succeed later: the server
// was overloaded, rate-limiting or failing, not refusing the page.
func (e *StatusError) Temporary() bool {
	return e.Code == http.StatusTooManyRequests || e.Code == http.StatusRequestTimeout || e.Code >= 500
}

// RetryAfter is the wait the server asked for in the StatusError inside
// err, or zero.
func RetryAfter(err error) time.Duration {
	var se *StatusError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

// IsTemporary reports whether err may go away by itself: 408, 429 and 5xx
// answers, timeouts, refused or reset connections, a robots.txt that could
// not be read, and a cancelled context (the page was never judged).
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Temporary()
	}
	var dns *net.DNSError
	switch {
	case errors.Is(err, errRobotsUnavailable),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, context.Canceled):
		return true
	case errors.As(err, &dns):
		return !dns.IsNotFound
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE)
}

// Fetcher gets pages politely: robots.txt, a per-host rate limit,
// conditional GET, bounded redirects, timeouts and a size cap. It is safe
// for concurrent use and meant to be shared, so that connections, limits
// and robots.txt files are shared too.
type Fetcher struct {
	cfg    config.Crawler
	log    *slog.Logger
	client *http.Client
	limits *hostLimits
	robots *robotsCache
	now    func() time.Time
}

// NewFetcher builds a Fetcher from c, whose defaults config has applied.
func NewFetcher(c config.Crawler, log *slog.Logger) *Fetcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dialer := &net.Dialer{Timeout: c.ConnectTimeout.D(), KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   c.ConnectTimeout.D(),
		ResponseHeaderTimeout: c.HeaderTimeout.D(),
		ExpectContinueTimeout: time.Second,
		// Many requests go to a few hosts, so idle connections are kept
		// per host rather than dialled again for every article.
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		ForceAttemptHTTP2:      true,
		// Decompression is done here, so the size cap applies to the
		// inflated bytes and a gzip bomb stops at the cap.
		DisableCompression: true,
	}
	f := &Fetcher{
		cfg: c,
		log: log,
		client: &http.Client{
			Transport: tr,
			// Redirects are followed by Fetch itself, hop by hop, so each
			// hop passes robots.txt, the host limit and the scheme check.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		limits: newHostLimits(c.HostInterval.D()),
		now:    time.Now,
	}
	f.robots = newRobotsCache(f)
	return f
}

// Fetch gets r.URL. A 304 gives ErrNotModified, a 4xx or 5xx a
// *StatusError, an empty 200 ErrEmptyBody, a body over the cap ErrTooLarge
// and a URL robots.txt forbids ErrDisallowed. Every error names the URL.
func (f *Fetcher) Fetch(ctx context.Context, r Request) (*Response, error) {
	return f.fetch(ctx, r, f.cfg.RobotsEnabled())
}

// fetch is Fetch with robots.txt checks optional, so that robots.txt itself
// is fetched through the same redirects, limits and caps.
func (f *Fetcher) fetch(ctx context.Context, r Request, checkRobots bool) (*Response, error) {
	u, err := parseHTTPURL(r.URL)
	if err != nil {
		return nil, fmt.Errorf("crawler: fetch %s: %w", r.URL, err)
	}
	chain := []string{u.String()}
	for {
		resp, next, err := f.hop(ctx, u, r, checkRobots)
		if err != nil {
			if len(chain) > 1 {
				return nil, fmt.Errorf("crawler: fetch %s: after redirects %s: %w", r.URL, strings.Join(chain, " -> "), err)
			}
			return nil, err
		}
		if next == nil {
			return resp, nil
		}
		if slices.Contains(chain, next.String()) {
			return nil, fmt.Errorf("crawler: fetch %s: redirect loop %s -> %s: %w", r.URL, strings.Join(chain, " -> "), next, ErrTooManyRedirects)
		}
		chain = append(chain, next.String())
		if len(chain)-1 > f.cfg.MaxRedirects {
			return nil, fmt.Errorf("crawler: fetch %s: more than %d redirects %s: %w", r.URL, f.cfg.MaxRedirects, strings.Join(chain, " -> "), ErrTooManyRedirects)
		}
		u = next
	}
}

// hop makes one request. It returns either the response or, for a
// redirect, the next URL.
func (f *Fetcher) hop(ctx context.Context, u *url.URL, r Request, checkRobots bool) (*Response, *url.URL, error) {
	if checkRobots {
		if err := f.robots.allowed(ctx, u); err != nil {
			return nil, nil, fmt.Errorf("crawler: fetch %s: %w", u, err)
		}
	}
	if err := f.limits.wait(ctx, u); err != nil {
		return nil, nil, fmt.Errorf("crawler: fetch %s: %w", u, err)
	}

	// The limiter wait is outside the body timeout: the timeout bounds
	// the exchange with the server, not the crawler's own politeness.
	rctx, cancel := ctx, context.CancelFunc(func() {})
	if d := f.cfg.BodyTimeout.D(); d > 0 {
		rctx, cancel = context.WithTimeout(ctx, d)
	}
	defer cancel()
	timedOut := func(err error) error {
		if ctx.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("crawler: fetch %s: no complete answer within %s: %w", u, f.cfg.BodyTimeout.D(), context.DeadlineExceeded)
		}
		return fmt.Errorf("crawler: fetch %s: %w", u, err)
	}

	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("crawler: fetch %s: %w", u, err)
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", fetchAccept)
	req.Header.Set("Accept-Encoding", "gzip")
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}

	start := f.now()
	resp, err := f.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// url.Error repeats the method and URL, which the message
			// already names.
			err = ue.Err
		}
		return nil, nil, timedOut(err)
	}
	defer resp.Body.Close()

	switch code := resp.StatusCode; {
	case code == http.StatusNotModified:
		drain(resp.Body)
		return nil, nil, fmt.Errorf("crawler: fetch %s: %w", u, ErrNotModified)
	case isRedirect(code) && resp.Header.Get("Location") != "":
		drain(resp.Body)
		next, err := u.Parse(resp.Header.Get("Location"))
		if err != nil {
			return nil, nil, fmt.Errorf("crawler: fetch %s: bad redirect Location %q: %w", u, resp.Header.Get("Location"), err)
		}
		next.Fragment, next.RawFragment = "", ""
		if next.Scheme != "http" && next.Scheme != "https" {
			return nil, nil, fmt.Errorf("crawler: fetch %s: redirect to %s refused: %w", u, next, ErrUnsupportedScheme)
		}
		if next.Host == "" {
			return nil, nil, fmt.Errorf("crawler: fetch %s: redirect to %s without a host: %w", u, next, ErrUnsupportedScheme)
		}
		return nil, next, nil
	case code < 200 || code > 299:
		drain(resp.Body)
		se := &StatusError{URL: u.String(), Code: code}
		if code == http.StatusTooManyRequests || code >= 500 {
			se.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), f.now())
		}
		return nil, nil, se
	}

	body, err := f.readBody(resp)
	if err != nil {
		if errors.Is(err, ErrTooLarge) || errors.Is(err, errBadEncoding) {
			return nil, nil, fmt.Errorf("crawler: fetch %s: %w", u, err)
		}
		return nil, nil, timedOut(err)
	}
	if len(body) == 0 {
		return nil, nil, fmt.Errorf("crawler: fetch %s: http %d: %w", u, resp.StatusCode, ErrEmptyBody)
	}
	f.log.Debug("fetched", "url", u.String(), "status", resp.StatusCode, "bytes", len(body), "took", f.now().Sub(start))
	return &Response{
		URL:          u.String(),
		Status:       resp.StatusCode,
		Header:       resp.Header,
		Body:         body,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
	}, nil, nil
}

// errBadEncoding means the body is compressed in a way the crawler did not
// ask for, or the compressed stream is broken.
var errBadEncoding = errors.New("crawler: unreadable content encoding")

// readBody reads the decompressed body, at most MaxBodySize bytes of it.
func (f *Fetcher) readBody(resp *http.Response) ([]byte, error) {
	limit := int64(f.cfg.MaxBodySize)
	// A declared length over the cap is refused unread. For a gzip body
	// the length is the compressed one, and the inflated text is larger
	// still.
	if limit > 0 && resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: Content-Length %d is over the %d byte cap", ErrTooLarge, resp.ContentLength, limit)
	}
	var rd io.Reader = resp.Body
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %w", errBadEncoding, err)
		}
		defer zr.Close()
		rd = zr
	default:
		return nil, fmt.Errorf("%w: %q", errBadEncoding, enc)
	}
	if limit <= 0 {
		return io.ReadAll(rd)
	}
	// MaxBytesReader reads one byte past the cap to tell a body of exactly
	// the cap from a longer one, and never more, so a bomb stops here.
	body, err := io.ReadAll(http.MaxBytesReader(nil, io.NopCloser(rd), limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	if err != nil {
		if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
			return nil, fmt.Errorf("%w: gzip: %w", errBadEncoding, err)
		}
		return nil, err
	}
	return body, nil
}

// drain reads what is left of a body the crawler does not want, up to a
// point, so that the connection goes back to the idle pool.
func drain(body io.Reader) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, drainLimit))
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// parseHTTPURL parses an absolute http or https URL.
func parseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("scheme %q: %w", u.Scheme, ErrUnsupportedScheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("no host: %w", ErrUnsupportedScheme)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// parseRetryAfter reads a Retry-After value, seconds or an HTTP date, as a
// wait from now. Anything else, or a time already past, is zero.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return min(time.Duration(min(n, int64(maxRetryAfterHeader/time.Second)))*time.Second, maxRetryAfterHeader)
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	return min(max(t.Sub(now), 0), maxRetryAfterHeader)
}
