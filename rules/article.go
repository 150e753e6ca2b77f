package rules

import (
	"slices"
	"sort"
	"strings"

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
	// pos maps each index term to its positions, in order.
	pos map[string][]int
	// terms lists the same index terms with their positions: the stems,
	// then, from exactFrom on, the exact forms. A Matcher walks it
	// instead of the map.
	terms     []termPositions
	exactFrom int
	// exact lists the distinct ExactPrefix terms, sorted, for prefix*.
	exact []string
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
		// The exact term is spelt in buf and looked up without a copy, in
		// exactAt; it becomes a string once, for the first of its forms.
		buf := []byte(ExactPrefix)
		stemAt := make(map[string]int, len(f.toks))
		exactAt := make(map[string]int, len(f.toks))
		var exacts []termPositions
		for _, t := range f.toks {
			if i, seen := stemAt[t.Term]; seen {
				f.terms[i].pos = append(f.terms[i].pos, t.Pos)
			} else {
				stemAt[t.Term] = len(f.terms)
				f.terms = append(f.terms, termPositions{t.Term, []int{t.Pos}})
			}
			buf = append(buf[:len(ExactPrefix)], t.Form...)
			if i, seen := exactAt[string(buf)]; seen {
				exacts[i].pos = append(exacts[i].pos, t.Pos)
				continue
			}
			ex := string(buf)
			exactAt[ex] = len(exacts)
			exacts = append(exacts, termPositions{ex, []int{t.Pos}})
			f.exact = append(f.exact, ex)
		}
		f.exactFrom = len(f.terms)
		f.terms = append(f.terms, exacts...)
		f.pos = make(map[string][]int, len(f.terms))
		for _, t := range f.terms {
			f.pos[t.term] = t.pos
		}
		slices.Sort(f.exact)
	}
	return a
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
		i := sort.SearchStrings(f.exact, w.prefix)
		j := i
		for j < len(f.exact) && strings.HasPrefix(f.exact[j], w.prefix) {
			j++
		}
		switch j - i {
		case 0:
			return nil
		case 1:
			return f.pos[f.exact[i]]
		}
		var ps []int
		for _, t := range f.exact[i:j] {
			ps = append(ps, f.pos[t]...)
		}
		slices.Sort(ps)
		return ps
	}
	var only []int
	found := 0
	for _, t := range w.terms {
		if p := f.pos[t]; len(p) > 0 {
			only = p
			found++
		}
	}
	if found <= 1 {
		return only
	}
	var ps []int
	for _, t := range w.terms {
		ps = append(ps, f.pos[t]...)
	}
	slices.Sort(ps)
	return slices.Compact(ps)
}

// has reports whether any word w accepts is in the field.
func (f *field) has(w wordMatch) bool {
	if w.prefix != "" {
		i := sort.SearchStrings(f.exact, w.prefix)
		return i < len(f.exact) && strings.HasPrefix(f.exact[i], w.prefix)
	}
	for _, t := range w.terms {
		if len(f.pos[t]) > 0 {
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
