package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Match is one rule an article matched, as scored.
type Match struct {
	ArticleID int64
	RuleID    string
	Category  string
	Severity  string
	Score     float64
	Decision  string
	// Evidence is JSON, written and read by the rules' callers.
	Evidence string
	Scored   time.Time
}

// ReplaceMatches stores the matches of one article, replacing any it had:
// scoring an article again (after a rule changed) leaves no stale match.
func (s *Store) ReplaceMatches(ctx context.Context, articleID int64, matches []Match) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM matches WHERE article_id = ?`, articleID); err != nil {
			return err
		}
		for _, m := range matches {
			if _, err := tx.ExecContext(ctx, `INSERT INTO matches (article_id, rule_id, category, severity, score, decision, evidence, scored)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, articleID, m.RuleID, m.Category, m.Severity, m.Score, m.Decision, m.Evidence, ms(m.Scored)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save matches of article %d: %w", articleID, err)
	}
	return nil
}

// Matches returns the matches of one article, strongest first.
func (s *Store) Matches(ctx context.Context, articleID int64) ([]Match, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT article_id, rule_id, category, severity, score, decision, evidence, scored
		FROM matches WHERE article_id = ? ORDER BY score DESC, rule_id`, articleID)
	if err != nil {
		return nil, fmt.Errorf("store: matches of article %d: %w", articleID, err)
	}
	defer rows.Close()
	var out []Match
	for rows.Next() {
		var m Match
		var scored int64
		if err := rows.Scan(&m.ArticleID, &m.RuleID, &m.Category, &m.Severity, &m.Score, &m.Decision, &m.Evidence, &scored); err != nil {
			return nil, fmt.Errorf("store: matches of article %d: %w", articleID, err)
		}
		m.Scored = fromMS(scored)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: matches of article %d: %w", articleID, err)
	}
	return out, nil
}
