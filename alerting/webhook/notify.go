package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kuzot/alerting"
	"kuzot/config"
	"kuzot/store"
)

var _ alerting.Notifier = (*Notifier)(nil)

// Options are the notifier's dependencies beyond its configuration.
type Options struct {
	// HTTPClient posts the messages; nil means http.DefaultTransport.
	HTTPClient *http.Client
	// Timeout bounds one delivery; zero means 10 s.
	Timeout time.Duration
}

// Notifier posts messages to one URL.
type Notifier struct {
	name string
	url  string
	// where is the URL for errors: its scheme and host, since a path or
	// query often holds the receiver's secret.
	where   string
	headers map[string]string
	http    *http.Client
	timeout time.Duration
}

// New returns the notifier of the receiver called name.
func New(name string, cfg *config.WebhookReceiver, opt Options) (*Notifier, error) {
	if cfg == nil {
		return nil, fmt.Errorf("webhook %s: no webhook settings", name)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("webhook %s: url is not an http(s) URL: set alerting.receivers[].webhook.url", name)
	}
	for k := range cfg.Headers {
		if !validHeader(k) {
			return nil, fmt.Errorf("webhook %s: header %q is not a valid header name: fix alerting.receivers[].webhook.headers", name, k)
		}
	}
	where := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" {
		where += "/…"
	}
	n := &Notifier{name: name, url: cfg.URL, where: where, headers: cfg.Headers,
		http: opt.HTTPClient, timeout: opt.Timeout}
	if n.http == nil {
		n.http = &http.Client{}
	}
	if n.timeout <= 0 {
		n.timeout = 10 * time.Second
	}
	return n, nil
}

func validHeader(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

// Payload is the JSON posted: the message kind and key, and the alert as
// `kuzot alerts --json` shows it (DESIGN.md's contract).
type Payload struct {
	Kind    string               `json:"kind"`
	Key     string               `json:"key"`
	Lang    string               `json:"lang,omitempty"`
	URL     string               `json:"url,omitempty"` // the alert in Kuzot's web UI
	Alert   *store.Alert         `json:"alert,omitempty"`
	New     []store.AlertArticle `json:"new,omitempty"`
	Event   *store.AlertEvent    `json:"event,omitempty"`
	Summary []*store.Alert       `json:"summary,omitempty"`
}

// Notify posts m. A webhook has no threads, so the ref is empty.
func (n *Notifier) Notify(ctx context.Context, m *alerting.Message) (string, bool, error) {
	body, err := json.Marshal(Payload{Kind: m.Kind, Key: m.Key, Lang: m.Lang, URL: m.URL, Alert: m.Alert, New: m.New, Event: m.Event, Summary: m.Summary})
	if err != nil {
		return "", false, fmt.Errorf("webhook %s: %w", n.name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return "", false, fmt.Errorf("webhook %s: %w", n.name, n.scrub(err))
	}
	req.Header.Set("User-Agent", "Kuzot")
	for k, v := range n.headers {
		req.Header.Set(k, v)
	}
	// After the configured headers: these two are the contract.
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", m.Key)
	resp, err := n.http.Do(req)
	if err != nil {
		return "", true, fmt.Errorf("webhook %s: %w", n.name, n.scrub(err))
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return "", false, nil
	}
	err = fmt.Errorf("webhook %s: POST %s: %s%s", n.name, n.where, resp.Status, detail(snippet))
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		err = fmt.Errorf("%w (Retry-After %s)", err, ra)
	}
	switch {
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return "", true, err
	}
	// The receiver refused this message; it will refuse it again.
	return "", false, err
}

// detail is the start of the receiver's answer, which often says why.
func detail(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if s == "" {
		return ""
	}
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return ": " + s
}

// scrub keeps the URL's query and user info, where webhook secrets
// usually are, out of an error.
func (n *Notifier) scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: n.where, Err: ue.Err}
	}
	if strings.Contains(err.Error(), n.url) {
		return errors.New(strings.ReplaceAll(err.Error(), n.url, n.where))
	}
	return err
}
