package index

import (
	"slices"
	"testing"
	"time"
)

// A search reads only the shards its period overlaps.
func TestRoute(t *testing.T) {
	x := &Index{layout: monthly{}}
	for _, key := range []string{"2025-12", "2026-01", "2026-10", "2026-11", "2026-12"} {
		start, end, ok := x.layout.span(key)
		if !ok {
			t.Fatalf("span(%s) refused", key)
		}
		x.shards = append(x.shards, &shard{key: key, start: start, end: end})
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		since, until time.Time
		want         []string
	}{
		{day(2026, 11, 1), day(2026, 12, 1), []string{"2026-11"}},
		{day(2026, 11, 2), day(2026, 12, 2), []string{"2026-11", "2026-12"}},
		{day(2026, 10, 31), day(2026, 11, 1), []string{"2026-10"}},
		{time.Time{}, day(2026, 1, 1), []string{"2025-12"}},
		{day(2026, 12, 31), time.Time{}, []string{"2026-12"}},
		{day(2026, 3, 1), day(2026, 9, 1), nil},
		{time.Time{}, time.Time{}, []string{"2025-12", "2026-01", "2026-10", "2026-11", "2026-12"}},
		// Bishkek's midnight is 18:00 UTC of the day before.
		{time.Date(2026, 11, 1, 0, 0, 0, 0, time.FixedZone("Asia/Bishkek", 6*3600)), day(2026, 11, 15), []string{"2026-10", "2026-11"}},
	} {
		var got []string
		for _, s := range x.route(tc.since, tc.until) {
			got = append(got, s.key)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("route(%s, %s) = %v, want %v", tc.since, tc.until, got, tc.want)
		}
	}
	for _, bad := range []string{"2026-13", "26-11", "2026-1", "backup", "2026-11x"} {
		if _, _, ok := (monthly{}).span(bad); ok {
			t.Errorf("span(%q) accepted", bad)
		}
	}
}
