package rules

import (
	"math"
	"testing"
)

// TestScoreExample holds the worked example of the Scorer's comment.
func TestScoreExample(t *testing.T) {
	m, err := Compile([]Spec{{ID: "medical-error", Category: "medical_error", Severity: "high",
		Query: `"врачебная ошибка" OR (роддом AND халатность)`}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewScorer(Thresholds{Digest: 2, Alert: 3.5, Critical: 9}, []WatchSpec{
		{ID: "ministry", Query: `минздрав OR "министерство здравоохранения" OR "саламаттык сактоо министрлиги"`, Boost: 1.3},
		{ID: "fund", Query: "фомс OR ммк", Boost: 1.2},
	})
	if err != nil {
		t.Fatal(err)
	}
	strong := NewArticle("Врачебная ошибка в Оше", "Минздрав проверяет сообщение.", "24.kg", "ru")
	got := s.Score(strong, m.Match(strong), 1)
	if len(got) != 1 {
		t.Fatalf("Score = %+v", got)
	}
	f := got[0].Factors
	if f.Severity != 3 || !f.Title || f.Lead || f.Terms != 2 || f.Source != 1.3 || f.Watch != 1.3 || len(f.Watched) != 1 {
		t.Errorf("factors = %+v", f)
	}
	if want := 3 * 1.6 * 1.3 * 1.3; math.Abs(got[0].Score-want) > 1e-9 || got[0].Decision != Alert {
		t.Errorf("score %.3f (%s), want %.3f alert", got[0].Score, got[0].Decision, want)
	}

	body := "Сегодня прошло заседание комиссии по развитию города, где обсуждали дороги, школы, парки и освещение улиц, а также бюджет будущего года и программу ремонта домов в старых районах столицы; депутаты, представители мэрии и жители спорили долго, но решения не приняли, отложив его до следующего месяца; среди прочего отметили, что в одном из роддомов выявлена халатность."
	weak := NewArticle("Итоги заседания комиссии", body, "small.kg", "ru")
	got = s.Score(weak, m.Match(weak), 3)
	if len(got) != 1 || got[0].Factors.Lead || got[0].Factors.Title {
		t.Fatalf("weak: %+v", got)
	}
	if want := 3 * 1.1 * 0.8; math.Abs(got[0].Score-want) > 1e-9 || got[0].Decision != Digest {
		t.Errorf("weak score %.3f (%s), want %.3f digest", got[0].Score, got[0].Decision, want)
	}
	crit := NewArticle("Врачебная ошибка: ФОМС и Минздрав", "Врачебная ошибка в роддоме, халатность врачей.", "24.kg", "ru")
	spec := m.Rules()[0]
	spec.Severity = "critical"
	if got := s.Score(crit, m.Match(crit), 1); got[0].Decision != Critical || got[0].Factors.Watch != 1.3 {
		t.Errorf("critical: %.2f %s %+v", got[0].Score, got[0].Decision, got[0].Factors)
	}
}
