package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"kuzot/config"
	"kuzot/crawler/crawltest"
)

// TestCrawlAlertsAckResolve: a crawl raises an alert and sends it to
// Slack; the commands list, show, acknowledge and resolve it, and the next
// run sends the acknowledgement into the alert's thread.
func TestCrawlAlertsAckResolve(t *testing.T) {
	now := time.Now()
	arts := []crawltest.Article{
		{ID: 1, Title: "Врачебная ошибка в роддоме: роженице ввели антисептик", Body: []string{"Роженице в роддоме ввели антисептик. Минздрав начал проверку."}, Published: now.Add(-2 * time.Hour)},
		{ID: 2, Title: "Ремонт дорог", Body: []string{"Мэрия отремонтирует дороги."}, Published: now.Add(-time.Hour)},
	}
	srv := httptest.NewServer(crawltest.New(arts...))
	defer srv.Close()
	slack := newFakeSlack(srv.URL)
	defer slack.Close()
	cfg := rulesConfig(t, srv.URL)
	data, _ := os.ReadFile(cfg)
	data = append(data, []byte(`alerting:
  receivers:
    - name: press-slack
      slack: {token: xoxb-test, channel: "#press", api_url: "`+slack.URL+`/api/"}
  routes:
    - receivers: [press-slack]
      min_severity: low
`)...)
	os.WriteFile(cfg, data, 0o644)

	if code, out := capture(t, "crawl", "--once", "--config", cfg, "--log-level", "error"); code != 0 {
		t.Fatalf("crawl exited %d: %s", code, out)
	}
	if slack.count() == 0 {
		t.Fatal("the crawl's alert did not reach Slack")
	}

	code, out := capture(t, "alerts", "--json", "--config", cfg)
	var as []alertJSON
	if err := json.Unmarshal([]byte(out), &as); code != 0 || err != nil || len(as) != 1 {
		t.Fatalf("alerts --json exited %d with %d alerts (%v):\n%s", code, len(as), err, out)
	}
	al := as[0]
	if al.Status != "open" || al.Severity != "high" || len(al.Articles) == 0 || len(al.Evidence) == 0 ||
		al.Categories[0] != "medical_error" || al.Response.ToAlert == nil || al.Response.ToAck != nil {
		t.Fatalf("alert: status %s severity %s articles %d evidence %d categories %v to_alert %v to_ack %v\n%s",
			al.Status, al.Severity, len(al.Articles), len(al.Evidence), al.Categories, al.Response.ToAlert, al.Response.ToAck, out)
	}
	// The JSON keeps the contract's field names.
	for _, k := range []string{`"id"`, `"story_id"`, `"status"`, `"severity"`, `"categories"`, `"rules"`, `"score"`,
		`"first_published"`, `"alerted_at"`, `"articles"`, `"evidence"`, `"outlet"`, `"lang"`} {
		if !strings.Contains(out, k) {
			t.Errorf("alerts --json lacks %s", k)
		}
	}

	// The search index knows each article's story.
	code, out = capture(t, "search", "роддом OR ремонт", "--story", al.StoryID, "--json", "--config", cfg)
	if code != 0 || !strings.Contains(out, "антисептик") || strings.Contains(out, "Ремонт дорог") {
		t.Errorf("search --story %s exited %d:\n%s", al.StoryID, code, out)
	}
	// ...and keeps it when rebuilt from the store.
	if code, out := capture(t, "reindex", "--config", cfg); code != 0 {
		t.Fatalf("reindex exited %d: %s", code, out)
	}
	code, out = capture(t, "search", "роддом OR ремонт", "--story", al.StoryID, "--json", "--config", cfg)
	if code != 0 || !strings.Contains(out, "антисептик") || strings.Contains(out, "Ремонт дорог") {
		t.Errorf("search --story %s after reindex exited %d:\n%s", al.StoryID, code, out)
	}

	code, out = capture(t, "alerts", "--config", cfg)
	if code != 0 || !strings.Contains(out, al.ID) || !strings.Contains(out, "Врачебная ошибка") {
		t.Errorf("alerts exited %d:\n%s", code, out)
	}
	code, out = capture(t, "alerts", "ack", al.ID, "--by", "aigul", "--comment", "готовим ответ", "--config", cfg)
	if code != 0 || !strings.Contains(out, "acknowledged by aigul") {
		t.Fatalf("alerts ack exited %d: %s", code, out)
	}
	code, out = captureErr(t, "alerts", "ack", "a999", "--by", "aigul", "--config", cfg)
	if code == 0 || !strings.Contains(out, `no alert "a999"`) {
		t.Errorf("ack of an unknown alert exited %d: %s", code, out)
	}
	code, out = capture(t, "alerts", "show", al.ID, "--config", cfg)
	if code != 0 || !strings.Contains(out, "acknowledged") || !strings.Contains(out, "aigul") || !strings.Contains(out, "готовим ответ") {
		t.Errorf("alerts show exited %d:\n%s", code, out)
	}
	// The acknowledgement waits in the outbox for the service.
	code, out = capture(t, "alerts", "outbox", "--config", cfg)
	if code != 0 || !strings.Contains(out, "status") || !strings.Contains(out, "pending") {
		t.Errorf("alerts outbox exited %d:\n%s", code, out)
	}
	before := slack.posts()
	if code, out := capture(t, "crawl", "--once", "--config", cfg, "--log-level", "error"); code != 0 {
		t.Fatalf("second crawl exited %d: %s", code, out)
	}
	if after := slack.posts(); after != before+1 {
		t.Errorf("the second run posted %d messages, want 1 (the acknowledgement)", after-before)
	}
	if code, out := capture(t, "alerts", "resolve", al.ID, "--by", "aigul", "--config", cfg); code != 0 {
		t.Fatalf("alerts resolve exited %d: %s", code, out)
	}
	code, out = capture(t, "alerts", "--config", cfg)
	if code != 0 || strings.Contains(out, al.ID) {
		t.Errorf("a resolved alert is listed by default:\n%s", out)
	}
	code, out = capture(t, "alerts", "--status", "resolved", "--json", "--config", cfg)
	if code != 0 || !strings.Contains(out, `"resolved_by": "aigul"`) || !strings.Contains(out, `"to_resolve_seconds"`) {
		t.Errorf("alerts --status resolved exited %d:\n%s", code, out)
	}
	if code, out := captureErr(t, "alerts", "--status", "closed", "--config", cfg); code == 0 || !strings.Contains(out, "use open, acknowledged, resolved or all") {
		t.Errorf("a bad --status exited %d: %s", code, out)
	}
}

// TestBenchLatencyRuns runs the latency bench small: every article must
// arrive. Its timings are reported by the command, not judged here.
func TestBenchLatencyRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole service for several seconds")
	}
	cfg := config.Default()
	cfg.Rules = []config.Rule{{ID: "medical-error-ru", Category: "medical_error", Severity: "high",
		Query: `(роддом* OR больниц* OR врач*) AND (ошибк* OR вымогал* OR инсулин OR рентген* OR кор*)`}}
	cfg.Scoring.Thresholds = config.Thresholds{Digest: 1, Alert: 2, Critical: 20}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := benchLatency(context.Background(), cfg, latencyOptions{Articles: 6, Poll: time.Second, GroupWait: time.Second,
		Every: 200 * time.Millisecond, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Arrived != 6 || res.First == 0 || res.P95 <= 0 {
		t.Fatalf("bench result %+v", res)
	}
	var out strings.Builder
	res.print(&out)
	if !strings.Contains(out.String(), "6 of 6 articles arrived") {
		t.Errorf("bench output:\n%s", out.String())
	}
}

// captureErr runs a command and returns its exit code and standard error.
func captureErr(t *testing.T, args ...string) (int, string) {
	t.Helper()
	stop := redirect(t, &os.Stderr)
	code := run(args)
	return code, stop()
}
