package slack

import (
	"fmt"
	"strings"
	"text/template"

	slackapi "github.com/slack-go/slack"

	"kuzot/alerting"
	"kuzot/store"
)

// Action ids of the alert buttons; the interactive endpoint acts on these
// and ignores every other.
const (
	ActionAcknowledge = "kuzot_ack"
	ActionResolve     = "kuzot_resolve"
)

// actionsBlockID carries the message's language to the interactive
// endpoint, which answers the press secretary in it: Slack sends the
// block id back with the button press.
const actionsBlockID = "kuzot_actions:"

// post is one chat message: its blocks, the plain text that notifications
// and screen readers show, and where it goes.
type post struct {
	blocks    []slackapi.Block
	text      string
	thread    string // thread_ts; empty for a top-level message
	broadcast bool   // a thread reply also shown in the channel
}

// render builds the message for m. threads is false for an incoming
// webhook, which cannot reply in a thread.
func (n *Notifier) render(m *alerting.Message, threads bool) (*post, error) {
	if m.Kind != alerting.KindSummary && m.Alert == nil {
		return nil, fmt.Errorf("%s message without its alert", m.Kind)
	}
	thread := ""
	if threads {
		thread = m.Thread
	}
	v := view{Message: m, threaded: thread != ""}
	switch m.Kind {
	case alerting.KindNew, alerting.KindReopen:
		return n.alertPost(v, "", false)
	case alerting.KindEscalation:
		// Broadcast, so that the channel sees the new severity while the
		// thread keeps the story together.
		return n.alertPost(v, thread, thread != "")
	case alerting.KindUpdate:
		return n.updatePost(v, thread)
	case alerting.KindStatus:
		if m.Event == nil {
			return nil, fmt.Errorf("status message without its event")
		}
		return n.statusPost(v, thread)
	case alerting.KindSummary:
		return n.summaryPost(v)
	}
	return nil, fmt.Errorf("unknown message kind %q", m.Kind)
}

func (n *Notifier) exec(name string, data any) (string, error) {
	var b strings.Builder
	if err := n.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

func plain(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, true, false)
}

func mrkdwn(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.MarkdownType, s, false, false)
}

func section(s string) *slackapi.SectionBlock {
	return slackapi.NewSectionBlock(mrkdwn(cut(s, maxSectionText)), nil, nil)
}

// alertPost is the full alert: what a press secretary needs to decide
// whether and how to respond, without opening Kuzot.
func (n *Notifier) alertPost(v view, thread string, broadcast bool) (*post, error) {
	a := v.Alert
	header, err := n.exec("slack.header", v)
	if err != nil {
		return nil, err
	}
	title, err := n.exec("slack.title", v)
	if err != nil {
		return nil, err
	}
	text, err := n.exec("slack.fallback", v)
	if err != nil {
		return nil, err
	}
	var fields []*slackapi.TextBlockObject
	field := func(key, value string) {
		if value != "" {
			fields = append(fields, mrkdwn(cut("*"+esc(v.L(key))+"*\n"+esc(value), maxFieldText)))
		}
	}
	field("outlets", v.Outlets(a))
	if len(a.Rules) == 1 {
		field("rule", a.Rules[0])
	} else {
		field("rules", strings.Join(a.Rules, ", "))
	}
	field("categories", v.Categories(a))
	field("first_published", v.Time(a.FirstPublished))
	if v.Kind == alerting.KindEscalation && len(a.Escalations) > 0 {
		field("why", v.L("esc_"+a.Escalations[len(a.Escalations)-1]))
	}

	blocks := []slackapi.Block{
		slackapi.NewHeaderBlock(plain(cut(header, maxHeaderText))),
		slackapi.NewSectionBlock(mrkdwn(cut(title, maxSectionText)), fields, nil),
	}
	if len(a.Evidence) > 0 {
		blocks = append(blocks, section(evidenceText(v.Lang, v.L("evidence"), a.Evidence, maxSectionText)))
	}
	if len(a.Articles) > 1 {
		blocks = append(blocks, section(articlesText(v, a.Articles)))
	}
	blocks = append(blocks, n.context(v, a.ID))
	if n.interactive && a.Status != store.StatusResolved {
		blocks = append(blocks, buttons(v, a))
	}
	return &post{blocks: blocks, text: cut(text, maxSectionText), thread: thread, broadcast: broadcast}, nil
}

// articlesText lists a story's articles, as many as fit a section.
func articlesText(v view, arts []store.AlertArticle) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s (%d)*", esc(v.L("articles")), len(arts))
	for i, art := range arts {
		line := "\n• " + esc(art.Outlet) + " · " + v.Time(art.Published) + ": " + link(art.URL, art.Title)
		more := ""
		if rest := len(arts) - i - 1; rest > 0 {
			more = "\n" + v.More(rest)
		}
		if runes(b.String())+runes(line)+runes(more) > maxSectionText {
			b.WriteString("\n" + v.More(len(arts)-i))
			break
		}
		b.WriteString(line)
	}
	return b.String()
}

// context links the alert in Kuzot and shows its id, which `kuzot alerts
// ack ID` takes.
func (n *Notifier) context(v view, id string) *slackapi.ContextBlock {
	var parts []string
	if v.URL != "" {
		parts = append(parts, link(v.URL, v.L("open_in_kuzot")))
	}
	if id != "" {
		parts = append(parts, "ID `"+esc(id)+"`")
	}
	if len(parts) == 0 {
		parts = append(parts, "Kuzot")
	}
	return slackapi.NewContextBlock("", mrkdwn(strings.Join(parts, " · ")))
}

// buttons are Acknowledge (while the alert is open) and Resolve, whose
// confirm dialog keeps a slip of the thumb from closing a crisis.
func buttons(v view, a *store.Alert) *slackapi.ActionBlock {
	var els []slackapi.BlockElement
	if a.Status != store.StatusAcknowledged {
		els = append(els, slackapi.NewButtonBlockElement(ActionAcknowledge, a.ID, plain(v.L("acknowledge"))).WithStyle(slackapi.StylePrimary))
	}
	confirm := slackapi.NewConfirmationBlockObject(
		plain(cut(v.L("resolve_confirm_title"), 100)),
		plain(cut(v.L("resolve_confirm_text"), 300)),
		plain(v.L("resolve")),
		plain(v.L("cancel")),
	).WithStyle(slackapi.StyleDanger)
	els = append(els, slackapi.NewButtonBlockElement(ActionResolve, a.ID, plain(v.L("resolve"))).WithStyle(slackapi.StyleDanger).WithConfirm(confirm))
	return slackapi.NewActionBlock(actionsBlockID+v.Lang, els...)
}

// updatePost announces the story's new articles, in the alert's thread.
func (n *Notifier) updatePost(v view, thread string) (*post, error) {
	text, err := n.exec("slack.update.fallback", v)
	if err != nil {
		return nil, err
	}
	// Cut the list until it fits a section, and say how many are left.
	all := v.New
	if len(all) == 0 && len(v.Alert.Articles) > 0 {
		// An update names what is new; without that, the latest article
		// is the best guess, and an empty section would be refused.
		all = v.Alert.Articles[len(v.Alert.Articles)-1:]
	}
	var body string
	for k := len(all); k >= 0; k-- {
		m := *v.Message
		m.New = all[:k]
		body, err = n.exec("slack.update", view{Message: &m, threaded: v.threaded})
		if err != nil {
			return nil, err
		}
		if k < len(all) {
			body += "\n" + v.More(len(all)-k)
		}
		if runes(body) <= maxSectionText {
			break
		}
	}
	return &post{blocks: []slackapi.Block{section(body)}, text: cut(text, maxSectionText), thread: thread}, nil
}

// statusPost says who acknowledged or resolved the alert, and when.
func (n *Notifier) statusPost(v view, thread string) (*post, error) {
	body, err := n.exec("slack.status", v)
	if err != nil {
		return nil, err
	}
	return &post{blocks: []slackapi.Block{section(body)}, text: cut(body, maxSectionText), thread: thread}, nil
}

// summaryItem is one alert of a summary as its template sees it.
type summaryItem struct {
	view
	Alert *store.Alert
}

// summaryPost lists the alerts a throttled receiver did not get one by
// one, a section each, within Slack's 50 blocks.
func (n *Notifier) summaryPost(v view) (*post, error) {
	header, err := n.exec("slack.summary.header", v)
	if err != nil {
		return nil, err
	}
	intro, err := n.exec("slack.summary.intro", v)
	if err != nil {
		return nil, err
	}
	blocks := []slackapi.Block{slackapi.NewHeaderBlock(plain(cut(header, maxHeaderText))), section(esc(intro))}
	// Keep one block for the closing context.
	room := maxBlocks - len(blocks) - 1
	shown := v.Summary
	if len(shown) > room {
		shown = shown[:room]
	}
	for _, a := range shown {
		item, err := n.exec("slack.summary.item", summaryItem{view: v, Alert: a})
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, section(item))
	}
	ctx := n.context(v, "")
	if rest := len(v.Summary) - len(shown); rest > 0 {
		ctx.ContextElements.Elements = append([]slackapi.MixedElement{mrkdwn(esc(v.More(rest)))}, ctx.ContextElements.Elements...)
	}
	blocks = append(blocks, ctx)
	return &post{blocks: blocks, text: cut(header, maxSectionText)}, nil
}

// checkTemplates fails at start-up, not at the first crisis, when an
// override lost a template the notifier needs.
func checkTemplates(t *template.Template) error {
	for _, name := range []string{"slack.header", "slack.title", "slack.fallback", "slack.update", "slack.update.fallback",
		"slack.status", "slack.summary.header", "slack.summary.intro", "slack.summary.item"} {
		if t.Lookup(name) == nil {
			return fmt.Errorf("template %q is missing", name)
		}
	}
	return nil
}
