package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"kuzot/alerting"
	"kuzot/config"
	"kuzot/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var bishkek = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Bishkek")
	if err != nil {
		// Bishkek has kept UTC+6 without daylight saving since 2005.
		return time.FixedZone("Asia/Bishkek", 6*3600)
	}
	return loc
}()

// marks returns the byte ranges of words in text, as rules.Evidence does.
func marks(t *testing.T, text string, words ...string) []store.Mark {
	t.Helper()
	var out []store.Mark
	from := 0
	for _, w := range words {
		i := strings.Index(text[from:], w)
		if i < 0 {
			t.Fatalf("fixture: %q not in %q", w, text)
		}
		out = append(out, store.Mark{Start: from + i, End: from + i + len(w)})
		from += i + len(w)
	}
	return out
}

// fixture is an invented story: no real article or outlet page.
func fixture(t *testing.T) *store.Alert {
	ev1 := "…родные утверждают, что причиной стала врачебная ошибка и халатность дежурной бригады роддома…"
	ev2 := "Минздрав <проверяет> роддом & обещает дать оценку"
	pub := time.Date(2026, 3, 14, 5, 12, 0, 0, time.UTC)
	return &store.Alert{
		ID: "al-7f3c2", StoryID: "st-19", Kind: "rule", Status: store.StatusOpen,
		Severity: "high", FirstSeverity: "high", Categories: []string{"medical_error", "public_case"},
		Rules: []string{"medical-error"}, Score: 7.5, FirstScore: 7.5,
		Title:          "В роддоме <Оша> умерла роженица: родные говорят о врачебной ошибке & халатности",
		URL:            "https://kaktus.example/doc/100001.html?utm=1&ref=rss",
		FirstPublished: pub,
		Articles: []store.AlertArticle{
			{ID: 1, URL: "https://kaktus.example/doc/100001.html?utm=1&ref=rss", Outlet: "kaktus.media", Title: "В роддоме <Оша> умерла роженица: родные говорят о врачебной ошибке & халатности", Published: pub, Lang: "ru"},
			{ID: 2, URL: "https://24.example/ru/news/200002/", Outlet: "24.kg", Title: "Смерть роженицы в Оше: Минздрав создал комиссию", Published: pub.Add(40 * time.Minute), Lang: "ru"},
		},
		Evidence: []store.Evidence{
			{Rule: "medical-error", Field: "body", Text: ev1, Marks: marks(t, ev1, "врачебная ошибка", "халатность", "роддома")},
			{Rule: "medical-error", Field: "body", Text: ev2, Marks: marks(t, ev2, "роддом")},
		},
	}
}

func message(t *testing.T, kind string) *alerting.Message {
	return &alerting.Message{
		Kind: kind, Key: "al-7f3c2/1/press", Lang: "ru", Alert: fixture(t),
		URL: "https://kuzot.example/alerts/al-7f3c2", Location: bishkek,
	}
}

// fakeSlack is slacktest's server with chat.postMessage recorded.
type fakeSlack struct {
	srv *slacktest.Server

	mu      sync.Mutex
	posts   []url.Values
	respond func(w http.ResponseWriter) // nil answers ok
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseForm(); err != nil {
				t.Errorf("fake slack: %v", err)
			}
			f.mu.Lock()
			f.posts = append(f.posts, r.PostForm)
			respond := f.respond
			n := len(f.posts)
			f.mu.Unlock()
			if respond != nil {
				respond(w)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":true,"channel":"C0PRESS","ts":"1773465120.00010%d"}`, n)
		})
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *fakeSlack) last(t *testing.T) url.Values {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.posts) == 0 {
		t.Fatal("nothing posted")
	}
	return f.posts[len(f.posts)-1]
}

func newNotifier(t *testing.T, f *fakeSlack, interactive bool) *Notifier {
	t.Helper()
	n, err := New("press-slack", &config.SlackReceiver{Token: "xoxb-test", Channel: "#press", APIURL: f.srv.GetAPIURL()},
		Options{Interactive: interactive})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// blocks decodes the posted blocks.
func blocks(t *testing.T, raw string) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("blocks %q: %v", raw, err)
	}
	return out
}

func blockTypes(bs []map[string]any) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b["type"].(string))
	}
	return out
}

func TestNewAlert(t *testing.T) {
	for _, interactive := range []bool{false, true} {
		t.Run(fmt.Sprintf("interactive=%v", interactive), func(t *testing.T) {
			f := newFakeSlack(t)
			n := newNotifier(t, f, interactive)
			ref, retry, err := n.Notify(context.Background(), message(t, alerting.KindNew))
			if err != nil || retry {
				t.Fatalf("Notify: %v (retry %v)", err, retry)
			}
			if ref != "1773465120.000101" {
				t.Errorf("ref = %q, want the posted message's ts", ref)
			}
			p := f.last(t)
			if p.Get("channel") != "#press" || p.Get("thread_ts") != "" || p.Get("reply_broadcast") != "" {
				t.Errorf("channel %q thread_ts %q reply_broadcast %q: want a top-level message in #press",
					p.Get("channel"), p.Get("thread_ts"), p.Get("reply_broadcast"))
			}
			raw := p.Get("blocks")
			for _, want := range []string{
				`🟠 Новый кризис · Уровень: высокий`,
				// The title linked, with & < > escaped in both parts.
				`*\u003chttps://kaktus.example/doc/100001.html?utm=1\u0026amp;ref=rss|В роддоме \u0026lt;Оша\u0026gt; умерла роженица: родные говорят о врачебной ошибке \u0026amp; халатности\u003e*`,
				`*Издания*\nkaktus.media, 24.kg`,
				`*Правило*\nmedical-error`,
				`*Категории*\nВрачебная ошибка, Резонансный случай`,
				`*Первая публикация*\n14.03.2026 11:12`,
				// The matched words in bold, whole words (роддома, not роддом).
				`причиной стала *врачебная ошибка* и *халатность* дежурной бригады *роддома*`,
				`Минздрав \u0026lt;проверяет\u0026gt; *роддом* \u0026amp; обещает`,
				`• 24.kg · 14.03.2026 11:52: \u003chttps://24.example/ru/news/200002/|Смерть роженицы в Оше: Минздрав создал комиссию\u003e`,
				`\u003chttps://kuzot.example/alerts/al-7f3c2|Открыть в Kuzot\u003e`,
			} {
				if !strings.Contains(raw, want) {
					t.Errorf("blocks lack %s\n%s", want, raw)
				}
			}
			if text := p.Get("text"); !strings.Contains(text, "Новый кризис (высокий): В роддоме &lt;Оша&gt;") || !strings.Contains(text, "kaktus.media, 24.kg") {
				t.Errorf("fallback text = %q", text)
			}
			bs := blocks(t, raw)
			hasActions := strings.Contains(strings.Join(blockTypes(bs), " "), "actions")
			if hasActions != interactive {
				t.Fatalf("actions block present = %v with Interactive %v: %v", hasActions, interactive, blockTypes(bs))
			}
			if interactive {
				for _, want := range []string{`"action_id":"kuzot_ack","value":"al-7f3c2"`, `"action_id":"kuzot_resolve","value":"al-7f3c2"`, `"confirm":{`, `"block_id":"kuzot_actions:ru"`} {
					if !strings.Contains(raw, want) {
						t.Errorf("buttons lack %s", want)
					}
				}
			}
		})
	}
}

func TestButtonsFollowStatus(t *testing.T) {
	f := newFakeSlack(t)
	n := newNotifier(t, f, true)
	for _, tc := range []struct {
		status       string
		ack, resolve bool
	}{
		{store.StatusOpen, true, true},
		{store.StatusAcknowledged, false, true},
		{store.StatusResolved, false, false},
	} {
		m := message(t, alerting.KindEscalation)
		m.Alert.Status = tc.status
		if _, _, err := n.Notify(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		raw := f.last(t).Get("blocks")
		if got := strings.Contains(raw, `"kuzot_ack"`); got != tc.ack {
			t.Errorf("%s: Acknowledge shown = %v", tc.status, got)
		}
		if got := strings.Contains(raw, `"kuzot_resolve"`); got != tc.resolve {
			t.Errorf("%s: Resolve shown = %v", tc.status, got)
		}
	}
}

func TestThreads(t *testing.T) {
	ev := &store.AlertEvent{AlertID: "al-7f3c2", At: time.Date(2026, 3, 14, 6, 3, 0, 0, time.UTC), Kind: store.StatusAcknowledged,
		Actor: "slack:aigul", Comment: "Готовим заявление <к 14:00>"}
	tests := []struct {
		name          string
		kind          string
		thread        string
		event         *store.AlertEvent
		wantThread    string
		wantBroadcast string
		want          []string
	}{
		{name: "update in the thread", kind: alerting.KindUpdate, thread: "1773465120.000100", wantThread: "1773465120.000100",
			want: []string{`+ 24.kg: \u003chttps://24.example/ru/news/200002/|Смерть роженицы в Оше: Минздрав создал комиссию\u003e`}},
		{name: "update without a thread names its alert", kind: alerting.KindUpdate,
			want: []string{`*Новая публикация* · \u003chttps://kaktus.example/doc/100001.html`, `+ 24.kg:`}},
		{name: "escalation broadcast from the thread", kind: alerting.KindEscalation, thread: "1773465120.000100",
			wantThread: "1773465120.000100", wantBroadcast: "true", want: []string{`🟠 Эскалация · Уровень: высокий`, `*Найдено*`}},
		{name: "escalation without a thread is top-level", kind: alerting.KindEscalation, want: []string{`Эскалация`}},
		{name: "escalation says why", kind: alerting.KindEscalation, thread: "1773465120.000100", wantThread: "1773465120.000100",
			wantBroadcast: "true", want: []string{`*Причина*\nсюжет подхватили несколько изданий за несколько часов`}},
		{name: "reopen is top-level", kind: alerting.KindReopen, thread: "1773465120.000100", want: []string{`Снова в новостях`}},
		{name: "acknowledged", kind: alerting.KindStatus, thread: "1773465120.000100", event: ev, wantThread: "1773465120.000100",
			want: []string{`✔ Принято: slack:aigul, 14.03.2026 12:03\n\u003e Готовим заявление \u0026lt;к 14:00\u0026gt;`}},
		{name: "resolved", kind: alerting.KindStatus, thread: "1773465120.000100",
			event:      &store.AlertEvent{At: ev.At, Kind: store.StatusResolved, Actor: "web:nurlan"},
			wantThread: "1773465120.000100", want: []string{`✔ Закрыто: web:nurlan, 14.03.2026 12:03`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeSlack(t)
			n := newNotifier(t, f, true)
			m := message(t, tc.kind)
			m.Thread, m.Event = tc.thread, tc.event
			if tc.name == "escalation says why" {
				m.Alert.Escalations = []string{"spread"}
			}
			if tc.kind == alerting.KindUpdate {
				m.New = m.Alert.Articles[1:]
			}
			ref, _, err := n.Notify(context.Background(), m)
			if err != nil {
				t.Fatal(err)
			}
			if ref == "" {
				t.Error("no ref")
			}
			p := f.last(t)
			if p.Get("thread_ts") != tc.wantThread || p.Get("reply_broadcast") != tc.wantBroadcast {
				t.Errorf("thread_ts %q reply_broadcast %q, want %q %q", p.Get("thread_ts"), p.Get("reply_broadcast"), tc.wantThread, tc.wantBroadcast)
			}
			for _, w := range tc.want {
				if !strings.Contains(p.Get("blocks"), w) {
					t.Errorf("blocks lack %s\n%s", w, p.Get("blocks"))
				}
			}
			if tc.kind == alerting.KindUpdate || tc.kind == alerting.KindStatus {
				if strings.Contains(p.Get("blocks"), "kuzot_ack") {
					t.Error("a thread reply carries the buttons again")
				}
			}
		})
	}
}

func TestLimits(t *testing.T) {
	f := newFakeSlack(t)
	n := newNotifier(t, f, true)

	t.Run("long evidence stays under 3000 characters", func(t *testing.T) {
		m := message(t, alerting.KindNew)
		long := strings.Repeat("Пациентка ждала помощи в приёмном покое несколько часов, ", 40) + "врачебная ошибка"
		for range 12 {
			m.Alert.Evidence = append(m.Alert.Evidence, store.Evidence{Text: long, Marks: marks(t, long, "врачебная ошибка")})
		}
		if _, _, err := n.Notify(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		var sawMore bool
		for _, b := range blocks(t, f.last(t).Get("blocks")) {
			if text, ok := b["text"].(map[string]any); ok {
				s := text["text"].(string)
				if c := len([]rune(s)); c > maxSectionText {
					t.Errorf("%s block has %d characters", b["type"], c)
				}
				sawMore = sawMore || strings.Contains(s, "…и ещё ")
			}
		}
		if !sawMore {
			t.Error("the cut evidence does not say how many passages were left out")
		}
	})

	t.Run("summary within 50 blocks", func(t *testing.T) {
		m := &alerting.Message{Kind: alerting.KindSummary, Lang: "ru", URL: "https://kuzot.example/alerts", Location: bishkek}
		for i := range 60 {
			a := fixture(t)
			a.ID, a.Title = fmt.Sprintf("al-%d", i), fmt.Sprintf("История номер %d", i)
			m.Summary = append(m.Summary, a)
		}
		if _, _, err := n.Notify(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		raw := f.last(t).Get("blocks")
		bs := blocks(t, raw)
		if len(bs) > maxBlocks {
			t.Errorf("%d blocks", len(bs))
		}
		shown := strings.Count(raw, "История номер")
		if want := fmt.Sprintf("…и ещё %d", 60-shown); !strings.Contains(raw, want) {
			t.Errorf("%d alerts shown and no %q", shown, want)
		}
		for _, w := range []string{"📋 Сводка оповещений: 60 оповещений", "🟠 *\\u003chttps://kaktus.example/doc/100001.html", "kaktus.media, 24.kg · Врачебная ошибка, Резонансный случай · 14.03.2026 11:12"} {
			if !strings.Contains(raw, w) {
				t.Errorf("summary lacks %s", w)
			}
		}
	})
}

func TestErrors(t *testing.T) {
	apiError := func(code string) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, code)
		}
	}
	status := func(code int, header ...string) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			for i := 0; i+1 < len(header); i += 2 {
				w.Header().Set(header[i], header[i+1])
			}
			w.WriteHeader(code)
		}
	}
	tests := []struct {
		respond func(w http.ResponseWriter)
		retry   bool
		want    string
	}{
		{status(http.StatusTooManyRequests, "Retry-After", "30"), true, "retry after 30s"},
		{apiError("ratelimited"), true, "ratelimited"},
		{status(http.StatusInternalServerError), true, "500"},
		{status(http.StatusBadGateway), true, "502"},
		{func(w http.ResponseWriter) { io.WriteString(w, "<html>proxy error</html>") }, true, "press-slack"},
		{apiError("invalid_auth"), false, "set alerting.receivers[].slack.token"},
		{apiError("not_authed"), false, "set alerting.receivers[].slack.token"},
		{apiError("account_inactive"), false, "reinstall the Slack app"},
		{apiError("channel_not_found"), false, "slack press-slack: channel_not_found: invite the bot to #press or fix alerting.receivers[].slack.channel"},
		{apiError("not_in_channel"), false, "not_in_channel: invite the bot to #press"},
		{apiError("invalid_blocks"), false, "refused the message"},
	}
	for _, tc := range tests {
		f := newFakeSlack(t)
		f.respond = tc.respond
		n := newNotifier(t, f, false)
		_, retry, err := n.Notify(context.Background(), message(t, alerting.KindNew))
		if err == nil {
			t.Fatalf("%s: no error", tc.want)
		}
		if retry != tc.retry || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("retry %v, %v; want retry %v and %q", retry, err, tc.retry, tc.want)
		}
	}

	t.Run("network", func(t *testing.T) {
		f := newFakeSlack(t)
		n := newNotifier(t, f, false)
		f.srv.Stop()
		_, retry, err := n.Notify(context.Background(), message(t, alerting.KindNew))
		if err == nil || !retry {
			t.Errorf("Slack down: retry %v, %v; want a retried error", retry, err)
		}
	})
}

func TestIncomingWebhook(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	code := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		mu.Lock()
		got = append(got, body)
		c := code
		mu.Unlock()
		if c != http.StatusOK {
			http.Error(w, "no_service", c)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	hook := srv.URL + "/services/T0000/B0000/s3cr3tpart"
	n, err := New("press-hook", &config.SlackReceiver{WebhookURL: hook}, Options{})
	if err != nil {
		t.Fatal(err)
	}

	ref, _, err := n.Notify(context.Background(), message(t, alerting.KindNew))
	if err != nil || ref != "" {
		t.Fatalf("new: ref %q, %v; want no ref and no error", ref, err)
	}
	m := message(t, alerting.KindUpdate)
	m.Thread, m.New = "1773465120.000100", m.Alert.Articles[1:]
	if _, _, err := n.Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	first, second := got[0], got[1]
	mu.Unlock()
	raw, _ := json.Marshal(first["blocks"])
	if !strings.Contains(string(raw), "Новый кризис") || !strings.Contains(string(raw), "*врачебная ошибка*") {
		t.Errorf("webhook blocks: %s", raw)
	}
	if _, ok := first["thread_ts"]; ok {
		t.Error("thread_ts sent to an incoming webhook")
	}
	raw, _ = json.Marshal(second["blocks"])
	if _, ok := second["thread_ts"]; ok || !strings.Contains(string(raw), `*Новая публикация* · \u003chttps://kaktus.example/doc/100001.html`) {
		t.Errorf("an update through a webhook must name its alert and have no thread: %v %s", second["thread_ts"], raw)
	}

	for _, tc := range []struct {
		code  int
		retry bool
		want  string
	}{
		{http.StatusNotFound, false, "create a new incoming webhook"},
		{http.StatusForbidden, false, "create a new incoming webhook"},
		{http.StatusInternalServerError, true, "500"},
	} {
		mu.Lock()
		code = tc.code
		mu.Unlock()
		_, retry, err := n.Notify(context.Background(), message(t, alerting.KindNew))
		if err == nil || retry != tc.retry || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d: retry %v, %v; want retry %v and %q", tc.code, retry, err, tc.retry, tc.want)
		}
	}

	srv.Close()
	_, retry, err := n.Notify(context.Background(), message(t, alerting.KindNew))
	if err == nil || !retry {
		t.Fatalf("webhook down: retry %v, %v", retry, err)
	}
	if strings.Contains(err.Error(), "s3cr3tpart") {
		t.Errorf("the webhook's secret URL is in the error: %v", err)
	}
}

func TestTemplateOverride(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slack.tmpl"), []byte(`{{define "slack.header"}}ВНИМАНИЕ: {{.L .Alert.Severity}}{{end}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFakeSlack(t)
	n, err := New("press-slack", &config.SlackReceiver{Token: "xoxb-test", Channel: "#press", APIURL: f.srv.GetAPIURL()}, Options{TemplatesDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := n.Notify(context.Background(), message(t, alerting.KindNew)); err != nil {
		t.Fatal(err)
	}
	raw := f.last(t).Get("blocks")
	if !strings.Contains(raw, `"text":"ВНИМАНИЕ: высокий"`) || !strings.Contains(raw, "*Найдено*") {
		t.Errorf("override not used, or it lost the other templates: %s", raw)
	}

	if err := os.WriteFile(filepath.Join(dir, "slack.tmpl"), []byte(`{{define "slack.header"}}{{.Nope}{{end}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New("press-slack", &config.SlackReceiver{Token: "xoxb-test", Channel: "#press"}, Options{TemplatesDir: dir}); err == nil {
		t.Error("a broken override was accepted")
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []*config.SlackReceiver{nil, {}, {Token: "xoxb-1"}, {WebhookURL: "hooks.slack.com/services/x"}} {
		if _, err := New("r", cfg, Options{}); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

// TestGolden keeps the Block Kit of a new alert, in Russian and Kyrgyz, in
// testdata for review: go test ./alerting/slack -run Golden -update.
func TestGolden(t *testing.T) {
	for _, lang := range []string{"ru", "ky"} {
		t.Run(lang, func(t *testing.T) {
			f := newFakeSlack(t)
			n := newNotifier(t, f, true)
			m := message(t, alerting.KindNew)
			m.Lang = lang
			if _, _, err := n.Notify(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := json.Indent(&out, []byte(f.last(t).Get("blocks")), "", "  "); err != nil {
				t.Fatal(err)
			}
			// Slack's JSON escapes < > & as \u003c…; the golden file is for
			// people to read, so show them as they are.
			readable := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(out.String()) + "\n"
			out.Reset()
			out.WriteString(readable)
			path := filepath.Join("testdata", "new."+lang+".golden.json")
			if *update {
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("blocks differ from %s (run with -update and review the diff):\n%s", path, out.Bytes())
			}
		})
	}
}

func TestUpdateWithoutNewArticles(t *testing.T) {
	f := newFakeSlack(t)
	n := newNotifier(t, f, false)
	m := message(t, alerting.KindUpdate)
	m.Thread = "1773465120.000100"
	if _, _, err := n.Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if raw := f.last(t).Get("blocks"); !strings.Contains(raw, `+ 24.kg: \u003chttps://24.example/ru/news/200002/|`) {
		t.Errorf("an update with no new articles should name the latest one: %s", raw)
	}
}
