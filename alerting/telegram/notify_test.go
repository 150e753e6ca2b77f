package telegram

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kuzot/alerting"
	"kuzot/config"
	"kuzot/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const token = "7712345678:AAH-invented-token-for-tests"

var bishkek = time.FixedZone("Asia/Bishkek", 6*3600)

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
	ev := "…в больнице <Нарына> пациентам неделями не выдают инсулин & другие лекарства…"
	pub := time.Date(2026, 2, 3, 8, 30, 0, 0, time.UTC)
	return &store.Alert{
		ID: "al-90b1", StoryID: "st-4", Kind: "rule", Status: store.StatusOpen, Severity: "critical",
		Categories: []string{"drug_shortage"}, Rules: []string{"drug-shortage", "insulin"},
		Title: "В Нарыне <нет> инсулина & шприцев", URL: "https://akipress.example/news:300003/?from=rss&x=1",
		FirstPublished: pub,
		Articles: []store.AlertArticle{
			{ID: 1, URL: "https://akipress.example/news:300003/?from=rss&x=1", Outlet: "akipress.org", Title: "В Нарыне <нет> инсулина & шприцев", Published: pub, Lang: "ru"},
			{ID: 2, URL: "https://kabar.example/ky/400004", Outlet: "kabar.kg", Title: "Нарында инсулин жетишпей жатат", Published: pub.Add(time.Hour), Lang: "ky"},
		},
		Evidence: []store.Evidence{{Rule: "drug-shortage", Field: "body", Text: ev, Marks: marks(t, ev, "не выдают инсулин", "лекарства")}},
	}
}

func message(t *testing.T, kind string) *alerting.Message {
	return &alerting.Message{Kind: kind, Key: "al-90b1/1/tg", Lang: "ru", Alert: fixture(t),
		URL: "https://kuzot.example/alerts/al-90b1", Location: bishkek}
}

// fakeBot is a Bot API that records sendMessage requests.
type fakeBot struct {
	srv *httptest.Server

	mu       sync.Mutex
	paths    []string
	requests []map[string]any
	status   int
	answer   string // a JSON answer; empty answers ok
}

func newFakeBot(t *testing.T) *fakeBot {
	f := &fakeBot{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("fake bot: %v", err)
		}
		f.mu.Lock()
		f.paths = append(f.paths, r.URL.Path)
		f.requests = append(f.requests, req)
		status, answer, n := f.status, f.answer, len(f.requests)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if status != 0 {
			w.WriteHeader(status)
		}
		if answer == "" {
			answer = fmt.Sprintf(`{"ok":true,"result":{"message_id":%d,"chat":{"id":-1001234567890}}}`, 40+n)
		}
		io.WriteString(w, answer)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeBot) last(t *testing.T) map[string]any {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		t.Fatal("nothing sent")
	}
	return f.requests[len(f.requests)-1]
}

func newNotifier(t *testing.T, f *fakeBot) *Notifier {
	t.Helper()
	n, err := New("press-tg", &config.TelegramReceiver{Token: token, ChatID: "-1001234567890", APIURL: f.srv.URL}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewAlert(t *testing.T) {
	f := newFakeBot(t)
	n := newNotifier(t, f)
	ref, retry, err := n.Notify(context.Background(), message(t, alerting.KindNew))
	if err != nil || retry {
		t.Fatalf("Notify: %v (retry %v)", err, retry)
	}
	if ref != "41" {
		t.Errorf("ref = %q, want the message_id 41", ref)
	}
	if f.paths[0] != "/bot"+token+"/sendMessage" {
		t.Errorf("path %q", f.paths[0])
	}
	req := f.last(t)
	if req["chat_id"] != "-1001234567890" || req["parse_mode"] != "HTML" {
		t.Errorf("chat_id %v parse_mode %v", req["chat_id"], req["parse_mode"])
	}
	if lp, _ := req["link_preview_options"].(map[string]any); lp["is_disabled"] != true {
		t.Errorf("link previews not disabled: %v", req["link_preview_options"])
	}
	if _, ok := req["reply_parameters"]; ok || req["disable_notification"] == true {
		t.Errorf("a new alert must be a loud top-level message: %v", req)
	}
	text := req["text"].(string)
	for _, want := range []string{
		"🔴 <b>Новый кризис · Уровень: критический</b>",
		`<b><a href="https://akipress.example/news:300003/?from=rss&amp;x=1">В Нарыне &lt;нет&gt; инсулина &amp; шприцев</a></b>`,
		"<b>Издания:</b> akipress.org, kabar.kg",
		"<b>Правила:</b> drug-shortage, insulin",
		"<b>Категории:</b> Нехватка лекарств",
		"<b>Первая публикация:</b> 03.02.2026 14:30",
		"<blockquote>…в больнице &lt;Нарына&gt; пациентам неделями <b>не выдают инсулин</b> &amp; другие <b>лекарства</b>…</blockquote>",
		`• kabar.kg · 03.02.2026 15:30: <a href="https://kabar.example/ky/400004">Нарында инсулин жетишпей жатат</a>`,
		`<a href="https://kuzot.example/alerts/al-90b1">Открыть в Kuzot</a> · ID <code>al-90b1</code>`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %s\n%s", want, text)
		}
	}
	golden(t, "new.ru.golden.txt", text)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("text differs from %s (run with -update and review the diff):\n%s", path, got)
	}
}

func TestReplies(t *testing.T) {
	at := time.Date(2026, 2, 3, 9, 5, 0, 0, time.UTC)
	tests := []struct {
		name   string
		kind   string
		thread string
		event  *store.AlertEvent
		reply  any // message_id replied to, nil for none
		quiet  bool
		want   string
	}{
		{"update", alerting.KindUpdate, "41", nil, float64(41), true, `+ kabar.kg: <a href="https://kabar.example/ky/400004">Нарында инсулин жетишпей жатат</a>`},
		{"update without a thread names its alert", alerting.KindUpdate, "", nil, nil, true, `<b>Новая публикация</b> · <a href="https://akipress.example/news:300003/?from=rss&amp;x=1">`},
		{"acknowledged", alerting.KindStatus, "41", &store.AlertEvent{At: at, Kind: store.StatusAcknowledged, Actor: "web:aigul", Comment: "Звоним в <облбольницу>"},
			float64(41), true, "✔ <b>Принято</b>: web:aigul, 03.02.2026 15:05\n<blockquote>Звоним в &lt;облбольницу&gt;</blockquote>"},
		{"resolved", alerting.KindStatus, "41", &store.AlertEvent{At: at, Kind: store.StatusResolved, Actor: "slack:nurlan"}, float64(41), true, "✔ <b>Закрыто</b>: slack:nurlan"},
		{"escalation notifies in the thread", alerting.KindEscalation, "41", nil, float64(41), false, "<b>Эскалация · Уровень: критический</b>"},
		{"reopen notifies in the thread", alerting.KindReopen, "41", nil, float64(41), false, "<b>Снова в новостях"},
		{"new ignores a thread", alerting.KindNew, "41", nil, nil, false, "Новый кризис"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeBot(t)
			n := newNotifier(t, f)
			m := message(t, tc.kind)
			m.Thread, m.Event = tc.thread, tc.event
			if tc.kind == alerting.KindUpdate {
				m.New = m.Alert.Articles[1:]
			}
			if _, _, err := n.Notify(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			req := f.last(t)
			var reply any
			if rp, ok := req["reply_parameters"].(map[string]any); ok {
				reply = rp["message_id"]
				if rp["allow_sending_without_reply"] != true {
					t.Error("allow_sending_without_reply not set")
				}
			}
			if reply != tc.reply {
				t.Errorf("replies to %v, want %v", reply, tc.reply)
			}
			if quiet := req["disable_notification"] == true; quiet != tc.quiet {
				t.Errorf("disable_notification %v, want %v", quiet, tc.quiet)
			}
			if text := req["text"].(string); !strings.Contains(text, tc.want) {
				t.Errorf("text lacks %q:\n%s", tc.want, text)
			}
		})
	}
}

func TestLimit(t *testing.T) {
	f := newFakeBot(t)
	n := newNotifier(t, f)

	m := message(t, alerting.KindNew)
	base := m.Alert.Articles[0]
	for i := range 150 {
		a := base
		a.URL = fmt.Sprintf("https://outlet%d.example/news/%d", i, i)
		a.Outlet = fmt.Sprintf("outlet%d.kg", i)
		a.Title = strings.Repeat("Пациенты жалуются на отсутствие лекарств в аптеках ", 2)
		m.Alert.Articles = append(m.Alert.Articles, a)
	}
	long := strings.Repeat("в стационаре не хватает самого необходимого, ", 30) + "нет инсулина"
	for range 8 {
		m.Alert.Evidence = append(m.Alert.Evidence, store.Evidence{Text: long, Marks: marks(t, long, "нет инсулина")})
	}
	if _, _, err := n.Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	text := f.last(t)["text"].(string)
	if v := visible(text); v > maxText {
		t.Errorf("%d characters", v)
	}
	if !strings.Contains(text, "…и ещё ") {
		t.Error("the cut text does not say how much was left out")
	}
	shown := strings.Count(text, "• ")
	if shown < 3 || !strings.Contains(text, fmt.Sprintf("…и ещё %d", len(m.Alert.Articles)-shown)) {
		t.Errorf("%d articles shown, and the rest not counted:\n%s", shown, text)
	}

	s := &alerting.Message{Kind: alerting.KindSummary, Lang: "ky", Location: bishkek, URL: "https://kuzot.example/alerts"}
	for i := range 200 {
		a := fixture(t)
		a.ID, a.Title = fmt.Sprintf("al-%d", i), fmt.Sprintf("Окуя %d: ооруканада дары жок", i)
		s.Summary = append(s.Summary, a)
	}
	if _, _, err := n.Notify(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	text = f.last(t)["text"].(string)
	shown = strings.Count(text, "ооруканада дары жок")
	if visible(text) > maxText || shown == 0 || !strings.Contains(text, fmt.Sprintf("…дагы %d", 200-shown)) {
		t.Errorf("summary: %d characters, %d alerts shown:\n%s", visible(text), shown, text)
	}
	if !strings.Contains(text, "📋 <b>Эскертүүлөрдүн жыйынтыгы: 200 эскертүү</b>") {
		t.Errorf("summary header:\n%s", text)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		status int
		answer string
		retry  bool
		want   string
	}{
		{429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 17","parameters":{"retry_after":17}}`, true, "retry after 17 s"},
		{500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`, true, "500"},
		{502, `<html>Bad Gateway</html>`, true, "502"},
		{400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, false, "check alerting.receivers[].telegram.chat_id"},
		{401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, false, "@BotFather"},
		{403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`, false, "add the bot to chat -1001234567890"},
		{403, `{"ok":false,"error_code":403,"description":"Forbidden: bot is not a member of the channel chat"}`, false, "as an administrator who may post"},
		{400, `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1009876543210}}`, false, "chat_id to -1009876543210"},
		{400, `{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities"}`, false, "refused the message"},
	}
	for _, tc := range tests {
		f := newFakeBot(t)
		f.status, f.answer = tc.status, tc.answer
		n := newNotifier(t, f)
		_, retry, err := n.Notify(context.Background(), message(t, alerting.KindNew))
		if err == nil {
			t.Fatalf("%d: no error", tc.status)
		}
		if retry != tc.retry || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d %s: retry %v, %v; want retry %v and %q", tc.status, tc.answer, retry, err, tc.retry, tc.want)
		}
		if strings.Contains(err.Error(), token) {
			t.Errorf("the token is in the error: %v", err)
		}
	}
}

func TestNetworkErrorHidesToken(t *testing.T) {
	f := newFakeBot(t)
	n := newNotifier(t, f)
	f.srv.Close()
	_, retry, err := n.Notify(context.Background(), message(t, alerting.KindNew))
	if err == nil || !retry {
		t.Fatalf("bot API down: retry %v, %v; want a retried error", retry, err)
	}
	if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "AAH-invented") {
		t.Errorf("the token is in the error: %v", err)
	}
	if !strings.Contains(err.Error(), "/bot<token>/sendMessage") {
		t.Errorf("error %v does not show where it failed", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, retry, err := n.Notify(ctx, message(t, alerting.KindNew)); err == nil || !retry || strings.Contains(err.Error(), token) {
		t.Errorf("cancelled: retry %v, %v", retry, err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []*config.TelegramReceiver{nil, {}, {Token: token}, {ChatID: "-1"}, {Token: token, ChatID: "-1", APIURL: "ftp://x"}} {
		if _, err := New("r", cfg, Options{}); err == nil {
			t.Errorf("%+v accepted", cfg)
		} else if strings.Contains(err.Error(), token) {
			t.Errorf("the token is in the error: %v", err)
		}
	}
}

func TestTemplateOverride(t *testing.T) {
	dir := t.TempDir()
	body := `{{define "telegram.update"}}Ещё: {{range .New}}{{$.H .Outlet}} {{end}}{{end}}`
	if err := os.WriteFile(filepath.Join(dir, "telegram.tmpl"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFakeBot(t)
	n, err := New("press-tg", &config.TelegramReceiver{Token: token, ChatID: "-1", APIURL: f.srv.URL}, Options{TemplatesDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	m := message(t, alerting.KindUpdate)
	m.New = m.Alert.Articles[1:]
	if _, _, err := n.Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got := f.last(t)["text"]; got != "Ещё: kabar.kg" {
		t.Errorf("text %q", got)
	}
}

func TestUpdateWithoutNewArticles(t *testing.T) {
	f := newFakeBot(t)
	n := newNotifier(t, f)
	m := message(t, alerting.KindUpdate)
	m.Thread = "41"
	if _, _, err := n.Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if text := f.last(t)["text"].(string); !strings.Contains(text, `+ kabar.kg: <a href="https://kabar.example/ky/400004">`) {
		t.Errorf("an update with no new articles should name the latest one: %s", text)
	}
}
