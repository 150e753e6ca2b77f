// Package crawltest serves local news sites for tests, benchmarks and the
// demo: a kaktus.media-like listing with article pages, RSS and Atom feeds,
// a windows-1251 site and a Telegram channel preview, all from one set of
// articles held in memory.
package crawltest

import (
	"fmt"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/encoding/charmap"

	"kuzot/config"
)

// Article is one story a Site publishes.
type Article struct {
	ID        int
	Title     string
	Body      []string // paragraphs
	Published time.Time
	Author    string
}

// Site serves the same articles in every form a crawler meets. Paths:
//
//	/robots.txt
//	/?lable=8&order=time[&date=YYYY-MM-DD]   kaktus-like listing (newest first)
//	/?lable=8&order=time&page=N              page N of the listing, dates in full
//	/doc/{id}.html                           kaktus-like article page
//	/rss.xml, /atom.xml                      feeds linking to /news/{id}
//	/news/{id}                               plain article page (no selectors)
//	/cp1251/                                 listing and pages in windows-1251
//	/s/{channel}[?before=N]                  Telegram channel preview, 20 a page
type Site struct {
	// Zone is the site's local time zone (listing times are local).
	Zone *time.Location
	// PageSize is how many entries a listing, feed or channel page shows.
	PageSize int
	// Disallow is served as a robots.txt Disallow line when set.
	Disallow string

	mu       sync.Mutex
	articles []Article // oldest first
	requests map[string]int
}

// New returns a site publishing arts.
func New(arts ...Article) *Site {
	loc, err := time.LoadLocation("Asia/Bishkek")
	if err != nil {
		loc = time.FixedZone("+06", 6*3600)
	}
	s := &Site{Zone: loc, PageSize: 20, requests: map[string]int{}}
	s.Publish(arts...)
	return s
}

// Publish adds articles, as a site does when news breaks.
func (s *Site) Publish(arts ...Article) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.articles = append(s.articles, arts...)
	slices.SortStableFunc(s.articles, func(a, b Article) int { return a.Published.Compare(b.Published) })
}

// Requests returns how often path (without query) was requested.
func (s *Site) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// newest returns up to n articles published on or before the cutoff, newest
// first, filtered by keep.
func (s *Site) newest(n int, keep func(Article) bool) []Article {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Article
	for i := len(s.articles) - 1; i >= 0 && len(out) < n; i-- {
		if keep == nil || keep(s.articles[i]) {
			out = append(out, s.articles[i])
		}
	}
	return out
}

func (s *Site) byID(id int) (Article, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.articles {
		if a.ID == id {
			return a, true
		}
	}
	return Article{}, false
}

// ServeHTTP routes the site's paths.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests[r.URL.Path]++
	s.mu.Unlock()
	p := r.URL.Path
	switch {
	case p == "/robots.txt":
		fmt.Fprintf(w, "User-agent: *\nDisallow: %s\n", s.Disallow)
	case p == "/" || p == "/cp1251/":
		s.listing(w, r, p == "/cp1251/")
	case strings.HasPrefix(p, "/doc/") || strings.HasPrefix(p, "/cp1251/doc/"):
		id, _ := strconv.Atoi(strings.TrimSuffix(p[strings.LastIndexByte(p, '/')+1:], ".html"))
		s.articlePage(w, id, strings.HasPrefix(p, "/cp1251/"))
	case strings.HasPrefix(p, "/news/"):
		id, _ := strconv.Atoi(strings.TrimPrefix(p, "/news/"))
		s.plainPage(w, id)
	case p == "/rss.xml":
		s.rss(w, r)
	case p == "/atom.xml":
		s.atom(w, r)
	case strings.HasPrefix(p, "/s/"):
		s.telegram(w, r, strings.TrimPrefix(p, "/s/"))
	default:
		http.NotFound(w, r)
	}
}

func (s *Site) listing(w http.ResponseWriter, r *http.Request, cp1251 bool) {
	var keep func(Article) bool
	if d := r.URL.Query().Get("date"); d != "" {
		day, err := time.ParseInLocation("2006-01-02", d, s.Zone)
		if err != nil {
			http.Error(w, "bad date", http.StatusBadRequest)
			return
		}
		keep = func(a Article) bool {
			t := a.Published.In(s.Zone)
			return !t.Before(day) && t.Before(day.AddDate(0, 0, 1))
		}
	}
	n := s.PageSize
	if keep != nil {
		n = 1 << 30
	}
	// A numbered page prints full dates, as sites do once the entries are
	// no longer today's.
	skip, clock := 0, "15:04"
	if v := r.URL.Query().Get("page"); v != "" {
		page, err := strconv.Atoi(v)
		if err != nil || page < 1 {
			http.Error(w, "bad page", http.StatusBadRequest)
			return
		}
		skip, clock = (page-1)*s.PageSize, "02.01.2006 15:04"
	}
	prefix := "/doc/"
	if cp1251 {
		prefix = "/cp1251/doc/"
	}
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="ru"><head>`)
	b.WriteString(charsetMeta(cp1251))
	b.WriteString(`<title>Лента новостей</title></head><body><div class="Main"><h1>Лента</h1>`)
	arts := s.newest(skip+n, keep)
	for _, a := range arts[min(skip, len(arts)):] {
		fmt.Fprintf(&b, `<div class="Tag--article"><div class="ArticleItem"><div class="ArticleItem--time">%s</div><a class="ArticleItem--name" href="%s%d.html">%s</a><span class="ArticleItem--views">%d</span></div></div>`+"\n",
			a.Published.In(s.Zone).Format(clock), prefix, a.ID, html.EscapeString(a.Title), 100+a.ID%900)
	}
	b.WriteString(`</div><footer>© Пример медиа</footer></body></html>`)
	write(w, b.String(), cp1251)
}

func (s *Site) articlePage(w http.ResponseWriter, id int, cp1251 bool) {
	a, ok := s.byID(id)
	if !ok {
		http.Error(w, "Страница не найдена", http.StatusNotFound)
		return
	}
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="ru"><head>`)
	b.WriteString(charsetMeta(cp1251))
	fmt.Fprintf(&b, `<title>%s — Пример медиа</title></head><body><header><nav>Новости Политика Общество</nav></header>`, html.EscapeString(a.Title))
	fmt.Fprintf(&b, `<div class="Article"><h1 class="Article--title">%s</h1><time class="Article--createAt" datetime="%s">%s</time>`,
		html.EscapeString(a.Title), a.Published.In(s.Zone).Format(time.RFC3339), a.Published.In(s.Zone).Format("02.01.2006, 15:04"))
	b.WriteString(`<div class="Article--text"><div class="BbCode">`)
	for _, p := range a.Body {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
	}
	b.WriteString(`<p>Есть тема? Пишите Kaktus.media в WhatsApp</p></div></div>`)
	b.WriteString(`<div class="Article--share">Поделиться: Facebook Telegram</div></div><div class="Comments">Комментарии (3)</div></body></html>`)
	write(w, b.String(), cp1251)
}

func (s *Site) plainPage(w http.ResponseWriter, id int) {
	a, ok := s.byID(id)
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>%s</title>
<meta property="og:title" content="%s"><meta property="article:published_time" content="%s"></head>
<body><header><nav><a href="/">Главная</a> <a href="/news">Новости</a></nav></header><main><article><h1>%s</h1>`,
		html.EscapeString(a.Title), html.EscapeString(a.Title), a.Published.UTC().Format(time.RFC3339), html.EscapeString(a.Title))
	for _, p := range a.Body {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
	}
	b.WriteString(`</article></main><aside><h3>Читайте также</h3><ul><li><a href="/news/1">Другая новость</a></li></ul></aside><footer>© Пример</footer></body></html>`)
	write(w, b.String(), false)
}

func (s *Site) rss(w http.ResponseWriter, r *http.Request) {
	base := "http://" + r.Host
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Пример RSS</title><link>` + base + `/</link><description>Новости</description>`)
	for _, a := range s.newest(s.PageSize, nil) {
		lead := ""
		if len(a.Body) > 0 {
			lead = a.Body[0]
		}
		fmt.Fprintf(&b, `<item><title>%s</title><link>%s/news/%d?utm_source=rss</link><guid>%s/news/%d</guid><pubDate>%s</pubDate><description>%s</description></item>`,
			xmlEscape(a.Title), base, a.ID, base, a.ID, a.Published.UTC().Format(time.RFC1123Z), xmlEscape(lead))
	}
	b.WriteString(`</channel></rss>`)
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	fmt.Fprint(w, b.String())
}

func (s *Site) atom(w http.ResponseWriter, r *http.Request) {
	base := "http://" + r.Host
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Пример Atom</title><id>` + base + `/</id><updated>2026-01-01T00:00:00Z</updated>`)
	for _, a := range s.newest(s.PageSize, nil) {
		lead := ""
		if len(a.Body) > 0 {
			lead = a.Body[0]
		}
		fmt.Fprintf(&b, `<entry><title>%s</title><link href="%s/news/%d"/><id>urn:article:%d</id><updated>%s</updated><summary>%s</summary></entry>`,
			xmlEscape(a.Title), base, a.ID, a.ID, a.Published.UTC().Format(time.RFC3339), xmlEscape(lead))
	}
	b.WriteString(`</feed>`)
	w.Header().Set("Content-Type", "application/atom+xml")
	fmt.Fprint(w, b.String())
}

// telegram serves a channel preview: messages oldest first, the newest
// PageSize before the ?before= cursor, as t.me/s/ does. The post number is
// the article ID.
func (s *Site) telegram(w http.ResponseWriter, r *http.Request, channel string) {
	before := int(^uint(0) >> 1)
	if v := r.URL.Query().Get("before"); v != "" {
		before, _ = strconv.Atoi(v)
	}
	posts := s.newest(s.PageSize, func(a Article) bool { return a.ID < before })
	slices.Reverse(posts)
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>%s – Telegram</title></head><body><main class="tgme_main"><section class="tgme_channel_history js-message_history">`, channel)
	for _, a := range posts {
		text := html.EscapeString(a.Title)
		for _, p := range a.Body {
			text += "<br/><br/>" + html.EscapeString(p)
		}
		fmt.Fprintf(&b, `<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="%s/%d"><div class="tgme_widget_message_bubble"><div class="tgme_widget_message_text js-message_text" dir="auto">%s</div><div class="tgme_widget_message_footer"><div class="tgme_widget_message_info"><span class="tgme_widget_message_views">%s</span><span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/%s/%d"><time datetime="%s" class="time">%s</time></a></span></div></div></div></div></div>`+"\n",
			channel, a.ID, text, views(a.ID), channel, a.ID, a.Published.UTC().Format("2006-01-02T15:04:05+00:00"), a.Published.In(s.Zone).Format("15:04"))
	}
	b.WriteString(`</section></main></body></html>`)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, b.String())
}

// views is a view counter in Telegram's short form for post id.
func views(id int) string {
	n := 800 + id*137
	if n >= 1000 {
		return fmt.Sprintf("%.1fK", float64(n)/1000)
	}
	return strconv.Itoa(n)
}

func charsetMeta(cp1251 bool) string {
	if cp1251 {
		return `<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">`
	}
	return `<meta charset="utf-8">`
}

func write(w http.ResponseWriter, page string, cp1251 bool) {
	if !cp1251 {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
		return
	}
	// The header names no charset: the crawler must read the meta tag.
	w.Header().Set("Content-Type", "text/html")
	enc, err := charmap.Windows1251.NewEncoder().String(page)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprint(w, enc)
}

func xmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// KaktusSelectors are the selectors of config.yaml's kaktus-media source,
// which the listing and article pages of Site follow.
func KaktusSelectors() *config.Selectors {
	return &config.Selectors{
		Item: "div.Tag--article", Link: "a.ArticleItem--name", ItemTime: "div.ArticleItem--time",
		Title: "h1.Article--title", Time: "time.Article--createAt", TimeAttr: "datetime",
		Body:           "div.Article--text div.BbCode p",
		DropParagraphs: []string{`^Есть тема\? Пишите Kaktus\.media`},
	}
}
