package crawler

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/net/idna"
)

// fallbackCharset is assumed for a page that is not UTF-8 and declares
// nothing: on Kyrgyz and Russian sites that is almost always windows-1251,
// where the HTML standard's windows-1252 would give Latin gibberish.
const fallbackCharset = "windows-1251"

// sniffLen is how much of a page the HTML standard scans for a meta charset.
const sniffLen = 1024

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// ToUTF8 converts a page to UTF-8. A byte order mark decides first. Then a
// body that is valid UTF-8 (allowing for a stray broken byte) is taken as
// UTF-8 whatever the header says, because a wrong charset in the header is
// the commonest fault and real windows-1251 or koi8-r text is never valid
// UTF-8. Otherwise the charset comes from the Content-Type header, then from
// the page's meta tag or XML declaration, and failing those is windows-1251.
func ToUTF8(body []byte, contentType string) ([]byte, error) {
	switch {
	case utf8.Valid(body) && !bytes.HasPrefix(body, bomUTF8):
		// Nearly every page: valid UTF-8 (or ASCII) is kept as it is,
		// without the copy the cases below make.
		return body, nil
	case bytes.HasPrefix(body, bomUTF8):
		return bytes.ToValidUTF8(body[len(bomUTF8):], []byte("\uFFFD")), nil
	case bytes.HasPrefix(body, bomUTF16LE):
		return decodeAs("utf-16le", body[len(bomUTF16LE):])
	case bytes.HasPrefix(body, bomUTF16BE):
		return decodeAs("utf-16be", body[len(bomUTF16BE):])
	}
	switch multi, bad := utf8Counts(body); {
	case multi == 0 && bad == 0:
		// Plain ASCII reads the same in every charset a news site uses.
		return body, nil
	case multi > 0 && bad*20 <= multi:
		return bytes.ToValidUTF8(body, []byte("\uFFFD")), nil
	}
	name := headerCharset(contentType)
	if name == "" || name == "utf-8" {
		name = declaredCharset(body)
	}
	if name == "" || name == "utf-8" {
		name = fallbackCharset
	}
	return decodeAs(name, body)
}

// decodeAs decodes body from the named charset.
func decodeAs(name string, body []byte) ([]byte, error) {
	enc, canonical := charset.Lookup(name)
	if enc == nil {
		return nil, fmt.Errorf("crawler: decode %s: unknown charset", name)
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("crawler: decode %s: %w", canonical, err)
	}
	return out, nil
}

// utf8Counts counts the valid multi-byte characters and the invalid bytes
// of b.
func utf8Counts(b []byte) (multi, bad int) {
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			bad++
		} else {
			multi++
		}
		b = b[n:]
	}
	return multi, bad
}

// headerCharset is the charset a Content-Type names, by its canonical
// name, or "".
func headerCharset(contentType string) string {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	_, name := charset.Lookup(params["charset"])
	return name
}

// declaredCharset is the charset a page declares in its first bytes, in
// an XML declaration or a meta tag, by its canonical name, or "".
func declaredCharset(body []byte) string {
	head := body[:min(len(body), sniffLen)]
	if decl, ok := bytes.CutPrefix(bytes.TrimLeft(head, " \t\r\n"), []byte("<?xml")); ok {
		if end := bytes.Index(decl, []byte("?>")); end >= 0 {
			decl = decl[:end]
		}
		if _, v, ok := bytes.Cut(decl, []byte("encoding")); ok {
			v = bytes.TrimLeft(v, " \t\r\n=")
			if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
				if end := bytes.IndexByte(v[1:], v[0]); end >= 0 {
					if _, name := charset.Lookup(string(v[1 : end+1])); name != "" {
						return name
					}
				}
			}
		}
	}
	_, name, _ := charset.DetermineEncoding(head, "")
	// With no declaration DetermineEncoding answers windows-1252, the
	// HTML standard's default; only a page that says so means it.
	if name == "windows-1252" && !bytes.Contains(bytes.ToLower(head), []byte("charset")) {
		return ""
	}
	return name
}

// trackingParams are query parameters that only say where a reader came
// from, plus amp, which asks for the AMP variant of the same page.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "yclid": true, "_openstat": true,
	"mc_cid": true, "mc_eid": true, "igshid": true, "amp": true,
}

// CanonicalURL gives one spelling of a page's URL, so that the same article
// reached through a feed, a listing and a share link is stored once: the
// scheme and host lower-case, no default port, user info or fragment, no
// tracking parameters, the query sorted by key, percent-escapes in one
// form, no trailing slash except for the root, and the AMP variant (amp.
// host, /amp/ segment, /amp suffix, ?amp) mapped to the page itself. An IDN
// host is kept in Unicode; its xn-- spelling is turned into Unicode too.
func CanonicalURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("crawler: canonical url %q: %w", raw, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("crawler: canonical url %q: %w", raw, ErrUnsupportedScheme)
	}
	host, err := canonicalHost(u)
	if err != nil {
		return "", fmt.Errorf("crawler: canonical url %q: %w", raw, err)
	}

	var segs []string
	for _, s := range strings.Split(normaliseEscapes(u.EscapedPath()), "/") {
		if !strings.EqualFold(s, "amp") {
			segs = append(segs, s)
		}
	}
	path := strings.TrimRight(strings.Join(segs, "/"), "/")
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}

	out := u.Scheme + "://" + host + path
	if q := canonicalQuery(u.RawQuery); q != "" {
		out += "?" + q
	}
	return out, nil
}

// canonicalHost is u's host, lower-case, in Unicode, without the AMP
// prefix, a trailing dot or the scheme's default port, escaped for a URL.
func canonicalHost(u *url.URL) (string, error) {
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, "xn--") {
		if uni, err := idna.ToUnicode(host); err == nil {
			host = strings.ToLower(uni)
		}
	}
	host = strings.TrimRight(host, ".")
	for strings.HasPrefix(host, "amp.") && strings.Contains(host[len("amp."):], ".") {
		host = host[len("amp."):]
	}
	if host == "" {
		return "", errors.New("no host")
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	host, err := escapeHost(host)
	if err != nil {
		return "", err
	}
	switch port := u.Port(); {
	case port == "", u.Scheme == "http" && port == "80", u.Scheme == "https" && port == "443":
	default:
		host += ":" + port
	}
	return host, nil
}

// escapeHost keeps the bytes a host may hold, so an IDN host stays readable,
// and escapes the % of an IPv6 zone. Go's parser lets through a few ASCII
// bytes no real host has (" < > among them) that it then refuses to read
// back escaped, so such a host is an error rather than a URL that cannot be
// parsed again.
func escapeHost(h string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c >= utf8.RuneSelf || isUnreserved(c) || strings.IndexByte("!$&'()*+,;=:[]", c) >= 0:
			b.WriteByte(c)
		case c == '%':
			b.WriteString("%25")
		default:
			return "", fmt.Errorf("host %q holds %q, which no host name has", h, c)
		}
	}
	return b.String(), nil
}

// canonicalQuery drops tracking parameters and empty pieces and sorts the
// rest by key. Values keep their order within a key, since some sites read
// a repeated key as a list.
func canonicalQuery(raw string) string {
	type param struct{ key, piece string }
	var params []param
	for piece := range strings.SplitSeq(raw, "&") {
		piece = normaliseEscapes(piece)
		if piece == "" {
			continue
		}
		key, _, _ := strings.Cut(piece, "=")
		name, err := url.QueryUnescape(key)
		if err != nil {
			name = key
		}
		name = strings.ToLower(name)
		if strings.HasPrefix(name, "utm_") || trackingParams[name] {
			continue
		}
		params = append(params, param{key, piece})
	}
	slices.SortStableFunc(params, func(a, b param) int { return strings.Compare(a.key, b.key) })
	pieces := make([]string, len(params))
	for i, p := range params {
		pieces[i] = p.piece
	}
	return strings.Join(pieces, "&")
}

// normaliseEscapes writes percent-escapes one way (RFC 3986 section 6.2.2):
// upper-case hex, unreserved characters unescaped, and bytes a URL may not
// hold raw (non-ASCII, spaces, quotes) escaped.
func normaliseEscapes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			v := unhex(s[i+1])<<4 | unhex(s[i+2])
			if isUnreserved(v) {
				b.WriteByte(v)
			} else {
				fmt.Fprintf(&b, "%%%02X", v)
			}
			i += 2
		case c == '%', c <= ' ', c >= 0x7F, strings.IndexByte("\"<>\\^`{|}", c) >= 0:
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// isInvisible reports the characters that take no room: zero-width spaces
// and joiners, the word joiner, the BOM and the soft hyphen. They are
// dropped, not turned into spaces, since they sit inside words.
func isInvisible(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD':
		return true
	}
	return false
}

// CleanText normalises the whitespace of extracted text: runs of spaces,
// tabs, NBSP and other Unicode spaces become one space, invisible
// characters and control characters go, a line break is kept as "\n" (a
// Telegram post's lines), two or more as the paragraph break "\n\n", and
// the ends are trimmed. A byte that is not UTF-8 becomes U+FFFD.
func CleanText(s string) string {
	if !utf8.ValidString(s) {
		s = replaceInvalid(s)
	}
	var out strings.Builder
	out.Grow(len(s))
	breaks := 0
	space := false
	// run is where the kept text not yet copied to out starts: runs of
	// ordinary characters, nearly all the text, are copied whole.
	run := -1
	flush := func(end int) {
		if run >= 0 {
			out.WriteString(s[run:end])
			run = -1
		}
	}
	// The text is scanned by bytes. Besides ASCII, only characters whose
	// UTF-8 starts with 0xC2, 0xE1-0xE3 or 0xEF can be white space,
	// invisible or control characters; the rest, Cyrillic among them, are
	// kept without being decoded.
	for i := 0; i < len(s); {
		if run >= 0 {
			for i < len(s) && plainByte[s[i]] {
				i++
			}
			if i == len(s) {
				break
			}
		}
		c := s[i]
		r, size := rune(c), 1
		switch {
		case c < utf8.RuneSelf:
		case c == 0xC2, c >= 0xE1 && c <= 0xE3, c == 0xEF:
			r, size = utf8.DecodeRuneInString(s[i:])
		default:
			// Part of an ordinary character, which any letter stands
			// for below.
			r = 'a'
		}
		switch {
		case r == '\n', r == '\u2028':
			flush(i)
			breaks++
		case r == '\u2029':
			flush(i)
			breaks += 2
		case r == '\r':
			flush(i)
			// A lone CR is an old Mac line break; CR LF counts once.
			if i+1 >= len(s) || s[i+1] != '\n' {
				breaks++
			}
		case isInvisible(r):
			flush(i)
		case isSpace(r):
			flush(i)
			space = true
		case r < 0x20 || r >= 0x7F && unicode.IsControl(r):
			flush(i)
		case run < 0:
			if out.Len() > 0 {
				switch {
				case breaks >= 2:
					out.WriteString("\n\n")
				case breaks == 1:
					out.WriteByte('\n')
				case space:
					out.WriteByte(' ')
				}
			}
			breaks, space = 0, false
			run = i
		}
		i += size
	}
	flush(len(s))
	return out.String()
}

// replaceInvalid returns s with each byte that is not UTF-8 replaced by
// U+FFFD.
func replaceInvalid(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		b.WriteRune(r)
	}
	return b.String()
}

// ContentHash identifies an article's text: the hex SHA-256 of its title
// and body reduced to lower-case words, with ё read as е, and whitespace,
// punctuation, quotes and invisible characters left out, so that the same
// article re-published with other typography hashes the same.
func ContentHash(title, body string) string {
	buf := foldWords(nil, title)
	buf = append(buf, 0)
	buf = foldWords(buf, body)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

// foldWords appends the words of s to buf, lower-case, ё as е, one space
// between them.
func foldWords(buf []byte, s string) []byte {
	inWord, started := false, false
	var last rune
	for i := 0; i < len(s); {
		// The two-byte sequences of the Cyrillic block, most of the text,
		// are decoded here rather than by a call.
		r, size := rune(s[i]), 1
		switch c := s[i]; {
		case c < utf8.RuneSelf:
		case (c == 0xD0 || c == 0xD1) && i+1 < len(s) && s[i+1]&0xC0 == 0x80:
			r, size = rune(c&0x1F)<<6|rune(s[i+1]&0x3F), 2
		default:
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		// Letters come first, as most runes are letters; no invisible
		// character or combining mark is one.
		switch {
		case isWordRune(r):
			if !inWord && started {
				buf = append(buf, ' ')
			}
			r = toLower(r)
			if r == 'ё' {
				r = 'е'
			}
			if r >= 0x80 && r < 0x800 {
				buf = append(buf, byte(0xC0|r>>6), byte(0x80|r&0x3F))
			} else {
				buf = utf8.AppendRune(buf, r)
			}
			inWord, started, last = true, true, r
		case isInvisible(r):
			// A soft hyphen or a zero-width space sits inside a word.
		case r >= 0x0300 && unicode.Is(unicode.Mn, r):
			// A decomposed й is и and a combining breve; other marks
			// (the diaeresis of a decomposed ё among them) fold away.
			if r == '\u0306' && last == 'и' {
				buf = utf8.AppendRune(buf[:len(buf)-utf8.RuneLen('и')], 'й')
				last = 'й'
			}
		default:
			inWord, last = false, 0
		}
	}
	return buf
}
