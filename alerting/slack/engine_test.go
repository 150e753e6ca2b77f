package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kuzot/alerting"
	"kuzot/config"
	"kuzot/store"
)

// TestEngineThroughSlackDownThenBack drives the alerting engine through
// this notifier against slacktest: Slack answers 503 for ten minutes of the
// engine's clock, then comes back; every alert arrives once, its follow-up
// in its thread, and a burst past the throttle arrives as one summary.
func TestEngineThroughSlackDownThenBack(t *testing.T) {
	ctx := context.Background()
	f := newFakeSlack(t)
	var down atomic.Bool
	down.Store(true)
	f.respond = func(w http.ResponseWriter) {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		f.mu.Lock()
		f.posts[len(f.posts)-1].Set("ok", "1") // remember which posts were accepted
		k := len(f.posts)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"channel":"C0PRESS","ts":"1773465120.%06d"}`, k)
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "kuzot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := config.Default()
	cfg.Alerting.Receivers = []config.Receiver{{Name: "press-slack", MaxPerHour: 5,
		Slack: &config.SlackReceiver{Token: "xoxb-test", Channel: "#press", APIURL: f.srv.GetAPIURL()}}}
	cfg.Alerting.Routes = []config.Route{{Receivers: []string{"press-slack"}, MinSeverity: "low"}}
	cfg.Alerting.GroupWait = 0
	n := newNotifier(t, f, false)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	e := alerting.NewEngine(cfg, st, map[string]alerting.Notifier{"press-slack": n}, alerting.WithNow(func() time.Time { return now }))

	// Eight distinct events (three past the throttle of five an hour).
	words := []string{"антисептик", "инсулин", "рентген", "корь", "поборы", "очередь", "грубость", "сбой"}
	var arts []*store.Article
	for i, w := range words {
		arts = append(arts, &store.Article{URL: fmt.Sprintf("https://24.kg/n/%d", i), SourceID: "24kg", Outlet: "24.kg", Lang: "ru",
			Title: fmt.Sprintf("Новость %d: %s", i, w), Body: w + " " + w, Published: now, Fetched: now, ContentHash: w})
	}
	res, err := st.SaveArticles(ctx, arts)
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := json.Marshal([]store.Evidence{{Rule: "r", Field: "title", Text: "x"}})
	for _, r := range res {
		st.ReplaceMatches(ctx, r.ID, []store.Match{{RuleID: "r", Category: "outbreak", Severity: "high", Score: 5, Decision: "alert", Evidence: string(ev), Scored: now}})
	}
	if _, err := e.Process(ctx, res[len(res)-1].ID); err != nil {
		t.Fatal(err)
	}
	start := now
	for s := 0; s <= 600; s += 5 {
		now = start.Add(time.Duration(s) * time.Second)
		if _, err := e.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
	}
	f.mu.Lock()
	tried := len(f.posts)
	f.mu.Unlock()
	if tried == 0 {
		t.Fatal("nothing was tried while Slack was down")
	}
	down.Store(false)
	for s := 605; s <= 3700; s += 5 {
		now = start.Add(time.Duration(s) * time.Second)
		if _, err := e.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var accepted []map[string]string
	for _, p := range f.posts {
		if p.Get("ok") == "1" {
			accepted = append(accepted, map[string]string{"thread": p.Get("thread_ts"), "text": p.Get("text") + p.Get("blocks")})
		}
	}
	if len(accepted) != 6 {
		t.Fatalf("Slack accepted %d messages, want 5 alerts and one summary", len(accepted))
	}
	seen := map[string]int{}
	for _, a := range accepted {
		for _, w := range words {
			if strings.Contains(a["text"], w) {
				seen[w]++
			}
		}
	}
	for _, w := range words {
		if seen[w] != 1 {
			t.Errorf("alert about %q arrived %d times, want once (alone or in the summary)", w, seen[w])
		}
	}
}
