package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SourceState is what the crawler remembers about a source between polls.
type SourceState struct {
	ID           string
	ETag         string
	LastModified string
	NextCheck    time.Time
	LastFetch    time.Time
	LastSuccess  time.Time
	// LastStatus is a short outcome: "ok", "not modified", "http 503", "error".
	LastStatus string
	ErrorCount int
	LastError  string
	// ItemsSeen counts the feed or listing entries seen over the source's life.
	ItemsSeen int
	// Cursor is kind-specific progress, e.g. a Telegram channel's newest post.
	Cursor string
}

const sourceColumns = `id, etag, last_modified, next_check, last_fetch, last_success, last_status, error_count, last_error, items_seen, cursor`

// SourceState returns the remembered state of source id, or a zero state
// with that id when the source was never polled.
func (s *Store) SourceState(ctx context.Context, id string) (SourceState, error) {
	st, err := scanSource(s.r.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return SourceState{ID: id}, nil
	}
	if err != nil {
		return SourceState{}, fmt.Errorf("store: source %s: %w", id, err)
	}
	return st, nil
}

// SourceStates returns the state of every source ever polled, by id.
func (s *Store) SourceStates(ctx context.Context) (map[string]SourceState, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources`)
	if err != nil {
		return nil, fmt.Errorf("store: sources: %w", err)
	}
	defer rows.Close()
	out := map[string]SourceState{}
	for rows.Next() {
		st, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("store: sources: %w", err)
		}
		out[st.ID] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sources: %w", err)
	}
	return out, nil
}

// SaveSourceState writes st, replacing what was remembered.
func (s *Store) SaveSourceState(ctx context.Context, st SourceState) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sources (`+sourceColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
		next_check = excluded.next_check, last_fetch = excluded.last_fetch, last_success = excluded.last_success,
		last_status = excluded.last_status, error_count = excluded.error_count, last_error = excluded.last_error,
		items_seen = excluded.items_seen, cursor = excluded.cursor`,
		st.ID, st.ETag, st.LastModified, ms(st.NextCheck), ms(st.LastFetch), ms(st.LastSuccess), st.LastStatus,
		st.ErrorCount, st.LastError, st.ItemsSeen, st.Cursor)
	if err != nil {
		return fmt.Errorf("store: save source %s: %w", st.ID, err)
	}
	return nil
}

func scanSource(r scanner) (SourceState, error) {
	var st SourceState
	var next, fetch, success int64
	err := r.Scan(&st.ID, &st.ETag, &st.LastModified, &next, &fetch, &success, &st.LastStatus, &st.ErrorCount, &st.LastError, &st.ItemsSeen, &st.Cursor)
	st.NextCheck, st.LastFetch, st.LastSuccess = fromMS(next), fromMS(fetch), fromMS(success)
	return st, err
}

// SourceCounts is how many articles a source stored recently.
type SourceCounts struct {
	Day, Week int
}

// RecentCounts counts each source's articles fetched in the 24 hours and 7
// days before now, by source id.
func (s *Store) RecentCounts(ctx context.Context, now time.Time) (map[string]SourceCounts, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT source_id, SUM(seen >= ?), COUNT(*) FROM article_urls WHERE seen >= ? GROUP BY source_id`,
		ms(now.Add(-24*time.Hour)), ms(now.Add(-7*24*time.Hour)))
	if err != nil {
		return nil, fmt.Errorf("store: recent counts: %w", err)
	}
	defer rows.Close()
	out := map[string]SourceCounts{}
	for rows.Next() {
		var id string
		var c SourceCounts
		if err := rows.Scan(&id, &c.Day, &c.Week); err != nil {
			return nil, fmt.Errorf("store: recent counts: %w", err)
		}
		out[id] = c
	}
	return out, rows.Err()
}

// PublishedSince returns the publication times of source id's articles
// since t, oldest first; the scheduler reads a source's publishing rate from
// them.
func (s *Store) PublishedSince(ctx context.Context, id string, t time.Time) ([]time.Time, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT published FROM articles WHERE source_id = ? AND published >= ? ORDER BY published`, id, ms(t))
	if err != nil {
		return nil, fmt.Errorf("store: published since: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("store: published since: %w", err)
		}
		out = append(out, fromMS(v))
	}
	return out, rows.Err()
}

// FetchFailure is an article page that could not be read.
type FetchFailure struct {
	URL       string
	SourceID  string
	Attempts  int
	LastError string
	RetryAt   time.Time
}

// RecordFetchFailure notes one more failed attempt at url and when to try
// again (the caller grows the pause with the attempts).
func (s *Store) RecordFetchFailure(ctx context.Context, f FetchFailure) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO fetch_failures (url, source_id, attempts, last_error, retry_at) VALUES (?, ?, 1, ?, ?)
		ON CONFLICT (url) DO UPDATE SET attempts = attempts + 1, last_error = excluded.last_error, retry_at = excluded.retry_at`,
		f.URL, f.SourceID, f.LastError, ms(f.RetryAt))
	if err != nil {
		return fmt.Errorf("store: record fetch failure %s: %w", f.URL, err)
	}
	return nil
}

// FetchFailures returns the failures recorded for urls, by url. A poll asks
// about every new entry at once, so the lookup is one query per chunk
// rather than one per URL.
func (s *Store) FetchFailures(ctx context.Context, urls []string) (map[string]FetchFailure, error) {
	out := map[string]FetchFailure{}
	for start := 0; start < len(urls); start += 500 {
		chunk := urls[start:min(start+500, len(urls))]
		args := make([]any, len(chunk))
		for i, u := range chunk {
			args[i] = u
		}
		rows, err := s.r.QueryContext(ctx, `SELECT url, source_id, attempts, last_error, retry_at FROM fetch_failures WHERE url IN (?`+
			strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: fetch failures: %w", err)
		}
		for rows.Next() {
			var f FetchFailure
			var retry int64
			if err := rows.Scan(&f.URL, &f.SourceID, &f.Attempts, &f.LastError, &retry); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: fetch failures: %w", err)
			}
			f.RetryAt = fromMS(retry)
			out[f.URL] = f
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("store: fetch failures: %w", err)
		}
	}
	return out, nil
}

// ClearFetchFailure forgets the failures of url once it was read.
func (s *Store) ClearFetchFailure(ctx context.Context, url string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM fetch_failures WHERE url = ?`, url); err != nil {
		return fmt.Errorf("store: clear fetch failure %s: %w", url, err)
	}
	return nil
}
