package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"kuzot/alerting"
	"kuzot/config"
	"kuzot/store"
)

// fixture is an invented alert.
func fixture() *store.Alert {
	pub := time.Date(2026, 4, 1, 3, 0, 0, 0, time.UTC)
	return &store.Alert{
		ID: "al-c0ffee", StoryID: "st-8", Kind: "rule", Status: store.StatusOpen, Severity: "medium",
		Categories: []string{"care_access"}, Rules: []string{"queues"}, Score: 4.2,
		Title: "Очереди в ЦСМ Бишкека: пациенты ждут по 5 часов", URL: "https://news.example/1",
		FirstPublished: pub, AlertedAt: pub.Add(2 * time.Minute),
		Articles: []store.AlertArticle{{ID: 1, URL: "https://news.example/1", Outlet: "news.example", Title: "Очереди в ЦСМ", Published: pub, Lang: "ru"}},
		Evidence: []store.Evidence{{Rule: "queues", Field: "title", Text: "пациенты ждут по 5 часов", Marks: []store.Mark{{Start: 0, End: 16}}}},
	}
}

type recorded struct {
	header http.Header
	body   []byte
}

type fakeReceiver struct {
	srv *httptest.Server

	mu     sync.Mutex
	got    []recorded
	status int
	block  bool // hold the request until the client gives up
}

func newFakeReceiver(t *testing.T) *fakeReceiver {
	f := &fakeReceiver{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.got = append(f.got, recorded{r.Header.Clone(), body})
		status, block := f.status, f.block
		f.mu.Unlock()
		if block {
			<-r.Context().Done()
			return
		}
		if status != 0 {
			w.Header().Set("Retry-After", "120")
			http.Error(w, "receiver says no", status)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeReceiver) last(t *testing.T) recorded {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.got) == 0 {
		t.Fatal("nothing posted")
	}
	return f.got[len(f.got)-1]
}

func TestPayload(t *testing.T) {
	f := newFakeReceiver(t)
	n, err := New("ops-hook", &config.WebhookReceiver{URL: f.srv.URL + "/kuzot?secret=s3cr3t",
		Headers: map[string]string{"Authorization": "Bearer abc", "Idempotency-Key": "overridden?"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := &alerting.Message{Kind: alerting.KindUpdate, Key: "al-c0ffee/update/2/ops-hook", Lang: "ru", Alert: fixture(),
		New: fixture().Articles, URL: "https://kuzot.example/alerts/al-c0ffee", Thread: "ignored"}
	ref, retry, err := n.Notify(context.Background(), m)
	if err != nil || retry || ref != "" {
		t.Fatalf("ref %q retry %v err %v", ref, retry, err)
	}
	r := f.last(t)
	for k, want := range map[string]string{
		"Idempotency-Key": "al-c0ffee/update/2/ops-hook", "Content-Type": "application/json",
		"User-Agent": "Kuzot", "Authorization": "Bearer abc",
	} {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	if string(p["kind"]) != `"update"` || string(p["key"]) != `"al-c0ffee/update/2/ops-hook"` {
		t.Errorf("kind %s key %s", p["kind"], p["key"])
	}
	if _, ok := p["summary"]; ok {
		t.Error("an update carries a summary")
	}
	// The alert's JSON is DESIGN.md's contract.
	var a map[string]any
	if err := json.Unmarshal(p["alert"], &a); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "story_id", "status", "severity", "categories", "rules", "score", "first_published", "alerted_at", "articles", "evidence"} {
		if _, ok := a[k]; !ok {
			t.Errorf("alert JSON lacks %q: %s", k, p["alert"])
		}
	}
	if a["first_published"] != "2026-04-01T03:00:00Z" || a["status"] != "open" {
		t.Errorf("first_published %v status %v", a["first_published"], a["status"])
	}
	art := a["articles"].([]any)[0].(map[string]any)
	for _, k := range []string{"url", "outlet", "title", "published", "lang"} {
		if _, ok := art[k]; !ok {
			t.Errorf("article JSON lacks %q", k)
		}
	}
	var news []store.AlertArticle
	if err := json.Unmarshal(p["new"], &news); err != nil || len(news) != 1 || news[0].Outlet != "news.example" {
		t.Errorf("new = %s (%v)", p["new"], err)
	}

	st := &alerting.Message{Kind: alerting.KindStatus, Key: "k2", Alert: fixture(),
		Event: &store.AlertEvent{AlertID: "al-c0ffee", Kind: "acknowledged", Actor: "web:aigul", At: time.Date(2026, 4, 1, 4, 0, 0, 0, time.UTC)}}
	if _, _, err := n.Notify(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	if body := string(f.last(t).body); !strings.Contains(body, `"event":{"alert_id":"al-c0ffee","at":"2026-04-01T04:00:00Z","kind":"acknowledged","actor":"web:aigul"}`) {
		t.Errorf("status payload %s", body)
	}

	sum := &alerting.Message{Kind: alerting.KindSummary, Key: "k3", Summary: []*store.Alert{fixture(), fixture()}}
	if _, _, err := n.Notify(context.Background(), sum); err != nil {
		t.Fatal(err)
	}
	var sp map[string]json.RawMessage
	if err := json.Unmarshal(f.last(t).body, &sp); err != nil {
		t.Fatal(err)
	}
	var alerts []store.Alert
	if _, ok := sp["alert"]; ok || json.Unmarshal(sp["summary"], &alerts) != nil || len(alerts) != 2 {
		t.Errorf("summary payload %s", f.last(t).body)
	}
}

func TestStatusCodes(t *testing.T) {
	for _, tc := range []struct {
		status int
		retry  bool
	}{
		{http.StatusBadRequest, false},
		{http.StatusUnauthorized, false},
		{http.StatusNotFound, false},
		{http.StatusRequestTimeout, true},
		{http.StatusTooManyRequests, true},
		{http.StatusInternalServerError, true},
		{http.StatusServiceUnavailable, true},
	} {
		f := newFakeReceiver(t)
		f.status = tc.status
		n, err := New("ops-hook", &config.WebhookReceiver{URL: f.srv.URL + "/hooks/t0ken-in-path?key=s3cr3t"}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, retry, err := n.Notify(context.Background(), &alerting.Message{Kind: alerting.KindNew, Key: "k", Alert: fixture()})
		if err == nil || retry != tc.retry {
			t.Errorf("%d: retry %v, %v; want retry %v", tc.status, retry, err, tc.retry)
			continue
		}
		for _, want := range []string{"webhook ops-hook", http.StatusText(tc.status), "receiver says no", "Retry-After 120"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%d: error %q lacks %q", tc.status, err, want)
			}
		}
		if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "t0ken") {
			t.Errorf("secret in the error: %v", err)
		}
	}
}

func TestNetworkAndTimeout(t *testing.T) {
	f := newFakeReceiver(t)
	f.block = true
	n, err := New("ops-hook", &config.WebhookReceiver{URL: f.srv.URL + "/x?key=s3cr3t"}, Options{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, retry, err := n.Notify(context.Background(), &alerting.Message{Kind: alerting.KindNew, Key: "k", Alert: fixture()})
	if err == nil || !retry || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("timeout: retry %v, %v", retry, err)
	}

	f.mu.Lock()
	f.block = false
	f.mu.Unlock()
	f.srv.Close()
	_, retry, err = n.Notify(context.Background(), &alerting.Message{Kind: alerting.KindNew, Key: "k", Alert: fixture()})
	if err == nil || !retry || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("receiver down: retry %v, %v", retry, err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []*config.WebhookReceiver{nil, {}, {URL: "example.com/hook"}, {URL: "https://x.example", Headers: map[string]string{"Bad Header": "1"}}} {
		if _, err := New("r", cfg, Options{}); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
