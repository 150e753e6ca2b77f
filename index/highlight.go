package index

import (
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
)

// Span is the byte range of one matched word in a text.
type Span struct{ Start, End int }

// snippetLen is the length of a body snippet in bytes (about 120 Cyrillic
// letters).
const snippetLen = 240

// spans collects the matched words of one field from a hit's locations,
// in order and without overlaps. Both index terms of a word (its stem and
// its exact form) share one range, which is kept once.
func spans(locs search.FieldTermLocationMap, field string) []Span {
	var out []Span
	for _, ls := range locs[field] {
		for _, l := range ls {
			out = append(out, Span{int(l.Start), int(l.End)})
		}
	}
	return mergeSpans(out)
}

func mergeSpans(s []Span) []Span {
	if len(s) == 0 {
		return nil
	}
	sort.Slice(s, func(i, j int) bool { return s[i].Start < s[j].Start || s[i].Start == s[j].Start && s[i].End > s[j].End })
	out := s[:1]
	for _, sp := range s[1:] {
		last := &out[len(out)-1]
		if sp.Start < last.End {
			last.End = max(last.End, sp.End)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// Mark returns text HTML-escaped with each span in <mark>. Spans outside
// the text or not on character boundaries are skipped.
func Mark(text string, spans []Span) string {
	var b strings.Builder
	at := 0
	for _, sp := range mergeSpans(append([]Span(nil), spans...)) {
		if sp.Start < at || sp.End > len(text) || sp.Start >= sp.End ||
			!utf8.RuneStart(text[sp.Start]) || sp.End < len(text) && !utf8.RuneStart(text[sp.End]) {
			continue
		}
		b.WriteString(html.EscapeString(text[at:sp.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[sp.Start:sp.End]))
		b.WriteString("</mark>")
		at = sp.End
	}
	b.WriteString(html.EscapeString(text[at:]))
	return b.String()
}

// Snippet cuts the passage of about width bytes of text that holds the most
// spans, on word boundaries, with "…" where it cuts, and marks the spans.
// The passage is one line: paragraph breaks become spaces.
func Snippet(text string, spans []Span, width int) string {
	return strings.Join(strings.Fields(snippet(text, spans, width)), " ")
}

func snippet(text string, spans []Span, width int) string {
	spans = mergeSpans(append([]Span(nil), spans...))
	if len(text) <= width {
		return Mark(text, spans)
	}
	// The window starts a little before a span, so the match has context.
	const lead = 60
	best, bestN := 0, 0
	for i, sp := range spans {
		from := max(sp.Start-lead, 0)
		n := 0
		for _, o := range spans[i:] {
			if o.End > from+width {
				break
			}
			n++
		}
		if n > bestN {
			best, bestN = from, n
		}
	}
	from, to := wordStart(text, best), wordEnd(text, min(best+width, len(text)))
	var inside []Span
	for _, sp := range spans {
		if sp.Start >= from && sp.End <= to {
			inside = append(inside, Span{sp.Start - from, sp.End - from})
		}
	}
	out := Mark(text[from:to], inside)
	if from > 0 {
		out = "…" + out
	}
	if to < len(text) {
		out += "…"
	}
	return out
}

// wordStart moves i back to the start of the word it is in.
func wordStart(text string, i int) int {
	for i > 0 && !utf8.RuneStart(text[i]) {
		i--
	}
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		if unicode.IsSpace(r) {
			break
		}
		i -= size
	}
	return i
}

// wordEnd moves i forward to the end of the word it is in.
func wordEnd(text string, i int) int {
	for i < len(text) && !utf8.RuneStart(text[i]) {
		i++
	}
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}
