package digest

import (
	"fmt"
	"time"

	"kuzot/alerting/email"
)

// labels are the digest's words; categories and severities come from
// alerting's shared labels.
var labels = map[string]map[string]string{
	"ru": {
		"title": "Еженедельная сводка упоминаний", "report": "Отчёт за период", "period": "Период",
		"watch": "Упоминания объектов мониторинга", "entity": "Объект", "mentions": "Упоминания",
		"categorised": "Упоминания по категориям", "category": "Категория", "share": "Доля", "change": "К пред. периоду",
		"prev": "Пред. период", "new": "новое", "total": "Всего", "top_stories": "Главные сюжеты",
		"articles_n": "публикаций", "outlets": "Издания", "by_outlet": "Упоминания по изданиям", "outlet": "Издание",
		"articles": "Публикации", "reach": "Охват", "alerts": "Оповещения", "raised": "Поднято", "acknowledged": "Принято",
		"resolved": "Закрыто", "median_ack": "Медиана до принятия", "median_resolve": "Медиана до закрытия",
		"from_published": "от первой публикации", "from_raised": "от поднятия оповещения",
		"new_sources": "Новые источники", "new_sources_note": "издания, писавшие в этом периоде и молчавшие 8 недель до него",
		"none": "нет", "chart": "Упоминания по дням и категориям", "other": "Прочее", "all_articles": "Всего публикаций за период",
		"open_in_kuzot": "Открыть в Kuzot", "more": "ещё", "response": "Время реакции", "figure": "Показатель",
		"value": "Значение", "footer": "Сводку подготовил Kuzot. Упоминание в категории — публикация, найденная правилом этой категории; доли считаются от суммы упоминаний по категориям.",
		"subject": "Kuzot: сводка упоминаний за", "chart_alt": "График упоминаний по дням",
	},
	"ky": {
		"title": "Эскерүүлөрдүн жумалык жыйынтыгы", "report": "Мезгилдин отчёту", "period": "Мезгил",
		"watch": "Көзөмөлдөгү объекттердин эскерилиши", "entity": "Объект", "mentions": "Эскерүүлөр",
		"categorised": "Категориялар боюнча эскерүүлөр", "category": "Категория", "share": "Үлүшү", "change": "Мурунку мезгилге",
		"prev": "Мурунку мезгил", "new": "жаңы", "total": "Баары", "top_stories": "Негизги окуялар",
		"articles_n": "жарыялоо", "outlets": "Басылмалар", "by_outlet": "Басылмалар боюнча эскерүүлөр", "outlet": "Басылма",
		"articles": "Жарыялоолор", "reach": "Камтуу", "alerts": "Эскертүүлөр", "raised": "Көтөрүлдү", "acknowledged": "Кабыл алынды",
		"resolved": "Жабылды", "median_ack": "Кабыл алууга чейинки медиана", "median_resolve": "Жабууга чейинки медиана",
		"from_published": "биринчи жарыялоодон", "from_raised": "эскертүү көтөрүлгөндөн",
		"new_sources": "Жаңы булактар", "new_sources_note": "бул мезгилде жазып, ага чейинки 8 жумада жазбаган басылмалар",
		"none": "жок", "chart": "Күндөр жана категориялар боюнча эскерүүлөр", "other": "Башкалар", "all_articles": "Мезгилдеги бардык жарыялоолор",
		"open_in_kuzot": "Kuzot'то ачуу", "more": "дагы", "response": "Жооп берүү убактысы", "figure": "Көрсөткүч",
		"value": "Мааниси", "footer": "Жыйынтыкты Kuzot даярдады. Категориядагы эскерүү — ошол категориянын эрежеси тапкан жарыялоо; үлүштөр категориялар боюнча эскерүүлөрдүн суммасынан эсептелет.",
		"subject": "Kuzot: эскерүүлөрдүн жыйынтыгы", "chart_alt": "Күндөр боюнча эскерүүлөрдүн графиги",
	},
	"en": {
		"title": "Weekly mentions digest", "report": "Period report", "period": "Period",
		"watch": "Mentions of the watch list", "entity": "Entity", "mentions": "Mentions",
		"categorised": "Mentions by category", "category": "Category", "share": "Share", "change": "Against previous",
		"prev": "Previous period", "new": "new", "total": "Total", "top_stories": "Top stories",
		"articles_n": "articles", "outlets": "Outlets", "by_outlet": "Mentions by outlet", "outlet": "Outlet",
		"articles": "Articles", "reach": "Reach", "alerts": "Alerts", "raised": "Raised", "acknowledged": "Acknowledged",
		"resolved": "Resolved", "median_ack": "Median time to acknowledge", "median_resolve": "Median time to resolve",
		"from_published": "from first publication", "from_raised": "from raising the alert",
		"new_sources": "New sources", "new_sources_note": "outlets that wrote this period and not in the 8 weeks before",
		"none": "none", "chart": "Mentions per day and category", "other": "Other", "all_articles": "All articles of the period",
		"open_in_kuzot": "Open in Kuzot", "more": "more", "response": "Response times", "figure": "Figure",
		"value": "Value", "footer": "Prepared by Kuzot. A mention in a category is an article a rule of that category found; shares are of the sum of mentions over categories.",
		"subject": "Kuzot: mentions digest for", "chart_alt": "Chart of mentions per day",
	},
}

// Label returns a word of the digest in lang, then a shared label of
// alerting (a category, a severity), then the key itself.
func Label(lang, key string) string {
	if v, ok := labels[lang][key]; ok {
		return v
	}
	return email.Label(lang, key)
}

// Duration writes a response time in lang: "2 ч 05 мин", "3 д 4 ч"; "—"
// for none.
func Duration(lang string, d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	u := map[string][3]string{"ru": {"д", "ч", "мин"}, "ky": {"күн", "саат", "мүн"}, "en": {"d", "h", "min"}}[lang]
	if u[0] == "" {
		u = [3]string{"d", "h", "min"}
	}
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%d %s %d %s", days, u[0], hours, u[1])
	case hours > 0:
		return fmt.Sprintf("%d %s %02d %s", hours, u[1], mins, u[2])
	}
	return fmt.Sprintf("%d %s", max(mins, 1), u[2])
}

// PeriodText writes [from, to) as the days it covers: "17.11.2026 — 23.11.2026".
func PeriodText(from, to time.Time) string {
	last := to.Add(-time.Nanosecond)
	return from.Format("02.01.2006") + " — " + last.Format("02.01.2006")
}

// articlesWord is "article" in lang in the grammatical number n asks for:
// Russian has three forms (1 публикация, 3 публикации, 5 публикаций);
// Kyrgyz nouns after a numeral stay singular.
func articlesWord(n int, lang string) string {
	switch lang {
	case "ky":
		return "жарыялоо"
	case "en":
		if n == 1 {
			return "article"
		}
		return "articles"
	}
	switch n10, n100 := n%10, n%100; {
	case n10 == 1 && n100 != 11:
		return "публикация"
	case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
		return "публикации"
	}
	return "публикаций"
}
