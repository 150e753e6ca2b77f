package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kuzot/store"
)

const secret = "8f14e45fceea167a5a36dedd4bea2543"

// fakeActions records what the buttons did; err, when set, is returned.
type fakeActions struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeActions) Acknowledge(_ context.Context, id, actor, comment string) error {
	return f.record("ack", id, actor, comment)
}

func (f *fakeActions) Resolve(_ context.Context, id, actor, comment string) error {
	return f.record("resolve", id, actor, comment)
}

func (f *fakeActions) record(what, id, actor, comment string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, what+" "+id+" "+actor+" "+comment)
	return f.err
}

func (f *fakeActions) got() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func payload(actionID, alertID string) string {
	p := map[string]any{
		"type":         "block_actions",
		"user":         map[string]any{"id": "U0AIGUL", "name": "aigul.t", "username": "aigul.t"},
		"response_url": "https://hooks.slack.com/actions/T0/1/abc",
		"actions": []map[string]any{{
			"type": "button", "action_id": actionID, "block_id": "kuzot_actions:ky", "value": alertID, "action_ts": "1773465200.1",
		}},
	}
	b, _ := json.Marshal(p)
	return url.Values{"payload": {string(b)}}.Encode()
}

// request is a Slack interaction signed with key at ts.
func request(body, key string, ts time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/slack/actions", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	r.Header.Set("X-Slack-Request-Timestamp", stamp)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return r
}

func newHandler(actions Actions, now time.Time) (*handler, chan string) {
	h := NewHandler(secret, actions, slog.New(slog.DiscardHandler), func() time.Time { return now }).(*handler)
	replies := make(chan string, 4)
	h.reply = func(_ context.Context, u string, body []byte) error {
		replies <- u + " " + string(body)
		return nil
	}
	return h, replies
}

func TestHandlerActs(t *testing.T) {
	// slack-go's verifier also checks the timestamp against time.Now, so
	// the signed request is of now; the handler's own check uses its clock.
	now := time.Now()
	for _, tc := range []struct {
		action string
		want   string
	}{
		{ActionAcknowledge, "ack al-7f3c2 slack:aigul.t "},
		{ActionResolve, "resolve al-7f3c2 slack:aigul.t "},
	} {
		f := &fakeActions{}
		h, _ := newHandler(f, now)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, request(payload(tc.action, "al-7f3c2"), secret, now))
		if w.Code != http.StatusOK {
			t.Errorf("%s: %d %s", tc.action, w.Code, w.Body)
		}
		if got := f.got(); len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: calls %q, want %q", tc.action, got, tc.want)
		}
	}

	f := &fakeActions{}
	h, _ := newHandler(f, now)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, request(payload("someone_elses_button", "al-7f3c2"), secret, now))
	if w.Code != http.StatusOK || len(f.got()) != 0 {
		t.Errorf("another app's action: %d, calls %q", w.Code, f.got())
	}
}

func TestHandlerUnknownAlert(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("alerting: acknowledge: %w", store.ErrNotFound), "Бул эскертүү Kuzot'то жок"},
		{errors.New("alerting: database is locked"), "database is locked"},
	} {
		h, replies := newHandler(&fakeActions{err: tc.err}, now)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, request(payload(ActionAcknowledge, "al-gone"), secret, now))
		if w.Code != http.StatusOK {
			t.Fatalf("%d, want 200 so that Slack shows no error of its own", w.Code)
		}
		var body struct {
			ResponseType string `json:"response_type"`
			Text         string `json:"text"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.ResponseType != "ephemeral" || !strings.Contains(body.Text, tc.want) {
			t.Errorf("answer %s (%v), want an ephemeral text with %q", w.Body, err, tc.want)
		}
		select {
		case got := <-replies:
			if !strings.HasPrefix(got, "https://hooks.slack.com/actions/T0/1/abc ") || !strings.Contains(got, tc.want) {
				t.Errorf("response_url reply %q", got)
			}
		case <-time.After(5 * time.Second):
			t.Error("nothing posted to response_url")
		}
	}
}

func TestHandlerRefuses(t *testing.T) {
	now := time.Now()
	body := payload(ActionResolve, "al-7f3c2")
	tests := []struct {
		name string
		req  func() *http.Request
		now  time.Time
		code int
	}{
		{"wrong signature", func() *http.Request { return request(body, "another-secret", now) }, now, http.StatusUnauthorized},
		{"body changed after signing", func() *http.Request {
			r := request(body, secret, now)
			r.Body = http.NoBody
			tampered := strings.Replace(body, "al-7f3c2", "al-other", 1)
			r2 := httptest.NewRequest(http.MethodPost, "/slack/actions", strings.NewReader(tampered))
			r2.Header = r.Header
			return r2
		}, now, http.StatusUnauthorized},
		{"stale timestamp", func() *http.Request { return request(body, secret, now.Add(-6*time.Minute)) }, now, http.StatusUnauthorized},
		// The request is fresh by the machine's clock, so slack-go lets
		// it pass; the handler's clock says it is six minutes old.
		{"stale by the injected clock", func() *http.Request { return request(body, secret, now) }, now.Add(6 * time.Minute), http.StatusUnauthorized},
		{"timestamp from the future", func() *http.Request { return request(body, secret, now) }, now.Add(-6 * time.Minute), http.StatusUnauthorized},
		{"missing signature", func() *http.Request {
			r := request(body, secret, now)
			r.Header.Del("X-Slack-Signature")
			return r
		}, now, http.StatusUnauthorized},
		{"missing timestamp", func() *http.Request {
			r := request(body, secret, now)
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, now, http.StatusUnauthorized},
		{"GET", func() *http.Request {
			r := request(body, secret, now)
			r.Method = http.MethodGet
			return r
		}, now, http.StatusMethodNotAllowed},
		{"oversized body", func() *http.Request {
			return request(body+"&pad="+strings.Repeat("x", maxRequestBody), secret, now)
		}, now, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeActions{}
			h, _ := newHandler(f, tc.now)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tc.req())
			if w.Code != tc.code {
				t.Errorf("%d, want %d", w.Code, tc.code)
			}
			if got := f.got(); len(got) != 0 {
				t.Errorf("acted on a refused request: %q", got)
			}
		})
	}

	t.Run("no signing secret configured", func(t *testing.T) {
		f := &fakeActions{}
		h := NewHandler("", f, nil, nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, request(body, "", now))
		if w.Code != http.StatusUnauthorized || len(f.got()) != 0 {
			t.Errorf("%d, calls %q", w.Code, f.got())
		}
	})
}

func TestReplyOnlyToSlack(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	if err := postReply(context.Background(), srv.Client(), srv.URL+"/actions/x", []byte(`{}`)); err == nil || hit {
		t.Errorf("posted to %s: %v", srv.URL, err)
	}
}
