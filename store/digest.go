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

// The read-only queries the digest and the period reports compute their
// figures from, and the record of sent digests.

// PeriodMatch is one rule match of an article published in a period.
type PeriodMatch struct {
	ArticleID int64
	Published time.Time
	Outlet    string
	Lang      string
	Title     string
	URL       string
	Category  string
	Severity  string
	Score     float64
	// StoryID is the article's story, "" when alerting has not grouped it.
	StoryID string
}

// PeriodMatches returns the matches of the articles published in
// [from, to), oldest article first: a few percent of the articles, so a
// quarter's fits in memory.
func (s *Store) PeriodMatches(ctx context.Context, from, to time.Time) ([]PeriodMatch, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.published, a.outlet, a.lang, a.title, a.url, m.category, m.severity, m.score,
			COALESCE(sa.story_id, '')
		FROM matches m JOIN articles a ON a.id = m.article_id LEFT JOIN story_articles sa ON sa.article_id = a.id
		WHERE a.published >= ? AND a.published < ? ORDER BY a.published, a.id, m.rule_id`, ms(from), ms(to))
	if err != nil {
		return nil, fmt.Errorf("store: matches of period: %w", err)
	}
	defer rows.Close()
	var out []PeriodMatch
	for rows.Next() {
		var m PeriodMatch
		var pub int64
		if err := rows.Scan(&m.ArticleID, &pub, &m.Outlet, &m.Lang, &m.Title, &m.URL, &m.Category, &m.Severity, &m.Score, &m.StoryID); err != nil {
			return nil, fmt.Errorf("store: matches of period: %w", err)
		}
		m.Published = fromMS(pub)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: matches of period: %w", err)
	}
	return out, nil
}

// OutletArticles counts the articles each outlet published in [from, to).
func (s *Store) OutletArticles(ctx context.Context, from, to time.Time) (map[string]int, error) {
	return s.counts(ctx, "outlet articles", `SELECT outlet, COUNT(*) FROM articles WHERE published >= ? AND published < ? GROUP BY outlet`, ms(from), ms(to))
}

// NewOutlets counts the articles of the outlets that published in
// [from, to) but not in the lookback before from: new sources of coverage.
func (s *Store) NewOutlets(ctx context.Context, from, to time.Time, lookback time.Duration) (map[string]int, error) {
	return s.counts(ctx, "new outlets", `SELECT outlet, COUNT(*) FROM articles WHERE published >= ? AND published < ?
		AND outlet NOT IN (SELECT DISTINCT outlet FROM articles WHERE published >= ? AND published < ?) GROUP BY outlet`,
		ms(from), ms(to), ms(from.Add(-lookback)), ms(from))
}

func (s *Store) counts(ctx context.Context, what, q string, args ...any) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// AlertTimes is the response clock of one alert.
type AlertTimes struct {
	ID             string
	Kind           string
	Severity       string
	Categories     []string
	Title          string
	FirstPublished time.Time
	Created        time.Time
	AckedAt        time.Time
	ResolvedAt     time.Time
}

// PeriodAlerts returns the alerts raised, acknowledged or resolved in
// [from, to), in the order they were raised.
func (s *Store) PeriodAlerts(ctx context.Context, from, to time.Time) ([]AlertTimes, error) {
	f, t := ms(from), ms(to)
	rows, err := s.r.QueryContext(ctx, `SELECT id, kind, severity, categories, title, first_published, created, acked_at, resolved_at FROM alerts
		WHERE (created >= ? AND created < ?) OR (acked_at >= ? AND acked_at < ?) OR (resolved_at >= ? AND resolved_at < ?)
		ORDER BY created, id`, f, t, f, t, f, t)
	if err != nil {
		return nil, fmt.Errorf("store: alerts of period: %w", err)
	}
	defer rows.Close()
	var out []AlertTimes
	for rows.Next() {
		var a AlertTimes
		var cats string
		var first, created, acked, resolved int64
		if err := rows.Scan(&a.ID, &a.Kind, &a.Severity, &cats, &a.Title, &first, &created, &acked, &resolved); err != nil {
			return nil, fmt.Errorf("store: alerts of period: %w", err)
		}
		if err := json.Unmarshal([]byte(cats), &a.Categories); err != nil {
			return nil, fmt.Errorf("store: alert %s: bad categories: %w", a.ID, err)
		}
		a.FirstPublished, a.Created, a.AckedAt, a.ResolvedAt = fromMS(first), fromMS(created), fromMS(acked), fromMS(resolved)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: alerts of period: %w", err)
	}
	return out, nil
}

// Digest states.
const (
	DigestPending = "pending" // claimed, never tried, or to be retried
	DigestSending = "sending" // a process is mailing it now
	DigestSent    = "sent"
	DigestFailed  = "failed" // given up: a permanent error or too many attempts
)

// DigestRecord is the record of one digest: a period in one language.
type DigestRecord struct {
	From, To   time.Time
	Lang       string
	State      string
	Attempts   int
	LastError  string
	Recipients []string
	MessageID  string
	Created    time.Time
	Updated    time.Time
	SentAt     time.Time
}

// ErrDigestSent is returned when claiming a digest that was sent.
var ErrDigestSent = errors.New("store: digest already sent")

// ErrDigestBusy is returned when another process is sending the digest.
var ErrDigestBusy = errors.New("store: digest being sent by another process")

const digestColumns = `period_from, period_to, lang, state, attempts, last_error, recipients, message_id, created, updated, sent_at`

func scanDigest(r scanner) (DigestRecord, error) {
	var d DigestRecord
	var from, to, created, updated, sent int64
	var rcpt string
	err := r.Scan(&from, &to, &d.Lang, &d.State, &d.Attempts, &d.LastError, &rcpt, &d.MessageID, &created, &updated, &sent)
	d.From, d.To, d.Created, d.Updated, d.SentAt = fromMS(from), fromMS(to), fromMS(created), fromMS(updated), fromMS(sent)
	if rcpt != "" {
		d.Recipients = strings.Split(rcpt, ",")
	}
	return d, err
}

// Digest returns the record of a digest; ok is false when there is none.
func (s *Store) Digest(ctx context.Context, from, to time.Time, lang string) (d DigestRecord, ok bool, err error) {
	d, err = scanDigest(s.r.QueryRowContext(ctx, `SELECT `+digestColumns+` FROM digests WHERE period_from = ? AND period_to = ? AND lang = ?`,
		ms(from), ms(to), lang))
	if errors.Is(err, sql.ErrNoRows) {
		return DigestRecord{}, false, nil
	}
	if err != nil {
		return DigestRecord{}, false, fmt.Errorf("store: digest %s: %w", from.Format(time.DateOnly), err)
	}
	return d, true, nil
}

// ClaimDigest records that this process is about to mail a digest, and
// counts the attempt. It returns ErrDigestSent when the digest went out
// already, and ErrDigestBusy when another claim is younger than lease (a
// claim older than that is of a process that died while sending). A
// failed digest is claimed again: sending it is what the caller asked.
func (s *Store) ClaimDigest(ctx context.Context, from, to time.Time, lang string, recipients []string, now time.Time, lease time.Duration) (DigestRecord, error) {
	var d DigestRecord
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO digests (period_from, period_to, lang, created, updated) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, ms(from), ms(to), lang, ms(now), ms(now)); err != nil {
			return err
		}
		var err error
		d, err = scanDigest(tx.QueryRowContext(ctx, `SELECT `+digestColumns+` FROM digests WHERE period_from = ? AND period_to = ? AND lang = ?`,
			ms(from), ms(to), lang))
		if err != nil {
			return err
		}
		switch {
		case d.State == DigestSent:
			return ErrDigestSent
		case d.State == DigestSending && now.Sub(d.Updated) < lease:
			return ErrDigestBusy
		}
		d.State, d.Attempts, d.Updated, d.Recipients = DigestSending, d.Attempts+1, now.UTC().Truncate(time.Millisecond), recipients
		_, err = tx.ExecContext(ctx, `UPDATE digests SET state = 'sending', attempts = attempts + 1, updated = ?, recipients = ?
			WHERE period_from = ? AND period_to = ? AND lang = ?`, ms(now), strings.Join(recipients, ","), ms(from), ms(to), lang)
		return err
	})
	if errors.Is(err, ErrDigestSent) || errors.Is(err, ErrDigestBusy) {
		return d, err
	}
	if err != nil {
		return d, fmt.Errorf("store: claim digest %s: %w", from.Format(time.DateOnly), err)
	}
	return d, nil
}

// DigestSentAt records a digest as sent.
func (s *Store) DigestSentAt(ctx context.Context, from, to time.Time, lang, messageID string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE digests SET state = 'sent', sent_at = ?, updated = ?, message_id = ?, last_error = ''
		WHERE period_from = ? AND period_to = ? AND lang = ?`, ms(at), ms(at), messageID, ms(from), ms(to), lang); err != nil {
		return fmt.Errorf("store: record digest %s sent: %w", from.Format(time.DateOnly), err)
	}
	return nil
}

// DigestFailedAt records a failed attempt: pending again when it will be
// retried, failed when given up.
func (s *Store) DigestFailedAt(ctx context.Context, from, to time.Time, lang, reason string, final bool, at time.Time) error {
	state := DigestPending
	if final {
		state = DigestFailed
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE digests SET state = ?, last_error = ?, updated = ?
		WHERE period_from = ? AND period_to = ? AND lang = ?`, state, reason, ms(at), ms(from), ms(to), lang); err != nil {
		return fmt.Errorf("store: record digest %s failed: %w", from.Format(time.DateOnly), err)
	}
	return nil
}

// Digests returns the latest digest records, newest period first.
func (s *Store) Digests(ctx context.Context, limit int) ([]DigestRecord, error) {
	if limit <= 0 {
		limit = 20
	}
	return collect(ctx, s.r, "digests", scanDigest, `SELECT `+digestColumns+` FROM digests ORDER BY period_from DESC, lang LIMIT ?`, limit)
}
