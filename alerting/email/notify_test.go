package email_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kuzot/alerting"
	"kuzot/alerting/email"
	"kuzot/alerting/email/emailtest"
	"kuzot/config"
	"kuzot/store"
)

var bishkek = mustZone("Asia/Bishkek")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var t0 = time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC) // 14:30 in Bishkek

// evidence marks халатность in its text.
func evidence() store.Evidence {
	text := "родители обвиняют врачей в халатности после смерти ребёнка"
	i := strings.Index(text, "халатности")
	return store.Evidence{Rule: "medical-error", Field: "body", Text: text, Marks: []store.Mark{{Start: i, End: i + len("халатности")}}}
}

func alert() *store.Alert {
	return &store.Alert{
		ID: "a1", StoryID: "s1", Kind: "rule", Status: store.StatusOpen, Severity: "critical", FirstSeverity: "high",
		Categories: []string{"medical_error"}, Rules: []string{"medical-error"}, Score: 9.5,
		Title: "В роддоме <Бишкека> погиб младенец", URL: "https://kaktus.example/news/1",
		FirstPublished: t0, Created: t0.Add(2 * time.Minute),
		Articles: []store.AlertArticle{
			{ID: 1, URL: "https://kaktus.example/news/1", Outlet: "kaktus.media", Title: "В роддоме <Бишкека> погиб младенец", Published: t0, Lang: "ru"},
			{ID: 2, URL: "https://24.example/k/2", Outlet: "24.kg", Title: "Родители требуют расследования", Published: t0.Add(40 * time.Minute), Lang: "ru"},
		},
		Evidence: []store.Evidence{evidence()},
	}
}

func message(kind, lang string) *alerting.Message {
	return &alerting.Message{Kind: kind, Key: "a1/v1/mail-" + kind, Lang: lang, Alert: alert(),
		URL: "http://kuzot.example/alerts/a1", Location: bishkek}
}

func notifier(t *testing.T, cfg config.SMTP, opt email.Options) *email.Notifier {
	t.Helper()
	s, err := email.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n, err := email.New("press-mail", []string{"press@example.org", "head@example.org"}, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func receive(t *testing.T, srv *emailtest.Server, i int) *emailtest.Parsed {
	t.Helper()
	msgs := srv.Wait(t, i+1)
	p, err := emailtest.Parse(msgs[i].Data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNotifyNewAlert(t *testing.T) {
	srv := emailtest.Start(t, emailtest.Options{})
	n := notifier(t, srv.Config(), email.Options{})
	for i, tc := range []struct {
		lang, subject, severity, link string
	}{
		{"ru", "[Kuzot] КРИТИЧЕСКИЙ: В роддоме <Бишкека> погиб младенец", "критический", "Открыть в Kuzot"},
		{"ky", "[Kuzot] ӨТӨ КОРКУНУЧТУУ: В роддоме <Бишкека> погиб младенец", "өтө коркунучтуу", "Kuzot'то ачуу"},
		{"en", "[Kuzot] CRITICAL: В роддоме <Бишкека> погиб младенец", "critical", "Open in Kuzot"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			m := message(alerting.KindNew, tc.lang)
			ref, retry, err := n.Notify(context.Background(), m)
			if err != nil || retry {
				t.Fatalf("Notify: ref %q, retry %v, err %v", ref, retry, err)
			}
			got := srv.Messages()[i]
			if len(got.To) != 2 || got.From != "kuzot@example.org" {
				t.Errorf("envelope: from %q to %v", got.From, got.To)
			}
			p := receive(t, srv, i)
			if p.Subject != tc.subject {
				t.Errorf("subject %q, want %q", p.Subject, tc.subject)
			}
			if want := email.MessageID(m.Key, "example.org"); p.Header.Get("Message-Id") != want || ref != want {
				t.Errorf("Message-ID %q, ref %q, want both %q", p.Header.Get("Message-Id"), ref, want)
			}
			if p.Header.Get("In-Reply-To") != "" {
				t.Errorf("a new alert answers %q", p.Header.Get("In-Reply-To"))
			}
			for _, want := range []string{"*халатности*", tc.severity, "kaktus.media, 24.kg", "20.11.2026 14:30",
				"24.kg: Родители требуют расследования (20.11.2026 15:10)", "https://24.example/k/2",
				"http://kuzot.example/alerts/a1", tc.link} {
				if !strings.Contains(p.Text, want) {
					t.Errorf("text part lacks %q:\n%s", want, p.Text)
				}
			}
			for _, want := range []string{
				"<b>халатности</b>",
				`<a href="https://kaktus.example/news/1" style="color:#111827;text-decoration:none;">В роддоме &lt;Бишкека&gt; погиб младенец</a>`,
				`<a href="https://24.example/k/2"`, `<a href="http://kuzot.example/alerts/a1"`, "20.11.2026 15:10", tc.severity, "<table",
			} {
				if !strings.Contains(p.HTML, want) {
					t.Errorf("HTML part lacks %q:\n%s", want, p.HTML)
				}
			}
			if strings.Contains(p.HTML, "<Бишкека>") || strings.Contains(strings.ToLower(p.HTML), "<script") {
				t.Error("the HTML part carries unescaped text")
			}
		})
	}
}

func TestNotifyThreadsFollowUps(t *testing.T) {
	srv := emailtest.Start(t, emailtest.Options{})
	n := notifier(t, srv.Config(), email.Options{})
	ctx := context.Background()
	first, _, err := n.Notify(ctx, message(alerting.KindNew, "ru"))
	if err != nil {
		t.Fatal(err)
	}
	esc := message(alerting.KindEscalation, "ru")
	esc.Thread = first
	up := message(alerting.KindUpdate, "ru")
	up.Thread = first
	up.New = up.Alert.Articles[1:]
	st := message(alerting.KindStatus, "ru")
	st.Thread = first
	st.Alert.Status = store.StatusAcknowledged
	st.Event = &store.AlertEvent{AlertID: "a1", At: t0.Add(time.Hour), Kind: "acknowledged", Actor: "aigul"}
	for _, m := range []*alerting.Message{esc, up, st} {
		if _, _, err := n.Notify(ctx, m); err != nil {
			t.Fatalf("%s: %v", m.Kind, err)
		}
	}
	for i, want := range []struct{ subject, text string }{
		{"[Kuzot] Эскалация — КРИТИЧЕСКИЙ: В роддоме <Бишкека> погиб младенец", "*халатности*"},
		{"[Kuzot] Новая публикация: В роддоме <Бишкека> погиб младенец", "+ 24.kg: Родители требуют расследования"},
		{"[Kuzot] Статус — принято: В роддоме <Бишкека> погиб младенец", "Статус: принято, кто: aigul, когда: 20.11.2026 15:30"},
	} {
		p := receive(t, srv, i+1)
		if p.Subject != want.subject {
			t.Errorf("subject %q, want %q", p.Subject, want.subject)
		}
		if !strings.Contains(p.Text, want.text) {
			t.Errorf("%s text lacks %q:\n%s", want.subject, want.text, p.Text)
		}
		if p.Header.Get("In-Reply-To") != first || p.Header.Get("References") != first {
			t.Errorf("%s: In-Reply-To %q, References %q, want %q", want.subject, p.Header.Get("In-Reply-To"), p.Header.Get("References"), first)
		}
		if p.HTML == "" {
			t.Errorf("%s has no HTML part", want.subject)
		}
	}
	// A status message is short: no article list, no evidence.
	if p := receive(t, srv, 3); strings.Contains(p.Text, "*халатности*") {
		t.Errorf("the status message repeats the evidence:\n%s", p.Text)
	}
}

func TestNotifySummary(t *testing.T) {
	srv := emailtest.Start(t, emailtest.Options{})
	n := notifier(t, srv.Config(), email.Options{})
	a, b := alert(), alert()
	b.ID, b.Title, b.Severity = "a2", "Очереди в поликлинике №3", "high"
	m := &alerting.Message{Kind: alerting.KindSummary, Key: "summary/1", Lang: "ru", Summary: []*store.Alert{a, b}, Location: bishkek}
	if _, _, err := n.Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	p := receive(t, srv, 0)
	if p.Subject != "[Kuzot] Сводка оповещений: 2 оповещений" {
		t.Errorf("subject %q", p.Subject)
	}
	if !strings.Contains(p.Text, "[ВЫСОКИЙ] Очереди в поликлинике №3") || !strings.Contains(p.HTML, "Очереди в поликлинике №3") {
		t.Errorf("summary lacks an alert:\n%s", p.Text)
	}
}

func TestTemplatesOverride(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "alert.txt"), []byte(`{{define "email.subject"}}ТРЕВОГА {{.Alert.Title}}{{end}}{{define "email.text"}}свой текст{{end}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := emailtest.Start(t, emailtest.Options{})
	n := notifier(t, srv.Config(), email.Options{TemplatesDir: dir})
	if _, _, err := n.Notify(context.Background(), message(alerting.KindNew, "ru")); err != nil {
		t.Fatal(err)
	}
	p := receive(t, srv, 0)
	if p.Subject != "ТРЕВОГА В роддоме <Бишкека> погиб младенец" || strings.TrimSpace(p.Text) != "свой текст" {
		t.Errorf("override not used: subject %q, text %q", p.Subject, p.Text)
	}
	if !strings.Contains(p.HTML, "<b>халатности</b>") {
		t.Error("the embedded HTML template was lost")
	}

	if err := os.WriteFile(filepath.Join(dir, "alert.html"), []byte(`{{define "email.html"}}{{.Nope}`), 0o644); err != nil {
		t.Fatal(err)
	}
	s, _ := email.NewSender(srv.Config())
	if _, err := email.New("x", []string{"a@example.org"}, s, email.Options{TemplatesDir: dir}); err == nil || !strings.Contains(err.Error(), "alert.html") {
		t.Errorf("a broken override: %v", err)
	}
}

func TestNotifyFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("dead server", func(t *testing.T) {
		cfg := emailtest.DeadConfig(t)
		_, retry, err := notifier(t, cfg, email.Options{}).Notify(ctx, message(alerting.KindNew, "ru"))
		t.Log(err)
		if err == nil || !retry {
			t.Fatalf("retry %v, err %v; want a retry", retry, err)
		}
		var e *email.Error
		if !errors.As(err, &e) || !e.Temporary {
			t.Fatalf("error %T %v", err, err)
		}
		for _, want := range []string{"127.0.0.1:", "refused", "smtp.host and smtp.port"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
	})
	t.Run("unknown recipient", func(t *testing.T) {
		srv := emailtest.Start(t, emailtest.Options{Reject: func(rcpt string) error {
			if rcpt == "head@example.org" {
				return emailtest.Unknown
			}
			return nil
		}})
		_, retry, err := notifier(t, srv.Config(), email.Options{}).Notify(ctx, message(alerting.KindNew, "ru"))
		t.Log(err)
		if err == nil || retry {
			t.Fatalf("retry %v, err %v; want a permanent failure", retry, err)
		}
		for _, want := range []string{"550", "head@example.org", "check the addresses"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
		if len(srv.Messages()) != 0 {
			t.Error("a message went out to part of the list")
		}
	})
	t.Run("busy server", func(t *testing.T) {
		srv := emailtest.Start(t, emailtest.Options{Reject: func(string) error { return emailtest.Busy }})
		_, retry, err := notifier(t, srv.Config(), email.Options{}).Notify(ctx, message(alerting.KindNew, "ru"))
		if err == nil || !retry || !strings.Contains(err.Error(), "451") {
			t.Fatalf("retry %v, err %v; want a retry after 451", retry, err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		srv := emailtest.Start(t, emailtest.Options{Username: "kuzot", Password: "secret"})
		cfg := srv.Config()
		cfg.Password = "wrong"
		_, retry, err := notifier(t, cfg, email.Options{}).Notify(ctx, message(alerting.KindNew, "ru"))
		t.Log(err)
		if err == nil || retry {
			t.Fatalf("retry %v, err %v; want a permanent failure", retry, err)
		}
		want := "email: receiver press-mail via " + srv.Addr() + ": 535 authentication failed"
		if !strings.Contains(err.Error(), want) || !strings.HasSuffix(err.Error(), ": check smtp.username and smtp.password") {
			t.Errorf("error %q, want it to contain %q and name the fix", err, want)
		}
		// The right password goes through.
		if _, _, err := notifier(t, srv.Config(), email.Options{}).Notify(ctx, message(alerting.KindNew, "ru")); err != nil {
			t.Fatal(err)
		}
		srv.Wait(t, 1)
	})
}

func TestNewSenderChecksConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  config.SMTP
		want string
	}{
		{config.SMTP{Port: 587, From: "a@example.org"}, "smtp.host"},
		{config.SMTP{Host: "mail.example.org", Port: 0, From: "a@example.org"}, "smtp.port"},
		{config.SMTP{Host: "mail.example.org", Port: 587}, "smtp.from"},
		{config.SMTP{Host: "mail.example.org", Port: 587, From: "a@example.org", TLS: "ssl"}, "smtp.tls"},
	} {
		if _, err := email.NewSender(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error naming %s", tc.cfg, err, tc.want)
		}
	}
}

func TestSenderErrorNamesServerAndFix(t *testing.T) {
	srv := emailtest.Start(t, emailtest.Options{Username: "kuzot", Password: "secret"})
	cfg := srv.Config()
	cfg.Password = "wrong"
	s, err := email.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := s.NewMsg([]string{"press@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	msg.Subject("test")
	msg.SetBodyString("text/plain", "test")
	err = s.Send(context.Background(), msg)
	want := "email: " + srv.Addr() + ": 535 authentication failed (5.7.8 Invalid credentials): check smtp.username and smtp.password"
	if err == nil || err.Error() != want || email.Temporary(err) {
		t.Errorf("error %v (temporary %v), want %q", err, email.Temporary(err), want)
	}
}
