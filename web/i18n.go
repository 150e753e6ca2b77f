package web

import (
	"net/http"
	"strings"
)

// langs are the interface languages, as offered in the header.
var langs = []struct{ Code, Name string }{{"ru", "Русский"}, {"ky", "Кыргызча"}, {"en", "English"}}

func validLang(l string) bool { return l == "ru" || l == "ky" || l == "en" }

// langFromRequest is the language before login: ?lang=, else the
// browser's first known language, else Russian.
func langFromRequest(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); validLang(l) {
		return l
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if validLang(base) {
			return base
		}
	}
	return "ru"
}

// translate returns the message key in lang, falling back to Russian,
// English and then the key itself, so a missing message shows, not breaks.
func translate(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	for _, l := range []string{lang, "ru", "en"} {
		if v, ok := m[l]; ok && v != "" {
			return v
		}
	}
	return key
}

// messages are the interface's words: key → language → text.
var messages = map[string]map[string]string{
	"app.name":    {"ru": "Кузот", "ky": "Кузот", "en": "Kuzot"},
	"app.tagline": {"ru": "Мониторинг СМИ · Министерство здравоохранения", "ky": "ЖМК мониторинги · Саламаттык сактоо министрлиги", "en": "Media monitoring · Ministry of Health"},
	"nav.alerts":  {"ru": "Оповещения", "ky": "Эскертүүлөр", "en": "Alerts"},
	"nav.search":  {"ru": "Поиск", "ky": "Издөө", "en": "Search"},
	"nav.rules":   {"ru": "Правила", "ky": "Эрежелер", "en": "Rules"},
	"nav.sources": {"ru": "Источники", "ky": "Булактар", "en": "Sources"},
	"nav.users":   {"ru": "Пользователи", "ky": "Колдонуучулар", "en": "Users"},
	"nav.logout":  {"ru": "Выйти", "ky": "Чыгуу", "en": "Log out"},
	"nav.lang":    {"ru": "Язык", "ky": "Тил", "en": "Language"},
	"nav.apply":   {"ru": "Применить", "ky": "Колдонуу", "en": "Apply"},

	"login.title":    {"ru": "Вход", "ky": "Кирүү", "en": "Sign in"},
	"login.name":     {"ru": "Имя пользователя", "ky": "Колдонуучунун аты", "en": "User name"},
	"login.password": {"ru": "Пароль", "ky": "Сырсөз", "en": "Password"},
	"login.submit":   {"ru": "Войти", "ky": "Кирүү", "en": "Sign in"},
	"login.failed":   {"ru": "Неверное имя или пароль.", "ky": "Аты же сырсөзү туура эмес.", "en": "Wrong user name or password."},
	"login.limited":  {"ru": "Слишком много попыток. Подождите минуту.", "ky": "Аракет өтө көп. Бир мүнөт күтүңүз.", "en": "Too many attempts. Wait a minute."},
	"login.hint":     {"ru": "Учётную запись выдаёт администратор: kuzot users add.", "ky": "Каттоо эсебин администратор берет: kuzot users add.", "en": "An administrator creates accounts: kuzot users add."},

	"search.placeholder": {"ru": "Запрос на языке правил: врач AND халатность, \"врачебная ошибка\", оорукана*", "ky": "Эрежелер тилиндеги суроо: дарыгер AND шалаакылык, \"дарыгердик ката\"", "en": "Query in the rule language: doctor AND negligence, \"medical error\""},
	"search.submit":      {"ru": "Найти", "ky": "Издөө", "en": "Search"},
	"search.results":     {"ru": "Найдено", "ky": "Табылды", "en": "Found"},
	"search.none":        {"ru": "Ничего не найдено.", "ky": "Эч нерсе табылган жок.", "en": "Nothing found."},
	"search.csv":         {"ru": "Экспорт CSV", "ky": "CSV экспорттоо", "en": "Export CSV"},
	"search.sort":        {"ru": "Сортировка", "ky": "Иреттөө", "en": "Sort"},
	"search.relevance":   {"ru": "по релевантности", "ky": "ылайыктуулук боюнча", "en": "by relevance"},
	"search.date":        {"ru": "по дате", "ky": "датасы боюнча", "en": "by date"},
	"search.since":       {"ru": "С", "ky": "Баштап", "en": "Since"},
	"search.until":       {"ru": "По", "ky": "Чейин", "en": "Until"},
	"search.filters":     {"ru": "Фильтры", "ky": "Чыпкалар", "en": "Filters"},
	"search.clear":       {"ru": "сбросить", "ky": "тазалоо", "en": "clear"},
	"search.histogram":   {"ru": "Публикации по дням", "ky": "Күн боюнча жарыялоолор", "en": "Publications per day"},
	"search.help":        {"ru": "Слово находит все его формы (оорукана → ооруканасында); =слово — точная форма; слово* — начало; \"фраза\"; AND, OR, NOT, NEAR/5; title:, body:, outlet:, lang:.", "ky": "Сөз анын бардык формаларын табат (оорукана → ооруканасында); =сөз — так форма; сөз* — башталышы; \"сөз айкашы\"; AND, OR, NOT, NEAR/5; title:, body:, outlet:, lang:.", "en": "A word finds all its forms (оорукана → ооруканасында); =word the exact form; word* a prefix; \"phrase\"; AND, OR, NOT, NEAR/5; title:, body:, outlet:, lang:."},
	"page.prev":          {"ru": "← Назад", "ky": "← Артка", "en": "← Previous"},
	"page.next":          {"ru": "Вперёд →", "ky": "Алга →", "en": "Next →"},
	"page.of":            {"ru": "Страница", "ky": "Барак", "en": "Page"},

	"facet.outlet":   {"ru": "Издание", "ky": "Басылма", "en": "Outlet"},
	"facet.category": {"ru": "Категория", "ky": "Категория", "en": "Category"},
	"facet.lang":     {"ru": "Язык", "ky": "Тил", "en": "Language"},

	"lang.ru": {"ru": "русский", "ky": "орусча", "en": "Russian"},
	"lang.ky": {"ru": "кыргызский", "ky": "кыргызча", "en": "Kyrgyz"},
	"lang.en": {"ru": "английский", "ky": "англисче", "en": "English"},

	"status.open":         {"ru": "Открытые", "ky": "Ачык", "en": "Open"},
	"status.acknowledged": {"ru": "Принятые", "ky": "Кабыл алынган", "en": "Acknowledged"},
	"status.resolved":     {"ru": "Закрытые", "ky": "Чечилген", "en": "Resolved"},
	"alert.ack":           {"ru": "Принять в работу", "ky": "Ишке алуу", "en": "Acknowledge"},
	"alert.resolve":       {"ru": "Закрыть", "ky": "Жабуу", "en": "Resolve"},
	"alert.comment":       {"ru": "Комментарий (необязательно)", "ky": "Комментарий (милдеттүү эмес)", "en": "Comment (optional)"},
	"alert.none":          {"ru": "Нет оповещений.", "ky": "Эскертүүлөр жок.", "en": "No alerts."},
	"alert.story":         {"ru": "Сюжет: публикации по изданиям", "ky": "Окуя: басылмалар боюнча жарыялоолор", "en": "Story: coverage by outlet"},
	"alert.evidence":      {"ru": "Основания", "ky": "Негиздер", "en": "Evidence"},
	"alert.history":       {"ru": "История", "ky": "Тарых", "en": "History"},
	"alert.first":         {"ru": "Первая публикация", "ky": "Биринчи жарыялоо", "en": "First published"},
	"alert.raised":        {"ru": "Создано", "ky": "Түзүлдү", "en": "Raised"},
	"alert.score":         {"ru": "Оценка", "ky": "Баа", "en": "Score"},
	"alert.articles":      {"ru": "публикаций", "ky": "жарыялоо", "en": "articles"},
	"alert.acked_by":      {"ru": "Принял", "ky": "Кабыл алган", "en": "Acknowledged by"},
	"alert.resolved_by":   {"ru": "Закрыл", "ky": "Жапкан", "en": "Resolved by"},
	"alert.details":       {"ru": "Подробнее", "ky": "Толугураак", "en": "Details"},
	"alert.viewer":        {"ru": "Принимать и закрывать оповещения могут аналитики.", "ky": "Эскертүүлөрдү аналитиктер кабыл алып, жаба алышат.", "en": "Analysts acknowledge and resolve alerts."},

	"sev.low":      {"ru": "низкая", "ky": "төмөн", "en": "low"},
	"sev.medium":   {"ru": "средняя", "ky": "орточо", "en": "medium"},
	"sev.high":     {"ru": "высокая", "ky": "жогору", "en": "high"},
	"sev.critical": {"ru": "критическая", "ky": "өтө олуттуу", "en": "critical"},

	"cat.medical_error":        {"ru": "Врачебная ошибка", "ky": "Дарыгердик ката", "en": "Medical error"},
	"cat.arrest":               {"ru": "Задержание", "ky": "Кармоо", "en": "Arrest"},
	"cat.equipment_neglect":    {"ru": "Оборудование", "ky": "Жабдуулар", "en": "Equipment neglect"},
	"cat.corruption_extortion": {"ru": "Коррупция, поборы", "ky": "Коррупция, опузалоо", "en": "Corruption, extortion"},
	"cat.ethics":               {"ru": "Этика", "ky": "Этика", "en": "Ethics"},
	"cat.drug_shortage":        {"ru": "Нехватка лекарств", "ky": "Дары тартыштыгы", "en": "Drug shortage"},
	"cat.care_access":          {"ru": "Доступ к помощи", "ky": "Жардамга жетүү", "en": "Access to care"},
	"cat.outbreak":             {"ru": "Вспышка болезни", "ky": "Оорунун чыгышы", "en": "Outbreak"},
	"cat.public_case":          {"ru": "Резонансный случай", "ky": "Резонанстуу окуя", "en": "Public case"},
	"cat.it_failure":           {"ru": "Сбой ИТ", "ky": "IT бузулуу", "en": "IT failure"},

	"dec.ignore":   {"ru": "не учтено", "ky": "эсепке алынган жок", "en": "ignored"},
	"dec.digest":   {"ru": "в дайджест", "ky": "дайджестке", "en": "digest"},
	"dec.alert":    {"ru": "оповещение", "ky": "эскертүү", "en": "alert"},
	"dec.critical": {"ru": "критическое", "ky": "өтө олуттуу", "en": "critical"},

	"article.original": {"ru": "Оригинал на сайте издания", "ky": "Басылманын сайтындагы түп нуска", "en": "Original on the outlet's site"},
	"article.matches":  {"ru": "Сработавшие правила", "ky": "Иштеген эрежелер", "en": "Rules matched"},
	"article.nomatch":  {"ru": "Ни одно правило не сработало.", "ky": "Бир да эреже иштеген жок.", "en": "No rule matched."},
	"article.story":    {"ru": "Сюжет", "ky": "Окуя", "en": "Story"},
	"article.text":     {"ru": "Текст", "ky": "Текст", "en": "Text"},

	"rules.title":      {"ru": "Правила", "ky": "Эрежелер", "en": "Rules"},
	"rules.id":         {"ru": "Правило", "ky": "Эреже", "en": "Rule"},
	"rules.hits30":     {"ru": "Срабатываний за 30 дней", "ky": "30 күндө иштеши", "en": "Hits, 30 days"},
	"rules.perday":     {"ru": "По дням", "ky": "Күн боюнча", "en": "Per day"},
	"rules.edit":       {"ru": "Проверить / изменить", "ky": "Текшерүү / өзгөртүү", "en": "Backtest / edit"},
	"rules.new":        {"ru": "Новое правило", "ky": "Жаңы эреже", "en": "New rule"},
	"rules.disabled":   {"ru": "отключено", "ky": "өчүрүлгөн", "en": "disabled"},
	"rules.source":     {"ru": "Правила хранятся в config.yaml — это единственный источник истины. Редактор проверяет изменённый запрос на архиве и показывает YAML, который нужно вставить в config.yaml; затем перезапустите kuzot serve.", "ky": "Эрежелер config.yaml файлында сакталат — бул бирден-бир чындык булагы. Редактор өзгөртүлгөн суроону архивде текшерип, config.yaml файлына коюла турган YAMLды көрсөтөт; андан кийин kuzot serve кайра иштетиңиз.", "en": "Rules live in config.yaml, the one source of truth. The editor backtests a changed query on the archive and shows the YAML to paste into config.yaml; then restart kuzot serve."},
	"rules.query":      {"ru": "Запрос", "ky": "Суроо", "en": "Query"},
	"rules.exclude":    {"ru": "Исключить", "ky": "Чыгарып салуу", "en": "Exclude"},
	"rules.category":   {"ru": "Категория", "ky": "Категория", "en": "Category"},
	"rules.severity":   {"ru": "Важность", "ky": "Маанилүүлүгү", "en": "Severity"},
	"rules.since":      {"ru": "Период", "ky": "Мезгил", "en": "Period"},
	"rules.backtest":   {"ru": "Проверить на архиве", "ky": "Архивде текшерүү", "en": "Backtest"},
	"rules.hits":       {"ru": "Совпадений", "ky": "Дал келүүлөр", "en": "Hits"},
	"rules.wouldalert": {"ru": "Было бы оповещений", "ky": "Эскертүү болмок", "en": "Would have alerted"},
	"rules.critical":   {"ru": "из них критических", "ky": "анын ичинен өтө олуттуу", "en": "of them critical"},
	"rules.digest":     {"ru": "Только в дайджест", "ky": "Дайджестке гана", "en": "Digest only"},
	"rules.samples":    {"ru": "Последние совпадения", "ky": "Акыркы дал келүүлөр", "en": "Newest hits"},
	"rules.alerting":   {"ru": "Что вызвало бы оповещение", "ky": "Эскертүү чыгара турганлар", "en": "What would have alerted"},
	"rules.yaml":       {"ru": "Вставьте в config.yaml (раздел rules:)", "ky": "config.yaml файлына коюңуз (rules: бөлүмү)", "en": "Paste into config.yaml (under rules:)"},
	"rules.copy":       {"ru": "Копировать", "ky": "Көчүрүү", "en": "Copy"},
	"rules.scored":     {"ru": "оценено", "ky": "бааланды", "en": "scored"},
	"rules.last30":     {"ru": "30 дней", "ky": "30 күн", "en": "30 days"},
	"rules.last7":      {"ru": "7 дней", "ky": "7 күн", "en": "7 days"},
	"rules.last90":     {"ru": "90 дней", "ky": "90 күн", "en": "90 days"},

	"sources.title":   {"ru": "Источники", "ky": "Булактар", "en": "Sources"},
	"sources.source":  {"ru": "Источник", "ky": "Булак", "en": "Source"},
	"sources.kind":    {"ru": "Тип", "ky": "Түрү", "en": "Kind"},
	"sources.health":  {"ru": "Состояние", "ky": "Абалы", "en": "Health"},
	"sources.last":    {"ru": "Последний опрос", "ky": "Акыркы суроо", "en": "Last fetch"},
	"sources.success": {"ru": "Последний успех", "ky": "Акыркы ийгилик", "en": "Last success"},
	"sources.status":  {"ru": "Ответ", "ky": "Жооп", "en": "Status"},
	"sources.errors":  {"ru": "Ошибок подряд", "ky": "Катар каталар", "en": "Errors in a row"},
	"sources.24h":     {"ru": "За 24 ч", "ky": "24 саатта", "en": "24 h"},
	"sources.7d":      {"ru": "За 7 дней", "ky": "7 күндө", "en": "7 days"},
	"sources.perday":  {"ru": "Статей в день (14 дней)", "ky": "Күнүнө макала (14 күн)", "en": "Articles per day (14 days)"},
	"sources.next":    {"ru": "Следующий", "ky": "Кийинки", "en": "Next"},
	"health.ok":       {"ru": "работает", "ky": "иштейт", "en": "ok"},
	"health.warning":  {"ru": "ошибки", "ky": "каталар", "en": "errors"},
	"health.failing":  {"ru": "не работает", "ky": "иштебейт", "en": "failing"},
	"health.never":    {"ru": "не опрашивался", "ky": "суралган эмес", "en": "never polled"},
	"health.disabled": {"ru": "отключён", "ky": "өчүрүлгөн", "en": "disabled"},
	"users.title":     {"ru": "Пользователи и токены", "ky": "Колдонуучулар жана токендер", "en": "Users and tokens"},
	"users.name":      {"ru": "Имя", "ky": "Аты", "en": "Name"},
	"users.role":      {"ru": "Роль", "ky": "Ролу", "en": "Role"},
	"users.lastlogin": {"ru": "Последний вход", "ky": "Акыркы кирүү", "en": "Last login"},
	"users.add":       {"ru": "Добавить пользователя", "ky": "Колдонуучу кошуу", "en": "Add user"},
	"users.disable":   {"ru": "Отключить", "ky": "Өчүрүү", "en": "Disable"},
	"users.enable":    {"ru": "Включить", "ky": "Күйгүзүү", "en": "Enable"},
	"users.token":     {"ru": "Новый API-токен", "ky": "Жаңы API токен", "en": "New API token"},
	"users.tokens":    {"ru": "API-токены", "ky": "API токендер", "en": "API tokens"},
	"users.revoke":    {"ru": "Отозвать", "ky": "Жокко чыгаруу", "en": "Revoke"},
	"users.label":     {"ru": "Назначение", "ky": "Максаты", "en": "Label"},
	"users.created":   {"ru": "Создан", "ky": "Түзүлгөн", "en": "Created"},
	"users.lastused":  {"ru": "Использован", "ky": "Колдонулган", "en": "Last used"},
	"users.showonce":  {"ru": "Сохраните сейчас — больше он показан не будет:", "ky": "Азыр сактап алыңыз — ал экинчи көрсөтүлбөйт:", "en": "Save it now; it is not shown again:"},
	"users.password":  {"ru": "Пароль (пусто — сгенерировать)", "ky": "Сырсөз (бош болсо — түзүлөт)", "en": "Password (empty: generate one)"},
	"users.disabled":  {"ru": "отключён", "ky": "өчүрүлгөн", "en": "disabled"},
	"users.revoked":   {"ru": "отозван", "ky": "жокко чыгарылган", "en": "revoked"},
	"users.roles":     {"ru": "Наблюдатель читает всё; аналитик также принимает и закрывает оповещения и проверяет правила; администратор также управляет пользователями и токенами.", "ky": "Байкоочу баарын окуйт; аналитик ошондой эле эскертүүлөрдү кабыл алып, жабат жана эрежелерди текшерет; администратор колдонуучуларды жана токендерди башкарат.", "en": "A viewer reads everything; an analyst also acknowledges and resolves alerts and backtests rules; an admin also manages users and tokens."},
	"role.viewer":     {"ru": "наблюдатель", "ky": "байкоочу", "en": "viewer"},
	"role.analyst":    {"ru": "аналитик", "ky": "аналитик", "en": "analyst"},
	"role.admin":      {"ru": "администратор", "ky": "администратор", "en": "admin"},
	"error.title":     {"ru": "Ошибка", "ky": "Ката", "en": "Error"},
	"error.back":      {"ru": "На главную", "ky": "Башкы бетке", "en": "Home"},
	"time.zone":       {"ru": "Время — Бишкек", "ky": "Убакыт — Бишкек", "en": "Times in Bishkek"},
	"field.title":     {"ru": "заголовок", "ky": "аталыш", "en": "title"},
	"field.body":      {"ru": "текст", "ky": "текст", "en": "text"},
	"ev.opened":       {"ru": "создано", "ky": "түзүлдү", "en": "opened"},
	"ev.article":      {"ru": "новая публикация", "ky": "жаңы жарыялоо", "en": "new article"},
	"ev.escalated":    {"ru": "повышена важность", "ky": "маанилүүлүгү жогорулады", "en": "escalated"},
	"ev.acknowledged": {"ru": "принято", "ky": "кабыл алынды", "en": "acknowledged"},
	"ev.resolved":     {"ru": "закрыто", "ky": "жабылды", "en": "resolved"},
	"ev.reopened":     {"ru": "открыто снова", "ky": "кайра ачылды", "en": "reopened"},
	"never":           {"ru": "никогда", "ky": "эч качан", "en": "never"},
}
