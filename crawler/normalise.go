package crawler

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/net/html/charset"
)

// ToUTF8 converts an HTML body to UTF-8, reading the charset from a BOM, the
// Content-Type header or the page's meta tags, in that order of trust
// (windows-1251 and koi8-r are common on older Kyrgyz and Russian sites).
func ToUTF8(body []byte, contentType string) ([]byte, error) {
	enc, name, _ := charset.DetermineEncoding(body, contentType)
	if name == "utf-8" {
		if bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
			return body[3:], nil
		}
		if !bytesValidUTF8(body) {
			// A page that claims UTF-8 but is not: a wrong header on a
			// windows-1251 page is the usual cause.
			if _, n2, _ := charset.DetermineEncoding(body, ""); n2 != "utf-8" {
				return ToUTF8(body, "")
			}
			return bytes.ToValidUTF8(body, []byte("\uFFFD")), nil
		}
		return body, nil
	}
	out, err := io.ReadAll(enc.NewDecoder().Reader(bytes.NewReader(body)))
	if err != nil {
		return nil, fmt.Errorf("crawler: decode %s: %w", name, err)
	}
	return out, nil
}

func bytesValidUTF8(b []byte) bool { return bytes.Equal(bytes.ToValidUTF8(b, nil), b) }

// Query parameters that only track where a reader came from.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "yclid": true, "_openstat": true, "mc_cid": true, "mc_eid": true,
	"igshid": true, "amp": true,
}

// CanonicalURL gives one spelling of an article URL, so the same article
// reached through a feed, a listing and a share link is stored once: lower-
// case scheme and host, no default port, no fragment, no tracking
// parameters (utm_*, fbclid, …), sorted query, no trailing slash, and the
// AMP variant mapped to the page itself.
func CanonicalURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("crawler: canonical url %q: %w", raw, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("crawler: canonical url %q: not an absolute http(s) URL", raw)
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	host = strings.TrimPrefix(host, "amp.")
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.User = nil
	u.Fragment, u.RawFragment = "", ""

	// AMP pages: /amp/ segments and a trailing /amp or .amp.
	p := u.EscapedPath()
	p = strings.ReplaceAll(p, "/amp/", "/")
	p = strings.TrimSuffix(p, "/amp")
	p = strings.TrimSuffix(p, ".amp")
	for len(p) > 1 && strings.HasSuffix(p, "/") {
		p = strings.TrimSuffix(p, "/")
	}
	if p == "" {
		p = "/"
	}
	if err := setEscapedPath(u, p); err != nil {
		return "", fmt.Errorf("crawler: canonical url %q: %w", raw, err)
	}

	q := u.Query()
	for k := range q {
		if strings.HasPrefix(strings.ToLower(k), "utm_") || trackingParams[strings.ToLower(k)] {
			q.Del(k)
		}
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		vs := q[k]
		sort.Strings(vs)
		for _, v := range vs {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			if v != "" {
				b.WriteByte('=')
				b.WriteString(url.QueryEscape(v))
			}
		}
	}
	u.RawQuery = b.String()
	u.ForceQuery = false
	return u.String(), nil
}

func setEscapedPath(u *url.URL, escaped string) error {
	p, err := url.PathUnescape(escaped)
	if err != nil {
		return err
	}
	u.Path, u.RawPath = p, ""
	if u.EscapedPath() != escaped {
		u.RawPath = escaped
	}
	return nil
}

// CleanText normalises whitespace: runs of spaces, tabs, NBSP and
// zero-width characters become one space, lines are trimmed, and paragraphs
// are separated by exactly one blank line.
func CleanText(s string) string {
	var out strings.Builder
	out.Grow(len(s))
	blank := 0 // newlines pending
	space := false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\u2029' || r == '\u2028':
			blank++
			space = false
		case r == '\r':
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff' || r == '\u00ad':
			// Invisible: zero-width spaces and joiners, BOM, soft hyphen.
		case unicode.IsSpace(r):
			space = true
		case unicode.IsControl(r):
		default:
			if out.Len() > 0 {
				switch {
				case blank >= 2:
					out.WriteString("\n\n")
				case blank == 1:
					out.WriteByte('\n')
				case space:
					out.WriteByte(' ')
				}
			}
			blank, space = 0, false
			out.WriteRune(r)
		}
	}
	return out.String()
}

// ContentHash identifies an article's text: the same title and body, folded
// for case, ё/е and whitespace, hash the same wherever they are published.
func ContentHash(title, body string) string {
	h := sha256.New()
	for _, part := range []string{title, body} {
		for _, w := range strings.Fields(part) {
			w = strings.ToLower(w)
			w = strings.ReplaceAll(w, "ё", "е")
			io.WriteString(h, w)
			h.Write([]byte{' '})
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
