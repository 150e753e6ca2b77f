package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Alert statuses.
const (
	StatusOpen         = "open"
	StatusAcknowledged = "acknowledged"
	StatusResolved     = "resolved"
)

// Alert is the current state of one alert: one per story (or per spike).
// Its JSON is the contract of DESIGN.md; Articles are filled by Alert and
// by AlertArticles, not by Alerts.
type Alert struct {
	ID             string         `json:"id"`
	StoryID        string         `json:"story_id"`
	Kind           string         `json:"kind"` // rule or spike
	Status         string         `json:"status"`
	Severity       string         `json:"severity"`
	FirstSeverity  string         `json:"first_severity"`
	Categories     []string       `json:"categories"`
	Rules          []string       `json:"rules"`
	Score          float64        `json:"score"`
	FirstScore     float64        `json:"first_score"`
	Title          string         `json:"title"`
	URL            string         `json:"url"`
	Escalations    []string       `json:"escalations"`
	Version        int            `json:"version"`
	FirstPublished time.Time      `json:"first_published"`
	Created        time.Time      `json:"created"`
	AlertedAt      time.Time      `json:"alerted_at"`
	AckedAt        time.Time      `json:"acknowledged_at"`
	AckedBy        string         `json:"acknowledged_by"`
	ResolvedAt     time.Time      `json:"resolved_at"`
	ResolvedBy     string         `json:"resolved_by"`
	Updated        time.Time      `json:"updated"`
	Articles       []AlertArticle `json:"articles"`
	Evidence       []Evidence     `json:"evidence"`
}

// AlertArticle is one article of an alert's story.
type AlertArticle struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Outlet    string    `json:"outlet"`
	Title     string    `json:"title"`
	Published time.Time `json:"published"`
	Lang      string    `json:"lang"`
}

// Evidence is a matched passage, as rules.Evidence writes it.
type Evidence struct {
	Rule  string `json:"rule"`
	Field string `json:"field"`
	Text  string `json:"text"`
	Marks []Mark `json:"marks"`
}

// Mark is the byte range of one matched word in Evidence.Text.
type Mark struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// AlertEvent is one step of an alert's life.
type AlertEvent struct {
	AlertID string    `json:"alert_id"`
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"` // opened, article, escalated, acknowledged, resolved, reopened
	Actor   string    `json:"actor,omitempty"`
	Comment string    `json:"comment,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// OutboxItem is one notification to deliver.
type OutboxItem struct {
	ID          int64     `json:"id"`
	Key         string    `json:"key"`
	AlertID     string    `json:"alert_id"`
	Receiver    string    `json:"receiver"`
	Kind        string    `json:"kind"` // new, update, escalation, reopen, status, summary
	Version     int       `json:"version"`
	ArticleID   int64     `json:"article_id,omitempty"`
	Payload     string    `json:"payload,omitempty"`
	Created     time.Time `json:"created"`
	NotBefore   time.Time `json:"not_before"`
	NextAttempt time.Time `json:"next_attempt"`
	Attempts    int       `json:"attempts"`
	LastError   string    `json:"last_error,omitempty"`
	State       string    `json:"state"` // pending, delivered, failed, skipped, summarised
	DeliveredAt time.Time `json:"delivered_at"`
	Ref         string    `json:"ref,omitempty"`
}

// Outbox states.
const (
	OutboxPending    = "pending"
	OutboxDelivered  = "delivered"
	OutboxFailed     = "failed"
	OutboxSkipped    = "skipped"
	OutboxSummarised = "summarised"
)

// StoryLink puts an article in a story.
type StoryLink struct {
	ArticleID int64
	StoryID   string
}

// AlertChange is everything one step of the alerting engine writes, in one
// transaction: the stories of new articles, the alerts they raised or
// changed, their events, their notifications and the engine's high-water
// mark. Either all of it is stored or none.
type AlertChange struct {
	Links  []StoryLink
	Alerts []*Alert // inserted or replaced whole
	Events []AlertEvent
	Outbox []OutboxItem // a key already in the outbox is left as it is
	// Skip marks pending outbox items as skipped or summarised (by id).
	Skip map[int64]string
	// Expect holds, for each alert changed (not new), the Updated time it
	// was read with: if another process changed it since, nothing is
	// written and the error is ErrConflict.
	Expect map[string]time.Time
	// LastArticle, when non-zero, is the engine's new high-water mark.
	LastArticle int64
	// Added is when the change was made.
	Added time.Time
}

// SaveAlertChange writes c in one transaction.
func (s *Store) SaveAlertChange(ctx context.Context, c *AlertChange) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, l := range c.Links {
			if _, err := tx.ExecContext(ctx, `INSERT INTO story_articles (article_id, story_id, added) VALUES (?, ?, ?)
				ON CONFLICT (article_id) DO UPDATE SET story_id = excluded.story_id`, l.ArticleID, l.StoryID, ms(c.Added)); err != nil {
				return err
			}
		}
		for _, a := range c.Alerts {
			exp, changed := c.Expect[a.ID]
			if err := saveAlert(ctx, tx, a, changed, exp); err != nil {
				return fmt.Errorf("alert %s: %w", a.ID, err)
			}
		}
		for _, e := range c.Events {
			if _, err := tx.ExecContext(ctx, `INSERT INTO alert_events (alert_id, at, kind, actor, comment, detail) VALUES (?, ?, ?, ?, ?, ?)`,
				e.AlertID, ms(e.At), e.Kind, e.Actor, e.Comment, e.Detail); err != nil {
				return err
			}
		}
		for _, o := range c.Outbox {
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (key, alert_id, receiver, kind, version, article_id, payload, created, not_before, next_attempt)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
				o.Key, o.AlertID, o.Receiver, o.Kind, o.Version, o.ArticleID, o.Payload, ms(o.Created), ms(o.NotBefore), ms(o.NotBefore)); err != nil {
				return err
			}
		}
		for id, state := range c.Skip {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ? WHERE id = ? AND state = 'pending'`, state, id); err != nil {
				return err
			}
		}
		if c.LastArticle > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO alerting_state (key, value) VALUES ('last_article', ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, c.LastArticle); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save alert change: %w", err)
	}
	return nil
}

// ErrConflict is returned when an alert changed since it was read.
var ErrConflict = errors.New("store: alert changed meanwhile")

func saveAlert(ctx context.Context, tx *sql.Tx, a *Alert, changed bool, expect time.Time) error {
	cats, _ := json.Marshal(nonNil(a.Categories))
	rules, _ := json.Marshal(nonNil(a.Rules))
	esc, _ := json.Marshal(nonNil(a.Escalations))
	ev := a.Evidence
	if ev == nil {
		ev = []Evidence{}
	}
	evidence, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if changed {
		res, err := tx.ExecContext(ctx, `UPDATE alerts SET status = ?, severity = ?, score = ?, categories = ?, rules = ?,
				title = ?, url = ?, evidence = ?, escalations = ?, version = ?, first_published = ?, acked_at = ?, acked_by = ?,
				resolved_at = ?, resolved_by = ?, updated = ?
			WHERE id = ? AND updated = ?`,
			a.Status, a.Severity, a.Score, string(cats), string(rules), a.Title, a.URL, string(evidence), string(esc), a.Version,
			ms(a.FirstPublished), ms(a.AckedAt), a.AckedBy, ms(a.ResolvedAt), a.ResolvedBy, ms(a.Updated), a.ID, ms(expect))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return ErrConflict
		}
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO alerts (id, story_id, kind, status, severity, first_severity, score, first_score,
			categories, rules, title, url, evidence, escalations, version, first_published, created, alerted_at,
			acked_at, acked_by, resolved_at, resolved_by, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.StoryID, a.Kind, a.Status, a.Severity, a.FirstSeverity, a.Score, a.FirstScore,
		string(cats), string(rules), a.Title, a.URL, string(evidence), string(esc), a.Version,
		ms(a.FirstPublished), ms(a.Created), ms(a.AlertedAt), ms(a.AckedAt), a.AckedBy, ms(a.ResolvedAt), a.ResolvedBy, ms(a.Updated))
	if err != nil && strings.Contains(err.Error(), "UNIQUE") {
		return ErrConflict
	}
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const alertColumns = `id, story_id, kind, status, severity, first_severity, score, first_score, categories, rules, title, url,
	evidence, escalations, version, first_published, created, alerted_at, acked_at, acked_by, resolved_at, resolved_by, updated`

func scanAlert(r scanner) (*Alert, error) {
	var a Alert
	var cats, rules, ev, esc string
	var first, created, alerted, acked, resolved, updated int64
	if err := r.Scan(&a.ID, &a.StoryID, &a.Kind, &a.Status, &a.Severity, &a.FirstSeverity, &a.Score, &a.FirstScore,
		&cats, &rules, &a.Title, &a.URL, &ev, &esc, &a.Version, &first, &created, &alerted, &acked, &a.AckedBy,
		&resolved, &a.ResolvedBy, &updated); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		raw string
		v   any
	}{{cats, &a.Categories}, {rules, &a.Rules}, {ev, &a.Evidence}, {esc, &a.Escalations}} {
		if err := json.Unmarshal([]byte(f.raw), f.v); err != nil {
			return nil, fmt.Errorf("alert %s: bad JSON column: %w", a.ID, err)
		}
	}
	a.FirstPublished, a.Created, a.AlertedAt = fromMS(first), fromMS(created), fromMS(alerted)
	a.AckedAt, a.ResolvedAt, a.Updated = fromMS(acked), fromMS(resolved), fromMS(updated)
	return &a, nil
}

// Alert returns one alert with its story's articles.
func (s *Store) Alert(ctx context.Context, id string) (*Alert, error) {
	return s.alertWhere(ctx, "id", id, fmt.Sprintf("alert %q", id))
}

// AlertByStory returns the alert of a story, or ErrNotFound.
func (s *Store) AlertByStory(ctx context.Context, storyID string) (*Alert, error) {
	return s.alertWhere(ctx, "story_id", storyID, fmt.Sprintf("alert of story %q", storyID))
}

// alertWhere reads the alert whose column (id or story_id, both unique)
// holds value, with its story's articles.
func (s *Store) alertWhere(ctx context.Context, column, value, what string) (*Alert, error) {
	a, err := scanAlert(s.r.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts WHERE `+column+` = ?`, value))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	if a.Articles, err = s.StoryArticles(ctx, a.StoryID); err != nil {
		return nil, err
	}
	return a, nil
}

// AlertFilter selects alerts; zero fields select everything.
type AlertFilter struct {
	Statuses []string
	Since    time.Time // raised at or after
	Until    time.Time // raised before
	Limit    int       // default 100
	// WithArticles fills each alert's Articles.
	WithArticles bool
}

// Alerts returns the alerts f selects, newest first.
func (s *Store) Alerts(ctx context.Context, f AlertFilter) ([]*Alert, error) {
	var where []string
	var args []any
	if len(f.Statuses) > 0 {
		where = append(where, `status IN (?`+strings.Repeat(", ?", len(f.Statuses)-1)+`)`)
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	if !f.Since.IsZero() {
		where = append(where, `created >= ?`)
		args = append(args, ms(f.Since))
	}
	if !f.Until.IsZero() {
		where = append(where, `created < ?`)
		args = append(args, ms(f.Until))
	}
	q := `SELECT ` + alertColumns + ` FROM alerts`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += ` ORDER BY created DESC, id LIMIT ?`
	args = append(args, limit)
	out, err := collect(ctx, s.r, "alerts", scanAlert, q, args...)
	if err != nil {
		return nil, err
	}
	if f.WithArticles {
		for _, a := range out {
			if a.Articles, err = s.StoryArticles(ctx, a.StoryID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// StoryArticles returns the articles of a story in publication order.
func (s *Store) StoryArticles(ctx context.Context, storyID string) ([]AlertArticle, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.url, a.outlet, a.title, a.published, a.lang
		FROM story_articles sa JOIN articles a ON a.id = sa.article_id
		WHERE sa.story_id = ? ORDER BY a.published, a.id`, storyID)
	if err != nil {
		return nil, fmt.Errorf("store: articles of story %q: %w", storyID, err)
	}
	defer rows.Close()
	out := []AlertArticle{}
	for rows.Next() {
		var a AlertArticle
		var pub int64
		if err := rows.Scan(&a.ID, &a.URL, &a.Outlet, &a.Title, &pub, &a.Lang); err != nil {
			return nil, fmt.Errorf("store: articles of story %q: %w", storyID, err)
		}
		a.Published = fromMS(pub)
		out = append(out, a)
	}
	return out, rows.Err()
}

// StoryOf returns the story id of an article, or "" when it has none.
func (s *Store) StoryOf(ctx context.Context, articleID int64) (string, error) {
	var id string
	err := s.r.QueryRowContext(ctx, `SELECT story_id FROM story_articles WHERE article_id = ?`, articleID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: story of article %d: %w", articleID, err)
	}
	return id, nil
}

// AlertEvents returns the events of an alert, oldest first.
func (s *Store) AlertEvents(ctx context.Context, alertID string) ([]AlertEvent, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT alert_id, at, kind, actor, comment, detail FROM alert_events WHERE alert_id = ? ORDER BY id`, alertID)
	if err != nil {
		return nil, fmt.Errorf("store: events of alert %q: %w", alertID, err)
	}
	defer rows.Close()
	var out []AlertEvent
	for rows.Next() {
		var e AlertEvent
		var at int64
		if err := rows.Scan(&e.AlertID, &at, &e.Kind, &e.Actor, &e.Comment, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: events of alert %q: %w", alertID, err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AlertingMark returns the alerting engine's high-water mark: the last
// article it has taken in.
func (s *Store) AlertingMark(ctx context.Context) (int64, error) {
	var v int64
	err := s.r.QueryRowContext(ctx, `SELECT value FROM alerting_state WHERE key = 'last_article'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: alerting mark: %w", err)
	}
	return v, nil
}

const outboxColumns = `id, key, alert_id, receiver, kind, version, article_id, payload, created, not_before, next_attempt,
	attempts, last_error, state, delivered_at, ref`

func scanOutbox(r scanner) (OutboxItem, error) {
	var o OutboxItem
	var created, notBefore, next, delivered int64
	err := r.Scan(&o.ID, &o.Key, &o.AlertID, &o.Receiver, &o.Kind, &o.Version, &o.ArticleID, &o.Payload, &created,
		&notBefore, &next, &o.Attempts, &o.LastError, &o.State, &delivered, &o.Ref)
	o.Created, o.NotBefore, o.NextAttempt, o.DeliveredAt = fromMS(created), fromMS(notBefore), fromMS(next), fromMS(delivered)
	return o, err
}

// DueOutbox returns the pending items whose time has come, oldest first.
func (s *Store) DueOutbox(ctx context.Context, now time.Time, limit int) ([]OutboxItem, error) {
	return s.outbox(ctx, `WHERE state = 'pending' AND next_attempt <= ? ORDER BY id LIMIT ?`, ms(now), limit)
}

// OutboxFilter selects outbox items for display.
type OutboxFilter struct {
	States  []string
	AlertID string
	Limit   int // default 100
}

// Outbox returns the items f selects, newest first.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) ([]OutboxItem, error) {
	var where []string
	var args []any
	if len(f.States) > 0 {
		where = append(where, `state IN (?`+strings.Repeat(", ?", len(f.States)-1)+`)`)
		for _, st := range f.States {
			args = append(args, st)
		}
	}
	if f.AlertID != "" {
		where = append(where, `alert_id = ?`)
		args = append(args, f.AlertID)
	}
	q := ``
	if len(where) > 0 {
		q = `WHERE ` + strings.Join(where, ` AND `)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	return s.outbox(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
}

func (s *Store) outbox(ctx context.Context, tail string, args ...any) ([]OutboxItem, error) {
	return collect(ctx, s.r, "outbox", scanOutbox, `SELECT `+outboxColumns+` FROM outbox `+tail, args...)
}

// OutboxCounts returns the number of outbox items in each state.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT state, COUNT(*) FROM outbox GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("store: outbox counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: outbox counts: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

// Delivered records a delivered item: its state, the receiver's message
// reference, the thread it started or continued and the last article it
// carried, and the alert's first delivery time.
func (s *Store) Delivered(ctx context.Context, o OutboxItem, ref string, covered int64, at time.Time) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'delivered', delivered_at = ?, ref = ?, attempts = attempts + 1, last_error = ''
			WHERE id = ?`, ms(at), ref, o.ID); err != nil {
			return err
		}
		if covered > 0 || ref != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO threads (alert_id, receiver, ref, covered) VALUES (?, ?, ?, ?)
				ON CONFLICT (alert_id, receiver) DO UPDATE SET covered = MAX(covered, excluded.covered),
					ref = CASE WHEN threads.ref = '' THEN excluded.ref ELSE threads.ref END`,
				o.AlertID, o.Receiver, ref, covered); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE alerts SET alerted_at = ? WHERE id = ? AND alerted_at = 0`, ms(at), o.AlertID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: mark outbox item %d delivered: %w", o.ID, err)
	}
	return nil
}

// DeliveryFailed records a failed attempt: retried at next, or given up
// when next is zero.
func (s *Store) DeliveryFailed(ctx context.Context, id int64, reason string, next time.Time) error {
	state := OutboxPending
	if next.IsZero() {
		state = OutboxFailed
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ?, state = ? WHERE id = ?`,
		reason, ms(next), state, id); err != nil {
		return fmt.Errorf("store: record failed delivery of outbox item %d: %w", id, err)
	}
	return nil
}

// SetOutboxState sets an item's state (skipped or summarised, say).
func (s *Store) SetOutboxState(ctx context.Context, id int64, state string) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE outbox SET state = ? WHERE id = ?`, state, id); err != nil {
		return fmt.Errorf("store: set state of outbox item %d: %w", id, err)
	}
	return nil
}

// Thread returns the message reference and covered article of an alert at
// a receiver; ok is false before its first delivery.
func (s *Store) Thread(ctx context.Context, alertID, receiver string) (ref string, covered int64, ok bool, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT ref, covered FROM threads WHERE alert_id = ? AND receiver = ?`, alertID, receiver).Scan(&ref, &covered)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, false, nil
	}
	if err != nil {
		return "", 0, false, fmt.Errorf("store: thread of alert %s at %s: %w", alertID, receiver, err)
	}
	return ref, covered, true, nil
}

// EarlierPending reports whether an item of the same alert and receiver,
// older than o, is still pending: items of one thread go out in order.
func (s *Store) EarlierPending(ctx context.Context, o OutboxItem) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE alert_id = ? AND receiver = ? AND id < ? AND state = 'pending'`,
		o.AlertID, o.Receiver, o.ID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: outbox order: %w", err)
	}
	return n > 0, nil
}

// DeliveredSince counts the first notifications (new, reopen, escalation)
// delivered to a receiver since t: what its throttle counts.
func (s *Store) DeliveredSince(ctx context.Context, receiver string, t time.Time) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE receiver = ? AND state = 'delivered' AND delivered_at >= ?
		AND kind IN ('new', 'reopen', 'escalation')`, receiver, ms(t)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: deliveries to %s: %w", receiver, err)
	}
	return n, nil
}

// ArticlesAfter calls fn for the articles with id in (after, upTo], in id
// order, with their matches.
func (s *Store) ArticlesAfter(ctx context.Context, after, upTo int64, fn func(*Article, []Match) error) error {
	err := s.EachArticle(ctx, after, func(a *Article) error {
		if a.ID > upTo {
			return errStop
		}
		m, err := s.Matches(ctx, a.ID)
		if err != nil {
			return err
		}
		return fn(a, m)
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// ArticlesPublishedSince calls fn, in id order, for the articles with an id
// up to upTo published at or after t: what the alerting engine regroups
// into stories when it starts.
func (s *Store) ArticlesPublishedSince(ctx context.Context, t time.Time, upTo int64, fn func(*Article) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+articleColumns+` FROM articles WHERE published >= ? AND id <= ? ORDER BY id`, ms(t), upTo)
	if err != nil {
		return fmt.Errorf("store: read recent articles: %w", err)
	}
	var page []*Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("store: read recent articles: %w", err)
		}
		page = append(page, a)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("store: read recent articles: %w", err)
	}
	for _, a := range page {
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

var errStop = errors.New("store: stop")

// Summarise marks a throttled item summarised and adds its alert to the
// summary item of its receiver (created when missing), in one transaction.
func (s *Store) Summarise(ctx context.Context, o OutboxItem, summary OutboxItem) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'summarised' WHERE id = ?`, o.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (key, alert_id, receiver, kind, version, payload, created, not_before, next_attempt)
			VALUES (?, '', ?, ?, 0, '[]', ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
			summary.Key, summary.Receiver, summary.Kind, ms(summary.Created), ms(summary.NotBefore), ms(summary.NotBefore)); err != nil {
			return err
		}
		var payload string
		if err := tx.QueryRowContext(ctx, `SELECT payload FROM outbox WHERE key = ?`, summary.Key).Scan(&payload); err != nil {
			return err
		}
		var ids []string
		if err := json.Unmarshal([]byte(payload), &ids); err != nil {
			return err
		}
		for _, id := range ids {
			if id == o.AlertID {
				return nil
			}
		}
		ids = append(ids, o.AlertID)
		b, _ := json.Marshal(ids)
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET payload = ? WHERE key = ?`, string(b), summary.Key)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: summarise outbox item %d: %w", o.ID, err)
	}
	return nil
}

// AlertCounts returns the number of alerts by severity and status.
func (s *Store) AlertCounts(ctx context.Context) (map[[2]string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT severity, status, COUNT(*) FROM alerts GROUP BY severity, status`)
	if err != nil {
		return nil, fmt.Errorf("store: alert counts: %w", err)
	}
	defer rows.Close()
	out := map[[2]string]int{}
	for rows.Next() {
		var sev, st string
		var n int
		if err := rows.Scan(&sev, &st, &n); err != nil {
			return nil, fmt.Errorf("store: alert counts: %w", err)
		}
		out[[2]string{sev, st}] = n
	}
	return out, rows.Err()
}
