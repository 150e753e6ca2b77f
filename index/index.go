package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
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

// LabelFunc tells the categories, rules and story of articles, indexed as
// keywords: it is given a batch of Sync's, in id order, and returns their
// labels in the same order, so that the rules can match the batch
// together. The rules and stories provide it; without one an article has
// no labels.
type LabelFunc func(ctx context.Context, as []*store.Article) ([]Labels, error)

// Index is the search index over the store's articles: one bleve index
// per publication month (see shard.go) and a metadata file with the
// high-water mark.
type Index struct {
	dir    string
	src    Source
	log    *slog.Logger
	labels LabelFunc
	layout layout

	// mu guards shards against Sync adding one and Reindex or Close
	// closing them; searches and writes take it shared.
	mu     sync.RWMutex
	shards []*shard // by key, so by period
	closed bool
	// empty is what a search whose period no shard overlaps runs on.
	empty bleve.Index
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

// batchSize is how many articles go into one write of the index.
const batchSize = 500

// Option changes an Index built by Open.
type Option func(*Index)

// WithLabels sets the function that labels articles as they are indexed.
func WithLabels(fn LabelFunc) Option { return func(x *Index) { x.labels = fn } }

// WithSynced sets a function Run calls after each sync that indexed
// articles, with the new high-water mark: the alerting engine takes in
// what was just scored without waiting for its own tick.
func WithSynced(fn func(lastID int64)) Option { return func(x *Index) { x.synced = fn } }

// withLayout sets the shard layout (the benchmarks' baseline uses single).
func withLayout(l layout) Option { return func(x *Index) { x.layout = l } }

// Open opens the index in dir over the articles of src. A missing index is
// created; an unreadable one, or one built with another mapping or layout,
// is removed and created anew, with a log line saying so: the store is the
// system of record, and the next Sync fills the index from it.
func Open(dir string, src Source, log *slog.Logger, opts ...Option) (*Index, error) {
	x := &Index{dir: dir, src: src, log: log, layout: monthly{}, wake: make(chan struct{}, 1)}
	for _, o := range opts {
		o(x)
	}
	empty, err := bleve.NewMemOnly(newMapping())
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	x.empty = empty
	if err := x.open(); err != nil {
		empty.Close()
		return nil, err
	}
	return x, nil
}

// open reads the metadata and opens every shard, or rebuilds.
func (x *Index) open() error {
	m, err := readMeta(x.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if entries, _ := os.ReadDir(x.dir); len(entries) > 0 {
			x.log.Warn("the search index was built by another version of Kuzot; rebuilding it from the store", "dir", x.dir)
			return x.recreate()
		}
		x.log.Info("creating the search index; it fills from the store", "dir", x.dir)
		return x.recreate()
	case err != nil:
		x.log.Warn("the search index cannot be read; rebuilding it from the store", "dir", x.dir, "err", err)
		return x.recreate()
	case m.Version != mappingVersion || m.Layout != x.layout.name():
		x.log.Warn("the search index was built by another version of Kuzot; rebuilding it from the store",
			"dir", x.dir, "index_version", m.Version, "want_version", mappingVersion, "layout", m.Layout, "want_layout", x.layout.name())
		return x.recreate()
	}
	entries, err := os.ReadDir(x.dir)
	if err != nil {
		x.log.Warn("the search index cannot be read; rebuilding it from the store", "dir", x.dir, "err", err)
		return x.recreate()
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue // the metadata file
		}
		start, end, ok := x.layout.span(e.Name())
		if !ok {
			x.closeShards()
			x.log.Warn("the search index holds a directory that is no shard of it; rebuilding it from the store",
				"dir", x.dir, "entry", e.Name())
			return x.recreate()
		}
		bi, err := bleve.Open(filepath.Join(x.dir, e.Name()))
		if err == nil {
			var v []byte
			if v, err = bi.GetInternal([]byte(keyVersion)); err == nil && string(v) != mappingVersion {
				err = fmt.Errorf("shard version %q, want %q", v, mappingVersion)
			}
			if err != nil {
				bi.Close()
			}
		}
		if err != nil {
			x.closeShards()
			x.log.Warn("a shard of the search index cannot be read; rebuilding the index from the store",
				"dir", x.dir, "shard", e.Name(), "err", err)
			return x.recreate()
		}
		x.shards = append(x.shards, &shard{key: e.Name(), start: start, end: end, bi: bi})
	}
	// os.ReadDir returns the entries by name, and the names of shards sort
	// as their periods: x.shards is in order.
	x.lastID.Store(m.LastID)
	return nil
}

// keyVersion is the mapping version kept inside each shard too, so a
// shard copied from another index is noticed.
const keyVersion = "kuzot.mapping_version"

// recreate removes whatever is in dir and starts an empty index there.
func (x *Index) recreate() error {
	x.shards = nil
	x.lastID.Store(0)
	if err := os.RemoveAll(x.dir); err != nil {
		return fmt.Errorf("index: remove unreadable index %s: %w (remove it by hand and start again)", x.dir, err)
	}
	if err := os.MkdirAll(x.dir, 0o755); err != nil {
		return fmt.Errorf("index: create %s: %w", x.dir, err)
	}
	return writeMeta(x.dir, meta{Version: mappingVersion, Layout: x.layout.name()})
}

// closeShards closes every shard, returning the first error.
func (x *Index) closeShards() error {
	var first error
	for _, s := range x.shards {
		if err := s.bi.Close(); err != nil && first == nil {
			first = fmt.Errorf("index: close shard %s: %w", s.key, err)
		}
	}
	x.shards = nil
	return first
}

// Close closes the index.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	err := x.closeShards()
	x.empty.Close()
	return err
}

// LastID is the highest article id in the index.
func (x *Index) LastID() int64 { return x.lastID.Load() }

// DocCount is the number of articles in the index.
func (x *Index) DocCount() (uint64, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return 0, errClosed
	}
	var n uint64
	for _, s := range x.shards {
		c, err := s.bi.DocCount()
		if err != nil {
			return 0, fmt.Errorf("index: count shard %s: %w", s.key, err)
		}
		n += c
	}
	return n, nil
}

var errClosed = errors.New("index: closed")

// Progress is told how many articles a Sync has indexed of how many.
type Progress func(done, total int)

// Sync indexes the store's articles above the highest id indexed, in
// batches. Each batch is written to the shards of its articles, and only
// then is the high-water mark moved past it, so a crash loses no article;
// one in between writes the batch again, over the same documents. It
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
	done := 0
	pending := make([]*store.Article, 0, batchSize)
	batch := make([]labelled, 0, batchSize)
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		var ls []Labels
		if x.labels != nil {
			var err error
			if ls, err = x.labels(ctx, pending); err != nil {
				return fmt.Errorf("index: label articles %d to %d: %w", pending[0].ID, pending[len(pending)-1].ID, err)
			}
			if len(ls) != len(pending) {
				return fmt.Errorf("index: label articles %d to %d: %d labels for %d articles", pending[0].ID, pending[len(pending)-1].ID, len(ls), len(pending))
			}
		}
		batch = batch[:0]
		for i, a := range pending {
			var l Labels
			if ls != nil {
				l = ls[i]
			}
			batch = append(batch, labelled{a, l})
		}
		if err := x.write(batch); err != nil {
			return err
		}
		done += len(batch)
		pending = pending[:0]
		if progress != nil {
			progress(done, max(total, done))
		}
		return nil
	}
	err := x.src.EachArticle(ctx, x.lastID.Load(), func(a *store.Article) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		pending = append(pending, a)
		if len(pending) >= batchSize {
			return flush()
		}
		return nil
	})
	if ferr := flush(); err == nil {
		err = ferr
	}
	return done, err
}

// labelled is an article with its labels, to be indexed.
type labelled struct {
	a *store.Article
	l Labels
}

// write indexes arts, in id order, into their shards, and then records the
// last id as the high-water mark.
func (x *Index) write(arts []labelled) error {
	if err := x.put(arts); err != nil {
		return err
	}
	last := arts[len(arts)-1].a.ID
	if err := writeMeta(x.dir, meta{Version: mappingVersion, Layout: x.layout.name(), LastID: last}); err != nil {
		return err
	}
	x.lastID.Store(last)
	return nil
}

// put indexes arts into the shards of their months, creating those that
// are new.
func (x *Index) put(arts []labelled) error {
	keys := make([]string, len(arts))
	for i, la := range arts {
		keys[i] = x.layout.key(la.a.Published)
	}
	for {
		missing, err := x.putInto(arts, keys)
		if err != nil || missing == "" {
			return err
		}
		if err := x.createShard(missing); err != nil {
			return err
		}
	}
}

// putInto indexes arts, of the shards keys names, under the read lock, so
// that no Reindex or Close closes a shard meanwhile. It returns the key of
// a shard that does not exist yet, having written nothing.
func (x *Index) putInto(arts []labelled, keys []string) (missing string, err error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return "", errClosed
	}
	batches := map[*shard]*bleve.Batch{}
	for i, la := range arts {
		j, found := x.find(keys[i])
		if !found {
			return keys[i], nil
		}
		s := x.shards[j]
		b := batches[s]
		if b == nil {
			b = s.bi.NewBatch()
			batches[s] = b
		}
		if err := b.Index(docID(la.a.ID), newDocument(la.a, la.l)); err != nil {
			return "", fmt.Errorf("index: article %d: %w", la.a.ID, err)
		}
	}
	for s, b := range batches {
		if err := s.bi.Batch(b); err != nil {
			return "", fmt.Errorf("index: write batch to shard %s: %w", s.key, err)
		}
	}
	return "", nil
}

// Relabel re-indexes one article with new labels, when its rules, story or
// categories change after it was first indexed.
func (x *Index) Relabel(ctx context.Context, a *store.Article, l Labels) error {
	if a.ID > x.lastID.Load() {
		return nil // Sync will index it with its labels
	}
	if err := x.put([]labelled{{a, l}}); err != nil {
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
	if x.closed {
		x.mu.Unlock()
		x.syncMu.Unlock()
		return 0, errClosed
	}
	cerr := x.closeShards()
	err := x.recreate()
	x.mu.Unlock()
	x.syncMu.Unlock()
	if err != nil {
		return 0, err
	}
	if cerr != nil {
		x.log.Warn("closing the old search index failed; it is rebuilt anyway", "err", cerr)
	}
	return x.Sync(ctx, progress)
}
