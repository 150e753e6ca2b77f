package crawler

import (
	"testing"
	"time"

	"kuzot/config"
)

func TestNextCheck(t *testing.T) {
	c := config.Default().Crawler // min 2m, max 6h
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	src := &config.Source{ID: "a", Interval: config.Duration(10 * time.Minute)}
	every := func(gap time.Duration) []time.Time {
		var ts []time.Time
		for t := now.Add(-7 * 24 * time.Hour); t.Before(now); t = t.Add(gap) {
			ts = append(ts, t)
		}
		return ts
	}
	hourly, _ := config.CronParser.Parse("0 * * * *")
	tests := []struct {
		name     string
		s        Schedule
		min, max time.Duration // the delay must fall in [min, max]
	}{
		{"busy source polled more often", Schedule{Published: every(time.Minute)}, 5 * time.Minute, 5*time.Minute + 30*time.Second},
		{"regular source at its pace", Schedule{Published: every(20 * time.Minute)}, 20 * time.Minute, 22 * time.Minute},
		{"quiet source less often", Schedule{Published: every(24 * time.Hour)}, 40 * time.Minute, 44 * time.Minute},
		{"new or silent source keeps its interval", Schedule{}, 10 * time.Minute, 11 * time.Minute},
		{"one error doubles", Schedule{Published: every(20 * time.Minute), Errors: 1}, 40 * time.Minute, 44 * time.Minute},
		{"many errors reach the ceiling", Schedule{Published: every(20 * time.Minute), Errors: 30}, 6 * time.Hour, 6*time.Hour + 36*time.Minute},
		{"retry-after wins", Schedule{Published: every(20 * time.Minute), RetryAfter: 3 * time.Hour}, 3 * time.Hour, 3 * time.Hour},
		{"retry-after is bounded", Schedule{RetryAfter: 1000 * time.Hour}, 24 * time.Hour, 24 * time.Hour},
		{"cron fixes the time", Schedule{Cron: hourly}, time.Hour, time.Hour},
		{"cron backs off on errors", Schedule{Cron: hourly, Errors: 1, Published: every(20 * time.Minute)}, 40 * time.Minute, 44 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NextCheck(now, src, &c, tt.s).Sub(now)
			if d < tt.min || d > tt.max {
				t.Errorf("delay %s, want between %s and %s", d, tt.min, tt.max)
			}
		})
	}
}

func TestNextCheckFloor(t *testing.T) {
	c := config.Default().Crawler
	src := &config.Source{ID: "fast", Interval: config.Duration(2 * time.Minute)}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	var ts []time.Time
	for i := 0; i < 100000; i++ {
		ts = append(ts, now.Add(-time.Duration(i)*time.Second))
	}
	if d := NextCheck(now, src, &c, Schedule{Published: ts}).Sub(now); d < c.MinInterval.D() {
		t.Errorf("delay %s below the floor %s", d, c.MinInterval.D())
	}
}
