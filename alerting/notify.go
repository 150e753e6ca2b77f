package alerting

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"kuzot/store"
)

// Message kinds: what a notification says about its alert.
const (
	KindNew        = "new"        // a new alert
	KindUpdate     = "update"     // another article of its story (a reply in the thread)
	KindEscalation = "escalation" // its severity rose: notifies again
	KindReopen     = "reopen"     // a resolved story flared up
	KindStatus     = "status"     // acknowledged or resolved
	KindSummary    = "summary"    // a throttled receiver's summary of alerts
)

// Message is one notification, rendered by a Notifier from the alert's
// state at delivery time: what arrived during the group wait is in it.
type Message struct {
	Kind string
	// Key is unique per alert version (or article) and receiver: a
	// receiver that honours idempotency keys drops a repeat.
	Key  string
	Lang string // ru, ky or en
	// Alert is the alert's current state, with its articles and evidence.
	// A summary's Alert is nil.
	Alert *store.Alert
	// New are the articles an update announces (KindUpdate).
	New []store.AlertArticle
	// Event is the acknowledgement or resolution of a KindStatus message.
	Event *store.AlertEvent
	// Summary are the alerts a throttled receiver did not get one by one.
	Summary []*store.Alert
	// Thread is the receiver's reference of the alert's first message
	// (a Slack ts, a Telegram message id), empty before it.
	Thread string
	// URL links to the alert in the web UI.
	URL string
	// Location is the zone times are shown in.
	Location *time.Location
}

// Notifier delivers messages to one receiver. It returns the receiver's
// reference of the message it posted (kept as the alert's thread), and
// whether a failure is worth retrying.
type Notifier interface {
	Notify(ctx context.Context, m *Message) (ref string, retry bool, err error)
}

// NotifierFunc adapts a function to Notifier (tests, fakes).
type NotifierFunc func(ctx context.Context, m *Message) (string, bool, error)

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, m *Message) (string, bool, error) { return f(ctx, m) }

// Labels of severities, categories and message kinds, by language.
var labels = map[string]map[string]string{
	"ru": {
		"why": "Причина", "esc_spread": "сюжет подхватили несколько изданий за несколько часов", "esc_reach": "сюжет вышел в общенациональном издании", "esc_score": "новая публикация значительно серьёзнее первой",
		"low": "низкий", "medium": "средний", "high": "высокий", "critical": "критический",
		"medical_error": "Врачебная ошибка", "arrest": "Задержания медиков", "equipment_neglect": "Простаивающее оборудование",
		"corruption_extortion": "Поборы и коррупция", "ethics": "Грубость и этика", "drug_shortage": "Нехватка лекарств",
		"care_access": "Очереди и доступ к помощи", "outbreak": "Вспышки болезней", "public_case": "Резонансный случай",
		"it_failure": "Сбой ИТ-систем", "spike": "Всплеск упоминаний",
		"new": "Новый кризис", "update": "Новая публикация", "escalation": "Эскалация", "reopen": "Снова в новостях",
		"status": "Статус", "summary": "Сводка оповещений",
		"open": "открыто", "acknowledged": "принято", "resolved": "закрыто",
		"severity": "Уровень", "outlets": "Издания", "rule": "Правило", "evidence": "Найдено", "first_published": "Первая публикация",
		"articles": "Публикации", "acknowledge": "Принять", "resolve": "Закрыть", "open_in_kuzot": "Открыть в Kuzot",
		"by": "кто", "at": "когда", "alerts": "оповещений", "throttled": "Слишком много оповещений за час; остальные — в этой сводке",
		"categories": "Категории", "rules": "Правила", "status_acknowledged": "Принято", "status_resolved": "Закрыто",
		"more": "…и ещё %d", "cancel": "Отмена",
		"resolve_confirm_title": "Закрыть оповещение?", "resolve_confirm_text": "Оповещение будет закрыто; если история снова появится в новостях, оно откроется заново.",
		"alert_not_found": "Этого оповещения нет в Kuzot — возможно, его удалили.", "action_failed": "Kuzot не смог выполнить действие: %s. Попробуйте ещё раз или откройте оповещение в Kuzot.",
	},
	"ky": {
		"why": "Себеби", "esc_spread": "окуяны бир нече саатта бир нече басылма жазды", "esc_reach": "окуя улуттук басылмага чыкты", "esc_score": "жаңы жарыялоо биринчисинен алда канча олуттуу",
		"low": "төмөн", "medium": "орточо", "high": "жогорку", "critical": "өтө коркунучтуу",
		"medical_error": "Дарыгердин катасы", "arrest": "Медиктердин кармалышы", "equipment_neglect": "Колдонулбай жаткан жабдуу",
		"corruption_extortion": "Пара жана коррупция", "ethics": "Одоно мамиле жана этика", "drug_shortage": "Дары-дармек жетишсиздиги",
		"care_access": "Кезек жана жардамга жетүү", "outbreak": "Оорунун тарашы", "public_case": "Коомчулукту толкуткан окуя",
		"it_failure": "Маалымат системасынын иштебей калышы", "spike": "Эскерүүлөрдүн кескин көбөйүшү",
		"new": "Жаңы кризис", "update": "Жаңы жарыялоо", "escalation": "Курчушу", "reopen": "Кайра жаңылыктарда",
		"status": "Абалы", "summary": "Эскертүүлөрдүн жыйынтыгы",
		"open": "ачык", "acknowledged": "кабыл алынды", "resolved": "жабылды",
		"severity": "Деңгээли", "outlets": "Басылмалар", "rule": "Эреже", "evidence": "Табылганы", "first_published": "Биринчи жарыялоо",
		"articles": "Жарыялоолор", "acknowledge": "Кабыл алуу", "resolve": "Жабуу", "open_in_kuzot": "Kuzot'то ачуу",
		"by": "ким", "at": "качан", "alerts": "эскертүү", "throttled": "Бир саатта эскертүү өтө көп; калганы ушул жыйынтыкта",
		"categories": "Категориялар", "rules": "Эрежелер", "status_acknowledged": "Кабыл алынды", "status_resolved": "Жабылды",
		"more": "…дагы %d", "cancel": "Жокко чыгаруу",
		"resolve_confirm_title": "Эскертүүнү жабасызбы?", "resolve_confirm_text": "Эскертүү жабылат; окуя кайра жаңылыктарга чыкса, ал кайра ачылат.",
		"alert_not_found": "Бул эскертүү Kuzot'то жок — балким, өчүрүлгөн.", "action_failed": "Kuzot аракетти аткара алган жок: %s. Кайра аракет кылыңыз же эскертүүнү Kuzot'то ачыңыз.",
	},
	"en": {
		"why": "Why", "esc_spread": "several outlets picked the story up within hours", "esc_reach": "a national outlet picked the story up", "esc_score": "a new article is far more serious than the first",
		"low": "low", "medium": "medium", "high": "high", "critical": "critical",
		"medical_error": "Medical error", "arrest": "Arrest of medics", "equipment_neglect": "Equipment left unused",
		"corruption_extortion": "Extortion and corruption", "ethics": "Rudeness and ethics", "drug_shortage": "Drug shortage",
		"care_access": "Queues and access to care", "outbreak": "Outbreak", "public_case": "High-profile case",
		"it_failure": "IT failure", "spike": "Spike in mentions",
		"new": "New crisis", "update": "New article", "escalation": "Escalation", "reopen": "Back in the news",
		"status": "Status", "summary": "Alert summary",
		"open": "open", "acknowledged": "acknowledged", "resolved": "resolved",
		"severity": "Severity", "outlets": "Outlets", "rule": "Rule", "evidence": "Evidence", "first_published": "First published",
		"articles": "Articles", "acknowledge": "Acknowledge", "resolve": "Resolve", "open_in_kuzot": "Open in Kuzot",
		"by": "by", "at": "at", "alerts": "alerts", "throttled": "Too many alerts this hour; the rest are in this summary",
		"categories": "Categories", "rules": "Rules", "status_acknowledged": "Acknowledged", "status_resolved": "Resolved",
		"more": "…and %d more", "cancel": "Cancel",
		"resolve_confirm_title": "Resolve this alert?", "resolve_confirm_text": "The alert will be resolved; if the story comes back in the news it reopens.",
		"alert_not_found": "This alert is not in Kuzot; it may have been removed.", "action_failed": "Kuzot could not do this: %s. Try again or open the alert in Kuzot.",
	},
}

// Label returns the text of a severity, category, status, kind or field
// name in lang, falling back to English and then to the key itself.
func Label(lang, key string) string {
	if v, ok := labels[lang][key]; ok {
		return v
	}
	if v, ok := labels["en"][key]; ok {
		return v
	}
	return key
}

// Marked returns the evidence text with each marked word wrapped in open
// and close, and every other part passed through escape (nil keeps it as
// it is): "*" for Slack, "<b>" for HTML and Telegram.
func Marked(e store.Evidence, open, close string, escape func(string) string) string {
	if escape == nil {
		escape = func(s string) string { return s }
	}
	var b strings.Builder
	at := 0
	for _, m := range e.Marks {
		if m.Start < at || m.End > len(e.Text) || m.Start >= m.End {
			continue
		}
		b.WriteString(escape(e.Text[at:m.Start]))
		b.WriteString(open)
		b.WriteString(escape(e.Text[m.Start:m.End]))
		b.WriteString(close)
		at = m.End
	}
	b.WriteString(escape(e.Text[at:]))
	return b.String()
}

// CutEvidence shortens a passage to about n runes without cutting a
// marked word in two, dropping the marks past the cut.
func CutEvidence(e store.Evidence, n int) store.Evidence {
	if utf8.RuneCountInString(e.Text) <= n {
		return e
	}
	at := 0
	for i := range e.Text {
		if n == 0 {
			at = i
			break
		}
		n--
	}
	var marks []store.Mark
	for _, m := range e.Marks {
		if m.End <= at {
			marks = append(marks, m)
			continue
		}
		if m.Start < at {
			// The cut falls inside this mark: end before it, unless it is
			// the passage's first word.
			if m.Start > 0 {
				at = m.Start
			} else {
				at = m.End
				marks = append(marks, m)
			}
		}
		break
	}
	return store.Evidence{Rule: e.Rule, Field: e.Field, Text: strings.TrimRightFunc(e.Text[:at], unicode.IsSpace) + "…", Marks: marks}
}

// Outlets returns the distinct outlets of an alert's articles in the order
// they published.
func Outlets(a *store.Alert) []string {
	var out []string
	seen := map[string]bool{}
	for _, art := range a.Articles {
		if !seen[art.Outlet] {
			seen[art.Outlet] = true
			out = append(out, art.Outlet)
		}
	}
	return out
}

// Funcs are the template functions every notifier's templates share.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"label": Label,
		"outlets": func(a *store.Alert) string {
			return strings.Join(Outlets(a), ", ")
		},
		"time": func(t time.Time, loc *time.Location) string {
			if t.IsZero() {
				return "—"
			}
			if loc == nil {
				loc = time.UTC
			}
			return t.In(loc).Format("02.01.2006 15:04")
		},
		"marked": Marked,
		"html":   html.EscapeString,
		"upper":  strings.ToUpper,
	}
}

// Templates parses the embedded templates of a notifier (files matching
// pattern in embedded), then the files of the same names in dir, which
// replace them: a press office can reword its alerts without a rebuild.
func Templates(name string, embedded fs.FS, pattern, dir string) (*template.Template, error) {
	t, err := template.New(name).Funcs(Funcs()).ParseFS(embedded, pattern)
	if err != nil {
		return nil, fmt.Errorf("alerting: templates of %s: %w", name, err)
	}
	if dir == "" {
		return t, nil
	}
	names, err := fs.Glob(embedded, pattern)
	if err != nil {
		return nil, fmt.Errorf("alerting: templates of %s: %w", name, err)
	}
	for _, n := range names {
		p := filepath.Join(dir, filepath.Base(n))
		body, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("alerting: template override %s: %w", p, err)
		}
		if _, err := t.New(filepath.Base(n)).Parse(string(body)); err != nil {
			return nil, fmt.Errorf("alerting: template override %s: %w (fix it or remove it to use the built-in one)", p, err)
		}
	}
	return t, nil
}
