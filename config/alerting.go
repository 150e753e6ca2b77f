package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Alerting is how matches become alerts and where the alerts go.
type Alerting struct {
	// Window is how long a story stays open to new articles after its last one.
	Window Duration `yaml:"window"`
	// GroupWait gathers articles arriving together into one alert: the
	// first notification of a new story waits this long.
	GroupWait Duration `yaml:"group_wait"`
	// MaxAge: an article published longer ago than this joins its story
	// but raises no alert (a backfill of last month is not news).
	MaxAge Duration `yaml:"max_age"`
	// Language of alert texts: ru, ky or en.
	Language string `yaml:"language"`
	// BaseURL is the web UI's address, used for links in alerts.
	BaseURL string `yaml:"base_url"`
	// TemplatesDir, when set, holds templates that override the embedded
	// ones of the same name.
	TemplatesDir string `yaml:"templates_dir"`
	// Escalation raises an alert's severity as its story spreads.
	Escalation Escalation `yaml:"escalation"`
	// Spikes alert on unusual volumes of watch-list mentions.
	Spikes Spikes `yaml:"spikes"`
	// Receivers are the places alerts are delivered to, by name.
	Receivers []Receiver `yaml:"receivers"`
	// Routes send alerts to receivers by severity and category; an alert
	// goes to every route it fits.
	Routes []Route `yaml:"routes"`
}

// Escalation says when a story has spread enough to notify again.
type Escalation struct {
	// Outlets within Within escalate (e.g. 3 outlets within 6 hours).
	Outlets int      `yaml:"outlets"`
	Within  Duration `yaml:"within"`
	// ReachTier: an article from an outlet of this tier or better (1 is
	// national) escalates. Zero turns it off.
	ReachTier int `yaml:"reach_tier"`
	// ScoreRise: an article scoring this many times the alert's first
	// score escalates. Zero turns it off.
	ScoreRise float64 `yaml:"score_rise"`
}

// Spikes compares the mentions of each watch-list entity in the last hour
// with the same hour of the previous days.
type Spikes struct {
	Enabled bool `yaml:"enabled"`
	// Factor: an hour with more than Factor times the baseline spikes.
	Factor float64 `yaml:"factor"`
	// MinMentions is the least count in the hour that can spike, so that
	// 2 mentions against a baseline of 0.3 do not alert.
	MinMentions int `yaml:"min_mentions"`
	// BaselineDays is how many previous days give the baseline.
	BaselineDays int `yaml:"baseline_days"`
	// Severity of a spike alert.
	Severity string `yaml:"severity"`
}

// Receiver is one destination. Exactly one of its kinds is set.
type Receiver struct {
	Name     string            `yaml:"name"`
	Slack    *SlackReceiver    `yaml:"slack"`
	Email    *EmailReceiver    `yaml:"email"`
	Telegram *TelegramReceiver `yaml:"telegram"`
	Webhook  *WebhookReceiver  `yaml:"webhook"`
	// MaxPerHour throttles the receiver: past this many alerts in an hour
	// it gets one summary instead of each alert. Zero means no limit.
	MaxPerHour int `yaml:"max_per_hour"`
	// Language overrides alerting.language for this receiver.
	Language string `yaml:"language"`
}

// Kind names the receiver's kind: slack, email, telegram or webhook.
func (r *Receiver) Kind() string {
	switch {
	case r.Slack != nil:
		return "slack"
	case r.Email != nil:
		return "email"
	case r.Telegram != nil:
		return "telegram"
	case r.Webhook != nil:
		return "webhook"
	}
	return ""
}

// SlackReceiver posts through the Web API (token and channel) or an
// incoming webhook.
type SlackReceiver struct {
	Token   string `yaml:"token"`
	Channel string `yaml:"channel"`
	// WebhookURL is an incoming webhook; used when Token is empty.
	WebhookURL string `yaml:"webhook_url"`
	// SigningSecret verifies the interactive endpoint's requests; with it
	// the messages carry Acknowledge and Resolve buttons.
	SigningSecret string `yaml:"signing_secret"`
	// APIURL overrides https://slack.com/api/ (tests, proxies).
	APIURL string `yaml:"api_url"`
}

// EmailReceiver mails alerts through the smtp settings.
type EmailReceiver struct {
	To []string `yaml:"to"`
}

// TelegramReceiver sends through a bot's sendMessage.
type TelegramReceiver struct {
	Token  string `yaml:"token"`
	ChatID string `yaml:"chat_id"`
	// APIURL overrides https://api.telegram.org (tests, proxies).
	APIURL string `yaml:"api_url"`
}

// WebhookReceiver posts the alert's JSON.
type WebhookReceiver struct {
	URL     string            `yaml:"url"`
	Headers map[string]string `yaml:"headers"`
}

// Route sends the alerts that fit it to its receivers.
type Route struct {
	Receivers []string `yaml:"receivers"`
	// MinSeverity is the least severity routed: low, medium, high or critical.
	MinSeverity string `yaml:"min_severity"`
	// Categories limits the route to these categories; empty means all.
	Categories []string `yaml:"categories"`
	// QuietHours holds back non-critical alerts in a daily period (in the
	// configured time zone); they are sent when it ends.
	QuietHours *QuietHours `yaml:"quiet_hours"`
}

// QuietHours is a daily period "22:00" to "07:00"; it may wrap midnight.
type QuietHours struct {
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

// Contains reports whether t falls in the period, in loc.
func (q *QuietHours) Contains(t time.Time, loc *time.Location) bool {
	if q == nil {
		return false
	}
	from, _ := clock(q.From)
	to, _ := clock(q.To)
	lt := t.In(loc)
	m := lt.Hour()*60 + lt.Minute()
	if from <= to {
		return m >= from && m < to
	}
	return m >= from || m < to
}

// End returns the first moment at or after t outside the period.
func (q *QuietHours) End(t time.Time, loc *time.Location) time.Time {
	if !q.Contains(t, loc) {
		return t
	}
	to, _ := clock(q.To)
	lt := t.In(loc)
	end := time.Date(lt.Year(), lt.Month(), lt.Day(), to/60, to%60, 0, 0, loc)
	if !end.After(lt) {
		end = end.AddDate(0, 0, 1)
	}
	return end
}

func clock(s string) (int, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// SMTP is the mail server alerts and digests are sent through.
type SMTP struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	From     string `yaml:"from"`
	// TLS is "starttls" (the default), "tls" (implicit, port 465) or
	// "none" (a relay on loopback).
	TLS string `yaml:"tls"`
	// Timeout bounds one send.
	Timeout Duration `yaml:"timeout"`
}

// Digest is the weekly mention digest.
type Digest struct {
	// Cron is a robfig/cron/v3 spec in the configured zone (default Monday 09:00).
	Cron string `yaml:"cron"`
	// Language of the digest: ru, ky or en.
	Language string `yaml:"language"`
	// Recipients get the digest by email; none means it is not sent.
	Recipients []string `yaml:"recipients"`
	// TopStories is how many stories the digest lists.
	TopStories int `yaml:"top_stories"`
}

// Web is the HTTP UI and API.
type Web struct {
	// Listen is the address served (default 127.0.0.1:8080).
	Listen string `yaml:"listen"`
	// SecureCookies forces the Secure flag on session cookies; it is set
	// anyway when a request arrives over TLS.
	SecureCookies bool `yaml:"secure_cookies"`
	// SessionTTL is how long a login lasts.
	SessionTTL Duration `yaml:"session_ttl"`
}

// Languages of texts.
var Languages = []string{"ru", "ky", "en"}

var (
	receiverName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	telegramChat = regexp.MustCompile(`^(-?[0-9]+|@[A-Za-z0-9_]{4,64})$`)
)

func defaultAlerting() Alerting {
	return Alerting{
		Window:    Duration(72 * time.Hour),
		GroupWait: Duration(30 * time.Second),
		MaxAge:    Duration(48 * time.Hour),
		Language:  "ru",
		BaseURL:   "http://127.0.0.1:8080",
		Escalation: Escalation{
			Outlets:   3,
			Within:    Duration(6 * time.Hour),
			ReachTier: 1,
			ScoreRise: 1.5,
		},
		Spikes: Spikes{Enabled: true, Factor: 3, MinMentions: 5, BaselineDays: 14, Severity: "medium"},
	}
}

func (c *Config) validateAlerting(add func(path, format string, args ...any)) {
	a := &c.Alerting
	if a.Window.D() <= 0 {
		add("alerting.window", "%s must be positive (try \"72h\")", a.Window.D())
	}
	if a.GroupWait.D() < 0 || a.GroupWait.D() > time.Hour {
		add("alerting.group_wait", "%s must be between 0 and 1h (try \"30s\")", a.GroupWait.D())
	}
	if a.MaxAge.D() <= 0 {
		add("alerting.max_age", "%s must be positive (try \"48h\")", a.MaxAge.D())
	}
	validLanguage("alerting.language", a.Language, add)
	if u, err := url.Parse(a.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("alerting.base_url", "%q is not an http(s) URL (try \"https://kuzot.example.org\")", a.BaseURL)
	}
	e := &a.Escalation
	if e.Outlets < 0 {
		add("alerting.escalation.outlets", "%d must not be negative (0 turns it off)", e.Outlets)
	}
	if e.Outlets > 0 && e.Within.D() <= 0 {
		add("alerting.escalation.within", "must be positive when outlets is set (try \"6h\")")
	}
	if e.ReachTier < 0 || e.ReachTier > 3 {
		add("alerting.escalation.reach_tier", "%d must be 0 (off) or a tier from 1 to 3", e.ReachTier)
	}
	if e.ScoreRise != 0 && e.ScoreRise <= 1 {
		add("alerting.escalation.score_rise", "%g must be above 1 (try 1.5) or 0 to turn it off", e.ScoreRise)
	}
	s := &a.Spikes
	if s.Enabled {
		if s.Factor <= 1 {
			add("alerting.spikes.factor", "%g must be above 1 (try 3)", s.Factor)
		}
		if s.MinMentions < 1 {
			add("alerting.spikes.min_mentions", "%d must be at least 1 (try 5)", s.MinMentions)
		}
		if s.BaselineDays < 1 || s.BaselineDays > 90 {
			add("alerting.spikes.baseline_days", "%d must be between 1 and 90 (try 14)", s.BaselineDays)
		}
		if !slices.Contains(Severities, s.Severity) {
			add("alerting.spikes.severity", "%q is not one of %s", s.Severity, strings.Join(Severities, ", "))
		}
	}

	names := map[string]int{}
	for i := range a.Receivers {
		r := &a.Receivers[i]
		p := fmt.Sprintf("alerting.receivers[%d]", i)
		if !receiverName.MatchString(r.Name) {
			add(p+".name", "%q must be lower-case letters, digits, - or _ (try \"press-slack\")", r.Name)
		} else if j, dup := names[r.Name]; dup {
			add(p+".name", "%q is used by alerting.receivers[%d] too; names must be unique", r.Name, j)
		}
		names[r.Name] = i
		r.validate(p, c, add)
	}
	for i := range a.Routes {
		rt := &a.Routes[i]
		p := fmt.Sprintf("alerting.routes[%d]", i)
		if len(rt.Receivers) == 0 {
			add(p+".receivers", "is empty: name at least one receiver of alerting.receivers")
		}
		for j, name := range rt.Receivers {
			if _, ok := names[name]; !ok {
				add(fmt.Sprintf("%s.receivers[%d]", p, j), "%q is not a receiver; define it under alerting.receivers", name)
			}
		}
		if rt.MinSeverity == "" {
			rt.MinSeverity = "high"
		}
		if !slices.Contains(Severities, rt.MinSeverity) {
			add(p+".min_severity", "%q is not one of %s", rt.MinSeverity, strings.Join(Severities, ", "))
		}
		for j, cat := range rt.Categories {
			if !slices.Contains(Categories, cat) {
				add(fmt.Sprintf("%s.categories[%d]", p, j), "%q is not a category; use one of %s", cat, strings.Join(Categories, ", "))
			}
		}
		if q := rt.QuietHours; q != nil {
			if _, ok := clock(q.From); !ok {
				add(p+".quiet_hours.from", "%q is not a time of day (try \"22:00\")", q.From)
			}
			if _, ok := clock(q.To); !ok {
				add(p+".quiet_hours.to", "%q is not a time of day (try \"07:00\")", q.To)
			}
		}
	}
}

func (r *Receiver) validate(p string, c *Config, add func(path, format string, args ...any)) {
	kinds := 0
	for _, set := range []bool{r.Slack != nil, r.Email != nil, r.Telegram != nil, r.Webhook != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		add(p, "must set exactly one of slack, email, telegram or webhook (it sets %d)", kinds)
	}
	if r.MaxPerHour < 0 {
		add(p+".max_per_hour", "%d must not be negative (0 means no limit)", r.MaxPerHour)
	}
	if r.Language != "" {
		validLanguage(p+".language", r.Language, add)
	}
	if s := r.Slack; s != nil {
		switch {
		case s.Token == "" && s.WebhookURL == "":
			add(p+".slack", "needs a token and channel (token: ${SLACK_TOKEN}) or a webhook_url")
		case s.Token != "" && s.Channel == "":
			add(p+".slack.channel", "is empty: name the channel to post in (try \"#press\" or a channel id)")
		}
		if s.WebhookURL != "" {
			validURL(p+".slack.webhook_url", s.WebhookURL, add)
		}
		if s.APIURL != "" {
			validURL(p+".slack.api_url", s.APIURL, add)
		}
	}
	if e := r.Email; e != nil {
		if len(e.To) == 0 {
			add(p+".email.to", "is empty: list the addresses to mail")
		}
		for j, to := range e.To {
			if _, err := mail.ParseAddress(to); err != nil {
				add(fmt.Sprintf("%s.email.to[%d]", p, j), "%q is not an email address", to)
			}
		}
		if c.SMTP.Host == "" {
			add("smtp.host", "is empty but %s mails alerts: set the SMTP server", p)
		}
	}
	if t := r.Telegram; t != nil {
		if t.Token == "" {
			add(p+".telegram.token", "is empty (try token: ${TELEGRAM_TOKEN})")
		}
		if !telegramChat.MatchString(t.ChatID) {
			add(p+".telegram.chat_id", "%q is not a chat id (a number such as -1001234567890, or @channel)", t.ChatID)
		}
		if t.APIURL != "" {
			validURL(p+".telegram.api_url", t.APIURL, add)
		}
	}
	if w := r.Webhook; w != nil {
		validURL(p+".webhook.url", w.URL, add)
	}
}

func (c *Config) validateMail(add func(path, format string, args ...any)) {
	s := &c.SMTP
	if s.Host != "" {
		if s.Port < 1 || s.Port > 65535 {
			add("smtp.port", "%d is not a port (try 587)", s.Port)
		}
		if _, err := mail.ParseAddress(s.From); err != nil {
			add("smtp.from", "%q is not an email address (try \"Kuzot <kuzot@example.org>\")", s.From)
		}
	}
	switch s.TLS {
	case "starttls", "tls", "none":
	default:
		add("smtp.tls", "%q is not one of starttls, tls, none", s.TLS)
	}
	if s.Timeout.D() <= 0 {
		add("smtp.timeout", "%s must be positive (try \"30s\")", s.Timeout.D())
	}

	d := &c.Digest
	if _, err := CronParser.Parse(d.Cron); err != nil {
		add("digest.cron", "%q is not a cron spec (try \"0 9 * * 1\" for Monday 09:00)", d.Cron)
	}
	validLanguage("digest.language", d.Language, add)
	for j, to := range d.Recipients {
		if _, err := mail.ParseAddress(to); err != nil {
			add(fmt.Sprintf("digest.recipients[%d]", j), "%q is not an email address", to)
		}
	}
	if len(d.Recipients) > 0 && s.Host == "" {
		add("smtp.host", "is empty but digest.recipients are set: set the SMTP server")
	}
	if d.TopStories < 1 || d.TopStories > 100 {
		add("digest.top_stories", "%d must be between 1 and 100 (try 10)", d.TopStories)
	}

	w := &c.Web
	if _, _, err := net.SplitHostPort(w.Listen); err != nil {
		add("web.listen", "%q is not host:port (try \"127.0.0.1:8080\")", w.Listen)
	}
	if w.SessionTTL.D() < time.Minute {
		add("web.session_ttl", "%s is too short (try \"12h\")", w.SessionTTL.D())
	}
}

func validLanguage(path, lang string, add func(path, format string, args ...any)) {
	if !slices.Contains(Languages, lang) {
		add(path, "%q is not one of ru, ky, en", lang)
	}
}

func validURL(path, s string, add func(path, format string, args ...any)) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add(path, "%q is not an http(s) URL", s)
	}
}
