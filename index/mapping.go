package index

import (
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"

	"kuzot/analysis"
	"kuzot/store"
)

// Field names in the index.
const (
	FieldTitle     = "title"
	FieldBody      = "body"
	FieldOutlet    = "outlet"
	FieldSource    = "source"
	FieldLang      = "lang"
	FieldCategory  = "category"
	FieldRule      = "rule"
	FieldStory     = "story"
	FieldPublished = "published"
)

// mappingVersion changes whenever the mapping or the analysis changes in a
// way that makes an existing index wrong; an index of another version is
// rebuilt at start.
const mappingVersion = "4"

// document is what one article is indexed as. Its bleve type is its
// language, which picks the analyzer of title and body.
type document struct {
	lang       string
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	Outlet     string    `json:"outlet"`
	Source     string    `json:"source"`
	Lang       string    `json:"lang"`
	Categories []string  `json:"category"`
	Rules      []string  `json:"rule"`
	Story      string    `json:"story"`
	Published  time.Time `json:"published"`
}

// BleveType picks the document mapping, and so the analyzers, by language.
func (d *document) BleveType() string { return d.lang }

// Labels are what the rules and stories attach to an article: they are
// indexed as keywords for filters and facets.
type Labels struct {
	Categories []string
	Rules      []string
	Story      string
}

// docLang is the analysis language of an article: its detected language,
// or Russian, the most common, when it has none.
func docLang(a *store.Article) string {
	switch a.Lang {
	case analysis.Kyrgyz, analysis.English:
		return a.Lang
	}
	return analysis.Russian
}

func newDocument(a *store.Article, l Labels) *document {
	return &document{
		lang:       docLang(a),
		Title:      a.Title,
		Body:       a.Body,
		Outlet:     strings.ToLower(a.Outlet),
		Source:     a.SourceID,
		Lang:       a.Lang,
		Categories: l.Categories,
		Rules:      l.Rules,
		Story:      l.Story,
		Published:  a.Published.UTC(),
	}
}

func docID(id int64) string { return strconv.FormatInt(id, 10) }

// newMapping builds the index mapping: one static document mapping per
// language, identical but for the analyzer of title and body.
func newMapping() *mapping.IndexMappingImpl {
	im := bleve.NewIndexMapping()
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	im.DefaultAnalyzer = analyzerName(analysis.Russian)
	for _, lang := range []string{analysis.Russian, analysis.Kyrgyz, analysis.English} {
		im.AddDocumentMapping(lang, documentMapping(lang))
	}
	im.DefaultMapping = documentMapping(analysis.Russian)
	return im
}

func documentMapping(lang string) *mapping.DocumentMapping {
	dm := bleve.NewDocumentStaticMapping()
	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzerName(lang)
		f.Store = false // the store keeps the text; snippets are cut from it
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = true // facets
		return f
	}
	dm.AddFieldMappingsAt(FieldTitle, text())
	dm.AddFieldMappingsAt(FieldBody, text())
	for _, name := range []string{FieldOutlet, FieldSource, FieldLang, FieldCategory, FieldRule, FieldStory} {
		dm.AddFieldMappingsAt(name, kw())
	}
	pub := bleve.NewDateTimeFieldMapping()
	pub.Store = false
	pub.IncludeInAll = false
	pub.DocValues = true
	dm.AddFieldMappingsAt(FieldPublished, pub)
	return dm
}
