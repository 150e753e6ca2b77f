package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"kuzot/backtest"
	"kuzot/store"
)

func TestSearchAPI(t *testing.T) {
	f := newFixture(t)
	c := f.bearer("bolot")

	// A Kyrgyz word finds its other forms, marked.
	var res searchJSON
	c.getJSON("/api/search?q=оорукана&facets=outlet,category,lang&histogram=1", 200, &res)
	if res.Total != 2 {
		t.Fatalf("оорукана: %d hits, want 2: %+v", res.Total, res.Hits)
	}
	found := false
	for _, h := range res.Hits {
		if strings.Contains(h.Snippet, "<mark>ооруканасында</mark>") {
			found = true
		}
	}
	if !found {
		t.Errorf("no snippet marks ооруканасында: %+v", res.Hits)
	}
	if len(res.Facets["outlet"]) != 1 || res.Facets["outlet"][0].Value != "azattyk.org" || res.Facets["lang"][0].Value != "ky" {
		t.Errorf("facets: %+v", res.Facets)
	}
	if res.Histogram == nil || res.Histogram.Unit != "day" || len(res.Histogram.Buckets) == 0 {
		t.Errorf("histogram: %+v", res.Histogram)
	}

	// Filters, sort and paging.
	c.getJSON("/api/search?q=халатность&outlet=akipress.org&sort=date", 200, &res)
	if res.Total != 2 || res.Hits[0].Outlet != "akipress.org" || res.Hits[0].Published.Before(res.Hits[1].Published) {
		t.Errorf("filtered by outlet, by date: %+v", res)
	}
	c.getJSON("/api/search?category=medical_error&size=1&page=2", 200, &res)
	if res.Total != 3 || len(res.Hits) != 1 || res.Page != 2 {
		t.Errorf("category, page 2 of size 1: total %d, %d hits, page %d", res.Total, len(res.Hits), res.Page)
	}
	c.getJSON("/api/search?q=врач&since=2d", 200, &res)
	if res.Total != 1 {
		t.Errorf("since 2d: %d hits, want 1 (the maternity ward)", res.Total)
	}
	c.getJSON("/api/search?lang=ky", 200, &res)
	if res.Total != 2 {
		t.Errorf("lang=ky: %d", res.Total)
	}

	// Bad input: 400 with the position of a bad query.
	var e apiError
	body := c.getJSON("/api/search?q="+url.QueryEscape("врач AND (халатность"), 400, &e)
	if e.Status != 400 || e.Position == nil || e.Position.Line != 1 || e.Position.Column != 10 || !strings.Contains(e.Error, "column 10") {
		t.Errorf("bad query: %s", body)
	}
	for _, q := range []string{"sort=best", "page=0", "size=1000", "since=yesterday", "until=31.01.2026", "facets=author"} {
		c.getJSON("/api/search?"+q, 400, &e)
		if e.Status != 400 || e.Error == "" {
			t.Errorf("%s: %+v", q, e)
		}
	}
}

func TestSearchCSV(t *testing.T) {
	f := newFixture(t)
	c := f.login("bolot")
	resp, body := c.get("/search.csv?q=халатность")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %v", resp.StatusCode, resp.Header)
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(body, "\ufeff")), "\n")
	if len(lines) != 4 || lines[0] != "published,outlet,lang,title,url,score,id" || !strings.Contains(body, "Ветеринарная клиника") {
		t.Errorf("csv body:\n%s", body)
	}
	// Newest first, in Bishkek time.
	if !strings.HasPrefix(lines[1], "2026-11-19 10:00,kaktus.media,ru,Врачебная ошибка") {
		t.Errorf("first row %q", lines[1])
	}
	if resp, _ := c.get("/api/search.csv?q=" + url.QueryEscape("(врач")); resp.StatusCode != 400 {
		t.Errorf("bad query as CSV: %d", resp.StatusCode)
	}
	if cell("=HYPERLINK(1)") != "'=HYPERLINK(1)" || cell("Врач") != "Врач" {
		t.Error("formula cells are not neutralised")
	}
}

func TestArticleAndStoryAPI(t *testing.T) {
	f := newFixture(t)
	c := f.bearer("bolot")
	var a articleJSON
	c.getJSON("/api/articles/"+itoa(f.ids[1]), 200, &a)
	if a.Lang != "ky" || len(a.Matches) != 1 || a.Matches[0].Rule != "medical-error-ky" || len(a.Matches[0].Evidence) == 0 ||
		len(a.Matches[0].Evidence[0].Marks) == 0 {
		t.Errorf("article matches: %+v", a.Matches)
	}
	if a.Story == nil || a.Story.ID != "s-roddom" || len(a.Story.Articles) != 2 || a.Story.Alert == nil || a.Story.Alert.ID != f.openHigh {
		t.Errorf("article story: %+v", a.Story)
	}
	c.getJSON("/api/articles/"+itoa(f.ids[7]), 200, &a)
	if len(a.Matches) != 0 || a.Story != nil {
		t.Errorf("an article of no rule and no story: %+v %+v", a.Matches, a.Story)
	}
	var e apiError
	for _, p := range []string{"/api/articles/99999", "/api/articles/abc", "/api/stories/nope", "/api/alerts/nope", "/api/nothing"} {
		c.getJSON(p, 404, &e)
		if e.Status != 404 || e.Error == "" {
			t.Errorf("%s: %+v", p, e)
		}
	}
	var st storyJSON
	c.getJSON("/api/stories/s-roddom", 200, &st)
	if len(st.Articles) != 2 || st.Articles[0].Outlet != "kaktus.media" || st.Articles[1].Outlet != "azattyk.org" || st.Alert.Severity != "high" {
		t.Errorf("story: %+v", st)
	}
}

func TestAlertsAPI(t *testing.T) {
	f := newFixture(t)
	viewer, analyst := f.bearer("bolot"), f.bearer("aigul")
	var list struct {
		Alerts []*store.Alert `json:"alerts"`
	}
	viewer.getJSON("/api/alerts", 200, &list)
	if len(list.Alerts) != 4 {
		t.Fatalf("all alerts: %d", len(list.Alerts))
	}
	viewer.getJSON("/api/alerts?status=open", 200, &list)
	if len(list.Alerts) != 2 || list.Alerts[0].Status != "open" || len(list.Alerts[0].Articles) == 0 {
		t.Errorf("open alerts: %+v", list.Alerts)
	}
	viewer.getJSON("/api/alerts?status=acknowledged,resolved", 200, &list)
	if len(list.Alerts) != 2 {
		t.Errorf("acknowledged or resolved: %d", len(list.Alerts))
	}
	viewer.getJSON("/api/alerts?status=closed", 400, nil)

	var one alertJSON
	viewer.getJSON("/api/alerts/"+f.openHigh, 200, &one)
	if one.ID != f.openHigh || len(one.Articles) != 2 || len(one.Events) != 1 || len(one.Evidence) != 1 {
		t.Errorf("one alert: %+v", one)
	}
	// The contract's field names.
	raw := viewer.getJSON("/api/alerts/"+f.openHigh, 200, nil)
	for _, k := range []string{`"story_id"`, `"first_published"`, `"alerted_at"`, `"categories"`, `"evidence"`, `"articles"`} {
		if !strings.Contains(raw, k) {
			t.Errorf("alert JSON lacks %s", k)
		}
	}

	// A viewer may not acknowledge.
	if resp, body := viewer.postJSON("/api/alerts/"+f.openHigh+"/ack", map[string]string{"comment": "x"}, false); resp.StatusCode != 403 {
		t.Errorf("viewer ack: %d %s", resp.StatusCode, body)
	}
	resp, body := analyst.postJSON("/api/alerts/"+f.openHigh+"/ack", map[string]string{"comment": "Звоним в роддом"}, false)
	if resp.StatusCode != 200 {
		t.Fatalf("ack: %d %s", resp.StatusCode, body)
	}
	json.Unmarshal([]byte(body), &one)
	if one.Status != store.StatusAcknowledged || one.AckedBy != "aigul (token test)" || one.Events[len(one.Events)-1].Comment != "Звоним в роддом" {
		t.Errorf("after ack: %+v", one)
	}
	// Acknowledging again conflicts; resolving works once.
	if resp, _ := analyst.postJSON("/api/alerts/"+f.openHigh+"/ack", map[string]string{}, false); resp.StatusCode != 409 {
		t.Errorf("second ack: %d", resp.StatusCode)
	}
	if resp, body := analyst.postJSON("/api/alerts/"+f.openHigh+"/resolve", map[string]string{"comment": "Опровержение опубликовано"}, false); resp.StatusCode != 200 {
		t.Errorf("resolve: %d %s", resp.StatusCode, body)
	}
	if resp, _ := analyst.postJSON("/api/alerts/"+f.openHigh+"/resolve", map[string]string{}, false); resp.StatusCode != 409 {
		t.Errorf("second resolve: %d", resp.StatusCode)
	}
	if resp, _ := analyst.postJSON("/api/alerts/nope/ack", map[string]string{}, false); resp.StatusCode != 404 {
		t.Errorf("ack of an unknown alert: %d", resp.StatusCode)
	}
	if resp, _ := analyst.postJSON("/api/alerts/"+f.openCritical+"/ack", map[string]any{"comment": 5}, false); resp.StatusCode != 400 {
		t.Errorf("a comment that is not a string: %d", resp.StatusCode)
	}
	if resp, _ := analyst.postJSON("/api/alerts/"+f.openCritical+"/ack", map[string]string{"comment": strings.Repeat("я", 2001)}, false); resp.StatusCode != 400 {
		t.Errorf("an overlong comment: %d", resp.StatusCode)
	}
	if resp, _ := analyst.get("/api/alerts/" + f.openCritical + "/ack"); resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET of ack: %d %v", resp.StatusCode, resp.Header)
	}
	want := []string{"acknowledged a-roddom aigul (token test) Звоним в роддом", "resolved a-roddom aigul (token test) Опровержение опубликовано"}
	if strings.Join(f.engine.calls, "|") != strings.Join(want, "|") {
		t.Errorf("engine calls: %q", f.engine.calls)
	}
}

func TestSourcesAndRulesAPI(t *testing.T) {
	f := newFixture(t)
	c := f.bearer("bolot")
	var src struct {
		Sources []sourceRow `json:"sources"`
	}
	c.getJSON("/api/sources", 200, &src)
	if len(src.Sources) != 3 {
		t.Fatalf("sources: %+v", src)
	}
	health := map[string]string{}
	for _, s := range src.Sources {
		health[s.ID] = s.Health
	}
	if health["kaktus"] != healthOK || health["azattyk"] != healthFailing || health["akipress"] != healthNever {
		t.Errorf("health: %v", health)
	}
	k := src.Sources[0]
	if k.ID != "kaktus" || len(k.PerDay) != sourceDays || k.LastFetch == nil || k.Articles7d != 4 {
		t.Errorf("kaktus: %+v", k)
	}
	total := 0
	for _, d := range k.PerDay {
		total += d.Count
	}
	if total != 4 {
		t.Errorf("kaktus per day sums to %d, want 4: %+v", total, k.PerDay)
	}

	var rl struct {
		Rules []ruleRow `json:"rules"`
	}
	c.getJSON("/api/rules", 200, &rl)
	if len(rl.Rules) != 3 || rl.Rules[0].ID != "medical-error-ru" || rl.Rules[0].Query != `@ru-staff AND ("врачебная ошибка" OR халатность)` {
		t.Fatalf("rules: %+v", rl.Rules)
	}
	if rl.Rules[0].Hits30d != 2 || rl.Rules[1].Hits30d != 1 || len(rl.Rules[0].PerDay) < 30 {
		t.Errorf("rule hits: %d, %d; %d days", rl.Rules[0].Hits30d, rl.Rules[1].Hits30d, len(rl.Rules[0].PerDay))
	}
}

func TestBacktestAPI(t *testing.T) {
	f := newFixture(t)
	analyst := f.bearer("aigul")
	var res backtestResult
	analyst.getJSON("/api/rules/backtest?rule=medical-error-ru", 200, &res)
	r := res.Result
	if r.Rule != "medical-error-ru" || r.Hits != 2 || r.Alerts != 2 || len(r.Samples) != 2 || len(r.Alerting) != 2 || res.Draft {
		t.Errorf("backtest of a rule: %+v", r)
	}
	if !strings.Contains(res.YAML, "- id: medical-error-ru") || !strings.Contains(res.YAML, "@ru-staff") {
		t.Errorf("yaml:\n%s", res.YAML)
	}
	// A changed query, with a list, before it is saved: the vet is no
	// longer excluded.
	resp, body := analyst.postJSON("/api/rules/backtest", draft{Rule: "medical-error-ru", Query: `(@ru-staff OR ветеринар*) AND халатность`, Since: "7d"}, false)
	if resp.StatusCode != 200 {
		t.Fatalf("draft backtest: %d %s", resp.StatusCode, body)
	}
	json.Unmarshal([]byte(body), &res)
	if !res.Draft || res.Result.Hits != 3 || !strings.Contains(body, "Ветеринарная") || res.Result.Category != "medical_error" {
		t.Errorf("draft backtest: %s", body)
	}
	var sample backtest.Sample
	for _, s := range res.Result.Samples {
		if strings.Contains(s.Title, "Ветеринарная") {
			sample = s
		}
	}
	if !strings.Contains(sample.TitleHTML, "<mark>") {
		t.Errorf("sample not marked: %+v", sample)
	}

	var e apiError
	for _, tc := range []struct {
		d      draft
		status int
		col    int
	}{
		{draft{Query: "врач AND"}, 400, 9},
		{draft{Query: "@ru-staff AND (халатность"}, 400, 15},
		{draft{Query: "врач", Exclude: "NOT"}, 400, 4},
		{draft{Query: "@nolist AND врач"}, 400, 0},
		{draft{Query: "врач", Category: "football"}, 400, 0},
		{draft{Query: "врач", Since: "forever"}, 400, 0},
		{draft{}, 400, 0},
		{draft{Rule: "no-such-rule"}, 404, 0},
	} {
		resp, body := analyst.postJSON("/api/rules/backtest", tc.d, false)
		json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != tc.status || e.Status != tc.status {
			t.Errorf("%+v: %d %s", tc.d, resp.StatusCode, body)
			continue
		}
		if tc.col > 0 && (e.Position == nil || e.Position.Column != tc.col) {
			t.Errorf("%+v: position %+v, want column %d: %s", tc.d, e.Position, tc.col, body)
		}
	}
	if resp, _ := analyst.postJSON("/api/rules/backtest", map[string]string{"querry": "x"}, false); resp.StatusCode != 400 {
		t.Errorf("unknown field: %d", resp.StatusCode)
	}
	// Viewers read rules but do not backtest.
	if resp, _ := f.bearer("bolot").get("/api/rules/backtest?rule=medical-error-ru"); resp.StatusCode != 403 {
		t.Errorf("viewer backtest: %d", resp.StatusCode)
	}
}

func TestAccess(t *testing.T) {
	f := newFixture(t)
	anon := f.anon()
	// Open: health, the login page, static files.
	for _, p := range []string{"/healthz", "/login", "/static/app.css", "/static/app.js"} {
		if resp, body := anon.get(p); resp.StatusCode != 200 {
			t.Errorf("%s without a session: %d %s", p, resp.StatusCode, body)
		}
	}
	// The API refuses with 401, pages redirect to the login.
	for _, p := range []string{"/api/search?q=врач", "/api/alerts", "/api/articles/1", "/api/sources", "/api/rules", "/metrics", "/api/nothing", "/search.csv"} {
		resp, body := anon.get(p)
		if resp.StatusCode != 401 || !strings.Contains(body, `"status":401`) || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s without a session: %d %s", p, resp.StatusCode, body)
		}
	}
	for _, p := range []string{"/", "/alerts", "/search?q=врач", "/rules", "/sources", "/users", "/nothing"} {
		resp, _ := anon.get(p)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Errorf("%s without a session: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if resp, _ := anon.postJSON("/api/alerts/"+f.openHigh+"/ack", map[string]string{}, false); resp.StatusCode != 401 {
		t.Errorf("ack without a session: %d", resp.StatusCode)
	}
	bad := f.anon()
	bad.c.Transport = &tokenTransport{tok: "kz_forged"}
	if resp, _ := bad.get("/api/alerts"); resp.StatusCode != 401 {
		t.Errorf("a forged token: %d", resp.StatusCode)
	}

	// A session needs the CSRF token to change anything; a token does not.
	analyst := f.login("aigul")
	if resp, body := analyst.postJSON("/api/alerts/"+f.openHigh+"/ack", map[string]string{}, false); resp.StatusCode != 403 || !strings.Contains(body, "CSRF") {
		t.Errorf("ack without CSRF: %d %s", resp.StatusCode, body)
	}
	if resp, _ := analyst.postForm("/alerts/"+f.openHigh+"/ack", url.Values{"csrf": {"wrong"}}); resp.StatusCode != 403 {
		t.Errorf("form ack with a wrong CSRF token: %d", resp.StatusCode)
	}
	if resp, _ := analyst.postForm("/logout", url.Values{}); resp.StatusCode != 403 {
		t.Errorf("logout without CSRF: %d", resp.StatusCode)
	}
	if resp, body := analyst.postJSON("/api/alerts/"+f.openHigh+"/ack", map[string]string{"comment": "ok"}, true); resp.StatusCode != 200 {
		t.Errorf("ack with CSRF: %d %s", resp.StatusCode, body)
	}
	if len(f.engine.calls) != 1 {
		t.Errorf("engine calls: %q", f.engine.calls)
	}
	// Another origin is refused even with the token.
	req, _ := http.NewRequest("POST", f.ts.URL+"/api/alerts/"+f.openCritical+"/ack", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(csrfHeader, analyst.csrf)
	req.Header.Set("Origin", "https://evil.example")
	if resp, _ := analyst.do(req); resp.StatusCode != 403 {
		t.Errorf("cross-origin ack: %d", resp.StatusCode)
	}

	// Oversized bodies get 413.
	big := strings.Repeat("x", maxBody+1)
	if resp, body := f.bearer("aigul").postJSON("/api/rules/backtest", draft{Query: big}, false); resp.StatusCode != 413 || !strings.Contains(body, `"status":413`) {
		t.Errorf("oversized body: %d %s", resp.StatusCode, body)
	}
	// Roles: an analyst is not an admin.
	if resp, _ := analyst.get("/users"); resp.StatusCode != 403 {
		t.Errorf("analyst on /users: %d", resp.StatusCode)
	}
	// Logging out ends the session.
	if resp, _ := analyst.postForm("/logout", url.Values{"csrf": {analyst.csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	if resp, _ := analyst.get("/api/alerts"); resp.StatusCode != 401 {
		t.Errorf("after logout: %d", resp.StatusCode)
	}
}

func TestLogin(t *testing.T) {
	f := newFixture(t)
	c := f.anon()
	resp, body := c.get("/login?next=/rules")
	tok := csrfInput.FindStringSubmatch(body)[1]
	// The cookie is HttpOnly, Lax, and not Secure over plain HTTP.
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	// Without the login form's token, a login is refused.
	if resp, _ := c.postForm("/login", url.Values{"name": {"aigul"}, "password": {f.passwords["aigul"]}}); resp.StatusCode != 403 {
		t.Errorf("login without CSRF: %d", resp.StatusCode)
	}
	if resp, body := c.postForm("/login", url.Values{"csrf": {tok}, "name": {"aigul"}, "password": {"wrong password"}}); resp.StatusCode != 401 || !strings.Contains(body, "Неверное имя или пароль") {
		t.Errorf("wrong password: %d", resp.StatusCode)
	}
	resp, _ = c.postForm("/login", url.Values{"csrf": {tok}, "name": {"AIGUL"}, "password": {f.passwords["aigul"]}, "next": {"https://evil.example/"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/alerts" {
		t.Errorf("login with a foreign next: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sc *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			sc = ck
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure || sc.MaxAge != 12*3600 {
		t.Errorf("session cookie: %+v", sc)
	}
	// The cookie is Secure over TLS.
	tls := newTLSFixture(t, f)
	tlsResp, _ := tls.loginResponse("aigul")
	for _, ck := range tlsResp.Cookies() {
		if ck.Name == sessionCookie && !ck.Secure {
			t.Errorf("session cookie over TLS is not Secure: %+v", ck)
		}
	}

	// Attempts are limited per user: the sixth in a burst is refused even
	// with the right password.
	d := f.anon()
	_, body = d.get("/login")
	tok = csrfInput.FindStringSubmatch(body)[1]
	for i := 0; i < userBurst; i++ {
		d.postForm("/login", url.Values{"csrf": {tok}, "name": {"bolot"}, "password": {"guess"}})
	}
	if resp, body := d.postForm("/login", url.Values{"csrf": {tok}, "name": {"bolot"}, "password": {f.passwords["bolot"]}}); resp.StatusCode != 429 ||
		!strings.Contains(body, "Слишком много попыток") {
		t.Errorf("login after %d failures: %d", userBurst, resp.StatusCode)
	}
}

func TestLimiterRefills(t *testing.T) {
	l := newLoginLimiter()
	for i := 0; i < userBurst; i++ {
		if !l.allow("aigul", "10.0.0.1", testNow) {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if l.allow("Aigul", "10.0.0.2", testNow) {
		t.Error("the user's budget is per address")
	}
	if !l.allow("aigul", "10.0.0.1", testNow.Add(userInterval)) {
		t.Error("the budget does not refill")
	}
	for i := 0; i < ipBurst; i++ {
		l.allow("user"+itoa(int64(i)), "10.0.0.9", testNow)
	}
	if l.allow("someone", "10.0.0.9", testNow) {
		t.Error("one address may try many users")
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	f := newFixture(t)
	var h map[string]any
	f.anon().getJSON("/healthz", 200, &h)
	if h["status"] != "ok" {
		t.Errorf("healthz: %v", h)
	}
	m := f.srv.Metrics()
	m.Fetch("kaktus", "ok")
	m.Fetch("kaktus", "ok")
	m.Fetch("azattyk", "http_503")
	m.Detected(7 * 60 * 1e9)
	m.Delivery("slack-press", "delivered")
	m.RuleMatched("medical-error-ru", "alert")
	var nilMetrics *Metrics
	nilMetrics.Fetch("x", "ok") // a nil Metrics records nothing and does not panic
	_, body := f.bearer("bolot").get("/metrics")
	for _, want := range []string{
		"kuzot_articles_stored 8",
		"kuzot_articles_indexed 8",
		"kuzot_index_lag_articles 0",
		`kuzot_alerts{severity="high",status="open"} 1`,
		`kuzot_alerts{severity="medium",status="acknowledged"} 1`,
		`kuzot_alerts{severity="critical",status="resolved"} 0`,
		"kuzot_outbox_depth 0",
		"kuzot_outbox_failed 0",
		`kuzot_matched_articles{category="medical_error"} 3`,
		`kuzot_fetches_total{source="kaktus",status="ok"} 2`,
		`kuzot_fetches_total{source="azattyk",status="http_503"} 1`,
		`kuzot_detection_latency_seconds_bucket{le="600"} 1`,
		"kuzot_detection_latency_seconds_count 1",
		`kuzot_notifications_total{outcome="delivered",receiver="slack-press"} 1`,
		`kuzot_rule_matches_total{decision="alert",rule="medical-error-ru"} 1`,
		"kuzot_store_up 1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
