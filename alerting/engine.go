package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"kuzot/config"
	"kuzot/store"
)

// Severities, lowest first; an escalation moves one step up.
var severities = []string{"low", "medium", "high", "critical"}

func severityRank(s string) int { return slices.Index(severities, s) }

// ErrConflict is returned when an alert changed under the engine (another
// process acknowledged it, say); the change is retried on fresh state.
var ErrConflict = store.ErrConflict

// ErrStatus is returned for an acknowledgement or resolution the alert's
// status does not allow.
var ErrStatus = errors.New("alerting: not allowed in this status")

// Engine turns scored articles into stories and alerts and delivers their
// notifications. It takes in the store's articles in id order up to what
// the index has scored, remembering how far it got in the same transaction
// as the alerts it changed, so a crash neither loses nor repeats an alert.
type Engine struct {
	cfg       *config.Config
	st        *store.Store
	notifiers map[string]Notifier
	receivers map[string]*config.Receiver
	reach     map[string]int // outlet → reach tier
	counter   Counter
	log       *slog.Logger
	now       func() time.Time

	mu       sync.Mutex // one writer of alert state in this process
	grouper  *Grouper
	alias    map[string]string // grouper story id → stored story id, after a restart
	mark     int64
	started  bool
	dmu      sync.Mutex           // one delivery pass at a time
	down     map[string]time.Time // receiver → retry not before (it failed); under dmu
	wake     chan struct{}
	observed func(a *store.Alert, kind string) // test and metrics hook
	linked   func(ctx context.Context, a *store.Article, matches []store.Match, storyID string)
	outcome  func(receiver, outcome string) // metrics hook: delivered, retry, failed, summarised, skipped
}

// Option configures an Engine.
type Option func(*Engine)

// WithNow injects the clock (tests).
func WithNow(now func() time.Time) Option { return func(e *Engine) { e.now = now } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// WithCounter enables volume spikes, counted by c.
func WithCounter(c Counter) Option { return func(e *Engine) { e.counter = c } }

// WithObserver is called after each alert change with the alert and the
// kind of change (new, update, escalation, reopen, status).
func WithObserver(fn func(a *store.Alert, kind string)) Option {
	return func(e *Engine) { e.observed = fn }
}

// WithDeliveries is called with the receiver and the outcome of every
// delivery attempt: delivered, retry, failed, summarised or skipped.
func WithDeliveries(fn func(receiver, outcome string)) Option {
	return func(e *Engine) { e.outcome = fn }
}

// WithLinked is called after each article is linked to its story and the
// change is written, with the article, its stored matches and the story's
// id: the search index relabels the article with its story.
func WithLinked(fn func(ctx context.Context, a *store.Article, matches []store.Match, storyID string)) Option {
	return func(e *Engine) { e.linked = fn }
}

// NewEngine returns an engine over st delivering through notifiers, one
// per configured receiver by name. A receiver without a notifier gets
// nothing delivered (a command that only acknowledges needs none).
func NewEngine(cfg *config.Config, st *store.Store, notifiers map[string]Notifier, opts ...Option) *Engine {
	e := &Engine{
		cfg: cfg, st: st, notifiers: notifiers,
		receivers: map[string]*config.Receiver{},
		reach:     map[string]int{},
		log:       slog.New(slog.DiscardHandler),
		now:       time.Now,
		alias:     map[string]string{},
		down:      map[string]time.Time{},
		wake:      make(chan struct{}, 1),
	}
	for i := range cfg.Alerting.Receivers {
		r := &cfg.Alerting.Receivers[i]
		e.receivers[r.Name] = r
	}
	for _, s := range cfg.Sources {
		if r, ok := e.reach[s.Outlet]; !ok || s.Reach < r {
			e.reach[s.Outlet] = s.Reach
		}
	}
	for _, o := range opts {
		o(e)
	}
	e.grouper = NewGrouper(cfg.Alerting.Window.D())
	return e
}

// Wake tells the engine that articles were scored or notifications are due.
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// start regroups the recent articles into stories, as they were before a
// restart, without alerting on them again.
func (e *Engine) start(ctx context.Context) error {
	if e.started {
		return nil
	}
	mark, err := e.st.AlertingMark(ctx)
	if err != nil {
		return err
	}
	e.mark = mark
	since := e.now().Add(-2 * e.cfg.Alerting.Window.D())
	n := 0
	err = e.st.ArticlesPublishedSince(ctx, since, mark, func(a *store.Article) error {
		s, isNew := e.grouper.Add(item(a))
		if isNew {
			stored, err := e.st.StoryOf(ctx, a.ID)
			if err != nil {
				return err
			}
			if stored != "" && stored != s.ID {
				e.alias[s.ID] = stored
			}
		}
		n++
		return nil
	})
	if err != nil {
		return fmt.Errorf("alerting: regroup recent articles: %w", err)
	}
	if n > 0 {
		e.log.Info("stories regrouped", "articles", n, "stories", len(e.grouper.Stories()))
	}
	e.started = true
	return nil
}

func item(a *store.Article) Item {
	return Item{ID: a.ID, Outlet: a.Outlet, Lang: a.Lang, Title: a.Title, Lead: Lead(a.Body), Published: a.Published}
}

func (e *Engine) storyID(s *Story) string {
	if id, ok := e.alias[s.ID]; ok {
		return id
	}
	return s.ID
}

// Process takes in the articles after the engine's mark up to upTo (the
// last article the index has scored), one transaction per article.
func (e *Engine) Process(ctx context.Context, upTo int64) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.start(ctx); err != nil {
		return 0, err
	}
	if upTo <= e.mark {
		return 0, nil
	}
	n := 0
	err := e.st.ArticlesAfter(ctx, e.mark, upTo, func(a *store.Article, matches []store.Match) error {
		for attempt := 0; ; attempt++ {
			err := e.take(ctx, a, matches)
			if errors.Is(err, ErrConflict) && attempt < 3 {
				continue
			}
			if err != nil {
				return err
			}
			break
		}
		n++
		return nil
	})
	e.grouper.Expire(e.now())
	if n > 0 {
		e.Wake()
	}
	return n, err
}

// take groups one article and applies what it means to its story's alert.
func (e *Engine) take(ctx context.Context, a *store.Article, matches []store.Match) error {
	now := e.now()
	s, _ := e.grouper.Add(item(a))
	sid := e.storyID(s)
	ch := &store.AlertChange{Links: []store.StoryLink{{ArticleID: a.ID, StoryID: sid}}, LastArticle: a.ID, Added: now}
	fresh := now.Sub(a.Published) <= e.cfg.Alerting.MaxAge.D()

	al, err := e.st.AlertByStory(ctx, sid)
	if errors.Is(err, store.ErrNotFound) {
		al = nil
	} else if err != nil {
		return err
	}
	var kinds []string
	switch {
	case al == nil && fresh && alerting(matches):
		al = e.open(a, matches, now, s)
		ch.Events = append(ch.Events, store.AlertEvent{AlertID: al.ID, At: now, Kind: "opened", Detail: a.Outlet + ": " + a.Title})
		kinds = append(kinds, KindNew)
	case al != nil && fresh:
		read := al.Updated // what the store must still hold when this change is written
		e.absorb(al, a, matches)
		ch.Events = append(ch.Events, store.AlertEvent{AlertID: al.ID, At: now, Kind: "article", Detail: a.Outlet + ": " + a.Title})
		switch {
		case al.Status == store.StatusResolved && len(matches) > 0:
			al.Status, al.ResolvedAt, al.ResolvedBy = store.StatusOpen, time.Time{}, ""
			al.AckedAt, al.AckedBy = time.Time{}, ""
			al.Version++
			ch.Events = append(ch.Events, store.AlertEvent{AlertID: al.ID, At: now, Kind: "reopened", Detail: a.Outlet + ": " + a.Title})
			kinds = append(kinds, KindReopen)
		case al.Status != store.StatusResolved:
			if why := e.escalation(al, s, a, matches); why != "" {
				al.Escalations = append(al.Escalations, why)
				if r := severityRank(al.Severity); r < len(severities)-1 {
					al.Severity = severities[r+1]
				}
				al.Version++
				ch.Events = append(ch.Events, store.AlertEvent{AlertID: al.ID, At: now, Kind: "escalated", Detail: why + " → " + al.Severity})
				kinds = append(kinds, KindEscalation)
			} else {
				kinds = append(kinds, KindUpdate)
			}
		}
		ch.Expect = map[string]time.Time{al.ID: read}
	}
	if al != nil && len(kinds) > 0 {
		al.Updated = later(now, al.Updated)
		ch.Alerts = append(ch.Alerts, al)
		for _, k := range kinds {
			ch.Outbox = append(ch.Outbox, e.route(al, k, a.ID, now)...)
		}
	}
	if err := e.st.SaveAlertChange(ctx, ch); err != nil {
		if errors.Is(err, ErrConflict) {
			return ErrConflict
		}
		return fmt.Errorf("alerting: article %d: %w", a.ID, err)
	}
	e.mark = a.ID
	if e.linked != nil {
		e.linked(ctx, a, matches, sid)
	}
	if al != nil {
		if e.observed != nil {
			for _, k := range kinds {
				e.observed(al, k)
			}
		}
	}
	return nil
}

// later returns t, or just after prev when t is not after it: an alert's
// updated time orders its changes.
func later(t, prev time.Time) time.Time {
	if !t.After(prev) {
		return prev.Add(time.Millisecond)
	}
	return t
}

// alerting reports whether a match is strong enough to raise an alert.
func alerting(matches []store.Match) bool {
	for _, m := range matches {
		if m.Decision == "alert" || m.Decision == "critical" {
			return true
		}
	}
	return false
}

// open raises the alert of a story from the article that crossed the line.
func (e *Engine) open(a *store.Article, matches []store.Match, now time.Time, s *Story) *store.Alert {
	al := &store.Alert{
		ID: "a" + strconv.FormatInt(a.ID, 10), StoryID: e.storyID(s), Kind: "rule", Status: store.StatusOpen,
		Title: a.Title, URL: a.URL, Version: 1, FirstPublished: s.First, Created: now, Updated: now,
	}
	if al.FirstPublished.IsZero() || a.Published.Before(al.FirstPublished) {
		al.FirstPublished = a.Published
	}
	sev := "low"
	for _, m := range matches {
		if m.Decision != "alert" && m.Decision != "critical" {
			continue
		}
		s := m.Severity
		if m.Decision == "critical" {
			s = "critical"
		}
		if severityRank(s) > severityRank(sev) {
			sev = s
		}
		al.FirstScore = max(al.FirstScore, m.Score)
	}
	al.Severity, al.FirstSeverity = sev, sev
	e.absorb(al, a, matches)
	return al
}

// maxEvidence bounds the passages an alert keeps.
const maxEvidence = 8

// absorb adds an article's matches to the alert: score, categories,
// rules and evidence.
func (e *Engine) absorb(al *store.Alert, a *store.Article, matches []store.Match) {
	for _, m := range matches {
		al.Score = max(al.Score, m.Score)
		if !slices.Contains(al.Categories, m.Category) {
			al.Categories = append(al.Categories, m.Category)
		}
		if !slices.Contains(al.Rules, m.RuleID) {
			al.Rules = append(al.Rules, m.RuleID)
		}
		var ev []store.Evidence
		if err := json.Unmarshal([]byte(m.Evidence), &ev); err != nil {
			e.log.Warn("match evidence unreadable", "article", a.ID, "rule", m.RuleID, "err", err)
			continue
		}
		for _, x := range ev {
			if len(al.Evidence) >= maxEvidence {
				break
			}
			if x.Rule == "" {
				x.Rule = m.RuleID
			}
			al.Evidence = append(al.Evidence, x)
		}
	}
}

// escalation returns why an article escalates an alert ("" when it does
// not). Each trigger fires once per alert.
func (e *Engine) escalation(al *store.Alert, s *Story, a *store.Article, matches []store.Match) string {
	esc := e.cfg.Alerting.Escalation
	fired := func(why string) bool { return slices.Contains(al.Escalations, why) }
	if esc.Outlets > 0 && !fired("spread") {
		outlets := map[string]bool{}
		for _, o := range s.Outlets {
			outlets[o] = true
		}
		if len(outlets) >= esc.Outlets && a.Published.Sub(al.FirstPublished) <= esc.Within.D() {
			return "spread"
		}
	}
	if esc.ReachTier > 0 && !fired("reach") {
		if tier, ok := e.reach[a.Outlet]; ok && tier <= esc.ReachTier {
			// Only a spread to a wider outlet escalates: a story that began
			// in a national outlet was routed as such.
			began := e.reach[firstOutlet(s)]
			if began == 0 || began > esc.ReachTier {
				return "reach"
			}
		}
	}
	if esc.ScoreRise > 0 && !fired("score") && al.FirstScore > 0 {
		for _, m := range matches {
			if m.Score >= esc.ScoreRise*al.FirstScore {
				return "score"
			}
		}
	}
	return ""
}

func firstOutlet(s *Story) string {
	if len(s.Outlets) == 0 {
		return ""
	}
	return s.Outlets[0]
}

// Acknowledge marks an alert acknowledged by actor.
func (e *Engine) Acknowledge(ctx context.Context, id, actor, comment string) error {
	return e.setStatus(ctx, id, actor, comment, store.StatusAcknowledged)
}

// Resolve marks an alert resolved by actor.
func (e *Engine) Resolve(ctx context.Context, id, actor, comment string) error {
	return e.setStatus(ctx, id, actor, comment, store.StatusResolved)
}

func (e *Engine) setStatus(ctx context.Context, id, actor, comment, status string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if actor == "" {
		return fmt.Errorf("alerting: %s alert %s: say who does it", status, id)
	}
	for attempt := 0; ; attempt++ {
		err := e.trySetStatus(ctx, id, actor, comment, status)
		if errors.Is(err, ErrConflict) && attempt < 3 {
			continue
		}
		return err
	}
}

func (e *Engine) trySetStatus(ctx context.Context, id, actor, comment, status string) error {
	al, err := e.st.Alert(ctx, id)
	if err != nil {
		return fmt.Errorf("alerting: %w", err)
	}
	if al.Status == status {
		return nil // a second click changes nothing
	}
	if al.Status == store.StatusResolved && status == store.StatusAcknowledged {
		return fmt.Errorf("alerting: alert %s is resolved; it cannot be acknowledged: %w", id, ErrStatus)
	}
	now := e.now()
	prev := al.Updated
	al.Status = status
	switch status {
	case store.StatusAcknowledged:
		al.AckedAt, al.AckedBy = now, actor
	case store.StatusResolved:
		al.ResolvedAt, al.ResolvedBy = now, actor
		if al.AckedAt.IsZero() {
			// Resolving acknowledges too: the response clock stops.
			al.AckedAt, al.AckedBy = now, actor
		}
	}
	al.Version++
	al.Updated = later(now, prev)
	ev := store.AlertEvent{AlertID: id, At: now, Kind: status, Actor: actor, Comment: comment}
	ch := &store.AlertChange{
		Alerts: []*store.Alert{al}, Events: []store.AlertEvent{ev}, Added: now,
		Expect: map[string]time.Time{id: prev},
		Outbox: e.route(al, KindStatus, 0, now),
	}
	if err := e.st.SaveAlertChange(ctx, ch); err != nil {
		return err
	}
	e.log.Info("alert "+status, "alert", id, "actor", actor)
	if e.observed != nil {
		e.observed(al, KindStatus)
	}
	e.Wake()
	return nil
}
