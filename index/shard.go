package index

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// The index is split by publication month: each month's articles are in a
// bleve index of their own, a shard, in a directory named by the month
// (2026-11). A search with a date filter searches only the shards its
// period overlaps, through a bleve IndexAlias when there are several; one
// without searches them all. Most searches, and every rule backtest and
// spike count, ask for a recent period, so they read one or two months of
// postings instead of the whole archive's, and bleve merges the segments
// of one month at a time, so a merge reads and writes (and maps into
// memory) a month's files, never the archive's. BenchmarkLayout measures
// this layout against one index over the same articles.
//
// Articles never change their publication time once stored, so an
// article's shard is fixed and a relabel finds it again.

// shard is the index of the articles of one period, [start, end).
type shard struct {
	key        string
	start, end time.Time
	bi         bleve.Index
}

// layout decides which shard holds an article.
type layout interface {
	// name is recorded in the index's metadata: an index written with
	// another layout is rebuilt.
	name() string
	// key names the shard of an article published at t.
	key(t time.Time) string
	// span is the period [start, end) of the shard named key; false for a
	// name that is no shard of the layout.
	span(key string) (start, end time.Time, ok bool)
}

// monthly is the layout Kuzot runs with: one shard per calendar month, UTC.
type monthly struct{}

const monthKey = "2006-01"

func (monthly) name() string           { return "monthly" }
func (monthly) key(t time.Time) string { return t.UTC().Format(monthKey) }

func (monthly) span(key string) (time.Time, time.Time, bool) {
	t, err := time.Parse(monthKey, key)
	if err != nil || t.Format(monthKey) != key {
		return time.Time{}, time.Time{}, false
	}
	return t, t.AddDate(0, 1, 0), true
}

// single keeps every article in one shard: the layout the benchmarks
// compare the monthly one with.
type single struct{}

func (single) name() string         { return "single" }
func (single) key(time.Time) string { return "all" }

func (single) span(key string) (time.Time, time.Time, bool) {
	return time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), key == "all"
}

// metaFile holds the index's version, layout and high-water mark.
const metaFile = "kuzot-index.json"

type meta struct {
	Version string `json:"version"`
	Layout  string `json:"layout"`
	LastID  int64  `json:"last_id"`
}

func readMeta(dir string) (meta, error) {
	var m meta
	data, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w", metaFile, err)
	}
	return m, nil
}

// writeMeta replaces the metadata file whole: written beside it, synced,
// then renamed over it, so a crash leaves the old file or the new one.
func writeMeta(dir string, m meta) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, metaFile+".*")
	if err != nil {
		return fmt.Errorf("index: write %s: %w", metaFile, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, metaFile))
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("index: write %s: %w", metaFile, err)
	}
	return nil
}

// overlaps reports whether the shard holds articles published in
// [since, until); a zero bound is open.
func (s *shard) overlaps(since, until time.Time) bool {
	return (since.IsZero() || s.end.After(since)) && (until.IsZero() || s.start.Before(until))
}

// route returns the shards a search over [since, until) must read, in
// order of their periods. The caller holds x.mu.
func (x *Index) route(since, until time.Time) []*shard {
	var out []*shard
	for _, s := range x.shards {
		if s.overlaps(since, until) {
			out = append(out, s)
		}
	}
	return out
}

// target is what a search over [since, until) runs on: the one shard it
// overlaps, an alias of several, or an empty index when it overlaps none.
// The caller holds x.mu.
func (x *Index) target(since, until time.Time) bleve.Index {
	shards := x.route(since, until)
	switch len(shards) {
	case 0:
		return x.empty
	case 1:
		return shards[0].bi
	}
	alias := bleve.NewIndexAlias()
	for _, s := range shards {
		alias.Add(s.bi)
	}
	return alias
}

// find returns where the shard named key is in x.shards, or would be.
// The caller holds x.mu.
func (x *Index) find(key string) (int, bool) {
	return slices.BinarySearchFunc(x.shards, key, func(s *shard, k string) int { return strings.Compare(s.key, k) })
}

// createShard creates the shard named key, unless another write has.
func (x *Index) createShard(key string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return errClosed
	}
	i, found := x.find(key)
	if found {
		return nil
	}
	start, end, ok := x.layout.span(key)
	if !ok {
		return fmt.Errorf("index: no shard is named %q", key)
	}
	bi, err := bleve.New(filepath.Join(x.dir, key), newMapping())
	if err != nil {
		return fmt.Errorf("index: create shard %s: %w", key, err)
	}
	if err := bi.SetInternal([]byte(keyVersion), []byte(mappingVersion)); err != nil {
		bi.Close()
		return fmt.Errorf("index: create shard %s: %w", key, err)
	}
	x.shards = slices.Insert(x.shards, i, &shard{key: key, start: start, end: end, bi: bi})
	return nil
}
