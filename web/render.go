package web

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"kuzot/index"
	"kuzot/store"
)

// page is what every template gets.
type page struct {
	// Title is a message key (or a text).
	Title string
	// Nav is the header tab to highlight.
	Nav  string
	User *store.User
	// CSRF is the session's token (the login form's before a session).
	CSRF string
	// Path is the request's path and query, where forms return to.
	Path string
	Data any
	lang string
}

// T translates a message key into the page's language.
func (p *page) T(key string) string { return translate(p.lang, key) }

// Lang is the page's language code.
func (p *page) Lang() string { return p.lang }

// Langs are the languages of the switch.
func (p *page) Langs() any { return langs }

// Can reports whether the user has at least role.
func (p *page) Can(role string) bool {
	return p.User != nil && roleRank(p.User.Role) >= roleRank(role)
}

// newPage starts a page for the signed-in user of r.
func (s *Server) newPage(r *http.Request, title, nav string) *page {
	p := &page{Title: title, Nav: nav, Path: r.URL.RequestURI(), lang: langFromRequest(r)}
	if pr := principalOf(r); pr != nil {
		p.User = pr.user
		if validLang(pr.user.Lang) {
			p.lang = pr.user.Lang
		}
		if pr.session != nil {
			p.CSRF = pr.session.CSRF
		}
	}
	return p
}

// parseTemplates parses each page with the layout into its own set.
func (s *Server) parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"date":     s.formatDate,
		"datetime": s.formatDateTime,
		"day":      func(t time.Time) string { return t.In(s.loc).Format("02.01") },
		"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"marked":   func(v string) template.HTML { return template.HTML(v) }, // index.Mark output: escaped, with <mark>
		"evidence": evidenceHTML,
		"bars":     s.barsSVG,
		"spark":    sparkSVG,
		"join":     strings.Join,
		"inc":      func(i int) int { return i + 1 },
		"pct":      func(a, b int) int { return a * 100 / max(b, 1) },
		"dict": func(p *page, v any) any {
			return struct {
				P *page
				V any
			}{p, v}
		},
		"split": paragraphs,
		"trimd": func(s string) string { return strings.TrimSuffix(s, "d") },
		"shortRFC": func(v string) string {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return v
			}
			return s.formatDateTime(t)
		},
		"ptrtime": func(t *time.Time) time.Time {
			if t == nil {
				return time.Time{}
			}
			return *t
		},
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", f, err)
		}
		out[name] = t
	}
	return out, nil
}

// render writes a page; it renders into a buffer first, so a template
// error is a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := s.pages[name]
	if !ok {
		s.log.Error("no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) formatDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(s.loc).Format("02.01.2006")
}

func (s *Server) formatDateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(s.loc).Format("02.01.2006 15:04")
}

// evidenceHTML marks the words of an evidence passage.
func evidenceHTML(e store.Evidence) template.HTML {
	spans := make([]index.Span, len(e.Marks))
	for i, m := range e.Marks {
		spans[i] = index.Span{Start: m.Start, End: m.End}
	}
	return template.HTML(index.Mark(e.Text, spans))
}

// barsSVG draws a histogram of day counts as an SVG of bars, each a link
// (when href gives one) with its day and count as a tooltip. Drawn as
// SVG attributes, it needs no inline style, which the CSP forbids.
func (s *Server) barsSVG(bs []index.DateBucket, href func(index.DateBucket) string) template.HTML {
	const width, height, pad = 720.0, 90.0, 14.0
	if len(bs) == 0 {
		return ""
	}
	most := 1
	for _, b := range bs {
		most = max(most, b.Count)
	}
	bw := width / float64(len(bs))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="hist" viewBox="0 0 %.0f %.0f" preserveAspectRatio="none" role="img">`, width, height+pad)
	for i, bk := range bs {
		h := float64(bk.Count) / float64(most) * (height - 4)
		if bk.Count > 0 {
			h = max(h, 2)
		}
		x := float64(i) * bw
		label := html.EscapeString(fmt.Sprintf("%s: %d", bk.Start.In(s.loc).Format("02.01.2006"), bk.Count))
		link := ""
		if href != nil {
			link = href(bk)
		}
		if link != "" {
			fmt.Fprintf(&b, `<a href="%s">`, html.EscapeString(link))
		}
		// A full-height transparent target makes an empty day clickable.
		fmt.Fprintf(&b, `<g class="bar"><rect class="hit" x="%.1f" y="0" width="%.1f" height="%.0f"/>`, x, bw, height)
		fmt.Fprintf(&b, `<rect class="fill" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/><title>%s</title></g>`,
			x+bw*0.12, height-h, bw*0.76, h, label)
		if link != "" {
			b.WriteString(`</a>`)
		}
	}
	// Day labels under the first, the middle and the last bar.
	for _, i := range []int{0, len(bs) / 2, len(bs) - 1} {
		anchor := "middle"
		switch i {
		case 0:
			anchor = "start"
		case len(bs) - 1:
			anchor = "end"
		}
		x := float64(i)*bw + bw/2
		if anchor == "start" {
			x = 0
		} else if anchor == "end" {
			x = width
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="%s">%s</text>`, x, height+pad-2, anchor, bs[i].Start.In(s.loc).Format("02.01"))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// sparkSVG draws day counts as a small row of bars.
func sparkSVG(bs []index.DateBucket) template.HTML {
	const width, height = 150.0, 24.0
	if len(bs) == 0 {
		return ""
	}
	most := 0
	for _, b := range bs {
		most = max(most, b.Count)
	}
	bw := width / float64(len(bs))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %.0f %.0f" preserveAspectRatio="none" role="img">`, width, height)
	fmt.Fprintf(&b, `<rect class="base" x="0" y="%.0f" width="%.0f" height="1"/>`, height-1, width)
	for i, bk := range bs {
		if bk.Count == 0 {
			continue
		}
		h := max(float64(bk.Count)/float64(most)*(height-2), 2)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %d</title></rect>`,
			float64(i)*bw+bw*0.1, height-h, bw*0.8, h, bk.Start.Format("02.01"), bk.Count)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// paragraphs splits an article's text at its line breaks.
func paragraphs(body string) []string {
	var out []string
	for _, p := range strings.Split(body, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
