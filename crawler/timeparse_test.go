package crawler

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	bishkek := time.FixedZone("Asia/Bishkek", 6*3600)
	ref := time.Date(2026, 11, 26, 15, 0, 0, 0, bishkek)
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, bishkek) }
	tests := []struct {
		name string
		in   string
		want time.Time
		ok   bool
	}{
		{"RFC3339 with zone", "2026-11-25T04:35:00Z", time.Date(2026, 11, 25, 4, 35, 0, 0, time.UTC), true},
		{"RFC3339 with offset", "2026-11-25T10:35:00+06:00", at(2026, 11, 25, 10, 35), true},
		{"no zone means loc", "2026-11-25T10:35:00", at(2026, 11, 25, 10, 35), true},
		{"space and no zone", "2026-11-25 10:35", at(2026, 11, 25, 10, 35), true},
		{"date only", "2026-11-25", at(2026, 11, 25, 0, 0), true},
		{"RFC1123Z", "Wed, 25 Nov 2026 10:35:00 +0600", at(2026, 11, 25, 10, 35), true},
		{"dd.mm.yyyy hh:mm", "25.11.2026 10:35", at(2026, 11, 25, 10, 35), true},
		{"dd.mm.yyyy, hh:mm", "25.11.2026, 10:35", at(2026, 11, 25, 10, 35), true},
		{"hh:mm dd.mm.yyyy", "10:35 25.11.2026", at(2026, 11, 25, 10, 35), true},
		{"dd.mm.yyyy alone", "05.03.2026", at(2026, 3, 5, 0, 0), true},
		{"Russian genitive", "25 ноября 2026, 10:35", at(2026, 11, 25, 10, 35), true},
		{"Russian with года в", "25 ноября 2026 года в 10:35", at(2026, 11, 25, 10, 35), true},
		{"Russian abbreviation", "3 сент. 2026 г., 09:05", at(2026, 9, 3, 9, 5), true},
		{"Russian May", "1 мая 2026", at(2026, 5, 1, 0, 0), true},
		{"Russian March is not May", "8 марта 2026", at(2026, 3, 8, 0, 0), true},
		{"time first", "10:35, 25 ноября 2026", at(2026, 11, 25, 10, 35), true},
		{"no year takes this year", "25 ноября, 10:35", at(2026, 11, 25, 10, 35), true},
		{"no year in the future takes last year", "28 декабря", at(2025, 12, 28, 0, 0), true},
		{"Kyrgyz day-month", "25-ноябрь 2026, 10:35", at(2026, 11, 25, 10, 35), true},
		{"Kyrgyz locative", "25-ноябрда 2026-ж.", at(2026, 11, 25, 0, 0), true},
		{"Kyrgyz year first", "2026-жылдын 25-ноябры, саат 10:35", at(2026, 11, 25, 10, 35), true},
		{"Kyrgyz May", "2026-жылы 9-майда", at(2026, 5, 9, 0, 0), true},
		{"Kyrgyz January", "12-январь 2026", at(2026, 1, 12, 0, 0), true},
		{"today", "сегодня, 10:35", at(2026, 11, 26, 10, 35), true},
		{"yesterday", "Вчера, 23:10", at(2026, 11, 25, 23, 10), true},
		{"Kyrgyz today", "бүгүн, 08:00", at(2026, 11, 26, 8, 0), true},
		{"Kyrgyz yesterday", "кечээ 18:45", at(2026, 11, 25, 18, 45), true},
		{"bare clock is on the reference day", "10:35", at(2026, 11, 26, 10, 35), true},
		{"clock with seconds", " 07:05:09 ", time.Date(2026, 11, 26, 7, 5, 9, 0, bishkek), true},
		{"impossible day", "31.02.2026", time.Time{}, false},
		{"not a month", "25 марок", time.Time{}, false},
		{"clock inside words is not a time", "в 10:35 пришёл врач", time.Time{}, false},
		{"empty", "", time.Time{}, false},
		{"nonsense", "скоро", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseTime(tt.in, bishkek, ref)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("parseTime(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestTextTime(t *testing.T) {
	loc := time.FixedZone("Asia/Bishkek", 6*3600)
	ref := time.Date(2026, 11, 26, 15, 0, 0, 0, loc)
	tests := []struct {
		name string
		in   string
		want time.Time
		ok   bool
	}{
		{"date in running text", "Бишкек, 25 ноября 2026, 10:35 — В роддоме № 2 прошла проверка.", time.Date(2026, 11, 25, 10, 35, 0, 0, loc), true},
		{"first date wins", "Опубликовано 24.11.2026 14:00. Приказ от 1 марта 2025 года.", time.Date(2026, 11, 24, 14, 0, 0, 0, loc), true},
		{"сегодня is not read in text", "Сегодня врачи провели приём.", time.Time{}, false},
		{"no date", "Врачи провели приём в 10:35.", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := textTime(tt.in, loc, ref)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("textTime(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestMonthOf(t *testing.T) {
	tests := []struct {
		word string
		want time.Month
	}{
		{"января", time.January}, {"Январь", time.January}, {"январда", time.January},
		{"февраля", time.February}, {"марта", time.March}, {"мар", time.March}, {"апреля", time.April},
		{"мая", time.May}, {"май", time.May}, {"июня", time.June}, {"июнь", time.June},
		{"июля", time.July}, {"августа", time.August}, {"сентябрь", time.September},
		{"октября", time.October}, {"ноябрдын", time.November}, {"декабре", time.December},
		{"марок", 0}, {"майонез", 0}, {"ноябрьскими", 0},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			got, ok := monthOf(tt.word)
			if got != tt.want || ok != (tt.want != 0) {
				t.Errorf("monthOf(%q) = %v, %v; want %v", tt.word, got, ok, tt.want)
			}
		})
	}
}
