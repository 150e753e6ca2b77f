package alerting

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kuzot/store"
)

// Counter counts the articles a query finds in a period (the search index
// does), with a few of them as a sample.
type Counter interface {
	Mentions(ctx context.Context, query string, from, to time.Time, sample int) (int, []store.AlertArticle, error)
}

// Spike is one watch-list entity's hour against its baseline.
type Spike struct {
	Watch    string
	Hour     time.Time // start of the hour
	Count    int
	Baseline float64 // mean count of the same hour over the baseline days
	Sample   []store.AlertArticle
}

// spiking reports whether count is a spike over baseline: at least
// minMentions, and more than factor times the baseline (a baseline under
// one mention an hour counts as one, so a quiet entity needs a real burst).
func spiking(count int, baseline, factor float64, minMentions int) bool {
	return count >= minMentions && float64(count) > factor*max(baseline, 1)
}

// Spikes measures the hour starting at hour for every watch-list entity.
func (e *Engine) Spikes(ctx context.Context, hour time.Time) ([]Spike, error) {
	if e.counter == nil {
		return nil, fmt.Errorf("alerting: spikes need the search index to count mentions")
	}
	sp := e.cfg.Alerting.Spikes
	var out []Spike
	for _, w := range e.cfg.Scoring.Watch {
		q := w.Expanded()
		n, sample, err := e.counter.Mentions(ctx, q, hour, hour.Add(time.Hour), 5)
		if err != nil {
			return nil, fmt.Errorf("alerting: count mentions of %s: %w", w.ID, err)
		}
		s := Spike{Watch: w.ID, Hour: hour, Count: n, Sample: sample}
		if n >= sp.MinMentions {
			total := 0
			for d := 1; d <= sp.BaselineDays; d++ {
				from := hour.AddDate(0, 0, -d)
				c, _, err := e.counter.Mentions(ctx, q, from, from.Add(time.Hour), 0)
				if err != nil {
					return nil, fmt.Errorf("alerting: count mentions of %s: %w", w.ID, err)
				}
				total += c
			}
			s.Baseline = float64(total) / float64(sp.BaselineDays)
		}
		out = append(out, s)
	}
	return out, nil
}

// CheckSpikes raises an alert for each watch-list entity whose mentions in
// the hour before end spike against its baseline, even when no rule
// matched. One alert per entity and hour; running it twice is harmless.
func (e *Engine) CheckSpikes(ctx context.Context, end time.Time) error {
	sp := e.cfg.Alerting.Spikes
	hour := end.Add(-time.Hour)
	spikes, err := e.Spikes(ctx, hour)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range spikes {
		if !spiking(s.Count, s.Baseline, sp.Factor, sp.MinMentions) {
			continue
		}
		id := "spike-" + s.Watch + "-" + hour.UTC().Format("2006010215")
		if _, err := e.st.Alert(ctx, id); err == nil {
			continue
		}
		now := e.now()
		loc := e.cfg.Location()
		al := &store.Alert{
			ID: id, StoryID: "spike:" + s.Watch + ":" + hour.UTC().Format("2006010215"), Kind: "spike",
			Status: store.StatusOpen, Severity: sp.Severity, FirstSeverity: sp.Severity,
			Rules: []string{"spike:" + s.Watch}, Categories: []string{},
			Score: float64(s.Count), FirstScore: float64(s.Count),
			Title: fmt.Sprintf("%s: %s — %d / %s %s–%s (%.1f)", Label(e.cfg.Alerting.Language, "spike"), s.Watch, s.Count,
				hour.In(loc).Format("02.01"), hour.In(loc).Format("15:04"), hour.Add(time.Hour).In(loc).Format("15:04"), s.Baseline),
			Version: 1, FirstPublished: hour, Created: now, Updated: now,
		}
		for _, a := range s.Sample {
			al.Evidence = append(al.Evidence, store.Evidence{Rule: "spike:" + s.Watch, Field: "title", Text: a.Outlet + ": " + a.Title})
			if al.URL == "" {
				al.URL = a.URL
			}
			if a.Published.Before(al.FirstPublished) {
				al.FirstPublished = a.Published
			}
		}
		ch := &store.AlertChange{
			Alerts: []*store.Alert{al}, Added: now,
			Events: []store.AlertEvent{{AlertID: id, At: now, Kind: "opened",
				Detail: fmt.Sprintf("%d mentions of %s against a baseline of %.1f", s.Count, s.Watch, s.Baseline)}},
			Outbox: e.route(al, KindNew, 0, now),
		}
		if err := e.st.SaveAlertChange(ctx, ch); err != nil {
			return fmt.Errorf("alerting: spike of %s: %w", s.Watch, err)
		}
		e.log.Info("mention spike", "watch", s.Watch, "count", s.Count, "baseline", strings.TrimRight(fmt.Sprintf("%.2f", s.Baseline), "0"))
		if e.observed != nil {
			e.observed(al, KindNew)
		}
	}
	e.Wake()
	return nil
}
