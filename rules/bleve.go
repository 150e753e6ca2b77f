package rules

import (
	"context"
	"fmt"
	"slices"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"

	"kuzot/analysis"
)

// Index fields and the exact-form marker the bleve query is compiled
// against; package index builds its mapping to match.
const (
	FieldTitle  = "title"
	FieldBody   = "body"
	FieldOutlet = "outlet"
	FieldLang   = "lang"
	// ExactPrefix marks an exact word form in the index: each word is
	// indexed as its stem and as ExactPrefix + its folded form, at one
	// position.
	ExactPrefix = "="
)

// textFields are the fields an unscoped word is looked for in.
var textFields = []string{FieldTitle, FieldBody}

// CompileQuery parses a query in the rule language and compiles it to a
// bleve query over the index.
func CompileQuery(src string) (query.Query, error) {
	n, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return Bleve(n)
}

// Bleve compiles a parsed query to a bleve query that matches the same
// articles as the matcher does.
func Bleve(n Node) (query.Query, error) {
	return compileBleve(n)
}

func compileBleve(n Node) (query.Query, error) {
	switch n := n.(type) {
	case *Term, *Phrase, *Near:
		pe, field, err := positional(n)
		if err != nil {
			return nil, err
		}
		var alts []query.Query
		for _, f := range fieldsOf(field) {
			alts = append(alts, presence(pe, f))
		}
		return disjunction(alts), nil
	case *Keyword:
		tq := query.NewTermQuery(n.Value)
		tq.SetField(n.Field)
		return tq, nil
	case *And:
		var must, not []query.Query
		for _, c := range n.Children {
			if nc, ok := c.(*Not); ok {
				q, err := compileBleve(nc.Child)
				if err != nil {
					return nil, err
				}
				not = append(not, q)
				continue
			}
			q, err := compileBleve(c)
			if err != nil {
				return nil, err
			}
			must = append(must, q)
		}
		if len(must) == 0 {
			must = []query.Query{query.NewMatchAllQuery()}
		}
		if len(not) == 0 {
			if len(must) == 1 {
				return must[0], nil
			}
			return query.NewConjunctionQuery(must), nil
		}
		return query.NewBooleanQuery(must, nil, not), nil
	case *Or:
		var alts []query.Query
		for _, c := range n.Children {
			q, err := compileBleve(c)
			if err != nil {
				return nil, err
			}
			alts = append(alts, q)
		}
		return disjunction(alts), nil
	case *Not:
		q, err := compileBleve(n.Child)
		if err != nil {
			return nil, err
		}
		return query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, []query.Query{q}), nil
	}
	return nil, fmt.Errorf("rules: cannot compile %T", n)
}

func fieldsOf(field string) []string {
	if field == "" {
		return textFields
	}
	return []string{field}
}

func disjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

// positional turns a word, phrase or NEAR node into its positional form,
// and says which field it is scoped to.
func positional(n Node) (posExpr, string, error) {
	switch n := n.(type) {
	case *Term:
		toks := analysis.Tokenize(n.Word)
		if len(toks) == 0 {
			return nil, "", &SyntaxError{Line: n.At.Line, Col: n.At.Col, Offset: n.At.Offset, Msg: fmt.Sprintf("%q has no letters or digits to search for", n.Word)}
		}
		if len(toks) > 1 {
			if n.Mode == Prefix {
				return nil, "", &SyntaxError{Line: n.At.Line, Col: n.At.Col, Offset: n.At.Offset, Msg: fmt.Sprintf("%q: a prefix* is one word; write the words before it separately", n.Word)}
			}
			// дары-дармек is the phrase of its parts.
			ws := make([]wordMatch, len(toks))
			for i, t := range toks {
				ws[i] = wordOf(t.Form, n.Mode)
			}
			return posPhrase{ws}, n.Field, nil
		}
		return posWord{wordOf(toks[0].Form, n.Mode)}, n.Field, nil
	case *Phrase:
		var ws []wordMatch
		for _, w := range n.Words {
			for _, t := range analysis.Tokenize(w) {
				ws = append(ws, wordOf(t.Form, Stem))
			}
		}
		if len(ws) == 0 {
			return nil, "", &SyntaxError{Line: n.At.Line, Col: n.At.Col, Offset: n.At.Offset, Msg: "the phrase has no letters or digits to search for"}
		}
		if len(ws) == 1 {
			return posWord{ws[0]}, n.Field, nil
		}
		return posPhrase{ws}, n.Field, nil
	case *Or:
		var alts []posExpr
		field := ""
		for i, c := range n.Children {
			pe, f, err := positional(c)
			if err != nil {
				return nil, "", err
			}
			if i > 0 && f != field {
				return nil, "", &SyntaxError{Line: n.At.Line, Col: n.At.Col, Offset: n.At.Offset, Msg: "the words of a NEAR operand must be in one field"}
			}
			field = f
			alts = append(alts, pe)
		}
		return &posOr{alts: alts}, field, nil
	case *Near:
		l, lf, err := positional(n.Left)
		if err != nil {
			return nil, "", err
		}
		r, rf, err := positional(n.Right)
		if err != nil {
			return nil, "", err
		}
		if lf != rf && lf != "" && rf != "" {
			return nil, "", &SyntaxError{Line: n.At.Line, Col: n.At.Col, Offset: n.At.Offset, Msg: fmt.Sprintf("NEAR/%d joins words of two fields (%s and %s); both sides must be in one field", n.Dist, lf, rf)}
		}
		field := lf
		if field == "" {
			field = rf
		}
		return posNear{l, r, n.Dist}, field, nil
	}
	return nil, "", &SyntaxError{Line: n.Position().Line, Col: n.Position().Col, Offset: n.Position().Offset, Msg: "NEAR joins words, phrases and (a OR b) groups only"}
}

// wordOf is how one folded query word matches index terms.
func wordOf(form string, mode Mode) wordMatch {
	switch mode {
	case Exact:
		return wordMatch{terms: []string{ExactPrefix + form}}
	case Prefix:
		return wordMatch{prefix: ExactPrefix + form}
	}
	return wordMatch{terms: analysis.QueryStems(form)}
}

// presence is the bleve query for a positional operand in one field.
// Words and phrases map onto bleve's own term, prefix and phrase queries;
// a NEAR is a conjunction of its operands whose hits are then checked
// against the positions in the term vectors.
func presence(pe posExpr, field string) query.Query {
	switch pe := pe.(type) {
	case posWord:
		return wordQuery(pe.w, field)
	case posPhrase:
		terms := make([][]string, len(pe.ws))
		prefix := false
		for i, w := range pe.ws {
			terms[i] = w.terms
			prefix = prefix || w.prefix != ""
		}
		if !prefix {
			return query.NewMultiPhraseQuery(terms, field)
		}
		return &nearQuery{expr: pe, field: field}
	case *posOr:
		var alts []query.Query
		for _, a := range pe.alts {
			alts = append(alts, presence(a, field))
		}
		return disjunction(alts)
	case posNear:
		return &nearQuery{expr: pe, field: field}
	}
	panic(fmt.Sprintf("rules: unknown positional operand %T", pe))
}

func wordQuery(w wordMatch, field string) query.Query {
	if w.prefix != "" {
		pq := query.NewPrefixQuery(w.prefix)
		pq.SetField(field)
		return pq
	}
	var alts []query.Query
	for _, t := range w.terms {
		tq := query.NewTermQuery(t)
		tq.SetField(field)
		alts = append(alts, tq)
	}
	return disjunction(alts)
}

// nearQuery finds the articles where a positional operand (a NEAR, or a
// phrase with a prefix in it) occurs in one field. Bleve has no such query:
// it searches the conjunction of the operand's words with term vectors, then
// keeps the hits whose positions satisfy the operand.
type nearQuery struct {
	expr  posExpr
	field string
}

var _ query.Query = (*nearQuery)(nil)

func (q *nearQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, opts search.SearcherOptions) (search.Searcher, error) {
	opts.IncludeTermVectors = true
	child := q.candidates(q.expr)
	s, err := child.Searcher(ctx, i, m, opts)
	if err != nil {
		return nil, err
	}
	return searcher.NewFilteringSearcher(ctx, s, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		return len(q.expr.spans(termLocations{d, q.field})) > 0
	}), nil
}

// termLocations reads the positions of one field of a hit from its term
// locations, where they are until the hit is complete.
type termLocations struct {
	d     *search.DocumentMatch
	field string
}

func (l termLocations) of(w wordMatch) []int {
	var ps []int
	for _, ftl := range l.d.FieldTermLocations {
		if ftl.Field == l.field && w.accepts(ftl.Term) {
			ps = append(ps, int(ftl.Location.Pos))
		}
	}
	slices.Sort(ps)
	return slices.Compact(ps)
}

// candidates is a query that every article holding the operand in the
// field matches: the words of a phrase or NEAR all present, one of the
// alternatives of an OR.
func (q *nearQuery) candidates(pe posExpr) query.Query {
	switch pe := pe.(type) {
	case posWord:
		return wordQuery(pe.w, q.field)
	case posPhrase:
		var all []query.Query
		for _, w := range pe.ws {
			all = append(all, wordQuery(w, q.field))
		}
		return query.NewConjunctionQuery(all)
	case *posOr:
		var alts []query.Query
		for _, a := range pe.alts {
			alts = append(alts, q.candidates(a))
		}
		return disjunction(alts)
	case posNear:
		return query.NewConjunctionQuery([]query.Query{q.candidates(pe.left), q.candidates(pe.right)})
	}
	panic(fmt.Sprintf("rules: unknown positional operand %T", pe))
}
