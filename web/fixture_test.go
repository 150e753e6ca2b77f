package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kuzot/alerting"
	"kuzot/backtest"
	"kuzot/config"
	"kuzot/index"
	"kuzot/rules"
	"kuzot/store"
)

func TestMain(m *testing.M) {
	// Logins in tests need not be slow.
	bcryptCost = bcrypt.MinCost
	os.Exit(m.Run())
}

// testNow is the fixed clock of the tests: noon in Bishkek.
var testNow = time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)

const testConfig = `
data_dir: %s
timezone: Asia/Bishkek
sources:
  - id: kaktus
    outlet: kaktus.media
    kind: rss
    url: https://kaktus.media/rss
    reach: 1
  - id: azattyk
    outlet: azattyk.org
    kind: rss
    url: https://www.azattyk.org/api/rss
  - id: akipress
    outlet: akipress.org
    kind: rss
    url: https://akipress.org/rss
rule_lists:
  ru-staff: 'врач OR медсестра OR роддом OR больниц*'
rules:
  - id: medical-error-ru
    category: medical_error
    severity: high
    description: Врачебные ошибки и халатность
    query: '@ru-staff AND ("врачебная ошибка" OR халатность)'
    exclude: 'ветеринар*'
  - id: medical-error-ky
    category: medical_error
    severity: high
    query: '(дарыгер OR оорукана) AND (шалаакылык OR "дарыгердик ката")'
  - id: drug-shortage-ru
    category: drug_shortage
    severity: medium
    query: '(лекарств* OR инсулин) AND (нехватка OR дефицит OR "нет в аптеках")'
scoring:
  watch:
    - id: ministry
      query: 'минздрав OR "саламаттык сактоо министрлиги"'
`

// fixtureArticles are invented: Russian and Kyrgyz crises, and articles
// that look alike but are not about the health system.
var fixtureArticles = []*store.Article{
	{SourceID: "kaktus", Outlet: "kaktus.media", Lang: "ru", URL: "https://kaktus.media/doc/1001.html",
		Title: "Врачебная ошибка в роддоме Бишкека: роженица в реанимации",
		Body:  "Родственники заявляют о халатности врачей роддома №2.\nМинздрав начал служебную проверку.", Published: testNow.Add(-26 * time.Hour)},
	{SourceID: "azattyk", Outlet: "azattyk.org", Lang: "ky", URL: "https://www.azattyk.org/a/2001.html",
		Title: "Төрөт үйүндөгү шалаакылык: аял реанимацияда",
		Body:  "Бишкектеги ооруканасында дарыгерлердин шалаакылыгынан улам бейтап реанимацияга түштү.\nСаламаттык сактоо министрлиги текшерүү баштады.", Published: testNow.Add(-20 * time.Hour)},
	{SourceID: "akipress", Outlet: "akipress.org", Lang: "ru", URL: "https://akipress.org/news/3001",
		Title: "В больнице Оша пациент умер после операции: семья говорит о халатности",
		Body:  "Семья пациента обратилась в прокуратуру. Врачи больницы отказались от комментариев.", Published: testNow.Add(-3 * 24 * time.Hour)},
	{SourceID: "kaktus", Outlet: "kaktus.media", Lang: "ru", URL: "https://kaktus.media/doc/1002.html",
		Title: "Нехватка инсулина в аптеках Нарына",
		Body:  "Жители жалуются, что инсулина нет в аптеках уже две недели. Дефицит лекарств признали в облздраве.", Published: testNow.Add(-5 * 24 * time.Hour)},
	{SourceID: "akipress", Outlet: "akipress.org", Lang: "ru", URL: "https://akipress.org/news/3002",
		Title: "Ветеринарная клиника: халатность ветеринара",
		Body:  "Собака погибла после прививки; хозяйка говорит о халатности ветеринара.", Published: testNow.Add(-2 * 24 * time.Hour)},
	{SourceID: "azattyk", Outlet: "azattyk.org", Lang: "ky", URL: "https://www.azattyk.org/a/2002.html",
		Title: "Ооруканада жаңы жабдуулар орнотулду",
		Body:  "Нарын облустук ооруканасына жаңы рентген аппараты келди.", Published: testNow.Add(-4 * 24 * time.Hour)},
	{SourceID: "kaktus", Outlet: "kaktus.media", Lang: "ru", URL: "https://kaktus.media/doc/1003.html",
		Title: "Ошибка вратаря стоила сборной победы",
		Body:  "Вратарь ошибся на последней минуте матча.", Published: testNow.Add(-6 * 24 * time.Hour)},
	{SourceID: "kaktus", Outlet: "kaktus.media", Lang: "ru", URL: "https://kaktus.media/doc/1004.html",
		Title: "Мэрия отремонтирует дороги",
		Body:  "Ремонт пройдёт летом.", Published: testNow.Add(-7 * 24 * time.Hour)},
}

// fixture is a Server over a real store and index in a temp dir, with
// users of each role, alerts in each status and a fake alerting engine.
type fixture struct {
	t      *testing.T
	srv    *Server
	ts     *httptest.Server
	st     *store.Store
	idx    *index.Index
	engine *recordingAlerts
	ids    []int64 // of fixtureArticles
	// Alert ids.
	openHigh, openCritical, acked, resolved string
	// Passwords by user name; tokens by user name.
	passwords map[string]string
	tokens    map[string]string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg, err := config.Load("test.yaml", []byte(fmt.Sprintf(testConfig, dir)), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(dir, "kuzot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	set, err := backtest.NewSet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, passwords: map[string]string{}, tokens: map[string]string{}}
	var arts []*store.Article
	for i, a := range fixtureArticles {
		c := *a
		c.Fetched = c.Published.Add(5 * time.Minute)
		c.ContentHash = fmt.Sprintf("hash-%d", i)
		arts = append(arts, &c)
	}
	res, err := st.SaveArticles(ctx, arts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		f.ids = append(f.ids, r.ID)
	}
	f.saveAlerts(arts)

	log := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	x, err := index.Open(filepath.Join(dir, "index"), st, log, index.WithLabels(labeller(st, set)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	if _, err := x.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	f.idx = x

	for _, s := range []store.SourceState{
		{ID: "kaktus", LastFetch: testNow.Add(-5 * time.Minute), LastSuccess: testNow.Add(-5 * time.Minute), LastStatus: "ok", NextCheck: testNow.Add(5 * time.Minute)},
		{ID: "azattyk", LastFetch: testNow.Add(-10 * time.Minute), LastSuccess: testNow.Add(-30 * time.Hour), LastStatus: "http 503",
			ErrorCount: 7, LastError: "GET https://www.azattyk.org/api/rss: 503 Service Unavailable"},
	} {
		if err := st.SaveSourceState(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []struct{ name, role string }{{"admin", store.RoleAdmin}, {"aigul", store.RoleAnalyst}, {"bolot", store.RoleViewer}} {
		user, pw, err := AddUser(ctx, st, u.name, u.role, "", testNow.Add(-24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		f.passwords[u.name] = pw
		tok, _, err := AddToken(ctx, st, user, "test", testNow)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[u.name] = tok
	}

	f.engine = &recordingAlerts{engine: alerting.NewEngine(cfg, st, nil, alerting.WithNow(func() time.Time { return testNow }), alerting.WithLogger(log))}
	srv, err := New(Deps{Config: cfg, Store: st, Index: x, Rules: set, Alerts: f.engine, Log: log, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	f.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(f.ts.Close)
	return f
}

// labeller scores each article as the pipeline does, stores its matches
// and labels it with their categories, rules and story.
func labeller(st *store.Store, set *backtest.Set) index.LabelFunc {
	return func(ctx context.Context, as []*store.Article) ([]index.Labels, error) {
		ls := make([]index.Labels, len(as))
		for i, a := range as {
			l := &ls[i]
			var keep []store.Match
			for _, m := range set.Score(a.Title, a.Body, a.Outlet, a.Lang) {
				if m.Decision < rules.Digest {
					continue
				}
				ev, _ := json.Marshal(m.Evidence)
				keep = append(keep, store.Match{RuleID: m.Rule.ID, Category: m.Rule.Category, Severity: m.Rule.Severity, Score: m.Score,
					Decision: m.Decision.String(), Evidence: string(ev), Scored: testNow})
				l.Rules = append(l.Rules, m.Rule.ID)
				if !slices.Contains(l.Categories, m.Rule.Category) {
					l.Categories = append(l.Categories, m.Rule.Category)
				}
			}
			var err error
			if l.Story, err = st.StoryOf(ctx, a.ID); err != nil {
				return nil, err
			}
			if err := st.ReplaceMatches(ctx, a.ID, keep); err != nil {
				return nil, err
			}
		}
		return ls, nil
	}
}

// saveAlerts writes four alerts: the maternity ward story (Russian and
// Kyrgyz) open and high, the Osh hospital open and critical, the insulin
// shortage acknowledged, and the Osh... resolved.
func (f *fixture) saveAlerts(arts []*store.Article) {
	f.t.Helper()
	mk := func(id, story, status, sev string, score float64, cats, rls []string, title string, members []int, ev []store.Evidence) *store.Alert {
		first := arts[members[0]]
		a := &store.Alert{ID: id, StoryID: story, Kind: "rule", Status: status, Severity: sev, FirstSeverity: sev, Score: score, FirstScore: score,
			Categories: cats, Rules: rls, Title: title, URL: first.URL, Version: 1, FirstPublished: first.Published,
			Created: first.Published.Add(10 * time.Minute), Updated: first.Published.Add(10 * time.Minute), Evidence: ev}
		if status != store.StatusOpen {
			a.AckedAt, a.AckedBy = a.Created.Add(time.Hour), "aigul"
		}
		if status == store.StatusResolved {
			a.ResolvedAt, a.ResolvedBy = a.Created.Add(2*time.Hour), "aigul"
		}
		return a
	}
	evidence := func(rule, field, text string, words ...string) store.Evidence {
		e := store.Evidence{Rule: rule, Field: field, Text: text}
		for _, w := range words {
			i := strings.Index(text, w)
			e.Marks = append(e.Marks, store.Mark{Start: i, End: i + len(w)})
		}
		return e
	}
	f.openHigh, f.openCritical, f.acked, f.resolved = "a-roddom", "a-osh", "a-insulin", "a-old"
	c := &store.AlertChange{Added: testNow.Add(-19 * time.Hour)}
	for _, l := range []struct {
		story string
		arts  []int
	}{{"s-roddom", []int{0, 1}}, {"s-osh", []int{2}}, {"s-insulin", []int{3}}, {"s-old", []int{6}}} {
		for _, i := range l.arts {
			c.Links = append(c.Links, store.StoryLink{ArticleID: arts[i].ID, StoryID: l.story})
		}
	}
	c.Alerts = []*store.Alert{
		mk(f.openHigh, "s-roddom", store.StatusOpen, "high", 7.6, []string{"medical_error"}, []string{"medical-error-ru", "medical-error-ky"},
			arts[0].Title, []int{0, 1}, []store.Evidence{evidence("medical-error-ru", "title", "Врачебная ошибка в роддоме Бишкека", "Врачебная ошибка", "роддоме")}),
		mk(f.openCritical, "s-osh", store.StatusOpen, "critical", 9.4, []string{"medical_error"}, []string{"medical-error-ru"},
			arts[2].Title, []int{2}, []store.Evidence{evidence("medical-error-ru", "title", "В больнице Оша пациент умер после операции: семья говорит о халатности", "больнице", "халатности")}),
		mk(f.acked, "s-insulin", store.StatusAcknowledged, "medium", 4.1, []string{"drug_shortage"}, []string{"drug-shortage-ru"},
			arts[3].Title, []int{3}, []store.Evidence{evidence("drug-shortage-ru", "title", "Нехватка инсулина в аптеках Нарына", "Нехватка", "инсулина")}),
		mk(f.resolved, "s-old", store.StatusResolved, "low", 2.5, []string{"public_case"}, []string{"medical-error-ru"},
			arts[6].Title, []int{6}, nil),
	}
	for _, a := range c.Alerts {
		c.Events = append(c.Events, store.AlertEvent{AlertID: a.ID, At: a.Created, Kind: "opened"})
	}
	if err := f.st.SaveAlertChange(context.Background(), c); err != nil {
		f.t.Fatal(err)
	}
}

// recordingAlerts is the real alerting engine (without notifiers),
// recording what it was asked to do.
type recordingAlerts struct {
	engine Alerts
	mu     sync.Mutex
	calls  []string
}

var _ Alerts = (*alerting.Engine)(nil)

func (e *recordingAlerts) record(op, id, actor, comment string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, op+" "+id+" "+actor+" "+comment)
}

func (e *recordingAlerts) Acknowledge(ctx context.Context, id, actor, comment string) error {
	e.record(store.StatusAcknowledged, id, actor, comment)
	return e.engine.Acknowledge(ctx, id, actor, comment)
}

func (e *recordingAlerts) Resolve(ctx context.Context, id, actor, comment string) error {
	e.record(store.StatusResolved, id, actor, comment)
	return e.engine.Resolve(ctx, id, actor, comment)
}

// client is a browser-like HTTP client: cookies, no redirects followed.
type client struct {
	f    *fixture
	c    *http.Client
	csrf string
}

func (f *fixture) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{f: f, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login signs in through the login form and reads the session's CSRF
// token from /api/me.
func (f *fixture) login(name string) *client {
	f.t.Helper()
	c := f.anon()
	resp, body := c.get("/login")
	m := csrfInput.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		f.t.Fatalf("login page: %d %s", resp.StatusCode, body)
	}
	resp, body = c.postForm("/login", url.Values{"csrf": {m[1]}, "name": {name}, "password": {f.passwords[name]}, "next": {"/search"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/search" {
		f.t.Fatalf("login as %s: %d %s", name, resp.StatusCode, body)
	}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	c.getJSON("/api/me", 200, &me)
	c.csrf = me.CSRF
	return c
}

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.f.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (c *client) get(path string) (*http.Response, string) {
	req, _ := http.NewRequest("GET", c.f.ts.URL+path, nil)
	return c.do(req)
}

func (c *client) postForm(path string, v url.Values) (*http.Response, string) {
	req, _ := http.NewRequest("POST", c.f.ts.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) postJSON(path string, body any, csrf bool) (*http.Response, string) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", c.f.ts.URL+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	if csrf {
		req.Header.Set(csrfHeader, c.csrf)
	}
	return c.do(req)
}

// getJSON gets path, wants status and decodes the body into v.
func (c *client) getJSON(path string, status int, v any) string {
	c.f.t.Helper()
	resp, body := c.get(path)
	if resp.StatusCode != status {
		c.f.t.Fatalf("GET %s: %d, want %d: %s", path, resp.StatusCode, status, body)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(body), v); err != nil {
			c.f.t.Fatalf("GET %s: %v: %s", path, err, body)
		}
	}
	return body
}

// bearer makes requests with a user's API token.
func (f *fixture) bearer(name string) *client {
	c := f.anon()
	c.c.Transport = &tokenTransport{tok: f.tokens[name]}
	return c
}

type tokenTransport struct{ tok string }

func (t *tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t.tok)
	return http.DefaultTransport.RoundTrip(r)
}

// tlsFixture serves the fixture's handler over TLS.
type tlsFixture struct {
	f  *fixture
	ts *httptest.Server
}

func newTLSFixture(t *testing.T, f *fixture) *tlsFixture {
	ts := httptest.NewTLSServer(f.srv.Handler())
	t.Cleanup(ts.Close)
	return &tlsFixture{f: f, ts: ts}
}

// loginResponse logs in over TLS and returns the login's response.
func (x *tlsFixture) loginResponse(name string) (*http.Response, string) {
	c := &client{f: x.f, c: x.ts.Client()}
	jar, _ := cookiejar.New(nil)
	c.c.Jar = jar
	c.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, _ := http.NewRequest("GET", x.ts.URL+"/login", nil)
	_, body := c.do(req)
	tok := csrfInput.FindStringSubmatch(body)[1]
	req, _ = http.NewRequest("POST", x.ts.URL+"/login", strings.NewReader(url.Values{"csrf": {tok}, "name": {name}, "password": {x.f.passwords[name]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}
