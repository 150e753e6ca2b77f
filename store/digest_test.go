package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestPeriodQueries(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	from := t0
	to := from.Add(7 * 24 * time.Hour)
	var arts []*Article
	add := func(outlet string, pub time.Time) *Article {
		a := article(fmt.Sprintf("https://%s/%d", outlet, len(arts)), fmt.Sprintf("h%d", len(arts)))
		a.Outlet, a.Published = outlet, pub
		arts = append(arts, a)
		return a
	}
	add("kaktus.media", from.Add(-30*24*time.Hour)) // 0: before, within 8 weeks
	add("kaktus.media", from)                       // 1: first instant, in
	add("24.kg", from.Add(time.Hour))               // 2: in
	add("new.kg", to.Add(-time.Millisecond))        // 3: last instant, in, new outlet
	add("akipress.org", to)                         // 4: after
	add("old.kg", from.Add(-70*24*time.Hour))       // 5: before, beyond 8 weeks
	add("old.kg", from.Add(2*time.Hour))            // 6: in, new again after 10 weeks
	if _, err := s.SaveArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 2, 3, 4} {
		ms := []Match{{RuleID: "medical-error", Category: "medical_error", Severity: "high", Score: float64(i), Decision: "alert"}}
		if i == 2 {
			ms = append(ms, Match{RuleID: "bribe", Category: "corruption_extortion", Severity: "medium", Score: 2.5, Decision: "digest"})
		}
		if err := s.ReplaceMatches(ctx, arts[i].ID, ms); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveAlertChange(ctx, &AlertChange{Links: []StoryLink{{ArticleID: arts[2].ID, StoryID: "st-1"}}, Added: from}); err != nil {
		t.Fatal(err)
	}

	got, err := s.PeriodMatches(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, m := range got {
		ids = append(ids, m.ArticleID)
	}
	if fmt.Sprint(ids) != fmt.Sprint([]int64{arts[1].ID, arts[2].ID, arts[2].ID, arts[3].ID}) {
		t.Errorf("matched articles %v", ids)
	}
	if got[1].StoryID != "st-1" || got[0].StoryID != "" || got[1].Category != "corruption_extortion" || got[1].Outlet != "24.kg" {
		t.Errorf("rows %+v", got[:2])
	}

	outlets, err := s.OutletArticles(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(outlets) != "map[24.kg:1 kaktus.media:1 new.kg:1 old.kg:1]" {
		t.Errorf("outlet articles %v", outlets)
	}
	fresh, err := s.NewOutlets(ctx, from, to, 8*7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(fresh) != "map[24.kg:1 new.kg:1 old.kg:1]" {
		t.Errorf("new outlets %v", fresh)
	}
}

func TestPeriodAlerts(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	from, to := t0, t0.Add(7*24*time.Hour)
	mk := func(id string, created, acked, resolved time.Time) *Alert {
		return &Alert{ID: id, StoryID: "st-" + id, Kind: "rule", Status: StatusOpen, Severity: "high", FirstSeverity: "high",
			Categories: []string{"medical_error"}, Title: id, FirstPublished: created.Add(-time.Hour), Created: created,
			AckedAt: acked, ResolvedAt: resolved, Version: 1, Updated: created}
	}
	alerts := []*Alert{
		mk("before", from.Add(-48*time.Hour), time.Time{}, time.Time{}),                            // out
		mk("acked-in", from.Add(-48*time.Hour), from.Add(time.Hour), time.Time{}),                  // in by ack
		mk("raised", from.Add(time.Hour), from.Add(2*time.Hour), to.Add(time.Hour)),                // in
		mk("resolved-in", from.Add(-72*time.Hour), from.Add(-70*time.Hour), from.Add(3*time.Hour)), // in by resolution
		mk("after", to, time.Time{}, time.Time{}),                                                  // out
	}
	if err := s.SaveAlertChange(ctx, &AlertChange{Alerts: alerts, Added: from}); err != nil {
		t.Fatal(err)
	}
	got, err := s.PeriodAlerts(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range got {
		ids = append(ids, a.ID)
	}
	if fmt.Sprint(ids) != "[resolved-in acked-in raised]" {
		t.Errorf("alerts %v", ids)
	}
	if r := got[2]; !r.AckedAt.Equal(from.Add(2*time.Hour)) || !r.FirstPublished.Equal(from) || r.Categories[0] != "medical_error" {
		t.Errorf("alert %+v", r)
	}
}

func TestDigestClaims(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	from, to := t0, t0.Add(7*24*time.Hour)
	rcpt := []string{"press@example.org", "head@example.org"}
	lease := 10 * time.Minute

	if _, ok, err := s.Digest(ctx, from, to, "ru"); err != nil || ok {
		t.Fatalf("a record before any claim: %v %v", ok, err)
	}
	d, err := s.ClaimDigest(ctx, from, to, "ru", rcpt, t0, lease)
	if err != nil || d.State != DigestSending || d.Attempts != 1 {
		t.Fatalf("first claim: %+v %v", d, err)
	}
	// Another process, a minute later, must not send it too.
	if _, err := s.ClaimDigest(ctx, from, to, "ru", rcpt, t0.Add(time.Minute), lease); !errors.Is(err, ErrDigestBusy) {
		t.Fatalf("second claim: %v, want busy", err)
	}
	// The Kyrgyz digest of the same period is another digest.
	if _, err := s.ClaimDigest(ctx, from, to, "ky", rcpt, t0, lease); err != nil {
		t.Fatal(err)
	}
	if err := s.DigestFailedAt(ctx, from, to, "ru", "email: connection refused", false, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	d, _, _ = s.Digest(ctx, from, to, "ru")
	if d.State != DigestPending || d.LastError != "email: connection refused" {
		t.Fatalf("after a failure: %+v", d)
	}
	if d, err = s.ClaimDigest(ctx, from, to, "ru", rcpt, t0.Add(3*time.Minute), lease); err != nil || d.Attempts != 2 {
		t.Fatalf("retry claim: %+v %v", d, err)
	}
	if err := s.DigestSentAt(ctx, from, to, "ru", "<d@example.org>", t0.Add(4*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimDigest(ctx, from, to, "ru", rcpt, t0.Add(time.Hour), lease); !errors.Is(err, ErrDigestSent) {
		t.Fatalf("claim of a sent digest: %v", err)
	}
	d, ok, err := s.Digest(ctx, from, to, "ru")
	if err != nil || !ok || d.State != DigestSent || d.LastError != "" || d.MessageID != "<d@example.org>" ||
		!d.SentAt.Equal(t0.Add(4*time.Minute)) || len(d.Recipients) != 2 || d.Attempts != 2 {
		t.Fatalf("sent record: %+v %v %v", d, ok, err)
	}
	// A claim abandoned by a crash expires after its lease.
	if _, err := s.ClaimDigest(ctx, from, to, "ky", rcpt, t0.Add(lease+time.Second), lease); err != nil {
		t.Fatalf("claim after the lease: %v", err)
	}
	list, err := s.Digests(ctx, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("digests %v %v", list, err)
	}
}
