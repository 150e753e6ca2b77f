package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"kuzot/config"
	"kuzot/store"
)

// harness is an engine over a real SQLite store with recording notifiers
// and a clock the test moves.
type harness struct {
	t    *testing.T
	ctx  context.Context
	st   *store.Store
	cfg  *config.Config
	now  time.Time
	e    *Engine
	n    int
	mu   sync.Mutex
	sent map[string][]*Message // by receiver
	down map[string]bool       // receivers that fail (retryably)
	// outcomes counts delivery outcomes by "receiver/outcome".
	outcomes map[string]int
}

var T0 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

func newHarness(t *testing.T, mutate func(*config.Config)) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "kuzot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := config.Default()
	cfg.Sources = []config.Source{
		{ID: "kaktus", Outlet: "kaktus.media", Reach: 1},
		{ID: "akipress", Outlet: "akipress.org", Reach: 1},
		{ID: "24kg", Outlet: "24.kg", Reach: 2},
		{ID: "kabar", Outlet: "kabar.kg", Reach: 2},
		{ID: "osh", Outlet: "oshinfo.kg", Reach: 3},
		{ID: "jalal", Outlet: "jalal.kg", Reach: 3},
	}
	cfg.Alerting.Receivers = []config.Receiver{
		{Name: "press-slack", Slack: &config.SlackReceiver{Token: "xoxb-test", Channel: "#press"}},
		{Name: "press-email", Email: &config.EmailReceiver{To: []string{"press@example.org"}}},
	}
	cfg.Alerting.Routes = []config.Route{{Receivers: []string{"press-slack", "press-email"}, MinSeverity: "medium"}}
	if mutate != nil {
		mutate(cfg)
	}
	h := &harness{t: t, ctx: ctx, st: st, cfg: cfg, now: T0, sent: map[string][]*Message{}, down: map[string]bool{}, outcomes: map[string]int{}}
	h.e = h.engine()
	return h
}

// engine returns a new engine over the harness's store: a restart.
func (h *harness) engine() *Engine {
	notifiers := map[string]Notifier{}
	for _, r := range h.cfg.Alerting.Receivers {
		name := r.Name
		notifiers[name] = NotifierFunc(func(ctx context.Context, m *Message) (string, bool, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.down[name] {
				return "", true, fmt.Errorf("%s: connection refused", name)
			}
			h.sent[name] = append(h.sent[name], m)
			return fmt.Sprintf("%s-%d", name, len(h.sent[name])), false, nil
		})
	}
	return NewEngine(h.cfg, h.st, notifiers, WithNow(func() time.Time { return h.now }),
		WithDeliveries(func(receiver, outcome string) { h.outcomes[receiver+"/"+outcome]++ }))
}

// article stores an article with one match of the given decision ("" for
// none) and returns its id.
func (h *harness) article(outlet, title, body string, published time.Time, decision string, score float64) int64 {
	h.t.Helper()
	h.n++
	res, err := h.st.SaveArticles(h.ctx, []*store.Article{{
		URL: fmt.Sprintf("https://%s/news/%d", outlet, h.n), SourceID: outlet, Outlet: outlet, Lang: "ru",
		Title: title, Body: body, Published: published, Fetched: h.now, ContentHash: fmt.Sprintf("hash-%d", h.n),
	}})
	if err != nil {
		h.t.Fatal(err)
	}
	id := res[0].ID
	if decision != "" {
		ev, _ := json.Marshal([]store.Evidence{{Rule: "medical-error-ru", Field: "title", Text: title, Marks: []store.Mark{{Start: 0, End: 2}}}})
		if err := h.st.ReplaceMatches(h.ctx, id, []store.Match{{RuleID: "medical-error-ru", Category: "medical_error",
			Severity: "high", Score: score, Decision: decision, Evidence: string(ev), Scored: h.now}}); err != nil {
			h.t.Fatal(err)
		}
	}
	return id
}

func (h *harness) process() {
	h.t.Helper()
	if _, err := h.e.Process(h.ctx, 1<<62); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) deliver() int {
	h.t.Helper()
	n, err := h.e.Deliver(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *harness) messages(receiver string) []*Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.sent[receiver])
}

func (h *harness) kinds(receiver string) []string {
	var out []string
	for _, m := range h.messages(receiver) {
		out = append(out, m.Kind)
	}
	return out
}

func (h *harness) alerts() []*store.Alert {
	h.t.Helper()
	as, err := h.st.Alerts(h.ctx, store.AlertFilter{Limit: 10000, WithArticles: true})
	if err != nil {
		h.t.Fatal(err)
	}
	return as
}

// The same event in the words of several outlets.
const (
	eventTitle1 = "В роддоме Оша роженице ввели антисептик вместо лекарства"
	eventBody1  = "В Ошском городском родильном доме роженице по ошибке ввели антисептик вместо лекарства. Женщина в реанимации, медсестра отстранена, Минздрав начал проверку."
	eventTitle2 = "Роженице в Оше по ошибке ввели антисептик: женщина в реанимации"
	eventBody2  = "В родильном доме Оша медсестра ввела роженице антисептик вместо лекарства. Пациентка в реанимации, Минздрав проводит служебную проверку."
	eventTitle3 = "Минздрав проверяет роддом Оша, где роженице ввели антисептик"
	eventBody3  = "Служебная проверка в Ошском родильном доме: роженице ввели антисептик вместо лекарства, медсестра отстранена от работы. Женщина в реанимации."
	eventTitle4 = "Ошибка в роддоме Оша: антисептик вместо лекарства, роженица в реанимации"
	eventBody4  = "Роженице в Ошском родильном доме ввели антисептик вместо лекарства. Медсестра отстранена, Минздрав начал проверку, женщина в реанимации."
	otherTitle  = "В Бишкеке открыли новый детский сад на 200 мест"
	otherBody   = "Мэрия Бишкека открыла в Свердловском районе детский сад на 200 мест с бассейном и спортивным залом."
)

func TestAlertLifecycle(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Alerting.Escalation = config.Escalation{} })
	a1 := h.article("24.kg", eventTitle1, eventBody1, T0.Add(-5*time.Minute), "alert", 5)
	h.process()
	as := h.alerts()
	if len(as) != 1 {
		t.Fatalf("alerts = %d, want 1", len(as))
	}
	al := as[0]
	if al.Status != store.StatusOpen || al.Severity != "high" || al.ID != fmt.Sprintf("a%d", a1) {
		t.Fatalf("alert = %+v", al)
	}

	// The group wait holds the first message back; a second outlet's
	// article arriving in it is carried by that message, not a reply.
	if n := h.deliver(); n != 0 {
		t.Fatalf("delivered %d during the group wait", n)
	}
	h.now = T0.Add(10 * time.Second)
	h.article("kabar.kg", eventTitle2, eventBody2, T0.Add(-time.Minute), "", 0)
	h.process()
	if got := len(h.alerts()); got != 1 {
		t.Fatalf("the second outlet opened a new alert: %d alerts", got)
	}
	h.now = T0.Add(31 * time.Second)
	h.deliver()
	for _, r := range []string{"press-slack", "press-email"} {
		ms := h.messages(r)
		if len(ms) != 1 || ms[0].Kind != KindNew {
			t.Fatalf("%s got %v, want one new alert", r, h.kinds(r))
		}
		if got := Outlets(ms[0].Alert); !slices.Equal(got, []string{"24.kg", "kabar.kg"}) {
			t.Errorf("%s: outlets %v, want both", r, got)
		}
		if ms[0].URL != "http://127.0.0.1:8080/alerts/"+al.ID {
			t.Errorf("%s: URL %q", r, ms[0].URL)
		}
	}
	// The update queued for the second article was carried already.
	h.now = T0.Add(40 * time.Second)
	h.deliver()
	if got := h.kinds("press-slack"); !slices.Equal(got, []string{KindNew}) {
		t.Fatalf("slack got %v after the group wait", got)
	}

	// A later article is a reply in Slack's thread; email is not bothered.
	h.now = T0.Add(20 * time.Minute)
	h.article("oshinfo.kg", eventTitle3, eventBody3, T0.Add(19*time.Minute), "digest", 2.5)
	h.process()
	h.deliver()
	ms := h.messages("press-slack")
	if len(ms) != 2 || ms[1].Kind != KindUpdate || ms[1].Thread != "press-slack-1" || len(ms[1].New) != 1 || ms[1].New[0].Outlet != "oshinfo.kg" {
		t.Fatalf("slack update = %+v", ms[len(ms)-1])
	}
	if got := h.kinds("press-email"); len(got) != 1 {
		t.Fatalf("email got %v, want only the new alert", got)
	}

	// Acknowledge: the clock stops, Slack's thread hears who.
	h.now = T0.Add(25 * time.Minute)
	if err := h.e.Acknowledge(h.ctx, al.ID, "aigul", "готовим комментарий"); err != nil {
		t.Fatal(err)
	}
	if err := h.e.Acknowledge(h.ctx, al.ID, "aigul", ""); err != nil {
		t.Fatalf("a second acknowledgement: %v", err)
	}
	h.deliver()
	ms = h.messages("press-slack")
	if last := ms[len(ms)-1]; last.Kind != KindStatus || last.Event == nil || last.Event.Actor != "aigul" || last.Event.Comment != "готовим комментарий" {
		t.Fatalf("status message = %+v", last)
	}
	got, _ := h.st.Alert(h.ctx, al.ID)
	if got.Status != store.StatusAcknowledged || got.AckedBy != "aigul" || !got.AckedAt.Equal(h.now) || got.AlertedAt.IsZero() {
		t.Fatalf("acknowledged alert = %+v", got)
	}
	if d := got.AlertedAt.Sub(got.FirstPublished); d != 5*time.Minute+31*time.Second {
		t.Errorf("time to alert = %s", d)
	}

	h.now = T0.Add(3 * time.Hour)
	if err := h.e.Resolve(h.ctx, al.ID, "aigul", "ответ опубликован"); err != nil {
		t.Fatal(err)
	}
	if err := h.e.Acknowledge(h.ctx, al.ID, "bakyt", ""); !errors.Is(err, ErrStatus) {
		t.Fatalf("acknowledging a resolved alert: %v", err)
	}
	h.deliver()

	// The story flares up a day later: the alert re-opens and notifies all.
	h.now = T0.Add(26 * time.Hour)
	h.article("akipress.org", eventTitle4, eventBody4, T0.Add(26*time.Hour), "alert", 5)
	h.process()
	h.deliver()
	got, _ = h.st.Alert(h.ctx, al.ID)
	if got.Status != store.StatusOpen || len(got.Articles) != 4 {
		t.Fatalf("re-opened alert: status %s, %d articles", got.Status, len(got.Articles))
	}
	if k := h.kinds("press-email"); !slices.Equal(k, []string{KindNew, KindReopen}) {
		t.Fatalf("email got %v", k)
	}
	if len(h.alerts()) != 1 {
		t.Fatal("the flare-up opened a second alert")
	}
	events, _ := h.st.AlertEvents(h.ctx, al.ID)
	var ek []string
	for _, e := range events {
		ek = append(ek, e.Kind)
	}
	want := []string{"opened", "article", "article", "acknowledged", "resolved", "article", "reopened"}
	if !slices.Equal(ek, want) {
		t.Fatalf("events %v, want %v", ek, want)
	}
}

func TestUnrelatedAndOldArticlesRaiseNothing(t *testing.T) {
	h := newHarness(t, nil)
	h.article("24.kg", otherTitle, otherBody, T0, "digest", 2.5)
	// An alert-level match published a week ago (a backfill) joins a
	// story but raises no alert.
	h.article("kabar.kg", eventTitle1, eventBody1, T0.Add(-7*24*time.Hour), "alert", 5)
	h.process()
	if as := h.alerts(); len(as) != 0 {
		t.Fatalf("alerts = %+v", as[0])
	}
	if id, _ := h.st.StoryOf(h.ctx, 1); id == "" {
		t.Fatal("an unmatched article has no story")
	}
}

func TestEscalation(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.Alerting.Escalation.ReachTier = 0 // only the spread counts here
		c.Alerting.Escalation.ScoreRise = 0
	})
	h.article("oshinfo.kg", eventTitle1, eventBody1, T0, "alert", 5)
	h.process()
	h.now = T0.Add(time.Minute)
	h.deliver()
	h.now = T0.Add(time.Hour)
	h.article("jalal.kg", eventTitle2, eventBody2, T0.Add(time.Hour), "", 0)
	h.process()
	h.deliver()
	if k := h.kinds("press-email"); !slices.Equal(k, []string{KindNew}) {
		t.Fatalf("two outlets: email got %v", k)
	}
	// A third outlet within 6 hours: severity rises and everyone hears.
	h.now = T0.Add(2 * time.Hour)
	h.article("24.kg", eventTitle3, eventBody3, T0.Add(2*time.Hour), "", 0)
	h.process()
	h.deliver()
	al := h.alerts()[0]
	if al.Severity != "critical" || !slices.Equal(al.Escalations, []string{"spread"}) {
		t.Fatalf("after three outlets: severity %s, escalations %v", al.Severity, al.Escalations)
	}
	if k := h.kinds("press-email"); !slices.Equal(k, []string{KindNew, KindEscalation}) {
		t.Fatalf("email got %v", k)
	}
	// A fourth outlet is an update, not another escalation.
	h.now = T0.Add(3 * time.Hour)
	h.article("kabar.kg", eventTitle4, eventBody4, T0.Add(3*time.Hour), "", 0)
	h.process()
	h.deliver()
	if k := h.kinds("press-email"); len(k) != 2 {
		t.Fatalf("email got %v after a fourth outlet", k)
	}
	if k := h.kinds("press-slack"); !slices.Equal(k, []string{KindNew, KindUpdate, KindEscalation, KindUpdate}) {
		t.Fatalf("slack got %v", k)
	}
}

func TestEscalationByReachAndScore(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Alerting.Escalation.Outlets = 0 })
	h.article("oshinfo.kg", eventTitle1, eventBody1, T0, "alert", 4)
	h.process()
	h.now = T0.Add(time.Hour)
	h.article("kaktus.media", eventTitle2, eventBody2, T0.Add(time.Hour), "", 0)
	h.process()
	al := h.alerts()[0]
	if al.Severity != "critical" || !slices.Equal(al.Escalations, []string{"reach"}) {
		t.Fatalf("a national outlet: severity %s, escalations %v", al.Severity, al.Escalations)
	}
	h.now = T0.Add(2 * time.Hour)
	h.article("24.kg", eventTitle3, eventBody3, T0.Add(2*time.Hour), "critical", 9)
	h.process()
	al = h.alerts()[0]
	if !slices.Equal(al.Escalations, []string{"reach", "score"}) || al.Score != 9 {
		t.Fatalf("a rising score: escalations %v, score %g", al.Escalations, al.Score)
	}
}

func TestRoutingBySeverityCategoryAndQuietHours(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.Alerting.Receivers = append(c.Alerting.Receivers,
			config.Receiver{Name: "night-duty", Telegram: &config.TelegramReceiver{Token: "t", ChatID: "-100"}})
		c.Alerting.Routes = []config.Route{
			{Receivers: []string{"press-slack"}, MinSeverity: "medium"},
			{Receivers: []string{"press-email"}, MinSeverity: "medium", Categories: []string{"outbreak"}},
			{Receivers: []string{"night-duty"}, MinSeverity: "high", QuietHours: &config.QuietHours{From: "22:00", To: "07:00"}},
		}
	})
	night := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	h.now = night
	h.article("24.kg", eventTitle1, eventBody1, night, "alert", 5)
	h.process()
	h.now = night.Add(time.Minute)
	h.deliver()
	if k := h.kinds("press-slack"); len(k) != 1 {
		t.Fatalf("slack got %v", k)
	}
	if k := h.kinds("press-email"); len(k) != 0 {
		t.Fatalf("email (outbreaks only) got %v for a medical error", k)
	}
	if k := h.kinds("night-duty"); len(k) != 0 {
		t.Fatalf("telegram got %v in its quiet hours", k)
	}
	// A critical alert goes through quiet hours.
	h.article("kabar.kg", otherTitle, otherBody, night, "critical", 10)
	h.process()
	h.now = night.Add(2 * time.Minute)
	h.deliver()
	if k := h.kinds("night-duty"); len(k) != 1 || h.messages("night-duty")[0].Alert.Severity != "critical" {
		t.Fatalf("telegram got %v for a critical alert at night", k)
	}
	// The held alert goes out when the quiet hours end.
	h.now = time.Date(2026, 12, 1, 7, 0, 1, 0, time.UTC)
	h.deliver()
	if k := h.kinds("night-duty"); len(k) != 2 {
		t.Fatalf("telegram got %v after the quiet hours", k)
	}
}

func TestReceiverDownThenBack(t *testing.T) {
	h := newHarness(t, nil)
	h.down["press-slack"] = true
	for i := 0; i < 5; i++ {
		// Distinct events: each its own story and alert.
		h.now = T0.Add(time.Duration(i) * time.Second)
		h.article("kabar.kg", pseudoTitle(i), pseudoTitle(i+100), h.now, "alert", 5)
		h.process()
	}
	// Ten minutes down, the engine polling every 5 seconds.
	for s := 0; s <= 600; s += 5 {
		h.now = T0.Add(time.Duration(s) * time.Second)
		h.deliver()
	}
	if k := h.kinds("press-slack"); len(k) != 0 {
		t.Fatalf("slack got %v while down", k)
	}
	pending, _ := h.st.Outbox(h.ctx, store.OutboxFilter{States: []string{store.OutboxPending}})
	var tried bool
	for _, o := range pending {
		if o.Receiver == "press-slack" && o.Attempts > 0 && o.LastError != "" {
			tried = true
		}
	}
	if !tried {
		t.Fatal("no failed attempt was recorded with its error")
	}
	h.mu.Lock()
	h.down["press-slack"] = false
	h.mu.Unlock()
	back := h.now
	for s := 5; s <= 120; s += 5 {
		h.now = back.Add(time.Duration(s) * time.Second)
		h.deliver()
	}
	ms := h.messages("press-slack")
	seen := map[string]int{}
	for _, m := range ms {
		seen[m.Alert.ID]++
	}
	if len(seen) != 5 {
		t.Fatalf("slack got %d alerts after coming back, want 5: %v", len(seen), seen)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("alert %s arrived %d times", id, n)
		}
	}
	if k := h.kinds("press-email"); len(k) != 5 {
		t.Fatalf("email (up all along) got %d, want 5", len(k))
	}
	if h.outcomes["press-slack/delivered"] != 5 || h.outcomes["press-slack/retry"] == 0 || h.outcomes["press-email/delivered"] != 5 {
		t.Fatalf("delivery outcomes %v", h.outcomes)
	}
}

func TestThrottleSummarisesBurst(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.Alerting.Receivers[0].MaxPerHour = 10
		c.Alerting.Routes = []config.Route{{Receivers: []string{"press-slack"}, MinSeverity: "low"}}
		c.Alerting.GroupWait = 0
	})
	const burst = 1000
	arts := make([]*store.Article, burst)
	for i := range arts {
		arts[i] = &store.Article{URL: fmt.Sprintf("https://24.kg/n/%d", i), SourceID: "24kg", Outlet: "24.kg", Lang: "ru",
			Title: pseudoTitle(i), Body: pseudoTitle(i + burst),
			Published: T0, Fetched: T0, ContentHash: fmt.Sprintf("b%d", i)}
	}
	res, err := h.st.SaveArticles(h.ctx, arts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if err := h.st.ReplaceMatches(h.ctx, r.ID, []store.Match{{RuleID: "r", Category: "outbreak", Severity: "high", Score: 5, Decision: "alert", Evidence: "[]", Scored: T0}}); err != nil {
			t.Fatal(err)
		}
	}
	h.process()
	if n := len(h.alerts()); n != burst {
		t.Fatalf("alerts = %d, want %d (distinct events)", n, burst)
	}
	for s := 0; s < 20; s++ {
		h.now = T0.Add(time.Duration(s) * time.Second)
		h.deliver()
	}
	if k := h.kinds("press-slack"); len(k) != 10 {
		t.Fatalf("slack got %d messages within the hour, want 10", len(k))
	}
	h.now = T0.Truncate(time.Hour).Add(time.Hour + time.Second)
	h.deliver()
	ms := h.messages("press-slack")
	if len(ms) != 11 || ms[10].Kind != KindSummary {
		t.Fatalf("slack got %d messages after the hour, the last %s", len(ms), ms[len(ms)-1].Kind)
	}
	seen := map[string]bool{}
	for _, m := range ms[:10] {
		seen[m.Alert.ID] = true
	}
	for _, a := range ms[10].Summary {
		if seen[a.ID] {
			t.Fatalf("alert %s both sent and summarised", a.ID)
		}
		seen[a.ID] = true
	}
	if len(seen) != burst {
		t.Fatalf("%d of %d alerts reached slack one way or another", len(seen), burst)
	}
}

func TestRestartRepeatsNothing(t *testing.T) {
	h := newHarness(t, nil)
	h.article("24.kg", eventTitle1, eventBody1, T0, "alert", 5)
	h.process()
	h.now = T0.Add(time.Minute)
	h.deliver()

	// A new process: it regroups the recent articles and goes on from its
	// mark; the next article of the story joins the same alert.
	h.e = h.engine()
	h.process()
	h.deliver()
	if n := len(h.messages("press-email")); n != 1 {
		t.Fatalf("after a restart email has %d messages", n)
	}
	h.now = T0.Add(time.Hour)
	h.article("kabar.kg", eventTitle2, eventBody2, T0.Add(time.Hour), "", 0)
	h.process()
	h.deliver()
	as := h.alerts()
	if len(as) != 1 || len(as[0].Articles) != 2 {
		t.Fatalf("after a restart: %d alerts, first with %d articles", len(as), len(as[0].Articles))
	}
	if k := h.kinds("press-slack"); !slices.Equal(k, []string{KindNew, KindUpdate}) {
		t.Fatalf("slack got %v", k)
	}
}

func TestConcurrentAcknowledgementIsNotOverwritten(t *testing.T) {
	h := newHarness(t, nil)
	h.article("24.kg", eventTitle1, eventBody1, T0, "alert", 5)
	h.process()
	al := h.alerts()[0]
	// Another process (kuzot alerts ack) acknowledges while this engine
	// takes in the story's next article.
	other := h.engine()
	h.now = T0.Add(time.Minute)
	if err := other.Acknowledge(h.ctx, al.ID, "bakyt", ""); err != nil {
		t.Fatal(err)
	}
	h.article("kabar.kg", eventTitle2, eventBody2, T0.Add(time.Minute), "", 0)
	h.process()
	got, _ := h.st.Alert(h.ctx, al.ID)
	if got.Status != store.StatusAcknowledged || len(got.Articles) != 2 {
		t.Fatalf("status %s with %d articles; the acknowledgement was lost or the article", got.Status, len(got.Articles))
	}
	if err := h.e.Acknowledge(h.ctx, "a999", "x", ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown alert: %v", err)
	}
}

type fakeCounter map[string]int // "query|hour" → count

func (f fakeCounter) Mentions(_ context.Context, q string, from, _ time.Time, sample int) (int, []store.AlertArticle, error) {
	n := f[q+"|"+from.UTC().Format("2006-01-02T15")]
	var s []store.AlertArticle
	for i := 0; i < min(n, sample); i++ {
		s = append(s, store.AlertArticle{ID: int64(i + 1), Outlet: "24.kg", Title: fmt.Sprintf("Минздрав: новость %d", i), URL: "https://24.kg/x", Published: from})
	}
	return n, s, nil
}

func TestSpikes(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.Scoring.Watch = []config.Watch{{ID: "ministry", Query: "Минздрав"}, {ID: "fund", Query: "ФОМС"}}
		c.Alerting.Spikes = config.Spikes{Enabled: true, Factor: 3, MinMentions: 5, BaselineDays: 14, Severity: "medium"}
	})
	hour := T0.Truncate(time.Hour)
	c := fakeCounter{}
	for d := 1; d <= 14; d++ {
		c["Минздрав|"+hour.AddDate(0, 0, -d).Format("2006-01-02T15")] = 4 // a busy entity: 4 an hour
		c["ФОМС|"+hour.AddDate(0, 0, -d).Format("2006-01-02T15")] = d % 2 // a quiet one
	}
	c["Минздрав|"+hour.Format("2006-01-02T15")] = 11 // under 3 × 4
	c["ФОМС|"+hour.Format("2006-01-02T15")] = 6      // over 3 × max(0.5, 1), and ≥ 5
	h.e = NewEngine(h.cfg, h.st, nil, WithNow(func() time.Time { return h.now }), WithCounter(c))
	for i := 0; i < 2; i++ { // twice: still one alert
		if err := h.e.CheckSpikes(h.ctx, hour.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	as := h.alerts()
	if len(as) != 1 || as[0].Kind != "spike" || !slices.Equal(as[0].Rules, []string{"spike:fund"}) || len(as[0].Evidence) != 5 {
		t.Fatalf("spike alerts = %+v", as)
	}
	if !spiking(5, 0, 3, 5) || spiking(4, 0, 3, 5) || spiking(12, 4, 3, 5) || !spiking(13, 4, 3, 5) {
		t.Fatal("spiking thresholds")
	}
	items, _ := h.st.Outbox(h.ctx, store.OutboxFilter{AlertID: as[0].ID})
	if len(items) != 2 {
		t.Fatalf("spike outbox items = %d, want 2 (slack and email route medium)", len(items))
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, time.Minute, time.Minute}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
}

func TestPermanentFailureIsKeptWithItsError(t *testing.T) {
	h := newHarness(t, nil)
	h.e = NewEngine(h.cfg, h.st, map[string]Notifier{
		"press-slack": NotifierFunc(func(context.Context, *Message) (string, bool, error) {
			return "", false, errors.New("slack press-slack: channel_not_found: invite the bot to #press")
		}),
	}, WithNow(func() time.Time { return h.now }))
	h.article("24.kg", eventTitle1, eventBody1, T0, "alert", 5)
	h.process()
	h.now = T0.Add(time.Minute)
	h.deliver()
	failed, _ := h.st.Outbox(h.ctx, store.OutboxFilter{States: []string{store.OutboxFailed}})
	if len(failed) != 2 {
		t.Fatalf("failed items = %d, want 2 (slack refused, email has no notifier)", len(failed))
	}
	for _, o := range failed {
		if o.LastError == "" {
			t.Errorf("%s failed without its error", o.Receiver)
		}
	}
}

// pseudoTitle makes the i-th of many titles that share no word, so that
// each is an event of its own.
func pseudoTitle(i int) string {
	syl := []string{"ка", "ло", "ми", "ре", "су", "та", "ны", "бо", "жа", "зе"}
	word := func(n int) string {
		w := ""
		for k := 0; k < 4; k++ {
			w += syl[n%10]
			n /= 10
		}
		return w
	}
	return fmt.Sprintf("%s %s %s", word(i*3), word(i*3+1), word(i*3+2))
}
