package digest

import (
	"bytes"
	"context"
	"embed"
	"encoding/base64"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"kuzot/alerting/email"
	"kuzot/store"
)

//go:embed templates/digest.txt templates/digest.html
var templates embed.FS

// ChartCID is the Content-ID of the chart image in the mail.
const ChartCID = "chart@kuzot"

// Renderer turns figures into the digest's texts.
type Renderer struct {
	text *texttemplate.Template
	html *htmltemplate.Template
	// BaseURL links to the web UI; empty leaves the link out.
	BaseURL string
}

// NewRenderer parses the embedded templates, replaced by digest.txt and
// digest.html in templatesDir when present.
func NewRenderer(templatesDir, baseURL string) (*Renderer, error) {
	funcs := map[string]any{
		"label":     Label,
		"narticles": func(n int, lang string) string { return fmt.Sprintf("%d %s", n, articlesWord(n, lang)) },
		"period":    PeriodText,
		"change":    func(c Count, lang string) string { return c.Change(Label(lang, "new")) },
		"pct":       Percent,
		"dur":       Duration,
		"inc":       func(i int) int { return i + 1 },
		"sub":       func(a, b int) int { return a - b },
		"join":      strings.Join,
		"datetime": func(t time.Time, loc *time.Location) string {
			return t.In(loc).Format("02.01.2006 15:04")
		},
		"first": func(n int, v any) any {
			switch s := v.(type) {
			case []Outlet:
				return s[:min(n, len(s))]
			case []Story:
				return s[:min(n, len(s))]
			case []store.AlertArticle:
				return s[:min(n, len(s))]
			}
			return v
		},
	}
	text, err := email.TextTemplates("digest", templates, "templates/digest.txt", templatesDir, funcs)
	if err != nil {
		return nil, err
	}
	hf := htmltemplate.FuncMap(funcs)
	hf["changecolor"] = func(c Count) htmltemplate.CSS {
		// More crisis coverage is bad news for the ministry: rises in red.
		switch {
		case c.Cur > c.Prev:
			return "#b91c1c"
		case c.Cur < c.Prev:
			return "#15803d"
		}
		return "#6b7280"
	}
	hf["barwidth"] = func(share float64) string { return fmt.Sprintf("%d%%", max(1, int(share*70+0.5))) }
	h, err := email.HTMLTemplates("digest", templates, "templates/digest.html", templatesDir, hf)
	if err != nil {
		return nil, err
	}
	return &Renderer{text: text, html: h, BaseURL: baseURL}, nil
}

// View is what the templates see.
type View struct {
	*Figures
	Lang string
	// URL links to the web UI.
	URL string
	// ChartSrc is the chart's image source: cid:… in mail, a data: URL
	// in a preview file; empty without a chart.
	ChartSrc htmltemplate.URL
}

// Rendered is one digest, ready to mail or to preview.
type Rendered struct {
	Figures *Figures
	Lang    string
	Subject string
	Text    string
	// HTML references the chart by Content-ID, for mail.
	HTML string
	// PreviewHTML carries the chart inline as a data: URL, for a browser.
	PreviewHTML string
	Chart       []byte // PNG
}

// Render renders the figures in lang (ru, ky or en).
func (r *Renderer) Render(f *Figures, lang string) (*Rendered, error) {
	if lang == "" {
		lang = "ru"
	}
	out := &Rendered{Figures: f, Lang: lang}
	var err error
	if out.Chart, err = Chart(f, Label(lang, "chart"), func(k string) string { return Label(lang, k) }); err != nil {
		return nil, err
	}
	v := &View{Figures: f, Lang: lang, URL: r.BaseURL}
	var b bytes.Buffer
	if err := r.text.ExecuteTemplate(&b, "digest.subject", v); err != nil {
		return nil, fmt.Errorf("digest: subject: %w", err)
	}
	out.Subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := r.text.ExecuteTemplate(&b, "digest.text", v); err != nil {
		return nil, fmt.Errorf("digest: text: %w", err)
	}
	out.Text = b.String()
	for _, h := range []struct {
		src  htmltemplate.URL
		into *string
	}{
		{htmltemplate.URL("cid:" + ChartCID), &out.HTML},
		{htmltemplate.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(out.Chart)), &out.PreviewHTML},
	} {
		b.Reset()
		v.ChartSrc = h.src
		if err := r.html.ExecuteTemplate(&b, "digest.html", v); err != nil {
			return nil, fmt.Errorf("digest: HTML: %w", err)
		}
		*h.into = b.String()
	}
	return out, nil
}

// Mailer makes and sends messages: an *email.Sender.
type Mailer interface {
	NewMsg(to []string) (*gomail.Msg, error)
	Send(ctx context.Context, msgs ...*gomail.Msg) error
}

// Message builds the mail of the digest: text and HTML alternatives, the
// chart inline under ChartCID, and a Message-ID derived from the period
// and language, so a copy sent twice is recognisably the same.
func (d *Rendered) Message(m Mailer, to []string, domain string) (*gomail.Msg, error) {
	msg, err := m.NewMsg(to)
	if err != nil {
		return nil, err
	}
	msg.Subject(d.Subject)
	msg.SetMessageIDWithValue(strings.Trim(MessageID(d.Figures.From, d.Figures.To, d.Lang, domain), "<>"))
	msg.SetGenHeader("X-Kuzot-Kind", "digest")
	msg.SetBulk()
	msg.SetBodyString(gomail.TypeTextPlain, d.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, d.HTML)
	if err := msg.EmbedReader("chart.png", bytes.NewReader(d.Chart), gomail.WithFileContentID(ChartCID),
		gomail.WithFileContentType(gomail.ContentType("image/png"))); err != nil {
		return nil, fmt.Errorf("digest: embed chart: %w", err)
	}
	return msg, nil
}

// MessageID is the Message-ID of the digest of a period in a language.
func MessageID(from, to time.Time, lang, domain string) string {
	return email.MessageID(fmt.Sprintf("digest/%d/%d/%s", from.UnixMilli(), to.UnixMilli(), lang), domain)
}
