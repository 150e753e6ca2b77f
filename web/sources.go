package web

import (
	"context"
	"strings"
	"time"

	"kuzot/index"
)

// sourceRow is the health of one configured source.
type sourceRow struct {
	ID          string     `json:"id"`
	Outlet      string     `json:"outlet"`
	Kind        string     `json:"kind"`
	URL         string     `json:"url"`
	Enabled     bool       `json:"enabled"`
	Health      string     `json:"health"` // ok, warning, failing, never, disabled
	Status      string     `json:"status"`
	LastFetch   *time.Time `json:"last_fetch"`
	LastSuccess *time.Time `json:"last_success"`
	NextCheck   *time.Time `json:"next_check"`
	Errors      int        `json:"errors_in_a_row"`
	LastError   string     `json:"last_error,omitempty"`
	Articles24h int        `json:"articles_24h"`
	Articles7d  int        `json:"articles_7d"`
	// PerDay counts the outlet's articles by publication day over the
	// last two weeks (an outlet with several sources shares its counts).
	PerDay []index.DateBucket `json:"per_day"`
}

// Health verdicts of a source.
const (
	healthOK       = "ok"
	healthWarning  = "warning"
	healthFailing  = "failing"
	healthNever    = "never"
	healthDisabled = "disabled"
)

// failingAfter is how long without a successful fetch makes a source
// failing, whatever its error count.
const failingAfter = 24 * time.Hour

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// sourceRows reads the health of every configured source.
func (s *Server) sourceRows(ctx context.Context) ([]sourceRow, error) {
	now := s.now()
	states, err := s.st.SourceStates(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := s.st.RecentCounts(ctx, now)
	if err != nil {
		return nil, err
	}
	days, err := s.outletDays(ctx)
	if err != nil {
		return nil, err
	}
	rows := []sourceRow{}
	for _, src := range s.cfg.Sources {
		st := states[src.ID]
		row := sourceRow{ID: src.ID, Outlet: src.Outlet, Kind: src.Kind, URL: src.URL, Enabled: !src.Disabled, Status: st.LastStatus,
			LastFetch: timePtr(st.LastFetch), LastSuccess: timePtr(st.LastSuccess), NextCheck: timePtr(st.NextCheck),
			Errors: st.ErrorCount, LastError: st.LastError, Articles24h: counts[src.ID].Day, Articles7d: counts[src.ID].Week,
			PerDay: days[strings.ToLower(src.Outlet)]}
		if row.PerDay == nil {
			row.PerDay = days[""]
		}
		switch {
		case src.Disabled:
			row.Health = healthDisabled
		case st.LastFetch.IsZero():
			row.Health = healthNever
		case st.ErrorCount >= 3 || now.Sub(st.LastSuccess) > failingAfter:
			row.Health = healthFailing
		case st.ErrorCount > 0:
			row.Health = healthWarning
		default:
			row.Health = healthOK
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// sourceDays is how many days the sources page counts articles over.
const sourceDays = 14

// outletDays counts each outlet's articles per day of the last two
// weeks: one search per day counting hits by outlet, so the cost grows
// with the days, not with the sources. The key "" holds the empty row.
func (s *Server) outletDays(ctx context.Context) (map[string][]index.DateBucket, error) {
	v, err := s.cachedValue("outlet-days", time.Minute, func() (any, error) {
		now := s.now().In(s.loc)
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.loc)
		out := map[string][]index.DateBucket{}
		empty := make([]index.DateBucket, sourceDays)
		for i := range sourceDays {
			day := today.AddDate(0, 0, i-sourceDays+1)
			empty[i] = index.DateBucket{Start: day}
		}
		out[""] = empty
		for _, src := range s.cfg.Sources {
			out[strings.ToLower(src.Outlet)] = append([]index.DateBucket(nil), empty...)
		}
		for i, b := range empty {
			res, err := s.idx.Search(ctx, index.Request{Since: b.Start, Until: b.Start.AddDate(0, 0, 1).Add(-time.Millisecond),
				Size: 1, Facets: []string{index.FieldOutlet}})
			if err != nil {
				return nil, err
			}
			for _, fc := range res.Facets[index.FieldOutlet] {
				if row, ok := out[fc.Value]; ok {
					row[i].Count = fc.Count
				}
			}
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(map[string][]index.DateBucket), nil
}
