package crawler

import (
	"hash/fnv"
	"time"

	"github.com/robfig/cron/v3"

	"kuzot/config"
)

// maxRetryAfter bounds how long a server's Retry-After can silence a source.
const maxRetryAfter = 24 * time.Hour

// Schedule is what NextCheck needs to know about a source's recent life.
type Schedule struct {
	// Published are the source's articles' publication times over the last
	// week; their rate tunes the interval.
	Published []time.Time
	// Errors counts the polls that failed in a row.
	Errors int
	// RetryAfter is what the server last asked for, zero when it did not.
	RetryAfter time.Duration
	// Cron is the source's parsed cron spec, nil when it has none.
	Cron cron.Schedule
}

// NextCheck picks when a source is polled next, after a poll at now.
//
// A cron spec fixes the time. Otherwise the base is the configured interval,
// pulled toward the source's mean gap between articles over the last week:
// a busy source is polled up to twice as often and a quiet one up to four
// times less often; one without articles in the week keeps the interval. Each failure in a
// row doubles the pause, and a Retry-After is always honoured. The result is
// clamped between crawler.min_interval and crawler.max_interval, and spread
// by a small per-source offset so that sources configured alike do not all
// fire at the same instant.
func NextCheck(now time.Time, src *config.Source, c *config.Crawler, s Schedule) time.Time {
	if s.Cron != nil && s.Errors == 0 && s.RetryAfter == 0 {
		return s.Cron.Next(now)
	}
	interval := src.Interval.D()
	// With no articles in the week (a new or a silent source) the
	// configured interval stands.
	delay := interval
	if n := len(s.Published); n > 0 {
		gap := 7 * 24 * time.Hour / time.Duration(n)
		delay = min(max(gap, interval/2), 4*interval)
	}
	for i := 0; i < s.Errors && delay < c.MaxInterval.D(); i++ {
		delay *= 2
	}
	delay = min(max(delay, c.MinInterval.D()), c.MaxInterval.D())
	delay += spread(src.ID, delay)
	if s.RetryAfter > 0 {
		delay = max(delay, min(s.RetryAfter, maxRetryAfter))
	}
	return now.Add(delay)
}

// spread is a stable offset of up to a tenth of delay, taken from the id.
func spread(id string, delay time.Duration) time.Duration {
	h := fnv.New32a()
	h.Write([]byte(id))
	return time.Duration(uint64(delay/10) * uint64(h.Sum32()%1000) / 1000)
}
