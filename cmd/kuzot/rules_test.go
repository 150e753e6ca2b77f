package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kuzot/crawler/crawltest"
)

// rulesConfig adds two rules and a watch list to a configuration polling
// a local site.
func rulesConfig(t *testing.T, base string) string {
	t.Helper()
	cfg := writeConfig(t, base)
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, []byte(`rules:
  - id: medical-error-ru
    category: medical_error
    severity: high
    query: '(врач OR роддом OR больниц*) AND ("врачебная ошибка" OR халатность OR антисептик)'
    exclude: 'ветеринар*'
  - id: medical-error-ky
    category: medical_error
    severity: high
    query: '(дарыгер OR оорукана OR "төрөт үйү") AND (шалаакылык OR "дарыгердик ката")'
scoring:
  watch:
    - id: ministry
      query: 'минздрав OR "саламаттык сактоо министрлиги"'
`)...)
	if err := os.WriteFile(cfg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestRulesCommands(t *testing.T) {
	end := time.Now().Add(-time.Hour)
	arts := []crawltest.Article{
		{ID: 1, Title: "Врачебная ошибка в роддоме", Body: []string{"Роженице ввели антисептик. Минздрав начал проверку."}, Published: end.Add(-3 * time.Hour)},
		{ID: 2, Title: "Төрөт үйүндө шалаакылык", Body: []string{"Дарыгерлердин шалаакылыгынан улам бейтап реанимацияда жатат."}, Published: end.Add(-2 * time.Hour)},
		{ID: 3, Title: "Ветеринарная клиника", Body: []string{"Халатность ветеринара: собака погибла после прививки."}, Published: end.Add(-time.Hour)},
		{ID: 4, Title: "Ремонт дорог", Body: []string{"Мэрия отремонтирует дороги."}, Published: end},
	}
	srv := httptest.NewServer(crawltest.New(arts...))
	defer srv.Close()
	cfg := rulesConfig(t, srv.URL)
	if code, out := capture(t, "crawl", "--once", "--config", cfg, "--log-level", "error"); code != 0 {
		t.Fatalf("crawl exited %d: %s", code, out)
	}

	code, out := capture(t, "rules", "check", "--config", cfg)
	if code != 0 || !strings.Contains(out, "medical_error         medical-error-ru, medical-error-ky") || !strings.Contains(out, "2 rules compile") {
		t.Errorf("rules check exited %d:\n%s", code, out)
	}

	// Scored on ingest: the category is searchable.
	code, out = capture(t, "search", "--category", "medical_error", "--config", cfg, "--json", "")
	var res searchJSONOut
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Total != 4 {
		// Each article is read twice (feed and listing): 2 crises × 2.
		t.Errorf("search --category exited %d: %s", code, out)
	}

	code, out = capture(t, "rules", "backtest", "--since", "7d", "--config", cfg, "--json")
	var rows []backtestRow
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 2 {
		t.Fatalf("backtest exited %d: %s", code, out)
	}
	if rows[0].Rule != "medical-error-ru" || rows[0].Hits != 2 || rows[0].Alerts != 2 || len(rows[0].Samples) != 2 || rows[1].Hits != 2 {
		t.Errorf("backtest rows: %+v", rows)
	}
	code, out = capture(t, "rules", "backtest", "--query", "ветеринар* AND халатность", "--config", cfg)
	if code != 0 || !strings.Contains(out, "query (medical_error): 2 hits") || !strings.Contains(out, "Ветеринарная клиника") {
		t.Errorf("backtest --query exited %d:\n%s", code, out)
	}

	file := filepath.Join(t.TempDir(), "article.txt")
	os.WriteFile(file, []byte("Врачебная ошибка в больнице Оша\nМинздрав проверяет сообщение о халатности врачей."), 0o644)
	code, out = capture(t, "rules", "test", file, "--config", cfg, "--json")
	var tj testJSON
	if code != 0 || json.Unmarshal([]byte(out), &tj) != nil {
		t.Fatalf("rules test exited %d: %s", code, out)
	}
	if tj.Best != "alert" || len(tj.Match) != 1 || tj.Match[0].Rule != "medical-error-ru" || len(tj.Watch) != 1 || len(tj.Match[0].Evidence) == 0 {
		t.Errorf("rules test: %+v", tj)
	}
	code, out = capture(t, "rules", "test", file, "--config", cfg)
	if code != 0 || !strings.Contains(out, "[Врачебная] [ошибка] в [больнице]") || !strings.Contains(out, "→ ALERT") {
		t.Errorf("rules test (text) exited %d:\n%s", code, out)
	}
	code, out = capture(t, "rules", "test", srv.URL+"/doc/2.html", "--config", cfg)
	if code != 0 || !strings.Contains(out, "medical-error-ky") {
		t.Errorf("rules test URL exited %d:\n%s", code, out)
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cases.yaml"), []byte(`
- id: a
  lang: ru
  outlet: 24.kg
  title: Врачебная ошибка в роддоме
  body: Роженице ввели антисептик.
  categories: [medical_error]
- id: b
  lang: ru
  outlet: 24.kg
  title: Ошибка вратаря
  body: Вратарь ошибся.
  categories: []
- id: c
  lang: ky
  outlet: azattyk.org
  title: Ооруканада кезек
  body: Бейтаптар кезекте күтүштү.
  categories: [care_access]
`), 0o644)
	code, out = capture(t, "rules", "eval", dir, "--config", cfg, "--json")
	var er []evalRow
	if code != 0 || json.Unmarshal([]byte(out), &er) != nil {
		t.Fatalf("rules eval exited %d: %s", code, out)
	}
	got := map[string]evalRow{}
	for _, r := range er {
		got[r.Category] = r
	}
	if got["medical_error"].TP != 1 || got["care_access"].FN != 1 || got["overall"].Recall != 0.5 || got["overall"].Precision != 1 {
		t.Errorf("eval rows: %+v", er)
	}

	for _, bad := range [][]string{
		{"rules", "--config", cfg},
		{"rules", "frob", "--config", cfg},
		{"rules", "test", "--config", cfg},
		{"rules", "test", "/no/such/file", "--config", cfg},
		{"rules", "backtest", "--rule", "nope", "--config", cfg},
		{"rules", "backtest", "--query", "врач AND", "--config", cfg},
		{"rules", "eval", "/no/such/dir", "--config", cfg},
	} {
		if code, _ := capture(t, bad...); code != 1 {
			t.Errorf("%q exited %d, want 1", bad, code)
		}
	}
}
