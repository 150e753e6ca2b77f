package alerting

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"kuzot/config"
	"kuzot/store"
)

// crashConfig is the configuration of both processes of the crash test.
func crashConfig() *config.Config {
	cfg := config.Default()
	cfg.Alerting.Receivers = []config.Receiver{{Name: "press-slack", Slack: &config.SlackReceiver{Token: "x", Channel: "#press"}}}
	cfg.Alerting.Routes = []config.Route{{Receivers: []string{"press-slack"}, MinSeverity: "low"}}
	return cfg
}

// TestCrashBetweenOutboxAndDelivery kills a process with SIGKILL after it
// wrote an alert and its notification but before it delivered it; the
// next process delivers it, once.
func TestCrashBetweenOutboxAndDelivery(t *testing.T) {
	if path := os.Getenv("KUZOT_CRASH_DB"); path != "" {
		crashChild(path)
		return
	}
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "kuzot.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	res, err := st.SaveArticles(ctx, []*store.Article{{URL: "https://24.kg/n/1", SourceID: "24kg", Outlet: "24.kg", Lang: "ru",
		Title: eventTitle1, Body: eventBody1, Published: now.Add(-time.Minute), Fetched: now, ContentHash: "h1"}})
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := json.Marshal([]store.Evidence{{Rule: "r", Field: "title", Text: eventTitle1}})
	if err := st.ReplaceMatches(ctx, res[0].ID, []store.Match{{RuleID: "r", Category: "medical_error", Severity: "high",
		Score: 5, Decision: "alert", Evidence: string(ev), Scored: now}}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	child := exec.Command(os.Args[0], "-test.run=^TestCrashBetweenOutboxAndDelivery$")
	child.Env = append(os.Environ(), "KUZOT_CRASH_DB="+db)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line := sc.Text(); len(line) > 6 && line[:6] == "ready " {
				ready <- line[6:]
				return
			}
		}
		close(ready)
	}()
	var queued string
	select {
	case queued = <-ready:
	case <-time.After(30 * time.Second):
		child.Process.Kill()
		t.Fatal("the child never wrote its alert")
	}
	if queued == "" {
		t.Fatal("the child exited before writing its alert")
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL: no deferred code, no clean close
		t.Fatal(err)
	}
	child.Wait()

	st, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got []*Message
	notifiers := map[string]Notifier{"press-slack": NotifierFunc(func(_ context.Context, m *Message) (string, bool, error) {
		got = append(got, m)
		return "ts-1", false, nil
	})}
	later := time.Now().Add(time.Minute)
	e := NewEngine(crashConfig(), st, notifiers, WithNow(func() time.Time { return later }))
	for i := 0; i < 3; i++ {
		if _, err := e.Process(ctx, res[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 1 || got[0].Kind != KindNew || got[0].Alert.ID != queued {
		t.Fatalf("after the crash: %d messages, want the one new alert %s", len(got), queued)
	}
	as, _ := st.Alerts(ctx, store.AlertFilter{})
	if len(as) != 1 {
		t.Fatalf("alerts after restart = %d, want 1", len(as))
	}
}

// crashChild writes the alert, says so and waits to be killed.
func crashChild(db string) {
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	never := NotifierFunc(func(context.Context, *Message) (string, bool, error) {
		panic("the child must not deliver")
	})
	e := NewEngine(crashConfig(), st, map[string]Notifier{"press-slack": never})
	if _, err := e.Process(ctx, 1<<62); err != nil {
		fmt.Println("process:", err)
		os.Exit(1)
	}
	items, err := st.Outbox(ctx, store.OutboxFilter{States: []string{store.OutboxPending}})
	if err != nil || len(items) != 1 {
		fmt.Println("outbox:", len(items), err)
		os.Exit(1)
	}
	fmt.Println("ready " + items[0].AlertID)
	time.Sleep(time.Minute)
	os.Exit(1)
}
