package crawler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"kuzot/config"
)

// ErrNoArticle means a page held no article text: an empty page, an error
// page served with status 200, or markup the selectors no longer fit.
var ErrNoArticle = errors.New("crawler: no article text")

// ErrSelector means a configured CSS selector or paragraph pattern does not
// compile.
var ErrSelector = errors.New("crawler: bad selector")

// maxRemove bounds how many elements one Remove selector deletes, so a
// selector that matches everything cannot make extraction quadratic.
const maxRemove = 10000

// ExtractArticle reads the title, time, author and body of an article page.
// Configured selectors win; where they are missing or find nothing, the page
// goes through readability and the usual noise (comments, "read also" lists,
// share bars, subscription blurbs) is stripped. A time without a zone is in
// loc. A page without body text gives ErrNoArticle.
func ExtractArticle(body []byte, pageURL string, sel *config.Selectors, loc *time.Location) (*Extracted, error) {
	return extractArticle(body, pageURL, sel, loc, time.Now())
}

// extractArticle is ExtractArticle with the reference time for "сегодня"
// and year-less dates injected.
func extractArticle(body []byte, pageURL string, sel *config.Selectors, loc *time.Location, now time.Time) (*Extracted, error) {
	if loc == nil {
		loc = time.UTC
	}
	cs, err := compileSelectors(sel)
	if err != nil {
		return nil, fmt.Errorf("crawler: article %s: %w", pageURL, err)
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("crawler: article %s: %w", pageURL, err)
	}
	// Metadata is read before anything is removed: a share bar or a header
	// dropped as noise may hold the only <time>.
	meta := readMeta(doc)
	for _, m := range cs.remove {
		for i, n := range m.MatchAll(doc) {
			if i == maxRemove {
				break
			}
			if n.Parent != nil {
				n.Parent.RemoveChild(n)
			}
		}
	}

	ex := &Extracted{}
	var paras []string
	if cs.title != nil {
		ex.Title = nodeLine(cs.title.MatchFirst(doc))
	}
	if cs.author != nil {
		ex.Author = nodeLine(cs.author.MatchFirst(doc))
	}
	if cs.time != nil {
		if n := cs.time.MatchFirst(doc); n != nil {
			v := nodeLine(n)
			if cs.timeAttr != "" {
				v = htmlAttr(n, cs.timeAttr)
			}
			ex.Published, _ = parseTime(v, loc, now)
		}
	}
	if cs.body != nil {
		for _, n := range cs.body.MatchAll(doc) {
			paras = appendParagraphs(paras, n)
		}
		paras = dropParagraphs(paras, cs.drop, false)
	}

	var rd readability.Article
	if len(paras) == 0 {
		// Without body selectors, or when they found nothing, the page is
		// read the generic way.
		pruneNoise(doc)
		// A page that marks its story with one <article> holding real
		// paragraphs says where the text is; readability, five times the
		// cost, is for the pages that do not.
		if art := soleArticle(doc); art != nil {
			paras = dropParagraphs(appendParagraphs(nil, art), cs.drop, true)
		}
	}
	if len(paras) == 0 {
		base, _ := url.Parse(pageURL)
		p := readability.NewParser()
		// The metadata was read above; readability's copy would only be
		// parsed twice.
		p.DisableJSONLD = true
		if a, err := p.ParseAndMutate(doc, base); err == nil {
			rd = a
			if a.Node != nil {
				paras = dropParagraphs(appendParagraphs(nil, a.Node), cs.drop, true)
			}
		}
	}

	if ex.Title == "" {
		ex.Title = firstNonEmpty(meta.ogTitle, meta.h1, meta.ldHeadline, rd.Title(), meta.title)
	}
	if len(paras) > 0 && paras[0] == ex.Title {
		paras = paras[1:]
	}
	if ex.Author == "" {
		ex.Author = firstNonEmpty(meta.author, meta.ldAuthor, rd.Byline())
	}
	if ex.Published.IsZero() {
		ex.Published = meta.published(loc, now)
	}
	if ex.Published.IsZero() && len(paras) > 0 {
		// The date printed in the text is the last resort: it is searched
		// near the top only, where a page prints its own date.
		head := strings.Join(paras[:min(len(paras), 3)], "\n")
		ex.Published, _ = textTime(head, loc, now)
	}
	ex.Body = strings.Join(paras, "\n\n")
	if ex.Body == "" {
		return nil, fmt.Errorf("crawler: article %s (title %q): %w", pageURL, ex.Title, ErrNoArticle)
	}
	return ex, nil
}

// pageMeta is what a page says about itself outside its text.
type pageMeta struct {
	ogTitle, h1, title, author        string
	metaTime, timeAttr, datedElement  string
	ldHeadline, ldPublished, ldAuthor string
}

// published picks the first readable time among the page's own statements,
// the most explicit first.
func (m *pageMeta) published(loc *time.Location, now time.Time) time.Time {
	for _, s := range []string{m.metaTime, m.timeAttr, m.ldPublished, m.datedElement} {
		if t, ok := parseTime(s, loc, now); ok {
			return t
		}
	}
	return time.Time{}
}

// datedClassRe finds the elements where pages print an article's date.
var datedClassRe = regexp.MustCompile(`(?i)date|time|publish|posted`)

// readMeta walks the page once for its metadata.
func readMeta(doc *html.Node) *pageMeta {
	m := &pageMeta{}
	var ld []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Meta:
				key := strings.ToLower(firstNonEmpty(htmlAttr(n, "property"), htmlAttr(n, "name"), htmlAttr(n, "itemprop")))
				content := strings.TrimSpace(htmlAttr(n, "content"))
				switch key {
				case "og:title":
					setIfEmpty(&m.ogTitle, squashSpace(content))
				case "article:published_time", "datepublished", "pubdate", "publish-date", "og:published_time":
					setIfEmpty(&m.metaTime, content)
				case "author", "article:author":
					if !strings.Contains(content, "://") {
						setIfEmpty(&m.author, squashSpace(content))
					}
				}
			case atom.Title:
				setIfEmpty(&m.title, nodeLine(n))
			case atom.H1:
				setIfEmpty(&m.h1, nodeLine(n))
			case atom.Time:
				setIfEmpty(&m.timeAttr, htmlAttr(n, "datetime"))
			case atom.Script:
				if strings.EqualFold(htmlAttr(n, "type"), "application/ld+json") && n.FirstChild != nil {
					ld = append(ld, n.FirstChild.Data)
				}
				return
			case atom.Style, atom.Noscript, atom.Template:
				return
			}
			if m.datedElement == "" && datedClassRe.MatchString(htmlAttr(n, "class")) {
				if s := nodeLine(n); utf8.RuneCountInString(s) < 80 {
					if _, ok := textTime(s, time.UTC, time.Time{}); ok {
						m.datedElement = s
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, s := range ld {
		m.readJSONLD(s)
	}
	return m
}

// readJSONLD takes the headline, date and author of the first article
// object in a JSON-LD block; a page's other objects (the site, its
// breadcrumbs) have no datePublished and are passed over.
func (m *pageMeta) readJSONLD(s string) {
	var v any
	if json.Unmarshal([]byte(strings.TrimSpace(s)), &v) != nil {
		return
	}
	var visit func(v any, depth int) bool
	visit = func(v any, depth int) bool {
		if depth > 8 {
			return false
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if visit(e, depth+1) {
					return true
				}
			}
		case map[string]any:
			if d, ok := x["datePublished"].(string); ok && d != "" {
				setIfEmpty(&m.ldPublished, d)
				if h, ok := x["headline"].(string); ok {
					setIfEmpty(&m.ldHeadline, squashSpace(h))
				}
				setIfEmpty(&m.ldAuthor, ldName(x["author"]))
				return true
			}
			if g, ok := x["@graph"]; ok {
				return visit(g, depth+1)
			}
		}
		return false
	}
	visit(v, 0)
}

// ldName reads a JSON-LD author: a name, a Person, or a list of them.
func ldName(v any) string {
	switch x := v.(type) {
	case string:
		return squashSpace(x)
	case map[string]any:
		if s, ok := x["name"].(string); ok {
			return squashSpace(s)
		}
	case []any:
		var names []string
		for _, e := range x {
			if s := ldName(e); s != "" {
				names = append(names, s)
			}
		}
		return strings.Join(names, ", ")
	}
	return ""
}

var (
	// noiseClassRe names the blocks around an article that are not the
	// article: comments, share bars, "read also" lists, subscription boxes.
	noiseClassRe = regexp.MustCompile(`(?i)(?:^|[\s_-])(?:comments?|comment-list|disqus|share|sharing|social|subscribe|subscription|related|read-?also|also-read|more-news|newsletter|banner|advert|promo|sidebar)(?:$|[\s_-])`)
	// readAlsoRe starts a "read also" heading in Russian, Kyrgyz or English.
	readAlsoRe = regexp.MustCompile(`(?i)^\s*(?:читайте (?:также|тоже|ещё|еще)|смотрите также|ошондой эле окуңуз|кеңири окуңуз|дагы окуңуз|окуҫуңуз|окуңуз|related|read (?:also|more))(?:$|[^\p{L}])`)
	// noiseParagraphRe matches whole lines of site furniture that
	// readability may keep inside the article block.
	noiseParagraphRe = regexp.MustCompile(`(?i)^\s*(?:поделиться|бөлүшүү|share|комментарии|пикирлер|комментарий(?:лер)?)(?:$|[^\p{L}])|^[\s,:|•·/]*(?:(?:facebook|whatsapp|telegram|vk|вконтакте|одноклассники|twitter|x|instagram|поделиться|бөлүшүү)[\s,:|•·/]*)+$`)
	// subscribeRe matches subscription blurbs ("Подписывайтесь на наш
	// Telegram-канал", "Telegram-каналыбызга жазылыңыз").
	subscribeRe = regexp.MustCompile(`(?i)подпис\p{L}* на (?:наш|нас)|подпишитесь|жазылыңыз|каналыбызга`)
)

// maySubscribe reports whether s holds one of the words subscribeRe
// looks for, in any case. The unanchored expression would be tried at
// every position of every short paragraph; this test is far cheaper.
func maySubscribe(s string) bool {
	lower := strings.ToLower(s)
	return strings.Contains(lower, "подпи") || strings.Contains(lower, "жазылыңыз") || strings.Contains(lower, "каналыбызга")
}

// pruneNoise removes comment blocks, share bars, "read also" lists and
// subscription boxes before readability scores the page, so their text
// cannot win or leak into the body.
func pruneNoise(doc *html.Node) {
	var doomed []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html, atom.Body, atom.Main, atom.Article, atom.Head:
			default:
				if noiseClassRe.MatchString(htmlAttr(n, "class")) || noiseClassRe.MatchString(htmlAttr(n, "id")) {
					doomed = append(doomed, n)
					return
				}
				if isReadAlso(n) {
					target := n
					if isInlineElem(n) && n.Parent != nil && n.Parent.DataAtom == atom.P {
						target = n.Parent
					}
					doomed = append(doomed, target)
					if next := nextElement(target); next != nil && (next.DataAtom == atom.Ul || next.DataAtom == atom.Ol) {
						doomed = append(doomed, next)
					}
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, n := range doomed {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
}

// isReadAlso reports whether n is a short "read also" heading.
func isReadAlso(n *html.Node) bool {
	switch n.DataAtom {
	case atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.P, atom.Div, atom.Strong, atom.B, atom.Span:
	default:
		return false
	}
	// Containers hold whole articles: measure before building the text.
	if !textShorterThan(n, 400) {
		return false
	}
	s := nodeLine(n)
	return utf8.RuneCountInString(s) < 200 && readAlsoRe.MatchString(s)
}

// soleArticle returns the page's only <article> element when it holds at
// least two paragraphs of some length, or nil.
func soleArticle(doc *html.Node) *html.Node {
	var found *html.Node
	count := 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Article {
			count++
			found = n
			return
		}
		for c := n.FirstChild; c != nil && count < 2; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if count != 1 {
		return nil
	}
	paras, size := 0, 0
	for c := range found.Descendants() {
		if c.Type == html.ElementNode && c.DataAtom == atom.P {
			if n := textBytes(c); n >= 40 {
				paras++
				size += n
			}
		}
	}
	if paras < 2 || size < 200 {
		return nil
	}
	return found
}

// textBytes is the length of the text under n, spaces included.
func textBytes(n *html.Node) int {
	size := 0
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			size += len(c.Data)
		}
	}
	return size
}

// textShorterThan reports whether the text under n is under limit bytes,
// stopping as soon as it is not.
func textShorterThan(n *html.Node, limit int) bool {
	size := 0
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.TextNode {
			size += len(n.Data)
			return size < limit
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	return walk(n)
}

// dropParagraphs removes the paragraphs a site's patterns name and, on the
// generic path, the furniture readability keeps.
func dropParagraphs(paras []string, drop []*regexp.Regexp, generic bool) []string {
	out := paras[:0]
	for _, p := range paras {
		if matchesAnyRegexp(p, drop) {
			continue
		}
		// Furniture lines are short; a long paragraph is text.
		if generic && len(p) < 800 && utf8.RuneCountInString(p) < 200 {
			if readAlsoRe.MatchString(p) || noiseParagraphRe.MatchString(p) || maySubscribe(p) && subscribeRe.MatchString(p) {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// matchesAnyRegexp reports whether one of res matches s.
func matchesAnyRegexp(s string, res []*regexp.Regexp) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// siteSelectors is config.Selectors compiled once; extraction runs for
// thousands of pages a minute, so selectors and patterns are not compiled
// per page.
type siteSelectors struct {
	item, link, itemTime      cascadia.Selector
	title, time, body, author cascadia.Selector
	timeAttr                  string
	remove                    []cascadia.Selector
	drop                      []*regexp.Regexp
}

// selectorCache holds compiled selectors by their text, so an edited
// configuration gets compiled afresh and equal ones share the work.
var selectorCache sync.Map // string → *siteSelectors

// compileSelectors compiles sel, or returns the empty set for nil.
func compileSelectors(sel *config.Selectors) (*siteSelectors, error) {
	if sel == nil {
		return &siteSelectors{}, nil
	}
	parts := []string{sel.Item, sel.Link, sel.ItemTime, sel.Title, sel.Time, sel.TimeAttr, sel.Body, sel.Author}
	parts = append(parts, sel.Remove...)
	parts = append(parts, "\x01")
	parts = append(parts, sel.DropParagraphs...)
	key := strings.Join(parts, "\x00")
	if v, ok := selectorCache.Load(key); ok {
		return v.(*siteSelectors), nil
	}
	cs := &siteSelectors{timeAttr: sel.TimeAttr}
	fields := []struct {
		name string
		src  string
		dst  *cascadia.Selector
	}{
		{"item", sel.Item, &cs.item}, {"link", sel.Link, &cs.link}, {"item_time", sel.ItemTime, &cs.itemTime},
		{"title", sel.Title, &cs.title}, {"time", sel.Time, &cs.time}, {"body", sel.Body, &cs.body},
		{"author", sel.Author, &cs.author},
	}
	for _, f := range fields {
		if strings.TrimSpace(f.src) == "" {
			continue
		}
		c, err := cascadia.Compile(f.src)
		if err != nil {
			return nil, fmt.Errorf("%w: %s %q: %w", ErrSelector, f.name, f.src, err)
		}
		*f.dst = c
	}
	for i, s := range sel.Remove {
		c, err := cascadia.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("%w: remove[%d] %q: %w", ErrSelector, i, s, err)
		}
		cs.remove = append(cs.remove, c)
	}
	for i, s := range sel.DropParagraphs {
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("%w: drop_paragraphs[%d] %q: %w", ErrSelector, i, s, err)
		}
		cs.drop = append(cs.drop, re)
	}
	v, _ := selectorCache.LoadOrStore(key, cs)
	return v.(*siteSelectors), nil
}

// textBuilder turns markup into paragraphs: runs of white space become one
// space, <br> a line break, block elements a paragraph break.
type textBuilder struct {
	paras []string
	cur   strings.Builder
	space bool
}

// text adds running text. Zero-width spaces count as white space: CMS
// editors leave them between words, and they would split search terms.
func (b *textBuilder) text(s string) {
	// Runs of visible characters are copied whole. The text is scanned by
	// bytes: only ASCII and the lead bytes 0xC2, 0xE1-0xE3 and 0xEF can
	// start white space, so the Cyrillic letters that make up most of it
	// are passed over without being decoded.
	start := -1
	for i := 0; i < len(s); {
		if start >= 0 {
			for i < len(s) && plainByte[s[i]] {
				i++
			}
			if i == len(s) {
				break
			}
		}
		c, size, blank := s[i], 1, false
		switch {
		case c < utf8.RuneSelf:
			blank = c == ' ' || c >= '\t' && c <= '\r'
		case c == 0xC2, c >= 0xE1 && c <= 0xE3, c == 0xEF:
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			blank = isSpace(r) || r == '\u200b' || r == '\ufeff'
		}
		if blank {
			if start >= 0 {
				b.cur.WriteString(s[start:i])
				start = -1
			}
			b.space = b.cur.Len() > 0
		} else if start < 0 {
			if b.space {
				if !strings.HasSuffix(b.cur.String(), "\n") {
					b.cur.WriteByte(' ')
				}
				b.space = false
			}
			start = i
		}
		i += size
	}
	if start >= 0 {
		b.cur.WriteString(s[start:])
	}
}

// lineBreak ends a line inside the paragraph, as <br> does.
func (b *textBuilder) lineBreak() {
	if b.cur.Len() > 0 && !strings.HasSuffix(b.cur.String(), "\n") {
		b.cur.WriteByte('\n')
	}
	b.space = false
}

// paragraph ends the current paragraph; an empty one is not kept.
func (b *textBuilder) paragraph() {
	if s := strings.TrimSpace(b.cur.String()); s != "" {
		b.paras = append(b.paras, s)
	}
	b.cur.Reset()
	b.space = false
}

// isSkippedElem reports elements that hold no readable text.
func isSkippedElem(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe, atom.Svg,
		atom.Button, atom.Select, atom.Textarea, atom.Object, atom.Head:
		return true
	}
	return false
}

// isBlockElem reports elements that end a paragraph.
func isBlockElem(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Aside,
		atom.Main, atom.Nav, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol,
		atom.Li, atom.Blockquote, atom.Pre, atom.Table, atom.Tr, atom.Dl, atom.Dt, atom.Dd,
		atom.Figure, atom.Figcaption, atom.Hr, atom.Address, atom.Body, atom.Html:
		return true
	}
	return false
}

// isInlineElem reports whether n is phrasing markup inside a paragraph.
func isInlineElem(n *html.Node) bool {
	return n.Type == html.ElementNode && !isBlockElem(n.DataAtom)
}

// node adds the text of n and its descendants.
func (b *textBuilder) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.text(n.Data)
		return
	case html.ElementNode:
		if isSkippedElem(n.DataAtom) {
			return
		}
		if n.DataAtom == atom.Br {
			b.lineBreak()
			return
		}
		if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
			b.space = b.cur.Len() > 0
		}
	case html.CommentNode, html.DoctypeNode:
		return
	}
	isBlock := n.Type == html.ElementNode && isBlockElem(n.DataAtom)
	if isBlock {
		b.paragraph()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.node(c)
	}
	if isBlock {
		b.paragraph()
	}
}

// appendParagraphs adds the paragraphs of n's text to paras.
func appendParagraphs(paras []string, n *html.Node) []string {
	b := textBuilder{paras: paras}
	b.node(n)
	b.paragraph()
	return b.paras
}

// nodeLine is n's text on one line; empty for nil.
func nodeLine(n *html.Node) string {
	if n == nil {
		return ""
	}
	return squashSpace(strings.Join(appendParagraphs(nil, n), " "))
}

// squashSpace trims s and turns its runs of white space into one space.
func squashSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// htmlAttr is the value of n's attribute key, or empty.
func htmlAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

// nextElement is the next sibling element of n, or nil.
func nextElement(n *html.Node) *html.Node {
	for s := n.NextSibling; s != nil; s = s.NextSibling {
		if s.Type == html.ElementNode {
			return s
		}
	}
	return nil
}

// setIfEmpty keeps the first value found: a page's first statement of a
// field is its own, later ones belong to embedded or related items.
func setIfEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// firstNonEmpty is the first of vs that is not blank, trimmed.
func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
