package digest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"kuzot/alerting/email"
	"kuzot/alerting/email/emailtest"
	"kuzot/config"
	"kuzot/digest"
	"kuzot/index"
	"kuzot/store"
)

var bishkek = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Bishkek")
	if err != nil {
		panic(err)
	}
	return loc
}()

// The digest week: Monday 16 to Monday 23 November 2026, Bishkek time.
var (
	weekFrom = time.Date(2026, 11, 16, 0, 0, 0, 0, bishkek)
	weekTo   = weekFrom.AddDate(0, 0, 7)
	prevFrom = weekFrom.AddDate(0, 0, -7)
)

func testConfig(t testing.TB, smtp config.SMTP, lang string) *config.Config {
	t.Helper()
	y := fmt.Sprintf(`
data_dir: %s
sources:
  - {id: kaktus, outlet: kaktus.media, kind: rss, url: "https://kaktus.example/rss", reach: 1}
  - {id: k24, outlet: 24.kg, kind: rss, url: "https://24.example/rss", reach: 1}
  - {id: aki, outlet: akipress.org, kind: rss, url: "https://aki.example/rss", reach: 2}
  - {id: small, outlet: small.kg, kind: rss, url: "https://small.example/rss", reach: 3}
scoring:
  watch:
    - {id: ministry, query: 'минздрав* OR "саламаттык сактоо министрлиги"'}
    - {id: health-fund, query: 'фомс'}
smtp:
  host: %q
  port: %d
  from: "Kuzot <kuzot@example.org>"
  tls: none
  timeout: 5s
digest:
  language: %s
  recipients: [press@example.org, head@example.org]
  top_stories: 5
alerting:
  base_url: http://kuzot.example
`, filepath.Join(t.TempDir(), "data"), smtp.Host, smtp.Port, lang)
	cfg, err := config.Load("digest-test.yaml", []byte(y), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// fixture is the seeded store: the figures the tests expect follow from it.
//
// This week: medical_error 56, care_access 100, drug_shortage 65 matched
// articles (221 in all: 25%, 45%, 29%); the week before: medical_error
// 40, care_access 125, corruption_extortion 10. Watch list: 30 articles
// name the ministry this week, 20 the week before; 4 the fund this week.
type fixture struct {
	st  *store.Store
	x   *index.Index
	cfg *config.Config
}

func seed(t testing.TB, cfg *config.Config) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(cfg.DataDir, "kuzot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var arts []*store.Article
	var cats []string
	var stories []string
	n := 0
	add := func(outlet, title string, pub time.Time, cat, story string) {
		n++
		arts = append(arts, &store.Article{URL: fmt.Sprintf("https://%s/news/%d", outlet, n), SourceID: outlet, Outlet: outlet, Lang: "ru",
			Title: title, Body: "Текст публикации номер " + fmt.Sprint(n), Published: pub.UTC(), Fetched: pub.UTC(), ContentHash: fmt.Sprintf("h%d", n)})
		cats = append(cats, cat)
		stories = append(stories, story)
	}
	outlets := []string{"kaktus.media", "24.kg", "akipress.org", "small.kg"}
	spread := func(from time.Time, i int) time.Time {
		return from.Add(time.Duration(i%7)*24*time.Hour + time.Duration(8+i%10)*time.Hour)
	}
	week := func(from time.Time, cat string, count int) {
		for i := 0; i < count; i++ {
			add(outlets[i%len(outlets)], fmt.Sprintf("Публикация %s %d", cat, i), spread(from, i), cat, "")
		}
	}
	// The top story: six matched articles of three outlets, one more
	// outlet in other words (unmatched), all with a high score.
	for i := 0; i < 6; i++ {
		add(outlets[i%3], "В роддоме Бишкека погиб младенец", weekFrom.Add(30*time.Hour+time.Duration(i)*time.Hour), "medical_error", "st-big")
	}
	add("small.kg", "Родители требуют расследования", weekFrom.Add(40*time.Hour), "", "st-big")
	week(weekFrom, "medical_error", 50)
	week(weekFrom, "care_access", 100)
	week(weekFrom, "drug_shortage", 65)
	week(prevFrom, "medical_error", 40)
	week(prevFrom, "care_access", 125)
	week(prevFrom, "corruption_extortion", 10)
	for i := 0; i < 30; i++ {
		add(outlets[i%4], fmt.Sprintf("Минздрав сообщил о мерах %d", i), spread(weekFrom, i), "", "")
	}
	for i := 0; i < 20; i++ {
		add(outlets[i%4], fmt.Sprintf("Минздраву поручили %d", i), spread(prevFrom, i), "", "")
	}
	for i := 0; i < 4; i++ {
		add("24.kg", fmt.Sprintf("ФОМС увеличил тариф %d", i), spread(weekFrom, i), "", "")
	}
	// New sources: fresh.kg never wrote before; old.kg last wrote ten
	// weeks ago; akipress.org wrote the week before (not new).
	for i := 0; i < 3; i++ {
		add("fresh.kg", fmt.Sprintf("Новости региона %d", i), spread(weekFrom, i), "", "")
	}
	add("old.kg", "Давняя заметка", weekFrom.AddDate(0, 0, -70), "", "")
	add("old.kg", "Снова пишем", weekFrom.Add(50*time.Hour), "", "")
	// Outside both weeks.
	add("kaktus.media", "После периода", weekTo, "medical_error", "")

	if _, err := st.SaveArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	var links []store.StoryLink
	for i, a := range arts {
		if stories[i] != "" {
			links = append(links, store.StoryLink{ArticleID: a.ID, StoryID: stories[i]})
		}
		if cats[i] == "" {
			continue
		}
		score := 3.0
		if stories[i] != "" {
			score = 9.5
		}
		if err := st.ReplaceMatches(ctx, a.ID, []store.Match{{RuleID: strings.ReplaceAll(cats[i], "_", "-"), Category: cats[i],
			Severity: "high", Score: score, Decision: "alert", Evidence: "[]", Scored: a.Published}}); err != nil {
			t.Fatal(err)
		}
	}
	// Alerts raised this week, 20 minutes after their first article;
	// acknowledged 10, 30 and 50 minutes after raising (median 30 min;
	// 50 min from publication); one resolved 5 hours after raising.
	var alerts []*store.Alert
	for i, ack := range []time.Duration{10 * time.Minute, 30 * time.Minute, 50 * time.Minute} {
		pub := weekFrom.Add(time.Duration(24*(i+1)) * time.Hour)
		a := &store.Alert{ID: fmt.Sprintf("al-%d", i), StoryID: fmt.Sprintf("st-al-%d", i), Kind: "rule", Status: store.StatusAcknowledged,
			Severity: "high", FirstSeverity: "high", Categories: []string{"medical_error"}, Title: "alert", FirstPublished: pub,
			Created: pub.Add(20 * time.Minute), AckedAt: pub.Add(20*time.Minute + ack), Version: 1, Updated: pub}
		if i == 0 {
			a.Status, a.ResolvedAt = store.StatusResolved, a.Created.Add(5*time.Hour)
		}
		alerts = append(alerts, a)
	}
	alerts = append(alerts, &store.Alert{ID: "al-old", StoryID: "st-old", Kind: "rule", Status: store.StatusOpen, Severity: "high",
		FirstSeverity: "high", Categories: []string{"care_access"}, Title: "old", FirstPublished: prevFrom, Created: prevFrom.Add(time.Hour),
		Version: 1, Updated: prevFrom})
	if err := st.SaveAlertChange(ctx, &store.AlertChange{Links: links, Alerts: alerts, Added: weekFrom}); err != nil {
		t.Fatal(err)
	}
	x, err := index.Open(filepath.Join(cfg.DataDir, "index"), st, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	if _, err := x.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, x: x, cfg: cfg}
}

func TestCompute(t *testing.T) {
	cfg := testConfig(t, config.SMTP{Host: "127.0.0.1", Port: 25}, "ru")
	fx := seed(t, cfg)
	f, err := digest.Compute(context.Background(), fx.st, digest.IndexCounter{X: fx.x}, cfg, weekFrom, weekTo)
	if err != nil {
		t.Fatal(err)
	}
	if f.Watch != (digest.Count{Cur: 34, Prev: 20}) || f.Watch.Change("новое") != "▲ 70%" {
		t.Errorf("watch %+v %s", f.Watch, f.Watch.Change("новое"))
	}
	if fmt.Sprint(f.Entities) != "[{ministry ministry {30 20}} {health-fund health-fund {4 0}}]" {
		t.Errorf("entities %v", f.Entities)
	}
	var got []string
	for _, c := range f.Categories {
		got = append(got, fmt.Sprintf("%s %d/%d %s %s", c.Category, c.Cur, c.Prev, digest.Percent(c.Share), c.Change("new")))
	}
	want := []string{"care_access 100/125 45% ▼ 20%", "drug_shortage 65/0 29% new", "medical_error 56/40 25% ▲ 40%",
		"corruption_extortion 0/10 0% ▼ 100%"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("categories\n got %q\nwant %q", got, want)
	}
	if f.Categorised != (digest.Count{Cur: 221, Prev: 175}) {
		t.Errorf("categorised %+v", f.Categorised)
	}
	if len(f.Stories) != 5 || f.Stories[0].ID != "st-big" || len(f.Stories[0].Articles) != 7 || len(f.Stories[0].Outlets) != 4 ||
		f.Stories[0].Reach != 3+3+2+1 || f.Stories[0].Title != "В роддоме Бишкека погиб младенец" {
		t.Errorf("top story %+v", f.Stories[0])
	}
	a := f.Alerts
	if a.Raised != 3 || a.Acknowledged != 3 || a.Resolved != 1 || a.AckFromRaised != 30*time.Minute || a.AckFromPublished != 50*time.Minute ||
		a.ResolveFromRaised != 5*time.Hour || a.ResolveFromPublished != 5*time.Hour+20*time.Minute {
		t.Errorf("alerts %+v", a)
	}
	var fresh []string
	for _, o := range f.NewOutlets {
		fresh = append(fresh, fmt.Sprintf("%s:%d", o.Outlet, o.Articles))
	}
	if fmt.Sprint(fresh) != "[fresh.kg:3 old.kg:1]" {
		t.Errorf("new outlets %v", fresh)
	}
	if len(f.Days) != 7 || !f.Days[0].Date.Equal(weekFrom) {
		t.Fatalf("days %v", f.Days)
	}
	total := 0
	for _, d := range f.Days {
		total += d.Total()
	}
	if total != 221 || f.Days[1].Counts["medical_error"] != 6+7 {
		t.Errorf("daily mentions: %d in all, Tuesday %v", total, f.Days[1].Counts)
	}
	if f.Outlets[0].Mentions == 0 || f.Articles != 221+1+30+4+3+1 {
		t.Errorf("outlets %v, %d articles", f.Outlets, f.Articles)
	}
}

func TestSendDigest(t *testing.T) {
	srv := emailtest.Start(t, emailtest.Options{})
	for _, tc := range []struct{ lang, subject, category, median string }{
		{"ru", "Kuzot: сводка упоминаний за 16.11.2026 — 22.11.2026", "Врачебная ошибка: 56 — 25% (▲ 40%; Пред. период: 40)",
			"Медиана до принятия: 50 мин от первой публикации, 30 мин от поднятия оповещения"},
		{"ky", "Kuzot: эскерүүлөрдүн жыйынтыгы 16.11.2026 — 22.11.2026", "Дарыгердин катасы: 56 — 25% (▲ 40%; Мурунку мезгил: 40)",
			"Кабыл алууга чейинки медиана: 50 мүн биринчи жарыялоодон, 30 мүн эскертүү көтөрүлгөндөн"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			cfg := testConfig(t, srv.Config(), tc.lang)
			fx := seed(t, cfg)
			r := runner(t, fx, srv.Config(), digest.Options{})
			before := len(srv.Messages())
			if err := r.Send(context.Background(), weekFrom, weekTo); err != nil {
				t.Fatal(err)
			}
			msgs := srv.Wait(t, before+1)
			p, err := emailtest.Parse(msgs[before].Data)
			if err != nil {
				t.Fatal(err)
			}
			if p.Subject != tc.subject {
				t.Errorf("subject %q, want %q", p.Subject, tc.subject)
			}
			for _, want := range []string{tc.category, tc.median, "ministry: 30 (▲ 50%)", "1. В роддоме Бишкека погиб младенец",
				"fresh.kg: 3", "https://kaktus.media/news/1", "http://kuzot.example"} {
				if !strings.Contains(p.Text, want) {
					t.Errorf("text lacks %q:\n%s", want, p.Text)
				}
			}
			for _, want := range []string{`src="cid:chart@kuzot"`, "25%", "▲ 40%", "▼ 20%", digest.Label(tc.lang, "new"), "<table",
				`href="https://kaktus.media/news/1"`, "<b>fresh.kg</b> (3)", "50 " + map[string]string{"ru": "мин", "ky": "мүн"}[tc.lang]} {
				if !strings.Contains(p.HTML, want) {
					t.Errorf("HTML lacks %q", want)
				}
			}
			if strings.Contains(strings.ToLower(p.HTML), "<script") {
				t.Error("the HTML has a script")
			}
			chart := p.Part("chart@kuzot")
			if chart == nil || chart.ContentType != "image/png" || !bytes.HasPrefix(chart.Body, []byte("\x89PNG\r\n\x1a\n")) {
				t.Fatalf("no inline PNG under the Content-ID the HTML references: %+v", p.Parts)
			}
			if !strings.Contains(chart.Disposition, "inline") {
				t.Errorf("chart disposition %q", chart.Disposition)
			}
			d, ok, err := fx.st.Digest(context.Background(), weekFrom, weekTo, tc.lang)
			if err != nil || !ok || d.State != store.DigestSent || d.MessageID != p.Header.Get("Message-Id") {
				t.Errorf("record %+v (%v, %v), message id %q", d, ok, err, p.Header.Get("Message-Id"))
			}
			// Sending the same period again sends nothing.
			if err := r.Send(context.Background(), weekFrom, weekTo); !errors.Is(err, digest.ErrAlreadySent) {
				t.Errorf("second send: %v", err)
			}
			time.Sleep(50 * time.Millisecond)
			if got := len(srv.Messages()); got != before+1 {
				t.Errorf("%d messages after sending twice, want 1", got-before)
			}
		})
	}
}

func runner(t testing.TB, fx *fixture, smtp config.SMTP, opt digest.Options) *digest.Runner {
	t.Helper()
	s, err := email.NewSender(smtp)
	if err != nil {
		t.Fatal(err)
	}
	return runnerWith(t, fx, s, opt)
}

func runnerWith(t testing.TB, fx *fixture, m digest.Mailer, opt digest.Options) *digest.Runner {
	t.Helper()
	r, err := digest.NewRunner(fx.cfg, fx.st, digest.IndexCounter{X: fx.x}, m, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// flaky sends through dead until it has failed failures times, then
// through live.
type flaky struct {
	dead, live *email.Sender
	failures   int32
	calls      atomic.Int32
}

func (f *flaky) NewMsg(to []string) (*gomail.Msg, error) { return f.live.NewMsg(to) }

func (f *flaky) Send(ctx context.Context, msgs ...*gomail.Msg) error {
	if f.calls.Add(1) <= f.failures {
		return f.dead.Send(ctx, msgs...)
	}
	return f.live.Send(ctx, msgs...)
}

func TestRunCatchesUpAndRetries(t *testing.T) {
	srv := emailtest.Start(t, emailtest.Options{})
	cfg := testConfig(t, srv.Config(), "ru")
	fx := seed(t, cfg)
	dead, _ := email.NewSender(emailtest.DeadConfig(t))
	live, _ := email.NewSender(srv.Config())
	m := &flaky{dead: dead, live: live, failures: 2}
	// The service starts on Tuesday: Monday's 09:00 digest was missed.
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, bishkek)
	r := runnerWith(t, fx, m, digest.Options{Now: func() time.Time { return now }, Backoff: func(int) time.Duration { return time.Millisecond }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	srv.Wait(t, 1)
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := len(srv.Messages()); got != 1 {
		t.Errorf("%d digests arrived, want 1", got)
	}
	d, ok, err := fx.st.Digest(context.Background(), weekFrom, weekTo, "ru")
	if err != nil || !ok || d.State != store.DigestSent || d.Attempts != 3 || m.calls.Load() != 3 {
		t.Errorf("record %+v (%v %v), %d sends", d, ok, err, m.calls.Load())
	}
	// A restart the same day sends nothing more.
	ctx, cancel = context.WithCancel(context.Background())
	go func() { done <- r.Run(ctx) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	<-done
	if got := len(srv.Messages()); got != 1 || m.calls.Load() != 3 {
		t.Errorf("after a restart: %d digests, %d sends", got, m.calls.Load())
	}
}

func TestSendFailureIsRecorded(t *testing.T) {
	srv := emailtest.Start(t, emailtest.Options{Reject: func(string) error { return emailtest.Unknown }})
	cfg := testConfig(t, srv.Config(), "ru")
	fx := seed(t, cfg)
	r := runner(t, fx, srv.Config(), digest.Options{})
	err := r.Send(context.Background(), weekFrom, weekTo)
	if err == nil || email.Temporary(err) || !strings.Contains(err.Error(), "550") {
		t.Fatalf("send to a refused recipient: %v", err)
	}
	d, _, _ := fx.st.Digest(context.Background(), weekFrom, weekTo, "ru")
	if d.State != store.DigestFailed || !strings.Contains(d.LastError, "550") || d.Attempts != 1 {
		t.Errorf("record %+v", d)
	}

	dead := testConfig(t, emailtest.DeadConfig(t), "ru")
	fx = seed(t, dead)
	r = runner(t, fx, emailtest.DeadConfig(t), digest.Options{})
	err = r.Send(context.Background(), weekFrom, weekTo)
	if err == nil || !email.Temporary(err) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("send to a dead server: %v", err)
	}
	if d, _, _ := fx.st.Digest(context.Background(), weekFrom, weekTo, "ru"); d.State != store.DigestPending || d.LastError == "" {
		t.Errorf("record after a temporary failure %+v", d)
	}
}

func TestSchedule(t *testing.T) {
	cfg := testConfig(t, config.SMTP{Host: "127.0.0.1", Port: 25}, "ru")
	fx := seed(t, cfg)
	r := runnerWith(t, fx, nil, digest.Options{})
	for _, tc := range []struct {
		now      time.Time
		last     string
		from, to string
	}{
		{time.Date(2026, 11, 23, 8, 59, 0, 0, bishkek), "2026-11-16 09:00", "2026-11-09", "2026-11-16"},
		{time.Date(2026, 11, 23, 9, 0, 0, 0, bishkek), "2026-11-23 09:00", "2026-11-16", "2026-11-23"},
		{time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC), "2026-11-23 09:00", "2026-11-16", "2026-11-23"},
	} {
		last := r.LastRun(tc.now)
		from, to := r.Period(last)
		if got := last.In(bishkek).Format("2006-01-02 15:04"); got != tc.last || from.Format(time.DateOnly) != tc.from ||
			to.Format(time.DateOnly) != tc.to || from.Location().String() != "Asia/Bishkek" || from.Hour() != 0 {
			t.Errorf("at %s: last run %s, period %s to %s; want %s, %s to %s", tc.now, got, from, to, tc.last, tc.from, tc.to)
		}
	}
}
