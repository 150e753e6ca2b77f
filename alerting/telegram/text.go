package telegram

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kuzot/alerting"
	"kuzot/store"
)

const (
	// maxText is sendMessage's limit, counted by Telegram in UTF-16 code
	// units of the text after the HTML is parsed.
	maxText = 4096
	// maxTitleRunes keeps one runaway title from taking the message.
	maxTitleRunes = 300
	// maxEvidenceRunes and cutEvidenceRunes bound a passage: first as
	// rendered, then harder when the message still does not fit.
	maxEvidenceRunes = 700
	cutEvidenceRunes = 250
)

// view is what the templates see: the message, the part of its lists that
// fits, and methods that escape and format in the receiver's language.
type view struct {
	*alerting.Message
	// Evidence, Articles, New and Summary are the shown heads of the
	// message's lists; the More methods count the rest.
	Evidence []store.Evidence
	Articles []store.AlertArticle
	New      []store.AlertArticle
	Summary  []*store.Alert
	threaded bool
	evRunes  int
}

// L is the label of key in the message's language.
func (v *view) L(key string) string { return alerting.Label(v.Lang, key) }

// H escapes text for Telegram's HTML.
func (v *view) H(s string) string { return html.EscapeString(s) }

// Cut shortens s to n runes.
func (v *view) Cut(s string, n int) string { return cut(s, n) }

// Link is an <a> to an http(s) URL, or the escaped text for any other.
func (v *view) Link(u, text string) string {
	text = html.EscapeString(cut(text, maxTitleRunes))
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return text
	}
	return `<a href="` + html.EscapeString(u) + `">` + text + `</a>`
}

// Mark is an evidence passage with its matched words in <b>.
func (v *view) Mark(e store.Evidence) string {
	return alerting.Marked(alerting.CutEvidence(e, v.evRunes), "<b>", "</b>", html.EscapeString)
}

// Time formats t in the message's zone.
func (v *view) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	loc := v.Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("02.01.2006 15:04")
}

// Marker is the coloured circle of a severity.
func (v *view) Marker(severity string) string {
	switch severity {
	case "critical":
		return "🔴"
	case "high":
		return "🟠"
	case "medium":
		return "🟡"
	}
	return "⚪"
}

// Outlets lists an alert's outlets.
func (v *view) Outlets(a *store.Alert) string { return strings.Join(alerting.Outlets(a), ", ") }

// Categories lists an alert's categories by their labels.
func (v *view) Categories(a *store.Alert) string {
	out := make([]string, len(a.Categories))
	for i, c := range a.Categories {
		out[i] = v.L(c)
	}
	return strings.Join(out, ", ")
}

// Join lists strings.
func (v *view) Join(s []string) string { return strings.Join(s, ", ") }

// RuleKey is the label of the rules line, singular or plural.
func (v *view) RuleKey() string {
	if v.Alert != nil && len(v.Alert.Rules) == 1 {
		return "rule"
	}
	return "rules"
}

// More says how many items were left out.
func (v *view) More(n int) string { return fmt.Sprintf(v.L("more"), n) }

// MoreEvidence, MoreArticles, MoreNew and MoreSummary count what was cut.
func (v *view) MoreEvidence() int { return len(v.Alert.Evidence) - len(v.Evidence) }

// MoreArticles counts the story's articles left out.
func (v *view) MoreArticles() int { return len(v.Alert.Articles) - len(v.Articles) }

// MoreNew counts the update's articles left out.
func (v *view) MoreNew() int { return len(v.Message.New) - len(v.New) }

// MoreSummary counts the summary's alerts left out.
func (v *view) MoreSummary() int { return len(v.Message.Summary) - len(v.Summary) }

// Threaded reports whether the message replies to the alert's first one;
// outside the thread it must say which alert it belongs to.
func (v *view) Threaded() bool { return v.threaded }

// Resolved reports whether a status message is a resolution.
func (v *view) Resolved() bool { return v.Event != nil && v.Event.Kind == store.StatusResolved }

// shrink drops the least needed part of the message: the tail of the long
// lists first, then the length of passages, then whole lists.
func (v *view) shrink() bool {
	switch {
	case len(v.Articles) > 3:
		v.Articles = v.Articles[:len(v.Articles)-1]
	case len(v.New) > 1:
		v.New = v.New[:len(v.New)-1]
	case len(v.Summary) > 1:
		v.Summary = v.Summary[:len(v.Summary)-1]
	case len(v.Evidence) > 1:
		v.Evidence = v.Evidence[:len(v.Evidence)-1]
	case v.evRunes > cutEvidenceRunes:
		v.evRunes = cutEvidenceRunes
	case len(v.Articles) > 0:
		v.Articles = v.Articles[:len(v.Articles)-1]
	case len(v.Evidence) > 0:
		v.Evidence = nil
	default:
		return false
	}
	return true
}

var tag = regexp.MustCompile(`<[^>]*>`)

// visible is the length Telegram counts: the text without its tags and
// entities, in UTF-16 code units. Every < in article text is escaped, so
// every < left is one of the templates' tags.
func visible(s string) int {
	n := 0
	for _, r := range html.UnescapeString(tag.ReplaceAllString(s, "")) {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// cut shortens s to at most n runes, ending it with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:n-1]), unicode.IsSpace) + "…"
}
