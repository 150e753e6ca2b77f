package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/andybalholm/cascadia"
	"github.com/robfig/cron/v3"
)

// Default source intervals by kind.
const (
	DefaultInterval         = 10 * time.Minute
	DefaultTelegramInterval = 5 * time.Minute
	DefaultReach            = 2
)

// CronParser reads source and digest cron specs: five fields or a
// descriptor such as @hourly, with an optional CRON_TZ= prefix.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Default is the configuration every file is decoded over.
func Default() *Config {
	return &Config{
		DataDir:  "./data",
		Timezone: "Asia/Bishkek",
		Crawler: Crawler{
			UserAgent:          "Kuzot/0.1 (media monitoring for a health press office; +https://github.com/kuzot/kuzot)",
			Workers:            8,
			HostInterval:       Duration(2 * time.Second),
			MaxBodySize:        5 << 20,
			ConnectTimeout:     Duration(10 * time.Second),
			HeaderTimeout:      Duration(20 * time.Second),
			BodyTimeout:        Duration(60 * time.Second),
			MaxRedirects:       5,
			MinInterval:        Duration(2 * time.Minute),
			MaxInterval:        Duration(6 * time.Hour),
			MaxArticlesPerPoll: 100,
		},
		Alerting: defaultAlerting(),
		SMTP:     SMTP{Port: 587, TLS: "starttls", Timeout: Duration(30 * time.Second)},
		Digest:   Digest{Cron: "0 9 * * 1", Language: "ru", TopStories: 10},
		Web:      Web{Listen: "127.0.0.1:8080", SessionTTL: Duration(12 * time.Hour)},
	}
}

var (
	idPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	telegramSource = regexp.MustCompile(`^https://t\.me/s/([A-Za-z0-9_]{4,64})/?$`)
)

// Validate checks every field, fills the per-source defaults and resolves
// the time zone. Its error is a FieldErrors naming each bad field and the fix.
func (c *Config) Validate() error {
	var errs FieldErrors
	add := func(path, format string, args ...any) {
		errs = append(errs, FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}

	if strings.TrimSpace(c.DataDir) == "" {
		add("data_dir", "is empty (try \"./data\")")
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "" {
		add("timezone", "%q is not a time zone (try \"Asia/Bishkek\")", c.Timezone)
	} else {
		c.location = loc
	}
	c.Crawler.validate(add)

	seen := map[string]int{}
	for i := range c.Sources {
		s := &c.Sources[i]
		p := fmt.Sprintf("sources[%d]", i)
		if j, dup := seen[s.ID]; dup && s.ID != "" {
			add(p+".id", "%q is used by sources[%d] too; ids must be unique", s.ID, j)
		}
		seen[s.ID] = i
		s.validate(p, &c.Crawler, add)
	}
	c.validateRules(add)
	c.validateAlerting(add)
	c.validateMail(add)
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func (c *Crawler) validate(add func(path, format string, args ...any)) {
	if !strings.Contains(strings.ToLower(c.UserAgent), "kuzot") {
		add("crawler.user_agent", "%q must name Kuzot so site owners know who calls (try \"Kuzot/0.1 (+https://your.site/contact)\")", c.UserAgent)
	}
	if c.Workers < 1 || c.Workers > 256 {
		add("crawler.workers", "%d is out of range (try 8; 1 to 256)", c.Workers)
	}
	if c.HostInterval < 0 {
		add("crawler.host_interval", "must not be negative (try \"2s\")")
	}
	if c.MaxBodySize < 64<<10 {
		add("crawler.max_body_size", "%d bytes is too small for a news page (try \"5MB\")", c.MaxBodySize)
	}
	for _, d := range []struct {
		name string
		v    Duration
	}{{"connect_timeout", c.ConnectTimeout}, {"header_timeout", c.HeaderTimeout}, {"body_timeout", c.BodyTimeout}, {"min_interval", c.MinInterval}, {"max_interval", c.MaxInterval}} {
		if d.v <= 0 {
			add("crawler."+d.name, "must be positive (try \"30s\")")
		}
	}
	if c.MinInterval > c.MaxInterval {
		add("crawler.min_interval", "%s is above max_interval %s", c.MinInterval.D(), c.MaxInterval.D())
	}
	if c.MaxRedirects < 0 || c.MaxRedirects > 20 {
		add("crawler.max_redirects", "%d is out of range (try 5; 0 to 20)", c.MaxRedirects)
	}
	if c.MaxArticlesPerPoll < 1 {
		add("crawler.max_articles_per_poll", "must be at least 1 (try 100)")
	}
}

func (s *Source) validate(p string, c *Crawler, add func(path, format string, args ...any)) {
	if !idPattern.MatchString(s.ID) {
		add(p+".id", "%q is not a valid id (lower-case letters, digits and '-', e.g. \"kaktus-media\")", s.ID)
	}
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add(p+".url", "%q is not an http(s) URL", s.URL)
		u = nil
	}
	switch s.Kind {
	case KindRSS:
	case KindHTML:
		if s.Selectors == nil || s.Selectors.Item == "" || s.Selectors.Link == "" {
			add(p+".selectors", "an html source needs selectors.item and selectors.link (see kaktus-media in the repository's config.yaml)")
		}
	case KindTelegram:
		if !telegramSource.MatchString(s.URL) {
			add(p+".url", "%q is not a public channel preview (try \"https://t.me/s/CHANNEL\")", s.URL)
		}
	case "":
		add(p+".kind", "is missing (one of rss, html, telegram)")
	default:
		add(p+".kind", "%q is not a source kind (one of rss, html, telegram)", s.Kind)
	}
	if s.Outlet == "" && u != nil {
		s.Outlet = strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		if m := telegramSource.FindStringSubmatch(s.URL); s.Kind == KindTelegram && m != nil {
			s.Outlet = "t.me/" + m[1]
		}
	}
	if s.Interval == 0 {
		s.Interval = Duration(DefaultInterval)
		if s.Kind == KindTelegram {
			s.Interval = Duration(DefaultTelegramInterval)
		}
	}
	if s.Interval < 0 {
		add(p+".interval", "must be positive (try \"10m\")")
	} else if s.Interval < c.MinInterval {
		add(p+".interval", "%s is below crawler.min_interval %s; polling faster is impolite (raise it, or lower crawler.min_interval)", s.Interval.D(), c.MinInterval.D())
	}
	if s.Cron != "" {
		if _, err := CronParser.Parse(s.Cron); err != nil {
			add(p+".cron", "%q is not a cron spec: %v (try \"*/15 * * * *\")", s.Cron, err)
		}
	}
	switch s.Lang {
	case "", "ru", "ky", "en":
	default:
		add(p+".lang", "%q is not a language (ru, ky, en, or leave it out to detect)", s.Lang)
	}
	if s.Reach == 0 {
		s.Reach = DefaultReach
	}
	if s.Reach < 1 || s.Reach > 3 {
		add(p+".reach", "%d is out of range (1 national, 2 regular, 3 small)", s.Reach)
	}
	if s.BackfillURL != "" && !strings.Contains(s.BackfillURL, "{date}") && !strings.Contains(s.BackfillURL, "{page}") {
		add(p+".backfill_url", "%q has neither {date} nor {page} to walk back with", s.BackfillURL)
	}
	if s.FullText != nil && s.Kind != KindRSS {
		add(p+".full_text", "applies to rss sources only; remove it")
	}
	if sel := s.Selectors; sel != nil {
		sp := p + ".selectors"
		for _, f := range []struct{ name, sel string }{
			{"item", sel.Item}, {"link", sel.Link}, {"item_time", sel.ItemTime}, {"title", sel.Title},
			{"time", sel.Time}, {"body", sel.Body}, {"author", sel.Author},
		} {
			if f.sel != "" && !validSelector(f.sel) {
				add(sp+"."+f.name, "%q is not a CSS selector", f.sel)
			}
		}
		for i, r := range sel.Remove {
			if !validSelector(r) {
				add(fmt.Sprintf("%s.remove[%d]", sp, i), "%q is not a CSS selector", r)
			}
		}
		for i, r := range sel.DropParagraphs {
			if _, err := regexp.Compile(r); err != nil {
				add(fmt.Sprintf("%s.drop_paragraphs[%d]", sp, i), "%q is not a regular expression: %v", r, err)
			}
		}
	}
}

// validSelector reports whether sel compiles the way goquery will compile it.
func validSelector(sel string) bool {
	_, err := cascadia.Compile(sel)
	return err == nil
}
