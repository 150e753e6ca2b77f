package slack

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"text/template"
	"time"

	slackapi "github.com/slack-go/slack"

	"kuzot/alerting"
	"kuzot/config"
)

//go:embed templates/*.tmpl
var templates embed.FS

var _ alerting.Notifier = (*Notifier)(nil)

// Options are the notifier's dependencies beyond its configuration.
type Options struct {
	// TemplatesDir holds a slack.tmpl whose templates replace the
	// embedded ones (alerting.templates_dir).
	TemplatesDir string
	// HTTPClient talks to Slack; nil means one with a 10 s timeout.
	HTTPClient *http.Client
	// Interactive adds Acknowledge and Resolve buttons; true when the
	// receiver has a signing secret, so that the buttons reach an endpoint
	// that can verify them.
	Interactive bool
}

// Notifier posts alerts to one Slack channel.
type Notifier struct {
	name        string
	channel     string
	api         *slackapi.Client // nil in incoming-webhook mode
	webhookURL  string
	http        *http.Client
	interactive bool
	tmpl        *template.Template
}

// New returns the notifier of the receiver called name.
func New(name string, cfg *config.SlackReceiver, opt Options) (*Notifier, error) {
	if cfg == nil {
		return nil, fmt.Errorf("slack %s: no slack settings", name)
	}
	n := &Notifier{name: name, channel: cfg.Channel, http: opt.HTTPClient, interactive: opt.Interactive}
	if n.http == nil {
		n.http = &http.Client{Timeout: 10 * time.Second}
	}
	switch {
	case cfg.Token != "":
		if cfg.Channel == "" {
			return nil, fmt.Errorf("slack %s: a bot token needs a channel: set alerting.receivers[].slack.channel (e.g. \"#press\")", name)
		}
		opts := []slackapi.Option{slackapi.OptionHTTPClient(n.http)}
		if cfg.APIURL != "" {
			u := cfg.APIURL
			// slack-go appends the method name to the URL as it is.
			if !strings.HasSuffix(u, "/") {
				u += "/"
			}
			opts = append(opts, slackapi.OptionAPIURL(u))
		}
		n.api = slackapi.New(cfg.Token, opts...)
	case cfg.WebhookURL != "":
		u, err := url.Parse(cfg.WebhookURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("slack %s: webhook_url is not an http(s) URL: set alerting.receivers[].slack.webhook_url to the incoming webhook's URL", name)
		}
		n.webhookURL = cfg.WebhookURL
	default:
		return nil, fmt.Errorf("slack %s: neither token nor webhook_url: set alerting.receivers[].slack.token and channel, or webhook_url", name)
	}
	t, err := alerting.Templates("slack", templates, "templates/*.tmpl", opt.TemplatesDir)
	if err != nil {
		return nil, fmt.Errorf("slack %s: %w", name, err)
	}
	if err := checkTemplates(t); err != nil {
		return nil, fmt.Errorf("slack %s: %w", name, err)
	}
	n.tmpl = t
	return n, nil
}

// Notify posts m and returns the message's ts, which threads the alert's
// later messages; an incoming webhook returns no ts, so its ref is empty.
func (n *Notifier) Notify(ctx context.Context, m *alerting.Message) (string, bool, error) {
	p, err := n.render(m, n.api != nil)
	if err != nil {
		return "", false, fmt.Errorf("slack %s: render %s message: %w", n.name, m.Kind, err)
	}
	if n.api == nil {
		no := false
		err := slackapi.PostWebhookCustomHTTPContext(ctx, n.webhookURL, n.http, &slackapi.WebhookMessage{
			Text:        p.text,
			Blocks:      &slackapi.Blocks{BlockSet: p.blocks},
			UnfurlLinks: &no,
			UnfurlMedia: &no,
		})
		if err != nil {
			retry, err := n.failure(scrub(err, n.webhookURL))
			return "", retry, err
		}
		return "", false, nil
	}
	opts := []slackapi.MsgOption{
		slackapi.MsgOptionText(p.text, false),
		slackapi.MsgOptionBlocks(p.blocks...),
		// Previews of every article would bury the alert in the channel.
		slackapi.MsgOptionDisableLinkUnfurl(),
	}
	if p.thread != "" {
		opts = append(opts, slackapi.MsgOptionTS(p.thread))
		if p.broadcast {
			opts = append(opts, slackapi.MsgOptionBroadcast())
		}
	}
	_, ts, err := n.api.PostMessageContext(ctx, n.channel, opts...)
	if err != nil {
		retry, err := n.failure(err)
		return "", retry, err
	}
	return ts, false, nil
}

// Fixes of the Slack API errors that no retry can cure, by error code.
var fixes = map[string]string{
	"invalid_auth":      "the bot token is wrong: set alerting.receivers[].slack.token to the app's Bot User OAuth Token (xoxb-…)",
	"not_authed":        "no bot token reached Slack: set alerting.receivers[].slack.token (is ${SLACK_TOKEN} set in the environment?)",
	"account_inactive":  "the token belongs to a deleted user or an uninstalled app: reinstall the Slack app and set the new token",
	"token_revoked":     "the token was revoked: reinstall the Slack app and set the new token",
	"token_expired":     "the token expired: reinstall the Slack app and set the new token",
	"missing_scope":     "the Slack app lacks the chat:write scope: add it and reinstall the app",
	"is_archived":       "the channel is archived: unarchive it or fix alerting.receivers[].slack.channel",
	"restricted_action": "the workspace does not let the bot post there: ask a Slack admin, or choose another channel",
}

// Slack API errors that a later attempt may not meet.
var transient = map[string]bool{
	"ratelimited": true, "internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "team_added_to_org": true,
}

// failure classifies an error of Slack: rate limits, server errors and the
// network are retried; what only a person can fix is not, and the error
// says what to fix.
func (n *Notifier) failure(err error) (bool, error) {
	var limited *slackapi.RateLimitedError
	var status slackapi.StatusCodeError
	var api slackapi.SlackErrorResponse
	switch {
	case errors.As(err, &limited):
		return true, fmt.Errorf("slack %s: rate limited, retry after %s: %w", n.name, limited.RetryAfter, err)
	case errors.As(err, &status):
		if status.Retryable() {
			return true, fmt.Errorf("slack %s: %w", n.name, err)
		}
		if n.api == nil {
			return false, fmt.Errorf("slack %s: the incoming webhook refused the message (%s): %s: %w", n.name, status.Status, webhookFix(status.Code), err)
		}
		return false, fmt.Errorf("slack %s: %w", n.name, err)
	case errors.As(err, &api):
		code := api.Err
		switch code {
		case "channel_not_found":
			return false, fmt.Errorf("slack %s: %s: invite the bot to %s or fix alerting.receivers[].slack.channel: %w", n.name, code, n.channel, err)
		case "not_in_channel":
			return false, fmt.Errorf("slack %s: %s: invite the bot to %s (/invite @the-bot) or fix alerting.receivers[].slack.channel: %w", n.name, code, n.channel, err)
		}
		if fix, ok := fixes[code]; ok {
			return false, fmt.Errorf("slack %s: %s: %s: %w", n.name, code, fix, err)
		}
		if transient[code] {
			return true, fmt.Errorf("slack %s: %s: %w", n.name, code, err)
		}
		// Any other refusal (invalid_blocks, msg_too_long) is about the
		// message itself: sending it again gets the same answer.
		return false, fmt.Errorf("slack %s: Slack refused the message: %w", n.name, err)
	}
	// The network, a timeout, a proxy's HTML page instead of JSON.
	return true, fmt.Errorf("slack %s: %w", n.name, err)
}

func webhookFix(code int) string {
	switch code {
	case http.StatusNotFound, http.StatusGone:
		return "the webhook was removed or its channel archived: create a new incoming webhook and set alerting.receivers[].slack.webhook_url"
	case http.StatusForbidden, http.StatusUnauthorized:
		return "the webhook was revoked or may not post to its channel: create a new incoming webhook and set alerting.receivers[].slack.webhook_url"
	}
	return "Slack did not accept the message's blocks"
}

// scrub removes an incoming webhook's URL, which is its secret, from an
// error before anyone logs it.
func scrub(err error, secret string) error {
	if secret == "" {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("post webhook: %w", &url.Error{Op: ue.Op, URL: redact(ue.URL), Err: ue.Err})
	}
	if strings.Contains(err.Error(), secret) {
		return errors.New(strings.ReplaceAll(err.Error(), secret, redact(secret)))
	}
	return err
}

// redact keeps a URL's scheme and host, enough to see where it went.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(webhook URL)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
