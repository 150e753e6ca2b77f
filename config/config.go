// Package config loads Kuzot's one configuration file: defaults first, then
// strict YAML (unknown keys are errors), then Validate, whose errors name the
// file, the line, the field and the fix.
package config

import (
	"time"
)

// Source kinds.
const (
	KindRSS      = "rss"
	KindHTML     = "html"
	KindTelegram = "telegram"
)

// Config is the whole configuration of a Kuzot instance.
type Config struct {
	// DataDir holds the SQLite file and the bleve index; nothing else is written.
	DataDir string `yaml:"data_dir"`
	// Timezone is the zone times are shown in and cron specs run in.
	Timezone string   `yaml:"timezone"`
	Crawler  Crawler  `yaml:"crawler"`
	Sources  []Source `yaml:"sources"`
	// RuleLists are named word lists a rule query refers to as @name,
	// so that the staff, places or outlets of many rules are written once.
	RuleLists map[string]string `yaml:"rule_lists"`
	// Rules are the crisis rules; Scoring weighs their matches.
	Rules   []Rule  `yaml:"rules"`
	Scoring Scoring `yaml:"scoring"`
	// Alerting turns matches into alerts and delivers them.
	Alerting Alerting `yaml:"alerting"`
	// SMTP sends email alerts and the digest.
	SMTP SMTP `yaml:"smtp"`
	// Digest is the weekly mention digest.
	Digest Digest `yaml:"digest"`
	// Web is the UI and API served by kuzot serve.
	Web Web `yaml:"web"`

	// location is Timezone resolved by Validate.
	location *time.Location
}

// Crawler holds the settings shared by every source.
type Crawler struct {
	// UserAgent names Kuzot and a contact URL.
	UserAgent string `yaml:"user_agent"`
	// Workers is the number of sources fetched at once.
	Workers int `yaml:"workers"`
	// HostInterval is the least time between two requests to one host.
	// Zero turns the per-host limit off (benchmarks only).
	HostInterval Duration `yaml:"host_interval"`
	// MaxBodySize caps a response body after decompression.
	MaxBodySize ByteSize `yaml:"max_body_size"`
	// ConnectTimeout bounds dialling and the TLS handshake.
	ConnectTimeout Duration `yaml:"connect_timeout"`
	// HeaderTimeout bounds the wait for response headers.
	HeaderTimeout Duration `yaml:"header_timeout"`
	// BodyTimeout bounds the whole request, body included.
	BodyTimeout Duration `yaml:"body_timeout"`
	// MaxRedirects is the most redirects followed for one request.
	MaxRedirects int `yaml:"max_redirects"`
	// MinInterval and MaxInterval clamp every source's next check.
	MinInterval Duration `yaml:"min_interval"`
	MaxInterval Duration `yaml:"max_interval"`
	// MaxArticlesPerPoll bounds the new article pages fetched in one poll of
	// one source; the rest wait for the next poll.
	MaxArticlesPerPoll int `yaml:"max_articles_per_poll"`
	// RespectRobots turns robots.txt checks on (the default).
	RespectRobots *bool `yaml:"respect_robots"`
}

// Source is one outlet's feed, listing page or Telegram channel.
type Source struct {
	// ID is stable and unique: [a-z0-9-].
	ID string `yaml:"id"`
	// Outlet is the name shown and searched (usually the site's host).
	Outlet string `yaml:"outlet"`
	// Kind is rss, html or telegram.
	Kind string `yaml:"kind"`
	// URL is the feed, the listing page or https://t.me/s/CHANNEL.
	URL string `yaml:"url"`
	// BackfillURL is a listing URL template for walking back in time:
	// {date} becomes YYYY-MM-DD, {page} a page number from 1.
	BackfillURL string `yaml:"backfill_url"`
	// Interval is the base time between checks.
	Interval Duration `yaml:"interval"`
	// Cron, when set, replaces the interval with a robfig/cron/v3 spec.
	Cron string `yaml:"cron"`
	// Lang is a hint (ru, ky, en) used when detection is unsure.
	Lang string `yaml:"lang"`
	// Reach is the outlet's reach tier, 1 (national) to 3 (small).
	Reach int `yaml:"reach"`
	// FullText fetches each feed item's page for its full text (rss only;
	// default true).
	FullText *bool `yaml:"full_text"`
	// Selectors extract links and articles from pages (required for html).
	Selectors *Selectors `yaml:"selectors"`
	// Disabled sources are kept in the config but never polled.
	Disabled bool `yaml:"disabled"`
}

// Selectors are the CSS selectors (goquery) of one site.
type Selectors struct {
	// Item is one article entry on a listing page.
	Item string `yaml:"item"`
	// Link is the article link inside Item.
	Link string `yaml:"link"`
	// ItemTime is the time shown inside Item.
	ItemTime string `yaml:"item_time"`

	// Title, Time, Body and Author select from an article page.
	Title string `yaml:"title"`
	Time  string `yaml:"time"`
	// TimeAttr is the attribute of Time that holds the time; empty means
	// the element's text.
	TimeAttr string `yaml:"time_attr"`
	Body     string `yaml:"body"`
	Author   string `yaml:"author"`
	// Remove lists selectors removed from the article before extraction.
	Remove []string `yaml:"remove"`
	// DropParagraphs lists regular expressions; a body paragraph that
	// matches one is dropped (a site's "send us a tip" line, say).
	DropParagraphs []string `yaml:"drop_paragraphs"`
}

// WantsFullText reports whether feed items of s get their page fetched.
func (s *Source) WantsFullText() bool {
	return s.Kind == KindRSS && (s.FullText == nil || *s.FullText)
}

// Location is the configured time zone.
func (c *Config) Location() *time.Location {
	if c.location == nil {
		return time.UTC
	}
	return c.location
}

// RobotsEnabled reports whether robots.txt is honoured.
func (c *Crawler) RobotsEnabled() bool { return c.RespectRobots == nil || *c.RespectRobots }
