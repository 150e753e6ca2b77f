// Package index keeps the bleve index of the coverage archive and searches
// it: one mapping whose title and body are analysed by the article's
// language (through package analysis, which the rules share), keyword
// fields for facets, highlighted snippets. The index is split into one
// bleve index per month of publication, and a search reads only the months
// its period overlaps (see shard.go). The store is the system of record;
// the index is rebuilt from it whenever it is missing or unreadable.
package index
