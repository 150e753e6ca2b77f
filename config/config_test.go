package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func noEnv(string) (string, bool) { return "", false }

func load(t *testing.T, name string, env func(string) (string, bool)) (*Config, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Load(name, data, env)
}

func TestLoadGood(t *testing.T) {
	cfg, err := load(t, "good.yml", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Crawler.Workers; got != 4 {
		t.Errorf("workers = %d, want 4", got)
	}
	if got := cfg.Crawler.MaxBodySize; got != 2<<20 {
		t.Errorf("max_body_size = %d, want 2MB", got)
	}
	// Defaults survive where the file is silent.
	if got := cfg.Crawler.MaxRedirects; got != 5 {
		t.Errorf("max_redirects = %d, want the default 5", got)
	}
	if got := cfg.Location().String(); got != "Asia/Bishkek" {
		t.Errorf("location = %s", got)
	}
	k := cfg.Sources[0]
	if k.Outlet != "kaktus.media" || k.Reach != DefaultReach || k.Interval.D() != 10*time.Minute {
		t.Errorf("kaktus defaults: %+v", k)
	}
	if got := cfg.Sources[1].Outlet; got != "24.kg" {
		t.Errorf("rss outlet = %q", got)
	}
	if !cfg.Sources[1].WantsFullText() {
		t.Error("rss sources fetch full text by default")
	}
	tg := cfg.Sources[2]
	if tg.Outlet != "t.me/example_channel" || tg.Interval.D() != DefaultTelegramInterval {
		t.Errorf("telegram defaults: %+v", tg)
	}
}

func TestLoadBad(t *testing.T) {
	tests := []struct {
		file string
		want []string // every fragment must appear in the error
	}{
		{"bad.unknown-key.yml", []string{"bad.unknown-key.yml:3:", `unknown key "workerz"`}},
		{"bad.duration.yml", []string{"bad.duration.yml:5:", `"5" is not a duration (try "5m")`}},
		{"bad.empty.yml", []string{"bad.empty.yml: the file is empty"}},
		{"bad.fields.yml", []string{
			`bad.fields.yml:1: timezone: "Mars/Olympus" is not a time zone (try "Asia/Bishkek")`,
			"bad.fields.yml:3: sources[0].selectors: an html source needs selectors.item and selectors.link",
			`bad.fields.yml:6: sources[1].id: "Bad_ID" is not a valid id`,
			`bad.fields.yml:7: sources[1].kind: "atom" is not a source kind (one of rss, html, telegram)`,
			`bad.fields.yml:8: sources[1].url: "ftp://example.org/" is not an http(s) URL`,
			`bad.fields.yml:11: sources[2].url: "https://t.me/example_channel" is not a public channel preview (try "https://t.me/s/CHANNEL")`,
			`bad.fields.yml:12: sources[2].cron: "every day" is not a cron spec`,
			`bad.fields.yml:13: sources[3].id: "kaktus-media" is used by sources[0] too`,
			"bad.fields.yml:16: sources[3].interval: 30s is below crawler.min_interval 2m0s",
			`bad.fields.yml:17: sources[3].lang: "kg" is not a language`,
			"bad.fields.yml:18: sources[3].reach: 7 is out of range",
		}},
		{"bad.selector.yml", []string{
			`bad.selector.yml:6: sources[0].selectors.item: "div.[[" is not a CSS selector`,
			`bad.selector.yml:8: sources[0].selectors.drop_paragraphs[0]: "(unclosed" is not a regular expression`,
		}},
		{"bad.env.yml", []string{`bad.env.yml:3: crawler.user_agent: "" must name Kuzot`}},
		{"bad.lists.yml", []string{
			`bad.lists.yml:2: rule_lists.ru-staff: line 1, column 21: expected`,
			`bad.lists.yml:3: rule_lists.loop-a: lists nest more than 5 deep`,
			`bad.lists.yml:9: rules[0].query: @nope is not a list in rule_lists (known: loop-a, loop-b, ok, ru-staff)`,
			`bad.lists.yml:13: scoring.watch[0].query: @missing is not a list`,
		}},
		{"bad.alerting.yml", []string{
			"bad.alerting.yml:2: alerting.group_wait: 2h0m0s must be between 0 and 1h",
			`bad.alerting.yml:3: alerting.language: "kg" is not one of ru, ky, en`,
			"bad.alerting.yml:4: alerting.spikes.factor: 0.5 must be above 1",
			`bad.alerting.yml:6: alerting.receivers[0].name: "Press Slack" must be lower-case`,
			"bad.alerting.yml:7: alerting.receivers[0].slack.channel: is empty",
			`bad.alerting.yml:9: alerting.receivers[1].email.to[0]: "not an address" is not an email address`,
			"smtp.host: is empty but alerting.receivers[1] mails alerts",
			"bad.alerting.yml:11: alerting.receivers[2].telegram.token: is empty",
			`bad.alerting.yml:11: alerting.receivers[2].telegram.chat_id: "press" is not a chat id`,
			"bad.alerting.yml:12: alerting.receivers[3]: must set exactly one of slack, email, telegram or webhook (it sets 2)",
			`bad.alerting.yml:13: alerting.receivers[3].webhook.url: "ftp://example.org/hook" is not an http(s) URL`,
			`bad.alerting.yml:16: alerting.routes[0].receivers[1]: "nobody" is not a receiver; define it under alerting.receivers`,
			`bad.alerting.yml:17: alerting.routes[0].min_severity: "urgent" is not one of low, medium, high, critical`,
			`bad.alerting.yml:18: alerting.routes[0].categories[0]: "arrests" is not a category`,
			`bad.alerting.yml:19: alerting.routes[0].quiet_hours.to: "7am" is not a time of day (try "07:00")`,
			`bad.alerting.yml:21: digest.cron: "every monday" is not a cron spec`,
			`bad.alerting.yml:23: web.listen: "8080" is not host:port`,
		}},
		{"bad.rules.yml", []string{
			`bad.rules.yml:9: rules[0].query: rule medical-error: line 1, column 45: expected a word, a phrase or "(" after OR`,
			`bad.rules.yml:10: rules[1].id: "Arrest" is not a valid id`,
			`bad.rules.yml:11: rules[1].category: "arrests" is not a category (one of medical_error, arrest,`,
			`bad.rules.yml:12: rules[1].severity: "urgent" is not a severity`,
			`bad.rules.yml:13: rules[1].query: rule Arrest: line 1, column 15: expected a distance from 1 to 50`,
			`bad.rules.yml:14: rules[1].exclude: rule Arrest: line 1, column 1:`,
			`bad.rules.yml:15: rules[2].id: "medical-error" is used by rules[0] too`,
			`bad.rules.yml:17: rules[2].query: is empty`,
			`bad.rules.yml:21: scoring.watch[0].query: line 1, column 13:`,
			`bad.rules.yml:22: scoring.watch[0].boost: 9 is out of range`,
			`bad.rules.yml:23: scoring.thresholds: digest 5, alert 3 and critical 9 must be positive and rising`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := load(t, tt.file, noEnv)
			if err == nil {
				t.Fatal("loaded without error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if !strings.HasPrefix(err.Error(), "config: ") {
				t.Errorf("error does not start with the package: %v", err)
			}
		})
	}
}

func TestLoadGoodAlerting(t *testing.T) {
	env := func(k string) (string, bool) { return "secret-" + k, true }
	cfg, err := load(t, "good.alerting.yml", env)
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Alerting
	if len(a.Receivers) != 4 || a.GroupWait.D() != 45*time.Second || a.Window.D() != 72*time.Hour {
		t.Fatalf("alerting = %+v", a)
	}
	kinds := []string{}
	for _, r := range a.Receivers {
		kinds = append(kinds, r.Kind())
	}
	if strings.Join(kinds, ",") != "slack,email,telegram,webhook" {
		t.Errorf("kinds = %v", kinds)
	}
	if a.Receivers[0].Slack.Token != "secret-SLACK_TOKEN" || a.Receivers[3].Webhook.Headers["Authorization"] != "Bearer secret-OPS_TOKEN" {
		t.Errorf("secrets not expanded: %+v", a.Receivers[0].Slack)
	}
	if a.Routes[1].MinSeverity != "high" || a.Routes[2].MinSeverity != "high" {
		t.Errorf("a route without min_severity should default to high: %+v", a.Routes)
	}
	if cfg.SMTP.Port != 587 || cfg.SMTP.TLS != "starttls" || cfg.Digest.Cron != "0 9 * * 1" || cfg.Digest.TopStories != 10 {
		t.Errorf("smtp/digest defaults: %+v %+v", cfg.SMTP, cfg.Digest)
	}
	q := a.Routes[1].QuietHours
	loc := cfg.Location()
	at := func(h, m int) time.Time { return time.Date(2026, 12, 1, h, m, 0, 0, loc) }
	for _, c := range []struct {
		t     time.Time
		quiet bool
		end   time.Time
	}{
		{at(21, 59), false, at(21, 59)},
		{at(22, 0), true, at(7, 0).AddDate(0, 0, 1)},
		{at(3, 30), true, at(7, 0)},
		{at(7, 0), false, at(7, 0)},
	} {
		if got := q.Contains(c.t, loc); got != c.quiet {
			t.Errorf("quiet at %s = %v", c.t.Format("15:04"), got)
		}
		if got := q.End(c.t, loc); !got.Equal(c.end) {
			t.Errorf("quiet end from %s = %s, want %s", c.t.Format("15:04"), got, c.end)
		}
	}
}

func TestEnvExpansion(t *testing.T) {
	env := map[string]string{"KUZOT_TEST_DATA": "/srv/kuzot", "KUZOT_TEST_UNSET": "Kuzot/9 (+https://example.org)"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	cfg, err := load(t, "bad.env.yml", lookup)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/srv/kuzot" || cfg.Crawler.UserAgent != env["KUZOT_TEST_UNSET"] {
		t.Errorf("not expanded: %q %q", cfg.DataDir, cfg.Crawler.UserAgent)
	}
	env["KUZOT_TEST_DATA"] = "two\nlines"
	if _, err := load(t, "bad.env.yml", lookup); err == nil || !strings.Contains(err.Error(), "${KUZOT_TEST_DATA} holds a line break") {
		t.Errorf("multi-line value: %v", err)
	}
}

// TestRepositoryConfig keeps the shipped config.yaml loadable.
func TestRepositoryConfig(t *testing.T) {
	cfg, err := LoadFile(filepath.Join("..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) < 10 {
		t.Errorf("config.yaml lists %d sources, want the real outlets (≥ 10)", len(cfg.Sources))
	}
	kinds := map[string]int{}
	for _, s := range cfg.Sources {
		kinds[s.Kind]++
	}
	for _, k := range []string{KindRSS, KindHTML, KindTelegram} {
		if kinds[k] == 0 {
			t.Errorf("config.yaml has no %s source", k)
		}
	}
}

func FuzzLoad(f *testing.F) {
	for _, name := range []string{"good.yml", "bad.fields.yml", "bad.selector.yml", "bad.duration.yml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Load("fuzz.yml", data, noEnv)
		if err == nil && cfg == nil {
			t.Fatal("nil config without error")
		}
		if err != nil && !strings.HasPrefix(err.Error(), "config: ") {
			t.Fatalf("error without package prefix: %v", err)
		}
	})
}

func TestRuleLists(t *testing.T) {
	cfg, err := Load("lists.yml", []byte(`
rule_lists:
  staff: 'врач OR медсестра OR @senior'
  senior: '"главный врач" OR главврач'
rules:
  - id: arrest
    category: arrest
    query: '@staff NEAR/3 задержан'
    exclude: 'ветеринар OR "@staff"'
scoring:
  watch:
    - id: staff
      query: '@senior'
`), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	specs := cfg.RuleSpecs()
	if want := `(врач OR медсестра OR ("главный врач" OR главврач)) NEAR/3 задержан`; specs[0].Query != want {
		t.Errorf("query = %s, want %s", specs[0].Query, want)
	}
	if want := `ветеринар OR "@staff"`; specs[0].Exclude != want {
		t.Errorf("exclude = %s: a quoted @ is text", specs[0].Exclude)
	}
	if cfg.Rules[0].Query != "@staff NEAR/3 задержан" {
		t.Errorf("the written query changed: %s", cfg.Rules[0].Query)
	}
	if got := cfg.Scoring.Watch[0].Expanded(); got != `("главный врач" OR главврач)` {
		t.Errorf("watch = %s", got)
	}
}
