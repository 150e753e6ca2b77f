package rules

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"kuzot/analysis"
)

// Article is one article analysed for matching: each field's words with
// their index terms, the way package index holds them (the stem, and
// ExactPrefix + the folded form, at the word's position). Matchers only
// read it, so any number may match it at once.
type Article struct {
	Outlet string
	Lang   string
	fields [2]field
}

// The text fields, in Article.fields order.
const (
	titleField = iota
	bodyField
)

var fieldNames = [2]string{FieldTitle, FieldBody}

type field struct {
	text string
	toks []analysis.Token
	// terms lists the field's index terms with their positions: the
	// stems, then, from exactFrom on, the exact forms. at maps each term
	// to its index in terms: a stem's own, an exact form's less
	// exactFrom, counted from -1 down.
	terms     []termPositions
	exactFrom int
	at        map[string]int
	// exact lists the distinct ExactPrefix terms, sorted, for prefix*. A
	// Matcher does not read it, so it is built when a rule alone first
	// reads the field (see strings).
	exact []string
	once  sync.Once
}

type termPositions struct {
	term string
	pos  []int
}

// NewArticle analyses an article for matching. lang picks the stemmer as
// in the index: Kyrgyz, English, or Russian for anything else.
func NewArticle(title, body, outlet, lang string) *Article {
	a := &Article{Outlet: strings.ToLower(outlet), Lang: lang}
	stemLang := analysis.Russian
	if lang == analysis.Kyrgyz || lang == analysis.English {
		stemLang = lang
	}
	for i, text := range [2]string{title, body} {
		f := &a.fields[i]
		f.text = text
		f.toks = analysis.Analyze(text, stemLang)
		f.index()
	}
	return a
}

// index lists the field's terms with their positions. The lists lie in
// one array, term after term, so that the positions of the terms an
// article holds are read from a few KB side by side.
func (f *field) index() {
	// First each token's two terms are numbered and counted: a stem by
	// its index in terms, an exact form by its index in exacts, kept in
	// at from -1 down. The exact term is spelt in buf and looked up
	// without a copy; it becomes a string once, for the first of its
	// forms. Stems never start with ExactPrefix, so one map holds both.
	buf := []byte(ExactPrefix)
	f.at = make(map[string]int, 2*len(f.toks))
	var exacts []termPositions
	var stemN, exactN []int
	of := make([]int32, 2*len(f.toks))
	for j, t := range f.toks {
		i, seen := f.at[t.Term]
		if !seen {
			i = len(f.terms)
			f.at[t.Term] = i
			f.terms = append(f.terms, termPositions{term: t.Term})
			stemN = append(stemN, 0)
		}
		stemN[i]++
		buf = append(buf[:len(ExactPrefix)], t.Form...)
		e, seen := f.at[string(buf)]
		if !seen {
			e = -len(exacts) - 1
			ex := string(buf)
			f.at[ex] = e
			exacts = append(exacts, termPositions{term: ex})
			exactN = append(exactN, 0)
		}
		exactN[-e-1]++
		of[2*j], of[2*j+1] = int32(i), int32(-e-1)
	}
	f.exactFrom = len(f.terms)
	f.terms = append(f.terms, exacts...)
	// Then each list gets its room in one array, and the positions go in,
	// in order.
	room := make([]int, 2*len(f.toks))
	at := 0
	for i, n := range append(stemN, exactN...) {
		f.terms[i].pos = room[at : at : at+n]
		at += n
	}
	for j, t := range f.toks {
		s, e := &f.terms[of[2*j]], &f.terms[f.exactFrom+int(of[2*j+1])]
		s.pos = append(s.pos, t.Pos)
		e.pos = append(e.pos, t.Pos)
	}
}

// positionsOf returns the positions of index term t in the field.
func (f *field) positionsOf(t string) []int {
	i, ok := f.at[t]
	if !ok {
		return nil
	}
	if i < 0 {
		i = f.exactFrom - i - 1
	}
	return f.terms[i].pos
}

// strings returns the field's exact terms, sorted, building the list on
// first use.
func (f *field) strings() []string {
	f.once.Do(func() {
		for _, t := range f.terms[f.exactFrom:] {
			f.exact = append(f.exact, t.term)
		}
		slices.Sort(f.exact)
	})
	return f.exact
}

// fieldIndex maps a field name to its index in Article.fields.
func fieldIndex(name string) int {
	if name == FieldTitle {
		return titleField
	}
	return bodyField
}

// of lists where the words w accepts stand in the field. When one index
// term holds them all, its own list is returned without a copy: the usual
// case.
func (f *field) of(w wordMatch) []int {
	if w.prefix != "" {
		exact := f.strings()
		i := sort.SearchStrings(exact, w.prefix)
		j := i
		for j < len(exact) && strings.HasPrefix(exact[j], w.prefix) {
			j++
		}
		switch j - i {
		case 0:
			return nil
		case 1:
			return f.positionsOf(exact[i])
		}
		var ps []int
		for _, t := range exact[i:j] {
			ps = append(ps, f.positionsOf(t)...)
		}
		slices.Sort(ps)
		return ps
	}
	var only []int
	found := 0
	for _, t := range w.terms {
		if p := f.positionsOf(t); len(p) > 0 {
			only = p
			found++
		}
	}
	if found <= 1 {
		return only
	}
	var ps []int
	for _, t := range w.terms {
		ps = append(ps, f.positionsOf(t)...)
	}
	slices.Sort(ps)
	return slices.Compact(ps)
}

// has reports whether any word w accepts is in the field.
func (f *field) has(w wordMatch) bool {
	if w.prefix != "" {
		exact := f.strings()
		i := sort.SearchStrings(exact, w.prefix)
		return i < len(exact) && strings.HasPrefix(exact[i], w.prefix)
	}
	for _, t := range w.terms {
		if _, ok := f.at[t]; ok {
			return true
		}
	}
	return false
}

// present reports whether every word a positional operand needs is in the
// field, a cheap test before its positions are worked out.
func present(f *field, pe posExpr) bool {
	switch pe := pe.(type) {
	case posWord:
		return f.has(pe.w)
	case posPhrase:
		for _, w := range pe.ws {
			if !f.has(w) {
				return false
			}
		}
		return true
	case *posOr:
		for _, a := range pe.alts {
			if present(f, a) {
				return true
			}
		}
		return false
	case posNear:
		return present(f, pe.left) && present(f, pe.right)
	}
	return true
}
