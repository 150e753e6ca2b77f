package index

import (
	blevea "github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"

	"kuzot/analysis"
)

// ExactPrefix marks the surface form of a word in the index. Each word is
// indexed twice at the same position: its stem (what a plain query word
// matches) and "=" with its folded form (what =exact and prefix* match).
// Keeping both in one field lets a phrase or NEAR/n mix word forms, exact
// forms and prefixes, since their positions line up.
const ExactPrefix = "="

// analyzerName is the bleve analyzer registered for each language.
func analyzerName(lang string) string { return "kuzot_" + lang }

// textAnalyzer is a bleve analyzer that hands the text to package
// analysis, so the index holds exactly the terms the rules match.
type textAnalyzer struct{ lang string }

func (a textAnalyzer) Analyze(input []byte) blevea.TokenStream {
	toks := analysis.Analyze(string(input), a.lang)
	stream := make(blevea.TokenStream, 0, 2*len(toks))
	for _, t := range toks {
		stream = append(stream,
			&blevea.Token{Start: t.Start, End: t.End, Term: []byte(t.Term), Position: t.Pos, Type: blevea.AlphaNumeric},
			&blevea.Token{Start: t.Start, End: t.End, Term: []byte(ExactPrefix + t.Form), Position: t.Pos, Type: blevea.AlphaNumeric},
		)
	}
	return stream
}

// The analyzers are registered with bleve once, by name, because a bleve
// mapping refers to its analyzers by name when an index is opened.
func init() {
	for _, lang := range []string{analysis.Russian, analysis.Kyrgyz, analysis.English} {
		registerAnalyzer(lang)
	}
}

func registerAnalyzer(lang string) {
	err := registry.RegisterAnalyzer(analyzerName(lang), func(map[string]any, *registry.Cache) (blevea.Analyzer, error) {
		return textAnalyzer{lang: lang}, nil
	})
	if err != nil {
		panic(err) // registered twice: a programming error
	}
}
