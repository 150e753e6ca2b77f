package telegram

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/template"
	"time"

	"kuzot/alerting"
	"kuzot/config"
)

//go:embed templates/*.tmpl
var templates embed.FS

var _ alerting.Notifier = (*Notifier)(nil)

// Options are the notifier's dependencies beyond its configuration.
type Options struct {
	// TemplatesDir holds a telegram.tmpl whose templates replace the
	// embedded ones (alerting.templates_dir).
	TemplatesDir string
	// HTTPClient talks to the Bot API; nil means one with a 10 s timeout.
	HTTPClient *http.Client
}

// Notifier sends alerts to one Telegram chat.
type Notifier struct {
	name   string
	chatID string
	token  string
	// endpoint is the sendMessage URL; it holds the token, so it never
	// goes into an error.
	endpoint string
	http     *http.Client
	tmpl     *template.Template
}

// New returns the notifier of the receiver called name.
func New(name string, cfg *config.TelegramReceiver, opt Options) (*Notifier, error) {
	if cfg == nil {
		return nil, fmt.Errorf("telegram %s: no telegram settings", name)
	}
	if cfg.Token == "" {
		return nil, fmt.Errorf("telegram %s: no bot token: set alerting.receivers[].telegram.token (from @BotFather)", name)
	}
	if cfg.ChatID == "" {
		return nil, fmt.Errorf("telegram %s: no chat: set alerting.receivers[].telegram.chat_id", name)
	}
	api := cfg.APIURL
	if api == "" {
		api = "https://api.telegram.org"
	}
	if u, err := url.Parse(api); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("telegram %s: api_url %q is not an http(s) URL", name, api)
	}
	n := &Notifier{
		name: name, chatID: cfg.ChatID, token: cfg.Token, http: opt.HTTPClient,
		endpoint: strings.TrimSuffix(api, "/") + "/bot" + cfg.Token + "/sendMessage",
	}
	if n.http == nil {
		n.http = &http.Client{Timeout: 10 * time.Second}
	}
	t, err := alerting.Templates("telegram", templates, "templates/*.tmpl", opt.TemplatesDir)
	if err != nil {
		return nil, fmt.Errorf("telegram %s: %w", name, err)
	}
	for _, tn := range []string{"telegram.alert", "telegram.update", "telegram.status", "telegram.summary"} {
		if t.Lookup(tn) == nil {
			return nil, fmt.Errorf("telegram %s: template %q is missing", name, tn)
		}
	}
	n.tmpl = t
	return n, nil
}

// sendMessage is the Bot API request.
type sendMessage struct {
	ChatID              string           `json:"chat_id"`
	Text                string           `json:"text"`
	ParseMode           string           `json:"parse_mode"`
	LinkPreviewOptions  linkPreview      `json:"link_preview_options"`
	DisableNotification bool             `json:"disable_notification,omitempty"`
	ReplyParameters     *replyParameters `json:"reply_parameters,omitempty"`
}

type linkPreview struct {
	IsDisabled bool `json:"is_disabled"`
}

type replyParameters struct {
	MessageID int64 `json:"message_id"`
	// AllowSendingWithoutReply still delivers an update whose first
	// message someone deleted.
	AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
}

// response is the Bot API's answer.
type response struct {
	OK     bool `json:"ok"`
	Result struct {
		MessageID int64 `json:"message_id"`
	} `json:"result"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// Notify sends m and returns the message_id, which later messages of the
// alert reply to.
func (n *Notifier) Notify(ctx context.Context, m *alerting.Message) (string, bool, error) {
	req, err := n.request(m)
	if err != nil {
		return "", false, fmt.Errorf("telegram %s: render %s message: %w", n.name, m.Kind, err)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return "", false, fmt.Errorf("telegram %s: %w", n.name, err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, n.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", false, fmt.Errorf("telegram %s: %w", n.name, n.scrub(err))
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := n.http.Do(hr)
	if err != nil {
		return "", true, fmt.Errorf("telegram %s: %w", n.name, n.scrub(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", true, fmt.Errorf("telegram %s: read answer: %w", n.name, n.scrub(err))
	}
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		// Not the Bot API speaking: a proxy's error page, say.
		retry := resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode < 300
		return "", retry, fmt.Errorf("telegram %s: %s with no Bot API answer: %w", n.name, resp.Status, err)
	}
	if r.OK && resp.StatusCode < 300 {
		return strconv.FormatInt(r.Result.MessageID, 10), false, nil
	}
	retry, err := n.failure(resp.StatusCode, &r)
	return "", retry, err
}

// request builds the sendMessage of m: updates and status quietly in the
// alert's thread, escalations and reopenings loudly.
func (n *Notifier) request(m *alerting.Message) (*sendMessage, error) {
	if m.Kind != alerting.KindSummary && m.Alert == nil {
		return nil, fmt.Errorf("%s message without its alert", m.Kind)
	}
	var reply int64
	if id, err := strconv.ParseInt(m.Thread, 10, 64); err == nil && id > 0 {
		reply = id
	}
	// Lists start at what could fit at all (an item is some 50 characters
	// or more), so that a summary of a 1,000-alert burst is not rendered
	// a thousand times while it shrinks.
	v := &view{Message: m, New: head(m.New, maxItems), Summary: head(m.Summary, maxItems), threaded: reply != 0, evRunes: maxEvidenceRunes}
	if m.Alert != nil {
		v.Evidence, v.Articles = head(m.Alert.Evidence, maxItems), head(m.Alert.Articles, maxItems)
	}
	var name string
	quiet := false
	switch m.Kind {
	case alerting.KindNew:
		name, reply, v.threaded = "telegram.alert", 0, false
	case alerting.KindReopen, alerting.KindEscalation:
		name = "telegram.alert"
	case alerting.KindUpdate:
		name, quiet = "telegram.update", true
		if len(m.New) == 0 && len(m.Alert.Articles) > 0 {
			// An update names what is new; without that, the latest
			// article is the best guess, and an empty text is refused.
			mm := *m
			mm.New = m.Alert.Articles[len(m.Alert.Articles)-1:]
			v.Message, v.New = &mm, mm.New
		}
	case alerting.KindStatus:
		if m.Event == nil {
			return nil, fmt.Errorf("status message without its event")
		}
		name, quiet = "telegram.status", true
	case alerting.KindSummary:
		name, reply, v.threaded = "telegram.summary", 0, false
	default:
		return nil, fmt.Errorf("unknown message kind %q", m.Kind)
	}
	text, err := n.fit(name, v)
	if err != nil {
		return nil, err
	}
	req := &sendMessage{ChatID: n.chatID, Text: text, ParseMode: "HTML", LinkPreviewOptions: linkPreview{IsDisabled: true}, DisableNotification: quiet}
	if reply != 0 {
		req.ReplyParameters = &replyParameters{MessageID: reply, AllowSendingWithoutReply: true}
	}
	return req, nil
}

// maxItems is the most items of one list a message starts with.
const maxItems = maxText / 50

func head[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// fit renders the template, shrinking the message until Telegram takes it.
func (n *Notifier) fit(name string, v *view) (string, error) {
	for {
		var b strings.Builder
		if err := n.tmpl.ExecuteTemplate(&b, name, v); err != nil {
			return "", err
		}
		text := strings.TrimSpace(b.String())
		if visible(text) <= maxText {
			return text, nil
		}
		if !v.shrink() {
			return "", fmt.Errorf("message of %d characters does not fit Telegram's %d even cut down", visible(text), maxText)
		}
	}
}

// failure classifies the Bot API's refusal: rate limits and its own
// failures are retried; a wrong token, chat or membership is not, and the
// error says what to fix.
func (n *Notifier) failure(status int, r *response) (bool, error) {
	code := r.ErrorCode
	if code == 0 {
		code = status
	}
	desc := r.Description
	lower := strings.ToLower(desc)
	switch {
	case code == http.StatusTooManyRequests:
		return true, fmt.Errorf("telegram %s: rate limited (%s), retry after %d s", n.name, desc, r.Parameters.RetryAfter)
	case code >= 500:
		return true, fmt.Errorf("telegram %s: %d %s", n.name, code, desc)
	case r.Parameters.MigrateToChatID != 0:
		return false, fmt.Errorf("telegram %s: %s: the group became a supergroup: set alerting.receivers[].telegram.chat_id to %d",
			n.name, desc, r.Parameters.MigrateToChatID)
	case code == http.StatusUnauthorized:
		return false, fmt.Errorf("telegram %s: %d %s: the bot token is wrong or was revoked: set alerting.receivers[].telegram.token to the token @BotFather gave", n.name, code, desc)
	case code == http.StatusNotFound:
		return false, fmt.Errorf("telegram %s: %d %s: no such bot: check alerting.receivers[].telegram.token and api_url", n.name, code, desc)
	case code == http.StatusForbidden:
		return false, fmt.Errorf("telegram %s: %d %s: add the bot to chat %s (in a channel, as an administrator who may post) or fix alerting.receivers[].telegram.chat_id",
			n.name, code, desc, n.chatID)
	case strings.Contains(lower, "chat not found"):
		return false, fmt.Errorf("telegram %s: %d %s: check alerting.receivers[].telegram.chat_id %s (a group's id is negative, a supergroup's starts with -100) and that the bot is in the chat",
			n.name, code, desc, n.chatID)
	}
	// Anything else (can't parse entities, message is too long) is about
	// the message: the same message gets the same answer.
	return false, fmt.Errorf("telegram %s: Telegram refused the message: %d %s", n.name, code, desc)
}

// scrub takes the bot token out of an error: net/http puts the request's
// URL, and so the token, into its errors.
func (n *Notifier) scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: strings.ReplaceAll(ue.URL, n.token, "<token>"), Err: ue.Err}
	}
	if strings.Contains(err.Error(), n.token) {
		return errors.New(strings.ReplaceAll(err.Error(), n.token, "<token>"))
	}
	return err
}
