package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Article is one stored news item. URL is canonical.
type Article struct {
	ID          int64
	URL         string
	SourceID    string
	Outlet      string
	Lang        string
	Title       string
	Body        string
	Author      string
	GUID        string
	Views       int
	Published   time.Time
	Fetched     time.Time
	ContentHash string
}

// SaveResult tells what SaveArticles did with one article.
type SaveResult struct {
	// ID is the stored article: the new row, or the one it duplicates.
	ID int64
	// Inserted is true for a new article.
	Inserted bool
	// Duplicate is true when the URL or the content was already stored;
	// the URL is then remembered as another sighting of article ID.
	Duplicate bool
}

const articleColumns = `id, url, source_id, outlet, lang, title, body, author, guid, views, published, fetched, content_hash`

// SaveArticles stores a batch in one transaction. An article whose URL is
// known, or whose content hash matches a stored article, is not stored
// again: its URL and outlet are recorded as another sighting.
func (s *Store) SaveArticles(ctx context.Context, arts []*Article) ([]SaveResult, error) {
	res := make([]SaveResult, len(arts))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		byURL, err := tx.PrepareContext(ctx, `SELECT article_id FROM article_urls WHERE url = ?`)
		if err != nil {
			return err
		}
		defer byURL.Close()
		byHash, err := tx.PrepareContext(ctx, `SELECT id FROM articles WHERE content_hash = ? LIMIT 1`)
		if err != nil {
			return err
		}
		defer byHash.Close()
		ins, err := tx.PrepareContext(ctx, `INSERT INTO articles (url, source_id, outlet, lang, title, body, author, guid, views, published, fetched, content_hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		sighting, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO article_urls (url, article_id, source_id, outlet, seen) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer sighting.Close()

		for i, a := range arts {
			if a.URL == "" || a.ContentHash == "" {
				return fmt.Errorf("article %q has no URL or content hash", a.Title)
			}
			var id int64
			err := byURL.QueryRowContext(ctx, a.URL).Scan(&id)
			if err == nil {
				res[i] = SaveResult{ID: id, Duplicate: true}
				a.ID = id
				continue
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			err = byHash.QueryRowContext(ctx, a.ContentHash).Scan(&id)
			switch {
			case err == nil:
				res[i] = SaveResult{ID: id, Duplicate: true}
			case errors.Is(err, sql.ErrNoRows):
				r, err := ins.ExecContext(ctx, a.URL, a.SourceID, a.Outlet, a.Lang, a.Title, a.Body, a.Author, a.GUID, a.Views,
					ms(a.Published), ms(a.Fetched), a.ContentHash)
				if err != nil {
					return err
				}
				if id, err = r.LastInsertId(); err != nil {
					return err
				}
				res[i] = SaveResult{ID: id, Inserted: true}
			default:
				return err
			}
			a.ID = id
			if _, err := sighting.ExecContext(ctx, a.URL, id, a.SourceID, a.Outlet, ms(a.Fetched)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: save articles: %w", err)
	}
	return res, nil
}

// KnownURLs returns which of urls are already stored (as an article or as
// another sighting of one).
func (s *Store) KnownURLs(ctx context.Context, urls []string) (map[string]bool, error) {
	known := make(map[string]bool)
	// SQLite allows 32766 parameters; stay well below in chunks.
	for start := 0; start < len(urls); start += 500 {
		chunk := urls[start:min(start+500, len(urls))]
		args := make([]any, len(chunk))
		for i, u := range chunk {
			args[i] = u
		}
		q := `SELECT url FROM article_urls WHERE url IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`
		rows, err := s.r.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("store: known urls: %w", err)
		}
		for rows.Next() {
			var u string
			if err := rows.Scan(&u); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: known urls: %w", err)
			}
			known[u] = true
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("store: known urls: %w", err)
		}
	}
	return known, nil
}

// Article returns the article with id.
func (s *Store) Article(ctx context.Context, id int64) (*Article, error) {
	row := s.r.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles WHERE id = ?`, id)
	a, err := scanArticle(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: article %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: article %d: %w", id, err)
	}
	return a, nil
}

// ArticleByURL returns the article stored under the canonical url.
func (s *Store) ArticleByURL(ctx context.Context, url string) (*Article, error) {
	row := s.r.QueryRowContext(ctx, `SELECT a.id, a.url, a.source_id, a.outlet, a.lang, a.title, a.body, a.author, a.guid, a.views, a.published, a.fetched, a.content_hash
		FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url = ?`, url)
	a, err := scanArticle(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: article %s: %w", url, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: article %s: %w", url, err)
	}
	return a, nil
}

// CountArticles returns how many articles are stored.
func (s *Store) CountArticles(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM articles`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count articles: %w", err)
	}
	return n, nil
}

// EachArticle calls fn for every article with an id above after, in id
// order, until fn returns an error. It reads in pages, so the whole archive
// is never held in memory.
func (s *Store) EachArticle(ctx context.Context, after int64, fn func(*Article) error) error {
	for {
		rows, err := s.r.QueryContext(ctx, `SELECT `+articleColumns+` FROM articles WHERE id > ? ORDER BY id LIMIT 1000`, after)
		if err != nil {
			return fmt.Errorf("store: read articles: %w", err)
		}
		var page []*Article
		for rows.Next() {
			a, err := scanArticle(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: read articles: %w", err)
			}
			page = append(page, a)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("store: read articles: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		for _, a := range page {
			if err := fn(a); err != nil {
				return err
			}
		}
		after = page[len(page)-1].ID
	}
}

type scanner interface{ Scan(...any) error }

func scanArticle(r scanner) (*Article, error) {
	var a Article
	var pub, fetched int64
	if err := r.Scan(&a.ID, &a.URL, &a.SourceID, &a.Outlet, &a.Lang, &a.Title, &a.Body, &a.Author, &a.GUID, &a.Views, &pub, &fetched, &a.ContentHash); err != nil {
		return nil, err
	}
	a.Published, a.Fetched = fromMS(pub), fromMS(fetched)
	return &a, nil
}
