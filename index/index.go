package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"

	"kuzot/store"
)

// Source is what the index needs of the store: the articles, read in id
// order from a point, and one article for a search hit.
type Source interface {
	EachArticle(ctx context.Context, after int64, fn func(*store.Article) error) error
	Article(ctx context.Context, id int64) (*store.Article, error)
	CountArticles(ctx context.Context) (int, error)
}

// LabelFunc tells the categories, rules and story of an article, indexed
// as keywords. The rules and stories provide it; without one an article
// has no labels.
type LabelFunc func(ctx context.Context, a *store.Article) (Labels, error)

// Index is the search index over the store's articles.
type Index struct {
	dir    string
	src    Source
	log    *slog.Logger
	labels LabelFunc

	// mu guards bi against Reindex swapping it; searches take it shared.
	mu sync.RWMutex
	bi bleve.Index
	// syncMu lets one Sync run at a time.
	syncMu sync.Mutex
	// lastID is the highest article id indexed.
	lastID atomic.Int64
	wake   chan struct{}
	synced func(lastID int64)
	// locateAll reads term locations in the main search, for every match
	// (the archive benchmark's baseline); normally only the page's hits
	// get theirs, in a second search.
	locateAll bool
}

// Internal keys kept in the bleve index beside the documents.
const (
	keyLastID  = "kuzot.last_id"
	keyVersion = "kuzot.mapping_version"
)

// batchSize is how many articles go into one bleve batch.
const batchSize = 500

// Option changes an Index built by Open.
type Option func(*Index)

// WithLabels sets the function that labels articles as they are indexed.
func WithLabels(fn LabelFunc) Option { return func(x *Index) { x.labels = fn } }

// WithSynced sets a function Run calls after each sync that indexed
// articles, with the new high-water mark: the alerting engine takes in
// what was just scored without waiting for its own tick.
func WithSynced(fn func(lastID int64)) Option { return func(x *Index) { x.synced = fn } }

// Open opens the index in dir over the articles of src. A missing index is
// created; an unreadable one, or one built with another mapping, is
// removed and created anew, with a log line saying so: the store is the
// system of record, and the next Sync fills the index from it.
func Open(dir string, src Source, log *slog.Logger, opts ...Option) (*Index, error) {
	x := &Index{dir: dir, src: src, log: log, wake: make(chan struct{}, 1)}
	for _, o := range opts {
		o(x)
	}
	bi, err := x.open()
	if err != nil {
		return nil, err
	}
	x.bi = bi
	return x, nil
}

func (x *Index) open() (bleve.Index, error) {
	bi, err := bleve.Open(x.dir)
	switch {
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
		x.log.Info("creating the search index; it fills from the store", "dir", x.dir)
		return x.create()
	case err != nil:
		x.log.Warn("the search index cannot be read; rebuilding it from the store", "dir", x.dir, "err", err)
		return x.recreate()
	}
	v, err := bi.GetInternal([]byte(keyVersion))
	if err != nil || string(v) != mappingVersion {
		x.log.Warn("the search index was built by another version of Kuzot; rebuilding it from the store",
			"dir", x.dir, "index_version", string(v), "want_version", mappingVersion)
		bi.Close()
		return x.recreate()
	}
	last, err := bi.GetInternal([]byte(keyLastID))
	if err != nil {
		bi.Close()
		x.log.Warn("the search index cannot be read; rebuilding it from the store", "dir", x.dir, "err", err)
		return x.recreate()
	}
	if len(last) > 0 {
		n, err := strconv.ParseInt(string(last), 10, 64)
		if err != nil {
			bi.Close()
			x.log.Warn("the search index has a broken high-water mark; rebuilding it from the store", "dir", x.dir, "value", string(last))
			return x.recreate()
		}
		x.lastID.Store(n)
	}
	return bi, nil
}

func (x *Index) recreate() (bleve.Index, error) {
	if err := os.RemoveAll(x.dir); err != nil {
		return nil, fmt.Errorf("index: remove unreadable index %s: %w (remove it by hand and start again)", x.dir, err)
	}
	return x.create()
}

func (x *Index) create() (bleve.Index, error) {
	x.lastID.Store(0)
	bi, err := bleve.New(x.dir, newMapping())
	if err != nil {
		return nil, fmt.Errorf("index: create %s: %w", x.dir, err)
	}
	if err := bi.SetInternal([]byte(keyVersion), []byte(mappingVersion)); err != nil {
		bi.Close()
		return nil, fmt.Errorf("index: create %s: %w", x.dir, err)
	}
	return bi, nil
}

// Close closes the index.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.bi == nil {
		return nil
	}
	err := x.bi.Close()
	x.bi = nil
	if err != nil {
		return fmt.Errorf("index: close: %w", err)
	}
	return nil
}

// LastID is the highest article id in the index.
func (x *Index) LastID() int64 { return x.lastID.Load() }

// DocCount is the number of articles in the index.
func (x *Index) DocCount() (uint64, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.bi == nil {
		return 0, errClosed
	}
	return x.bi.DocCount()
}

var errClosed = errors.New("index: closed")

// Progress is told how many articles a Sync has indexed of how many.
type Progress func(done, total int)

// Sync indexes the store's articles above the highest id indexed, in
// batches; the high-water mark is written in the same batch as the
// documents, so a crash loses no article and indexes none twice. It
// returns how many articles it indexed.
func (x *Index) Sync(ctx context.Context, progress Progress) (int, error) {
	x.syncMu.Lock()
	defer x.syncMu.Unlock()
	total := 0
	if progress != nil {
		n, err := x.src.CountArticles(ctx)
		if err != nil {
			return 0, err
		}
		if d, err := x.DocCount(); err == nil {
			total = max(n-int(d), 0)
		}
		progress(0, total)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.bi == nil {
		return 0, errClosed
	}
	done := 0
	b := x.bi.NewBatch()
	var last int64
	flush := func() error {
		if b.Size() == 0 {
			return nil
		}
		b.SetInternal([]byte(keyLastID), []byte(strconv.FormatInt(last, 10)))
		if err := x.bi.Batch(b); err != nil {
			return fmt.Errorf("index: write batch: %w", err)
		}
		x.lastID.Store(last)
		b.Reset()
		if progress != nil {
			progress(done, max(total, done))
		}
		return nil
	}
	err := x.src.EachArticle(ctx, x.lastID.Load(), func(a *store.Article) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var l Labels
		if x.labels != nil {
			var err error
			if l, err = x.labels(ctx, a); err != nil {
				return fmt.Errorf("index: label article %d: %w", a.ID, err)
			}
		}
		if err := b.Index(docID(a.ID), newDocument(a, l)); err != nil {
			return fmt.Errorf("index: article %d: %w", a.ID, err)
		}
		last = a.ID
		done++
		if b.Size() >= batchSize {
			return flush()
		}
		return nil
	})
	if ferr := flush(); err == nil {
		err = ferr
	}
	return done, err
}

// Relabel re-indexes one article with new labels, when its rules, story or
// categories change after it was first indexed.
func (x *Index) Relabel(ctx context.Context, a *store.Article, l Labels) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.bi == nil {
		return errClosed
	}
	if a.ID > x.lastID.Load() {
		return nil // Sync will index it with its labels
	}
	if err := x.bi.Index(docID(a.ID), newDocument(a, l)); err != nil {
		return fmt.Errorf("index: relabel article %d: %w", a.ID, err)
	}
	return nil
}

// Notify tells a running Run that new articles are stored. It never
// blocks: several notifications before the next Sync are one.
func (x *Index) Notify() {
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// syncEvery is how often Run syncs without being notified, so an article
// stored by another process (kuzot crawl --once beside kuzot serve) is
// found too.
const syncEvery = time.Second

// Run keeps the index up to date until ctx ends: it syncs when notified of
// new articles and every second. An error is logged and retried.
func (x *Index) Run(ctx context.Context) {
	t := time.NewTicker(syncEvery)
	defer t.Stop()
	for {
		if n, err := x.Sync(ctx, nil); err != nil && ctx.Err() == nil {
			x.log.Error("index sync failed; retrying", "err", err)
		} else if n > 0 {
			x.log.Debug("indexed articles", "count", n, "last_id", x.LastID())
			if x.synced != nil {
				x.synced(x.LastID())
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-x.wake:
		case <-t.C:
		}
	}
}

// Reindex throws the index away and builds it again from the store.
func (x *Index) Reindex(ctx context.Context, progress Progress) (int, error) {
	x.syncMu.Lock()
	x.mu.Lock()
	if x.bi != nil {
		x.bi.Close()
		x.bi = nil
	}
	bi, err := x.recreate()
	if err == nil {
		x.bi = bi
	}
	x.mu.Unlock()
	x.syncMu.Unlock()
	if err != nil {
		return 0, err
	}
	return x.Sync(ctx, progress)
}
