package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"kuzot/alerting"
	"kuzot/store"
)

// Actions are what the buttons of an alert do; the alerting engine
// implements them. An unknown alert is an error wrapping store.ErrNotFound.
type Actions interface {
	Acknowledge(ctx context.Context, alertID, actor, comment string) error
	Resolve(ctx context.Context, alertID, actor, comment string) error
}

const (
	// maxRequestBody bounds what an unauthenticated caller can make the
	// handler read before the signature is checked.
	maxRequestBody = 1 << 20
	// maxClockSkew is Slack's own bound on a request's age: a captured
	// request cannot be replayed later than this.
	maxClockSkew = 5 * time.Minute
	// actionTimeout keeps the answer within Slack's 3 seconds, after which
	// the press secretary sees an error on the button.
	actionTimeout = 2 * time.Second
)

var (
	errMissingHeaders = errors.New("slack: request without X-Slack-Signature or X-Slack-Request-Timestamp")
	errStale          = errors.New("slack: request timestamp is more than 5 minutes from now")
)

// handler serves Slack's interactivity requests.
type handler struct {
	secret  string
	actions Actions
	log     *slog.Logger
	now     func() time.Time
	// reply posts a message to the interaction's response_url; Slack
	// ignores the body of the answer to a button press.
	reply func(ctx context.Context, responseURL string, body []byte) error
}

// NewHandler returns the interactive endpoint (the Slack app's Request
// URL): it verifies each request's signature and timestamp and
// acknowledges or resolves the alert of a pressed button.
func NewHandler(signingSecret string, actions Actions, log *slog.Logger, now func() time.Time) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	client := &http.Client{Timeout: 5 * time.Second}
	return &handler{secret: signingSecret, actions: actions, log: log, now: now, reply: func(ctx context.Context, u string, body []byte) error {
		return postReply(ctx, client, u, body)
	}}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "slack: only POST", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.log.Warn("slack request refused", "reason", "body too large", "remote", r.RemoteAddr)
			http.Error(w, "slack: request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "slack: cannot read request", http.StatusBadRequest)
		return
	}
	if err := h.verify(r.Header, body); err != nil {
		h.log.Warn("slack request refused", "err", err, "remote", r.RemoteAddr)
		http.Error(w, "slack: request not verified", http.StatusUnauthorized)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "slack: bad form", http.StatusBadRequest)
		return
	}
	var cb slackapi.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		h.log.Warn("slack interaction without a readable payload", "err", err)
		http.Error(w, "slack: bad payload", http.StatusBadRequest)
		return
	}
	if cb.Type != slackapi.InteractionTypeBlockActions {
		w.WriteHeader(http.StatusOK)
		return
	}
	actor := "slack:" + cb.User.Name
	if cb.User.Name == "" {
		actor = "slack:" + cb.User.ID
	}
	for _, a := range cb.ActionCallback.BlockActions {
		var do func(ctx context.Context, alertID, actor, comment string) error
		switch a.ActionID {
		case ActionAcknowledge:
			do = h.actions.Acknowledge
		case ActionResolve:
			do = h.actions.Resolve
		default:
			continue
		}
		ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
		err := do(ctx, a.Value, actor, "")
		cancel()
		if err == nil {
			h.log.Info("slack action", "action", a.ActionID, "alert", a.Value, "actor", actor)
			continue
		}
		lang := strings.TrimPrefix(a.BlockID, actionsBlockID)
		var text string
		if errors.Is(err, store.ErrNotFound) {
			h.log.Warn("slack action on an unknown alert", "action", a.ActionID, "alert", a.Value, "actor", actor)
			text = alerting.Label(lang, "alert_not_found")
		} else {
			h.log.Error("slack action failed", "action", a.ActionID, "alert", a.Value, "actor", actor, "err", err)
			text = fmt.Sprintf(alerting.Label(lang, "action_failed"), err)
		}
		h.answer(w, r, cb.ResponseURL, text)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// verify checks the request's timestamp against the injected clock, then
// its signature with slack-go. The library checks the timestamp too, but
// against time.Now, which a test or a caller with its own clock cannot set.
func (h *handler) verify(header http.Header, body []byte) error {
	ts, sig := header.Get("X-Slack-Request-Timestamp"), header.Get("X-Slack-Signature")
	if ts == "" || sig == "" {
		return errMissingHeaders
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("slack: bad request timestamp %q", ts)
	}
	if d := h.now().Sub(time.Unix(sec, 0)); d > maxClockSkew || d < -maxClockSkew {
		return errStale
	}
	v, err := slackapi.NewSecretsVerifier(header, h.secret)
	if err != nil {
		return fmt.Errorf("slack: verify request: %w", err)
	}
	if _, err := v.Write(body); err != nil {
		return fmt.Errorf("slack: verify request: %w", err)
	}
	if err := v.Ensure(); err != nil {
		return fmt.Errorf("slack: verify request: %w", err)
	}
	return nil
}

// answer tells the one who pressed the button why nothing happened: in the
// body, which Slack shows for some surfaces, and through the response_url,
// which it shows for messages; only they see it.
func (h *handler) answer(w http.ResponseWriter, r *http.Request, responseURL, text string) {
	body, _ := json.Marshal(map[string]any{"response_type": "ephemeral", "replace_original": false, "text": text})
	if responseURL != "" {
		// After the answer, so that Slack gets it within its 3 seconds.
		ctx := context.WithoutCancel(r.Context())
		go func() {
			if err := h.reply(ctx, responseURL, body); err != nil {
				h.log.Warn("slack reply failed", "err", err)
			}
		}()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// postReply posts to a response_url, only on Slack's own hosts: the URL
// comes in a signed request, but the endpoint should not be a way to make
// Kuzot call anywhere else.
func postReply(ctx context.Context, client *http.Client, responseURL string, body []byte) error {
	u, err := url.Parse(responseURL)
	if err != nil || u.Scheme != "https" || (u.Host != "hooks.slack.com" && u.Host != "hooks.slack-gov.com") {
		return errors.New("slack: response_url is not on hooks.slack.com; not replying")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("slack: reply: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		// The URL is a credential of its own for half an hour.
		return fmt.Errorf("slack: reply: %w", scrub(err, responseURL))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("slack: reply: %s", resp.Status)
	}
	return nil
}
