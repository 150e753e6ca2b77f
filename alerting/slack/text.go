package slack

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kuzot/alerting"
	"kuzot/store"
)

// Slack's limits on Block Kit (docs.slack.dev/reference/block-kit): the
// text of a section, a field and a header, and blocks per message.
const (
	maxSectionText = 3000
	maxFieldText   = 2000
	maxHeaderText  = 150
	maxBlocks      = 50
	// maxEvidenceRunes cuts one passage so that two or three of them fit a
	// section with their marks.
	maxEvidenceRunes = 700
	// maxTitleRunes keeps a runaway title (a page whose whole lead became
	// its title) from crowding out the rest of the message.
	maxTitleRunes = 300
)

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// esc escapes the three characters Slack's mrkdwn reserves for its own
// markup; a title like "<Скорая> & роддом" would otherwise become a link or
// a mention.
func esc(s string) string { return escaper.Replace(s) }

// urlEscaper keeps a URL from ending the <url|text> it sits in: | would
// start the text and > would close the link.
var urlEscaper = strings.NewReplacer("&", "&amp;", "<", "%3C", ">", "%3E", "|", "%7C", " ", "%20")

// link returns <url|text> for an http(s) URL and the escaped text alone
// for anything else, so that a feed cannot plant another kind of link.
func link(u, text string) string {
	text = cut(text, maxTitleRunes)
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return esc(text)
	}
	if text == "" {
		return "<" + urlEscaper.Replace(u) + ">"
	}
	return "<" + urlEscaper.Replace(u) + "|" + esc(text) + ">"
}

// cut shortens s to at most n runes, ending it with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:n-1]), unicode.IsSpace) + "…"
}

// runes counts what Slack counts against its limits.
func runes(s string) int { return utf8.RuneCountInString(s) }

// wholeWords widens each mark to the word it is in: Slack renders *bold*
// only at word boundaries, so a mark on the stem of "врачами" would show
// its asterisks instead of a bold word.
func wholeWords(e store.Evidence) store.Evidence {
	out := e
	out.Marks = make([]store.Mark, 0, len(e.Marks))
	for _, m := range e.Marks {
		if m.Start < 0 || m.End > len(e.Text) || m.Start >= m.End {
			continue
		}
		for m.Start > 0 {
			r, size := utf8.DecodeLastRuneInString(e.Text[:m.Start])
			if !isWord(r) {
				break
			}
			m.Start -= size
		}
		for m.End < len(e.Text) {
			r, size := utf8.DecodeRuneInString(e.Text[m.End:])
			if !isWord(r) {
				break
			}
			m.End += size
		}
		if n := len(out.Marks); n > 0 && m.Start <= out.Marks[n-1].End {
			// Two marks in one word, or touching: one bold run.
			out.Marks[n-1].End = max(out.Marks[n-1].End, m.End)
			continue
		}
		out.Marks = append(out.Marks, m)
	}
	return out
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// evidenceText renders an alert's passages as quoted mrkdwn lines with the
// matched words in bold, as many as fit under limit runes, then says how
// many were left out.
func evidenceText(lang, heading string, ev []store.Evidence, limit int) string {
	var b strings.Builder
	b.WriteString("*" + esc(heading) + "*")
	for i, e := range ev {
		line := "\n> " + strings.ReplaceAll(alerting.Marked(wholeWords(alerting.CutEvidence(e, maxEvidenceRunes)), "*", "*", esc), "\n", " ")
		more := ""
		if rest := len(ev) - i - 1; rest > 0 {
			more = "\n" + fmt.Sprintf(alerting.Label(lang, "more"), rest)
		}
		if runes(b.String())+runes(line)+runes(more) > limit {
			b.WriteString("\n" + fmt.Sprintf(alerting.Label(lang, "more"), len(ev)-i))
			break
		}
		b.WriteString(line)
	}
	return b.String()
}

// view is what the templates see: the message, and methods that escape and
// format in the receiver's language and zone.
type view struct {
	*alerting.Message
	threaded bool
}

// L is the label of key in the message's language.
func (v view) L(key string) string { return alerting.Label(v.Lang, key) }

// Esc escapes text for mrkdwn.
func (v view) Esc(s string) string { return esc(s) }

// Link returns a mrkdwn link.
func (v view) Link(u, text string) string { return link(u, text) }

// Time formats t in the message's zone.
func (v view) Time(t time.Time) string { return when(t, v.Location) }

// when is the shared 02.01.2006 15:04 in loc.
func when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("02.01.2006 15:04")
}

// Marker is the coloured circle of a severity.
func (v view) Marker(severity string) string { return marker(severity) }

// Outlets lists an alert's outlets.
func (v view) Outlets(a *store.Alert) string { return strings.Join(alerting.Outlets(a), ", ") }

// Categories lists an alert's categories by their labels.
func (v view) Categories(a *store.Alert) string {
	out := make([]string, len(a.Categories))
	for i, c := range a.Categories {
		out[i] = v.L(c)
	}
	return strings.Join(out, ", ")
}

// More says how many items were left out.
func (v view) More(n int) string { return fmt.Sprintf(v.L("more"), n) }

// Threaded reports whether the message goes into the alert's thread; an
// update outside it must say which alert it belongs to.
func (v view) Threaded() bool { return v.threaded }

// Resolved reports whether a status message is a resolution.
func (v view) Resolved() bool { return v.Event != nil && v.Event.Kind == store.StatusResolved }

func marker(severity string) string {
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
