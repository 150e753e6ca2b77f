package email

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	htmltemplate "html/template"
	"net/mail"
	"strings"
	texttemplate "text/template"

	gomail "github.com/wneessen/go-mail"

	"kuzot/alerting"
	"kuzot/store"
)

//go:embed templates/alert.txt templates/alert.html
var alertTemplates embed.FS

// Options change a Notifier.
type Options struct {
	// TemplatesDir holds alert.txt and alert.html that replace the
	// embedded ones (they define email.subject, email.text and
	// email.html).
	TemplatesDir string
}

// Notifier mails alerts to a fixed list of addresses.
type Notifier struct {
	name   string
	to     []string
	sender *Sender
	text   *texttemplate.Template
	html   *htmltemplate.Template
	domain string
}

var _ alerting.Notifier = (*Notifier)(nil)

// New returns the notifier of receiver name, mailing to through s.
func New(name string, to []string, s *Sender, opt Options) (*Notifier, error) {
	if len(to) == 0 {
		return nil, fmt.Errorf("email: receiver %s has no addresses", name)
	}
	for _, a := range to {
		if _, err := mail.ParseAddress(a); err != nil {
			return nil, fmt.Errorf("email: receiver %s: %q is not an email address", name, a)
		}
	}
	text, err := TextTemplates("alert", alertTemplates, "templates/alert.txt", opt.TemplatesDir, TextFuncs())
	if err != nil {
		return nil, err
	}
	h, err := HTMLTemplates("alert", alertTemplates, "templates/alert.html", opt.TemplatesDir, HTMLFuncs())
	if err != nil {
		return nil, err
	}
	return &Notifier{name: name, to: to, sender: s, text: text, html: h, domain: domainOf(s.cfg.From)}, nil
}

// Notify renders m and mails it. The reference it returns is the message's
// Message-ID, which later messages of the alert answer (In-Reply-To), so
// that mail clients show them as one thread.
func (n *Notifier) Notify(ctx context.Context, m *alerting.Message) (string, bool, error) {
	if m.Lang == "" {
		c := *m
		c.Lang = "ru"
		m = &c
	}
	if m.Alert == nil && m.Kind != alerting.KindSummary {
		return "", false, fmt.Errorf("email: %s message %s has no alert", m.Kind, m.Key)
	}
	msg, id, err := n.Render(m)
	if err != nil {
		return "", false, err
	}
	if err := n.sender.Send(ctx, msg); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Receiver = n.name
		}
		return "", Temporary(err), err
	}
	return id, false, nil
}

// Render builds the message of m without sending it, and returns it with
// its Message-ID.
func (n *Notifier) Render(m *alerting.Message) (*gomail.Msg, string, error) {
	var subject, text, body bytes.Buffer
	if err := n.text.ExecuteTemplate(&subject, "email.subject", m); err != nil {
		return nil, "", fmt.Errorf("email: subject of %s message: %w", m.Kind, err)
	}
	if err := n.text.ExecuteTemplate(&text, "email.text", m); err != nil {
		return nil, "", fmt.Errorf("email: text of %s message: %w", m.Kind, err)
	}
	if err := n.html.ExecuteTemplate(&body, "email.html", m); err != nil {
		return nil, "", fmt.Errorf("email: HTML of %s message: %w", m.Kind, err)
	}
	msg, err := n.sender.NewMsg(n.to)
	if err != nil {
		return nil, "", err
	}
	msg.Subject(oneLine(subject.String()))
	id := MessageID(m.Key, n.domain)
	msg.SetMessageIDWithValue(strings.Trim(id, "<>"))
	if m.Thread != "" && m.Kind != alerting.KindNew && m.Kind != alerting.KindSummary {
		msg.SetGenHeaderPreformatted(gomail.HeaderInReplyTo, m.Thread)
		msg.SetGenHeaderPreformatted(gomail.HeaderReferences, m.Thread)
	}
	msg.SetGenHeader("X-Kuzot-Kind", m.Kind)
	msg.SetBodyString(gomail.TypeTextPlain, text.String())
	msg.AddAlternativeString(gomail.TypeTextHTML, body.String())
	return msg, id, nil
}

// MessageID derives a Message-ID, angle brackets included, from an
// idempotency key: the same key always gives the same id, so a message
// sent again after a crash is recognisable as the same one.
func MessageID(key, domain string) string {
	sum := sha256.Sum256([]byte(key))
	if domain == "" {
		domain = "kuzot.local"
	}
	return "<kuzot." + hex.EncodeToString(sum[:12]) + "@" + domain + ">"
}

func domainOf(from string) string {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return ""
	}
	_, d, _ := strings.Cut(a.Address, "@")
	return d
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// labels are the words of the mails that alerting's shared labels lack.
var labels = map[string]map[string]string{
	"ru": {"categories": "Категории"},
	"ky": {"categories": "Категориялар"},
	"en": {"categories": "Categories"},
}

// Label is alerting.Label with the words of this package added.
func Label(lang, key string) string {
	if v, ok := labels[lang][key]; ok {
		return v
	}
	return alerting.Label(lang, key)
}

// SeverityColor is the colour a severity is shown in.
func SeverityColor(sev string) string {
	switch sev {
	case "critical":
		return "#b91c1c"
	case "high":
		return "#c2410c"
	case "medium":
		return "#a16207"
	}
	return "#4b5563"
}

// TextFuncs are the functions of the text templates beyond alerting.Funcs.
func TextFuncs() texttemplate.FuncMap {
	return texttemplate.FuncMap{"label": Label, "sevcolor": SeverityColor}
}

// HTMLFuncs are the functions of the HTML templates beyond alerting.Funcs:
// bold marks evidence words with <b>, escaping the rest.
func HTMLFuncs() htmltemplate.FuncMap {
	return htmltemplate.FuncMap{
		"label":    Label,
		"sevcolor": func(sev string) htmltemplate.CSS { return htmltemplate.CSS(SeverityColor(sev)) },
		"bold": func(e store.Evidence) htmltemplate.HTML {
			return htmltemplate.HTML(alerting.Marked(e, "<b>", "</b>", html.EscapeString))
		},
	}
}
