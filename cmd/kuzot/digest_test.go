package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kuzot/alerting/email/emailtest"
	"kuzot/store"
)

// digestConfig writes a configuration mailing through srv, and seeds its
// store: in the week of 16 November 2026, 56 of 221 mentions are medical
// errors (25%), 40 the week before; two alerts acknowledged after 10 and
// 30 minutes (median 20 min from raising).
func digestConfig(t *testing.T, srv *emailtest.Server) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`data_dir: %s
sources:
  - {id: kaktus, outlet: kaktus.media, kind: rss, url: "https://kaktus.example/rss", reach: 1}
scoring:
  watch:
    - {id: ministry, query: 'минздрав*'}
smtp: {host: %q, port: %d, from: "Kuzot <kuzot@example.org>", tls: none, timeout: 5s}
digest: {language: ru, recipients: [press@example.org]}
`, filepath.Join(dir, "data"), srv.Host, srv.Port)
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}

	loc, _ := time.LoadLocation("Asia/Bishkek")
	week := time.Date(2026, 11, 16, 0, 0, 0, 0, loc)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "data", "kuzot.db"))
	if err != nil {
		t.Fatal(err)
	}
	var arts []*store.Article
	var cats []string
	add := func(start time.Time, cat string, n int, title string) {
		for i := 0; i < n; i++ {
			pub := start.Add(time.Duration(i%7)*24*time.Hour + 10*time.Hour).UTC()
			k := len(arts)
			outlet := []string{"kaktus.media", "24.kg", "akipress.org"}[k%3]
			arts = append(arts, &store.Article{URL: fmt.Sprintf("https://%s/%d", outlet, k), SourceID: "s", Outlet: outlet, Lang: "ru",
				Title: fmt.Sprintf("%s %d", title, k), Body: "текст", Published: pub, Fetched: pub, ContentHash: fmt.Sprint(k)})
			cats = append(cats, cat)
		}
	}
	add(week, "medical_error", 56, "Халатность в больнице")
	add(week, "care_access", 165, "Очереди в поликлинике")
	add(week.AddDate(0, 0, -7), "medical_error", 40, "Ошибка врачей")
	add(week, "", 12, "Минздрав сообщил")
	if _, err := st.SaveArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// Index the articles first: the rules (none here) score them as they
	// are indexed, and would clear matches stored before.
	if code, out := capture(t, "reindex", "--config", path); code != 0 {
		t.Fatalf("reindex: %d %s", code, out)
	}
	if st, err = store.Open(ctx, filepath.Join(dir, "data", "kuzot.db")); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, a := range arts {
		if cats[i] != "" {
			if err := st.ReplaceMatches(ctx, a.ID, []store.Match{{RuleID: "r", Category: cats[i], Severity: "high", Score: 4, Decision: "alert", Evidence: "[]"}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var alerts []*store.Alert
	for i, ack := range []time.Duration{10 * time.Minute, 30 * time.Minute} {
		c := week.Add(time.Duration(i+1) * 24 * time.Hour)
		alerts = append(alerts, &store.Alert{ID: fmt.Sprint("a", i), StoryID: fmt.Sprint("s", i), Kind: "rule", Status: "acknowledged",
			Severity: "high", FirstSeverity: "high", Categories: []string{"medical_error"}, FirstPublished: c.Add(-time.Hour), Created: c,
			AckedAt: c.Add(ack), Version: 1, Updated: c})
	}
	if err := st.SaveAlertChange(ctx, &store.AlertChange{Alerts: alerts, Added: week}); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDigestCommands(t *testing.T) {
	srv := emailtest.Start(t, emailtest.Options{})
	cfg := digestConfig(t, srv)
	period := []string{"--config", cfg, "--from", "2026-11-16", "--to", "2026-11-22"}

	code, out := capture(t, append([]string{"digest", "preview", "--text"}, period...)...)
	if code != 0 {
		t.Fatalf("preview: exit %d: %s", code, out)
	}
	for _, want := range []string{"Subject: Kuzot: сводка упоминаний за 16.11.2026 — 22.11.2026", "Врачебная ошибка: 56 — 25% (▲ 40%",
		"Очереди и доступ к помощи: 165 — 75% (новое", "ministry: 12 (новое)", "20 мин от поднятия оповещения", "1 ч 20 мин от первой публикации"} {
		if !strings.Contains(out, want) {
			t.Errorf("preview lacks %q:\n%s", want, out)
		}
	}
	htmlFile := filepath.Join(t.TempDir(), "digest.html")
	if code, out := capture(t, append([]string{"digest", "preview", "--html", htmlFile}, period...)...); code != 0 {
		t.Fatalf("preview --html: %d %s", code, out)
	}
	if b, err := os.ReadFile(htmlFile); err != nil || !strings.Contains(string(b), `src="data:image/png;base64,`) || !strings.Contains(string(b), "25%") {
		t.Errorf("preview HTML (%v): no inline chart or figures", err)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("preview sent mail")
	}

	if code, out := capture(t, append([]string{"digest", "send"}, period...)...); code != 0 || !strings.Contains(out, "sent to press@example.org") {
		t.Fatalf("send: %d %s", code, out)
	}
	srv.Wait(t, 1)
	if code, out := capture(t, append([]string{"digest", "send"}, period...)...); code != 0 || !strings.Contains(out, "already sent") {
		t.Fatalf("second send: %d %s", code, out)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d digests sent, want 1", n)
	}

	code, out = capture(t, "digest", "status", "--config", cfg)
	if code != 0 || !strings.Contains(out, "16.11.2026 — 22.11.2026") || !strings.Contains(out, "sent") {
		t.Errorf("digest status: %d\n%s", code, out)
	}

	if code, _ := capture(t, "digest", "publish", "--config", cfg); code == 0 {
		t.Error("an unknown subcommand succeeded")
	}
	if code, _ := capture(t, "digest", "preview", "--config", cfg, "--from", "2026-11-16"); code == 0 {
		t.Error("--from without --to succeeded")
	}
}

func TestReportFormats(t *testing.T) {
	srv := emailtest.Start(t, emailtest.Options{})
	cfg := digestConfig(t, srv)
	period := []string{"report", "--config", cfg, "--from", "2026-11-16", "--to", "2026-11-22"}

	code, out := capture(t, period...)
	if code != 0 {
		t.Fatalf("report: %d %s", code, out)
	}
	for _, want := range []string{"# Отчёт за период: 16.11.2026 — 22.11.2026", "| Врачебная ошибка | 56 | 25% | 40 | ▲ 40% |",
		"| Всего | 221 | 100% | 40 |", "| Медиана до принятия | 2 | 1 ч 20 мин | 20 мин |", "| kaktus.media | 1 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}

	code, out = capture(t, append(period, "--format", "csv")...)
	if code != 0 {
		t.Fatalf("csv: %d %s", code, out)
	}
	r := csv.NewReader(strings.NewReader(out))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rec := range recs {
		if strings.Join(rec, ",") == "Categories,Врачебная ошибка,56,25%,40,▲ 40%" {
			found = true
		}
	}
	if !found {
		t.Errorf("csv lacks the medical-error row:\n%s", out)
	}

	file := filepath.Join(t.TempDir(), "q4.xlsx")
	if code, out := capture(t, append(period, "--format", "xlsx", "--out", file)...); code != 0 {
		t.Fatalf("xlsx: %d %s", code, out)
	}
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); strings.Join(got, ",") != "Summary,Categories,Outlets,Response,Stories,New sources" {
		t.Errorf("sheets %v", got)
	}
	rows, err := x.GetRows("Categories")
	if err != nil {
		t.Fatal(err)
	}
	var med []string
	for _, r := range rows {
		if len(r) > 0 && r[0] == "Врачебная ошибка" {
			med = r
		}
	}
	if strings.Join(med, ",") != "Врачебная ошибка,56,25%,40,▲ 40%" {
		t.Errorf("xlsx medical-error row %q; rows %q", med, rows)
	}
	if v, _ := x.GetCellValue("Categories", "C5", excelize.Options{RawCellValue: true}); v != "0.2534" {
		t.Errorf("share cell holds %q, want the number 0.2534", v)
	}
}
