package crawler

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ErrNotFeed means a body given as a feed is no RSS, Atom or JSON Feed: an
// HTML page (the site moved its feed, or a login or error page), an empty
// body, or some other document.
var ErrNotFeed = errors.New("crawler: not a feed")

// sniffSize is how much of a body is looked at to say what it is.
const sniffSize = 1024

// ParseFeed reads an RSS 2.0, Atom or JSON Feed body in any charset. The
// charset is found as ToUTF8 finds it, so a windows-1251 feed that
// declares UTF-8 or nothing, and a UTF-8 feed that declares windows-1251,
// are read right rather than refused or garbled. Links are made absolute
// against feedURL; an item without a link, and a second item with the same
// GUID or link, are dropped. Dates are left as the feed gives them:
// clamping a future date to the fetch time is the caller's job, as only
// the caller knows the fetch time.
func ParseFeed(body []byte, feedURL string) ([]Item, error) {
	return parseFeed(body, "", feedURL)
}

// parseFeed is ParseFeed with the Content-Type the feed was served with,
// whose charset counts before the XML declaration's (RFC 7303).
func parseFeed(body []byte, contentType, feedURL string) ([]Item, error) {
	base, err := url.Parse(feedURL)
	if err != nil {
		return nil, fmt.Errorf("crawler: feed %q: %w", feedURL, err)
	}
	body, err = ToUTF8(body, contentType)
	if err != nil {
		return nil, fmt.Errorf("crawler: feed %s: %w", feedURL, err)
	}
	// The body is UTF-8 now; an XML declaration naming another encoding
	// would make gofeed decode it a second time.
	body = declareUTF8(body)
	if seen := sniffNonFeed(body); seen != "" {
		return nil, fmt.Errorf("crawler: feed %s: got %s; is the feed URL right?: %w", feedURL, seen, ErrNotFeed)
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, fmt.Errorf("crawler: feed %s: got %s, not RSS, Atom or JSON Feed: %w", feedURL, describeStart(body), ErrNotFeed)
	}
	if err != nil {
		return nil, fmt.Errorf("crawler: feed %s: malformed: %w", feedURL, err)
	}
	items := make([]Item, 0, len(feed.Items))
	seen := make(map[string]struct{}, 2*len(feed.Items))
	for _, fi := range feed.Items {
		if fi == nil {
			continue
		}
		it, ok := feedItem(fi, base)
		if !ok {
			continue
		}
		if _, dup := seen[it.URL]; dup {
			continue
		}
		if _, dup := seen["guid\x00"+it.GUID]; dup {
			continue
		}
		seen[it.URL] = struct{}{}
		seen["guid\x00"+it.GUID] = struct{}{}
		items = append(items, it)
	}
	return items, nil
}

// feedItem converts one gofeed item; it reports false when the item has no
// usable link.
func feedItem(fi *gofeed.Item, base *url.URL) (Item, bool) {
	link := strings.TrimSpace(fi.Link)
	if link == "" && len(fi.Links) > 0 {
		link = strings.TrimSpace(fi.Links[0])
	}
	guid := strings.TrimSpace(fi.GUID)
	if link == "" && (strings.HasPrefix(guid, "http://") || strings.HasPrefix(guid, "https://")) {
		link = guid
	}
	abs, ok := resolveLink(base, link)
	if !ok {
		return Item{}, false
	}
	if guid == "" {
		guid = abs
	}
	it := Item{
		URL:     abs,
		GUID:    guid,
		Title:   htmlLine(fi.Title),
		Summary: strings.Join(htmlParagraphs(fi.Description), "\n\n"),
		Content: strings.Join(htmlParagraphs(fi.Content), "\n\n"),
	}
	for _, p := range fi.Authors {
		if p != nil && p.Name != "" {
			it.Author = squashSpace(p.Name)
			break
		}
	}
	switch {
	case fi.PublishedParsed != nil:
		it.Published = *fi.PublishedParsed
	case fi.UpdatedParsed != nil:
		it.Published = *fi.UpdatedParsed
	default:
		// gofeed gave up on the date; Russian feeds sometimes write it in
		// Russian. A feed has no zone to fall back on but UTC.
		for _, s := range []string{fi.Published, fi.Updated} {
			if t, ok := parseTime(s, time.UTC, time.Now()); ok {
				it.Published = t
				break
			}
		}
	}
	return it, true
}

// resolveLink resolves ref against base and accepts only http and https.
func resolveLink(base *url.URL, ref string) (string, bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "#") {
		return "", false
	}
	u, err := url.Parse(ref)
	if err != nil {
		return "", false
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	// A fragment never names another article; without it "#comments"
	// links collapse into the article they belong to.
	u.Fragment, u.RawFragment = "", ""
	return u.String(), true
}

// sniffNonFeed names what body is when it plainly is no feed: empty, or
// an HTML page. It returns "" when the body may be a feed.
func sniffNonFeed(body []byte) string {
	head := bytes.TrimLeft(body[:min(len(body), sniffSize)], "\ufeff \t\r\n")
	if len(head) == 0 {
		return "an empty body"
	}
	lower := bytes.ToLower(head)
	if bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) ||
		(!bytes.HasPrefix(lower, []byte("<?xml")) && bytes.Contains(lower, []byte("<html"))) {
		title := ""
		if i := bytes.Index(lower, []byte("<title")); i >= 0 {
			end := min(len(head), i+300)
			if j := bytes.Index(lower[i:end], []byte("</title")); j >= 0 {
				end = i + j
			}
			title = htmlLine(strings.ToValidUTF8(string(head[i:end]), ""))
		}
		if title != "" {
			return fmt.Sprintf("an HTML page (%q)", title)
		}
		return "an HTML page"
	}
	return ""
}

// declareUTF8 rewrites the encoding named in an XML declaration to utf-8,
// in place, for a body already converted to UTF-8.
func declareUTF8(body []byte) []byte {
	head := bytes.TrimLeft(body, "\ufeff \t\r\n")
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return body
	}
	start := len(body) - len(head)
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return body
	}
	decl := head[:end]
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return body
	}
	v := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n=")
	if len(v) < 2 || (v[0] != '"' && v[0] != '\'') {
		return body
	}
	j := bytes.IndexByte(v[1:], v[0])
	if j < 0 {
		return body
	}
	from := start + (len(decl) - len(v)) + 1
	out := make([]byte, 0, len(body))
	out = append(out, body[:from]...)
	out = append(out, "utf-8"...)
	return append(out, body[from+j:]...)
}

// describeStart quotes the start of an unrecognised body for an error.
func describeStart(body []byte) string {
	head := strings.ToValidUTF8(string(body[:min(len(body), 60)]), "?")
	return fmt.Sprintf("a document starting %q", squashSpace(head))
}

// htmlLine is the text of an HTML or plain fragment on one line.
func htmlLine(s string) string {
	return squashSpace(strings.Join(htmlParagraphs(s), " "))
}

// htmlParagraphs turns a feed's HTML or plain text into paragraphs. Plain
// text keeps its own blank-line paragraphs; markup is tokenised, not parsed
// into a tree, since a 10,000-item feed runs this 20,000 times.
func htmlParagraphs(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if !strings.ContainsAny(s, "<&") {
		var out []string
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			var b textBuilder
			for i, line := range strings.Split(p, "\n") {
				if i > 0 {
					b.lineBreak()
				}
				b.text(line)
			}
			b.paragraph()
			out = append(out, b.paras...)
		}
		return out
	}
	var b textBuilder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			b.paragraph()
			return b.paras
		case html.TextToken:
			if skip == 0 {
				b.text(string(z.Text()))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if isSkippedElem(a) {
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			}
			switch {
			case a == atom.Br:
				b.lineBreak()
			case isBlockElem(a):
				b.paragraph()
			case a == atom.Td || a == atom.Th:
				b.space = b.cur.Len() > 0
			}
		}
	}
}
