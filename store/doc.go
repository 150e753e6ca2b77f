// Package store is Kuzot's system of record: a SQLite file (pure Go driver,
// WAL mode) with versioned migrations holding articles, the URLs they were
// seen under and each source's crawl state. The search index and stories
// can always be rebuilt from it.
package store
