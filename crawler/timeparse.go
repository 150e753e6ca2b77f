package crawler

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// zonedLayouts carry their own offset, so the parsed time is exact whatever
// the configured zone.
var zonedLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -0700 MST",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700",
	time.RFC850,
	time.ANSIC,
}

// localLayouts name no zone: sites write local time, so it is read in the
// configured zone rather than as UTC.
var localLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

var (
	// clockRe finds a time of day such as 10:35 or 10:35:07.
	clockRe = regexp.MustCompile(`\b([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?\b`)
	// numericDateRe finds 25.11.2026 and 2026-11-25.
	numericDateRe = regexp.MustCompile(`\b(?:(\d{1,2})[./](\d{1,2})[./](\d{4})|(\d{4})-(\d{2})-(\d{2}))\b`)
	// wordDateRe finds "25 ноября 2026", "25-ноябрь" and "25 нояб. 2026 г.";
	// the word is checked against the month names afterwards, because a
	// regular expression cannot tell "25 марта" from "25 марок".
	wordDateRe = regexp.MustCompile(`(?i)\b(\d{1,2})(?:\s*-\s*|\s+)(\p{L}+)\.?(?:,?\s+(\d{4})\b)?`)
	// kyrgyzDateRe finds the Kyrgyz year-first order: "2026-жылдын 25-ноябры",
	// "2026-ж. 25-ноябрда".
	kyrgyzDateRe = regexp.MustCompile(`(?i)\b(\d{4})\s*-?\s*(?:ж\.|жыл\p{L}*)[\s,]*(\d{1,2})\s*-?\s*(\p{L}+)`)
	// relativeDayRe finds "сегодня" and "вчера" and their Kyrgyz words.
	relativeDayRe = regexp.MustCompile(`(?i)(сегодня|бүгүн|позавчера|вчера|кечээ)`)
	// clockAfterRe and clockBeforeRe tie a time of day to a date found in
	// running text: "25 ноября 2026, 10:35" or "10:35, 25 ноября 2026".
	clockAfterRe  = regexp.MustCompile(`^(?:\s|[,–—-]|г\.|года|ж\.|жылы|в\s|саат)*([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?\b`)
	clockBeforeRe = regexp.MustCompile(`\b([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?\s*[,–—-]?\s*$`)
)

// monthStems maps the start of a month name to its number. Russian
// (января, январь, янв.) and Kyrgyz (январь, январда, январдын) share the
// stems; the Kyrgyz suffixes are short, so a word is a month when it starts
// with a full stem and at most four letters follow.
var monthStems = []struct {
	stem  string
	month time.Month
}{
	{"январ", time.January}, {"феврал", time.February}, {"март", time.March},
	{"апрел", time.April}, {"июн", time.June}, {"июл", time.July},
	{"август", time.August}, {"сентябр", time.September}, {"октябр", time.October},
	{"ноябр", time.November}, {"декабр", time.December},
}

// monthAbbrev holds the short forms news sites print, and the forms of May,
// whose stem is too short to match by prefix safely.
var monthAbbrev = map[string]time.Month{
	"янв": time.January, "фев": time.February, "февр": time.February, "мар": time.March,
	"апр": time.April, "май": time.May, "мая": time.May, "мае": time.May, "майда": time.May,
	"майдын": time.May, "майы": time.May, "июня": time.June, "июля": time.July,
	"авг": time.August, "сен": time.September, "сент": time.September, "окт": time.October,
	"ноя": time.November, "нояб": time.November, "дек": time.December,
}

// monthOf reads a Russian or Kyrgyz month name.
func monthOf(word string) (time.Month, bool) {
	w := strings.ToLower(word)
	if m, ok := monthAbbrev[w]; ok {
		return m, true
	}
	for _, s := range monthStems {
		if rest, ok := strings.CutPrefix(w, s.stem); ok && utf8.RuneCountInString(rest) <= 4 {
			return s.month, true
		}
	}
	return 0, false
}

// parseTime reads a time as news sites and feeds write it: RFC 3339 with or
// without a zone, dd.mm.yyyy, Russian and Kyrgyz dates with month names,
// "сегодня, 10:35" and a bare "10:35". A time without a zone is in loc.
// ref is the moment "today" means: the fetch time, or the day a listing
// page is for. It reports false when s holds no time it can read.
func parseTime(s string, loc *time.Location, ref time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, ok := parseLayout(s, loc); ok {
		return t, true
	}
	if t, ok := findTime(s, loc, ref, true); ok {
		return t, true
	}
	// A bare clock ("10:35") is a time on the reference day; it is only
	// trusted when nothing but the clock is there, so a "10:35" in running
	// text is not mistaken for a date.
	if m := clockRe.FindStringSubmatchIndex(s); m != nil && len(strings.TrimSpace(s[:m[0]]+s[m[1]:])) == 0 {
		r := ref.In(loc)
		return clockOn(r.Year(), r.Month(), r.Day(), s, m, loc), true
	}
	return time.Time{}, false
}

// parseLayout tries the fixed machine formats.
func parseLayout(s string, loc *time.Location) (time.Time, bool) {
	if len(s) < 10 || len(s) > 40 {
		return time.Time{}, false
	}
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// textTime finds the first date written in an article's text. "Сегодня"
// is not read there: in running text it is about the news, not the page.
func textTime(s string, loc *time.Location, ref time.Time) (time.Time, bool) {
	return findTime(s, loc, ref, false)
}

// findTime finds the first date in s, with the time of day written next to
// it when there is one; relative tells whether "сегодня" and "вчера" count.
func findTime(s string, loc *time.Location, ref time.Time, relative bool) (time.Time, bool) {
	best := -1
	var y, d int
	var mon time.Month
	var end int
	consider := func(start, stop, year int, month time.Month, day int) {
		if best >= 0 && start >= best {
			return
		}
		if day < 1 || day > 31 || month < 1 || month > 12 || year < 1900 || year > 2200 {
			return
		}
		best, end, y, mon, d = start, stop, year, month, day
	}
	if m := numericDateRe.FindStringSubmatchIndex(s); m != nil {
		if m[2] >= 0 {
			consider(m[0], m[1], digitsValue(s[m[6]:m[7]]), time.Month(digitsValue(s[m[4]:m[5]])), digitsValue(s[m[2]:m[3]]))
		} else {
			consider(m[0], m[1], digitsValue(s[m[8]:m[9]]), time.Month(digitsValue(s[m[10]:m[11]])), digitsValue(s[m[12]:m[13]]))
		}
	}
	if m := kyrgyzDateRe.FindStringSubmatchIndex(s); m != nil {
		if month, ok := monthOf(s[m[6]:m[7]]); ok {
			consider(m[0], m[1], digitsValue(s[m[2]:m[3]]), month, digitsValue(s[m[4]:m[5]]))
		}
	}
	for _, m := range wordDateRe.FindAllStringSubmatchIndex(s, -1) {
		if best >= 0 && m[0] >= best {
			break
		}
		month, ok := monthOf(s[m[4]:m[5]])
		if !ok {
			continue
		}
		year := 0
		if m[6] >= 0 {
			year = digitsValue(s[m[6]:m[7]])
		} else {
			year = guessYear(month, digitsValue(s[m[2]:m[3]]), loc, ref)
		}
		consider(m[0], m[1], year, month, digitsValue(s[m[2]:m[3]]))
		break
	}
	if m := relativeIndex(s, relative); m != nil && (best < 0 || m[0] < best) {
		r := ref.In(loc)
		switch strings.ToLower(s[m[2]:m[3]]) {
		case "вчера", "кечээ":
			r = r.AddDate(0, 0, -1)
		case "позавчера":
			r = r.AddDate(0, 0, -2)
		}
		best, end, y, mon, d = m[0], m[1], r.Year(), r.Month(), r.Day()
	}
	if best < 0 {
		return time.Time{}, false
	}
	if time.Date(y, mon, d, 0, 0, 0, 0, time.UTC).Day() != d {
		// 31.02.2026 is not a date; time.Date would quietly make it March.
		return time.Time{}, false
	}
	if m := clockAfterRe.FindStringSubmatchIndex(s[end:]); m != nil {
		return clockOn(y, mon, d, s[end:], m, loc), true
	}
	before := s[max(0, best-12):best]
	if m := clockBeforeRe.FindStringSubmatchIndex(before); m != nil {
		return clockOn(y, mon, d, before, m, loc), true
	}
	return time.Date(y, mon, d, 0, 0, 0, 0, loc), true
}

// relativeIndex finds "сегодня" or "вчера" when relative dates count.
func relativeIndex(s string, relative bool) []int {
	if !relative {
		return nil
	}
	return relativeDayRe.FindStringSubmatchIndex(s)
}

// guessYear gives a date written without a year the year that puts it
// closest before ref: "28 декабря" read on 2 January is last year's.
func guessYear(month time.Month, day int, loc *time.Location, ref time.Time) int {
	r := ref.In(loc)
	y := r.Year()
	if time.Date(y, month, day, 0, 0, 0, 0, loc).After(r.AddDate(0, 0, 2)) {
		y--
	}
	return y
}

// clockOn sets the time of day matched by m (hour, minute, optional second
// groups) on the given day.
func clockOn(y int, mon time.Month, d int, s string, m []int, loc *time.Location) time.Time {
	sec := 0
	if m[6] >= 0 {
		sec = digitsValue(s[m[6]:m[7]])
	}
	return time.Date(y, mon, d, digitsValue(s[m[2]:m[3]]), digitsValue(s[m[4]:m[5]]), sec, 0, loc)
}

// digitsValue reads digits a regular expression has already checked.
func digitsValue(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
