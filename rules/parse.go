package rules

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// maxDepth bounds nested parentheses and NOTs, so that a hostile query
	// in the search box cannot exhaust the stack here or in a later pass.
	maxDepth = 100
	// MinNear and MaxNear bound the distance of NEAR/n.
	MinNear, MaxNear = 1, 50
)

// SyntaxError is a query that does not parse. Line and Col (in runes) count
// from 1, Offset (in bytes) from 0. Msg says what was expected and what was
// found, and is complete on its own: callers prefix it with the rule's id.
type SyntaxError struct {
	Line, Col, Offset int
	Msg               string
}

// Error returns "line L, column C: message".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// Caret returns the line of src the error is on and, below it, a caret
// under the error's column, for printing to a terminal. Tabs before the
// column are copied so that the caret lines up, and combining marks take no
// column.
func (e *SyntaxError) Caret(src string) string {
	off := min(max(e.Offset, 0), len(src))
	for off > 0 && off < len(src) && !utf8.RuneStart(src[off]) {
		off--
	}
	start := strings.LastIndexByte(src[:off], '\n') + 1
	end := strings.IndexByte(src[off:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += off
	}
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(src[start:end], "\r"))
	b.WriteByte('\n')
	for _, r := range src[start:off] {
		switch {
		case r == '\t':
			b.WriteByte('\t')
		case unicode.In(r, unicode.Mn, unicode.Me):
		default:
			b.WriteByte(' ')
		}
	}
	b.WriteByte('^')
	return b.String()
}

func errorAt(p Pos, format string, args ...any) *SyntaxError {
	return &SyntaxError{Line: p.Line, Col: p.Col, Offset: p.Offset, Msg: fmt.Sprintf(format, args...)}
}

// Parse parses a query of the rule language and returns its tree.
//
// A word matches any of its forms, =word the form itself and word* any word
// starting with it; "…" is a phrase. Operators are upper case: OR binds
// loosest, then AND (also written by putting operands side by side), then
// prefix NOT, then NEAR/n (n from 1 to 50, left-associative); parentheses
// group. title: and body: scope a word, phrase or group to one field;
// outlet: and lang: filter on a value. Other punctuation between words
// separates them, and typographic quotes «…», “…” and „…“ work like "…".
func Parse(src string) (Node, error) {
	if i := invalidUTF8(src); i >= 0 {
		return nil, errorAt(advance(src, startPos, i), "expected UTF-8 text, found the byte %#02x", src[i])
	}
	p := &parser{src: src, pos: startPos}
	if p.peek().kind == tEOF {
		return nil, errorAt(startPos, `empty query: expected a word, a phrase or "("`)
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			return nil, errorAt(t.pos, `expected AND, OR or the end of the query, found ")" without a "(" before it`)
		}
		return nil, p.unexpected(t, "AND, OR or the end of the query")
	}
	return n, nil
}

var startPos = Pos{Offset: 0, Line: 1, Col: 1}

func invalidUTF8(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// advance moves p forward through src to byte offset to, counting lines and
// columns on the way.
func advance(src string, p Pos, to int) Pos {
	for p.Offset < to {
		r, size := utf8.DecodeRuneInString(src[p.Offset:])
		p.Offset += size
		if r == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
	}
	return p
}

// The lexer scans one token at a time, on demand, from a position: in the
// query grammar (scan) or where a keyword filter value may be (scanValue).

type tokKind int

const (
	tEOF    tokKind = iota
	tErr            // err says what is wrong
	tWord           // text and mode
	tPhrase         // words (possibly only one)
	tValue          // text: a keyword filter value
	tOther          // a character that cannot start a keyword value
	tLParen
	tRParen
	tAnd
	tOr
	tNot
	tNear  // dist
	tField // text: the lower-cased name before ":"
)

type token struct {
	kind     tokKind
	pos, end Pos
	text     string
	words    []string
	mode     Mode
	dist     int
	err      *SyntaxError
}

// raw returns the token's source text.
func (t token) raw(src string) string { return src[t.pos.Offset:t.end.Offset] }

// isWordStart and isWordPart follow analysis.Tokenize: a word is letters and
// digits, and combining marks stay inside it.
func isWordStart(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isWordPart(r rune) bool { return isWordStart(r) || unicode.Is(unicode.Mn, r) }

// isJoiner reports the characters that join two runs of letters into one
// word: covid-19, дары-дармек, д'Артаньян.
func isJoiner(r rune) bool {
	return r == '-' || r == '\'' || r == '’' || r == '‐' || r == '‑'
}

func isSyntax(r rune) bool {
	switch r {
	case '(', ')', '"', '*', '=', ':', '«', '“', '„':
		return true
	}
	return false
}

func isQuote(r rune) bool {
	switch r {
	case '"', '«', '»', '“', '”', '„':
		return true
	}
	return false
}

func isOpenQuote(r rune) bool { return r == '"' || r == '«' || r == '“' || r == '„' }

// closes reports whether r ends a quotation opened with open: "…", «…»,
// “…” and „…“ (or „…”).
func closes(open, r rune) bool {
	switch open {
	case '«':
		return r == '»'
	case '“':
		return r == '”'
	case '„':
		return r == '“' || r == '”'
	}
	return r == '"'
}

// closerOf names the quote mark that closes one opened with open.
func closerOf(open rune) string {
	switch open {
	case '«':
		return "»"
	case '“', '„':
		return "”"
	}
	return `'"'`
}

func isValuePart(r rune) bool {
	return isWordPart(r) || r == '.' || r == '-' || r == '_'
}

// isValueToken reports whether v can be written without quotes as a
// keyword filter value.
func isValueToken(v string) bool {
	if v == "" || v == "AND" || v == "OR" || v == "NOT" {
		return false
	}
	for _, r := range v {
		if !isValuePart(r) {
			return false
		}
	}
	return true
}

// isBlank reports the characters skipped around keyword values.
func isBlank(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

func decode(s string, i int) (rune, int) {
	if i >= len(s) {
		return -1, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// scanWord returns the end of the word that starts at i.
func scanWord(s string, i int) int {
	for i < len(s) {
		r, size := decode(s, i)
		if isWordPart(r) {
			i += size
			continue
		}
		if isJoiner(r) {
			if r2, _ := decode(s, i+size); isWordStart(r2) {
				i += size
				continue
			}
		}
		break
	}
	return i
}

// fold lower-cases a word and folds ё to е, as the analyser does to text.
func fold(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "ё", "е")
}

// scan returns the token at from, in the query grammar.
func scan(src string, from Pos) token {
	i := from.Offset
	for i < len(src) {
		r, size := decode(src, i)
		if isWordStart(r) || isSyntax(r) {
			break
		}
		i += size
	}
	pos := advance(src, from, i)
	t := token{pos: pos, end: pos}
	if i == len(src) {
		return t
	}
	fail := func(at int, format string, args ...any) token {
		return token{kind: tErr, pos: pos, end: pos, err: errorAt(advance(src, pos, at), format, args...)}
	}
	r, size := decode(src, i)
	j := i + size
	switch {
	case r == '(':
		t.kind = tLParen
	case r == ')':
		t.kind = tRParen
	case isOpenQuote(r):
		words, end, err := scanPhrase(src, pos)
		if err != nil {
			return token{kind: tErr, pos: pos, end: pos, err: err}
		}
		t.kind, t.words, j = tPhrase, words, end
	case r == '*':
		return fail(i, `expected a word directly before "*", as in врач*`)
	case r == ':':
		return fail(i, `expected a field name (title, body, outlet or lang) directly before ":"`)
	case r == '=':
		if r2, _ := decode(src, j); !isWordStart(r2) {
			return fail(i, `expected a word directly after "=", as in =врач`)
		}
		we := scanWord(src, j)
		switch r2, _ := decode(src, we); r2 {
		case '*':
			return fail(i, `expected "=" (this form only) or "*" (any ending), found both on %q`, src[i:we+1])
		case ':':
			return fail(i, `expected a word after "=", found the field name %q`, src[j:we+1])
		}
		t.kind, t.mode, t.text, j = tWord, Exact, fold(src[j:we]), we
	default: // a word
		we := scanWord(src, i)
		word := src[i:we]
		next, _ := decode(src, we)
		switch word {
		case "AND":
			t.kind, j = tAnd, we
		case "OR":
			t.kind, j = tOr, we
		case "NOT":
			t.kind, j = tNot, we
		case "NEAR":
			if next != '/' {
				return fail(we, `expected "/" and a distance after NEAR, as in NEAR/5 (write near in lower case to search for the word)`)
			}
			ds := we + 1
			de := ds
			if r2, _ := decode(src, ds); isWordStart(r2) {
				de = scanWord(src, ds)
			}
			n, ok := nearDist(src[ds:de])
			if !ok {
				found := "nothing"
				if de > ds {
					found = strconv.Quote(src[ds:de])
				}
				return fail(ds, "expected a distance from %d to %d after NEAR/, found %s", MinNear, MaxNear, found)
			}
			t.kind, t.dist, j = tNear, n, de
		default:
			switch next {
			case ':':
				t.kind, t.text, j = tField, strings.ToLower(word), we+1
			case '*':
				t.kind, t.mode, t.text, j = tWord, Prefix, fold(word), we+1
			default:
				t.kind, t.mode, t.text, j = tWord, Stem, fold(word), we
			}
		}
	}
	t.end = advance(src, pos, j)
	return t
}

// nearDist parses the n of NEAR/n.
func nearDist(s string) (int, bool) {
	s = strings.TrimLeft(s, "0")
	if s == "" || len(s) > 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < MinNear || n > MaxNear {
		return 0, false
	}
	return n, true
}

// scanQuoted finds the end of the quoted text that opens at pos. It returns
// the text between the quotes and the offset after the closing quote.
func scanQuoted(src string, pos Pos) (string, int, *SyntaxError) {
	open, size := decode(src, pos.Offset)
	start := pos.Offset + size
	for i := start; i < len(src); {
		r, size := decode(src, i)
		if closes(open, r) {
			return src[start:i], i + size, nil
		}
		i += size
	}
	return "", 0, errorAt(pos, "unclosed quote: expected a closing %s to match this one, found the end of the query", closerOf(open))
}

// scanPhrase reads the phrase that opens at pos.
func scanPhrase(src string, pos Pos) ([]string, int, *SyntaxError) {
	text, end, err := scanQuoted(src, pos)
	if err != nil {
		return nil, 0, err
	}
	_, size := decode(src, pos.Offset)
	base := pos.Offset + size
	var words []string
	for i := 0; i < len(text); {
		r, size := decode(text, i)
		switch {
		case isWordStart(r):
			we := scanWord(text, i)
			words = append(words, fold(text[i:we]))
			i = we
			continue
		case r == '*':
			return nil, 0, errorAt(advance(src, pos, base+i), `expected only words inside a phrase, found "*" (prefixes work on single words: врач*)`)
		case r == '=':
			return nil, 0, errorAt(advance(src, pos, base+i), `expected only words inside a phrase, found "=" (exact forms work on single words: =врач)`)
		}
		i += size
	}
	if len(words) == 0 {
		return nil, 0, errorAt(pos, "expected words between the quotes, found an empty phrase")
	}
	return words, end, nil
}

// scanValue returns the token at from where a keyword filter value may be:
// a run of letters, digits, ".", "-" and "_", a quoted string, a
// parenthesis or an operator.
func scanValue(src string, from Pos) token {
	i := from.Offset
	for i < len(src) {
		r, size := decode(src, i)
		if !isBlank(r) {
			break
		}
		i += size
	}
	pos := advance(src, from, i)
	t := token{pos: pos, end: pos}
	if i == len(src) {
		return t
	}
	r, size := decode(src, i)
	j := i + size
	switch {
	case r == '(':
		t.kind = tLParen
	case r == ')':
		t.kind = tRParen
	case isOpenQuote(r):
		text, end, err := scanQuoted(src, pos)
		if err != nil {
			return token{kind: tErr, pos: pos, end: pos, err: err}
		}
		text = strings.TrimSpace(text)
		if text == "" {
			return token{kind: tErr, pos: pos, end: pos, err: errorAt(pos, "expected a value between the quotes, found an empty one")}
		}
		if k := strings.IndexFunc(text, isQuote); k >= 0 {
			return token{kind: tErr, pos: pos, end: pos, err: errorAt(pos, "expected a value without quote marks inside, found %q", text)}
		}
		t.kind, t.text, j = tValue, strings.ToLower(text), end
	case isValuePart(r):
		for j < len(src) {
			r, size := decode(src, j)
			if !isValuePart(r) {
				break
			}
			j += size
		}
		v := src[i:j]
		switch v {
		case "AND":
			t.kind = tAnd
		case "OR":
			t.kind = tOr
		case "NOT":
			t.kind = tNot
		default:
			if r, _ := decode(src, j); r >= 0 && !isBlank(r) && r != '(' && r != ')' && !isOpenQuote(r) {
				return token{kind: tErr, pos: pos, end: pos, err: errorAt(advance(src, pos, j),
					"expected a space or \")\" after the value %q, found %q (quote a value that holds other characters)", v, string(r))}
			}
			t.kind, t.text = tValue, strings.ToLower(v)
		}
	default:
		t.kind = tOther
	}
	t.end = advance(src, pos, j)
	return t
}

// The parser: recursive descent, one function per precedence level.
//
//	or      = and { "OR" and }
//	and     = unary { ["AND"] unary }
//	unary   = "NOT" unary | near
//	near    = primary { "NEAR/n" primary }
//	primary = word | phrase | "(" or ")" | ("title:" | "body:") (word | phrase | "(" or ")")
//	        | ("outlet:" | "lang:") (value | "(" values ")")
//	values  = (value | "(" values ")") { "OR" (value | "(" values ")") }

type scanMode int

const (
	queryMode scanMode = iota
	valueMode
)

type parser struct {
	src string
	pos Pos // where the next token is scanned from

	// tok is the token at pos, scanned in mode, when have is set. The
	// grammar needs to look at the same text as a query token or as a
	// keyword value, so a token is rescanned when the mode changes.
	tok  token
	mode scanMode
	have bool

	prev    token  // the last token consumed
	started bool   // whether prev is set
	depth   int    // nesting of parentheses and NOT
	field   string // the title: or body: scope being parsed, if any
}

func (p *parser) peek() token { return p.peekMode(queryMode) }

func (p *parser) peekValue() token { return p.peekMode(valueMode) }

func (p *parser) peekMode(m scanMode) token {
	if !p.have || p.mode != m {
		if m == valueMode {
			p.tok = scanValue(p.src, p.pos)
		} else {
			p.tok = scan(p.src, p.pos)
		}
		p.mode, p.have = m, true
	}
	return p.tok
}

func (p *parser) next() {
	p.prev, p.started = p.tok, true
	p.pos = p.tok.end
	p.have = false
}

// after describes what came before the current token, for messages.
func (p *parser) after() string {
	if !p.started {
		return "at the start of the query"
	}
	t := p.prev
	switch t.kind {
	case tAnd, tOr, tNot, tNear:
		return "after " + t.raw(p.src)
	case tLParen:
		return `after "("`
	case tRParen:
		return `after ")"`
	case tField:
		return "after " + t.text + ":"
	case tPhrase:
		return "after the phrase " + t.raw(p.src)
	}
	return "after " + strconv.Quote(t.raw(p.src))
}

// describe names a token found where it was not expected.
func (p *parser) describe(t token) string {
	switch t.kind {
	case tEOF:
		return "the end of the query"
	case tAnd, tOr, tNot, tNear:
		return t.raw(p.src)
	case tField:
		return "the field " + t.raw(p.src)
	case tPhrase:
		return "the phrase " + t.raw(p.src)
	case tWord:
		return "the word " + strconv.Quote(t.raw(p.src))
	case tOther:
		return strconv.Quote(t.raw(p.src))
	}
	return strconv.Quote(t.raw(p.src))
}

// unexpected reports that t was found where expected was. The end of the
// query is reported right after the last token rather than after trailing
// blank lines.
func (p *parser) unexpected(t token, expected string) error {
	if t.kind == tErr {
		return t.err
	}
	at := t.pos
	if t.kind == tEOF && p.started {
		at = p.prev.end
	}
	msg := fmt.Sprintf("expected %s %s, found %s", expected, p.after(), p.describe(t))
	if t.kind == tAnd || t.kind == tOr || t.kind == tNear {
		if strings.HasPrefix(expected, "a word") {
			msg += " (write it in lower case to search for the word)"
		}
	}
	return errorAt(at, "%s", msg)
}

func (p *parser) enter(at Pos) error {
	p.depth++
	if p.depth > maxDepth {
		return errorAt(at, "expected at most %d nested parentheses and NOTs, found more", maxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) parseOr() (Node, error) {
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tOr {
		return first, nil
	}
	children := flatOr(nil, first)
	for p.peek().kind == tOr {
		p.next()
		n, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		children = flatOr(children, n)
	}
	return &Or{Children: children, At: first.Position()}, nil
}

func flatOr(children []Node, n Node) []Node {
	if o, ok := n.(*Or); ok {
		return append(children, o.Children...)
	}
	return append(children, n)
}

func flatAnd(children []Node, n Node) []Node {
	if a, ok := n.(*And); ok {
		return append(children, a.Children...)
	}
	return append(children, n)
}

func (p *parser) parseAnd() (Node, error) {
	first, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	var children []Node
	for {
		switch p.peek().kind {
		case tAnd:
			p.next()
		case tWord, tPhrase, tLParen, tField, tNot:
			// Side by side means AND.
		default:
			if children == nil {
				return first, nil
			}
			return &And{Children: children, At: first.Position()}, nil
		}
		n, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if children == nil {
			children = flatAnd(nil, first)
		}
		children = flatAnd(children, n)
	}
}

func (p *parser) parseUnary() (Node, error) {
	t := p.peek()
	if t.kind != tNot {
		return p.parseNear()
	}
	if err := p.enter(t.pos); err != nil {
		return nil, err
	}
	p.next()
	n, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	p.leave()
	return &Not{Child: n, At: t.pos}, nil
}

func (p *parser) parseNear() (Node, error) {
	left, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for {
		op := p.peek()
		if op.kind != tNear {
			return left, nil
		}
		if err := p.nearOperand(left, op); err != nil {
			return nil, err
		}
		p.next()
		right, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		if err := p.nearOperand(right, op); err != nil {
			return nil, err
		}
		lf, _ := nearField(left)
		rf, _ := nearField(right)
		if lf != rf {
			return nil, errorAt(op.pos, "expected both sides of %s to search the same field, found %s and %s (scope the whole group instead, as in title:(a %s b))",
				op.raw(p.src), fieldName(lf), fieldName(rf), op.raw(p.src))
		}
		left = &Near{Left: left, Right: right, Dist: op.dist, Field: lf, At: op.pos}
	}
}

// nearOperand checks that n may be an operand of the NEAR operator op.
func (p *parser) nearOperand(n Node, op token) error {
	var found string
	switch n := n.(type) {
	case *Term, *Phrase, *Near:
		return nil
	case *Or:
		for _, c := range n.Children {
			if err := p.nearOperand(c, op); err != nil {
				return err
			}
		}
		if _, ok := nearField(n); !ok {
			f, _ := nearField(n.Children[0])
			for _, c := range n.Children[1:] {
				if g, _ := nearField(c); g != f {
					return errorAt(c.Position(), "expected every word of an OR group next to %s to search the same field, found %s and %s (scope the whole group instead, as in title:(a %s b))",
						op.raw(p.src), fieldName(f), fieldName(g), op.raw(p.src))
				}
			}
		}
		return nil
	case *And:
		found = "an AND group (words side by side mean AND)"
	case *Not:
		found = "NOT"
	case *Keyword:
		found = "the filter " + n.Field + ":"
	}
	return errorAt(n.Position(), "expected a word, a phrase, another NEAR or an OR group of those on each side of %s, found %s", op.raw(p.src), found)
}

// nearField returns the field an operand of NEAR searches, and false when
// its words search different fields.
func nearField(n Node) (string, bool) {
	switch n := n.(type) {
	case *Term:
		return n.Field, true
	case *Phrase:
		return n.Field, true
	case *Near:
		return n.Field, true
	case *Or:
		f, ok := nearField(n.Children[0])
		for _, c := range n.Children[1:] {
			g, cok := nearField(c)
			ok = ok && cok && g == f
		}
		return f, ok
	}
	return "", false
}

func fieldName(f string) string {
	if f == "" {
		return "no field scope"
	}
	return f + ":"
}

func (p *parser) parsePrimary() (Node, error) {
	t := p.peek()
	switch t.kind {
	case tWord, tPhrase:
		p.next()
		return p.word(t), nil
	case tLParen:
		return p.parseGroup()
	case tField:
		return p.parseScoped(t)
	}
	return nil, p.unexpected(t, `a word, a phrase or "("`)
}

// word makes the node of a word or phrase token, in the current scope.
func (p *parser) word(t token) Node {
	if t.kind == tPhrase {
		if len(t.words) == 1 {
			return &Term{Field: p.field, Word: t.words[0], Mode: Stem, At: t.pos}
		}
		return &Phrase{Field: p.field, Words: t.words, At: t.pos}
	}
	return &Term{Field: p.field, Word: t.text, Mode: t.mode, At: t.pos}
}

func (p *parser) parseGroup() (Node, error) {
	open := p.peek()
	if err := p.enter(open.pos); err != nil {
		return nil, err
	}
	p.next()
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if err := p.closeGroup(open, "AND, OR or \")\""); err != nil {
		return nil, err
	}
	p.leave()
	return n, nil
}

// closeGroup consumes the ")" that closes the group opened by open.
func (p *parser) closeGroup(open token, expected string) error {
	switch t := p.peek(); t.kind {
	case tRParen:
		p.next()
		return nil
	case tEOF:
		return errorAt(open.pos, `unclosed "(": expected ")", found the end of the query`)
	default:
		return p.unexpected(t, expected)
	}
}

const fieldList = "title, body, outlet or lang"

func (p *parser) parseScoped(f token) (Node, error) {
	switch f.text {
	case "title", "body":
		if p.field != "" && p.field != f.text {
			return nil, errorAt(f.pos, "expected no other field inside %s(…), found %s", p.field+":", f.text+":")
		}
		p.next()
		outer := p.field
		p.field = f.text
		defer func() { p.field = outer }()
		switch t := p.peek(); t.kind {
		case tWord, tPhrase:
			p.next()
			return p.word(t), nil
		case tLParen:
			return p.parseGroup()
		default:
			return nil, p.unexpected(t, `a word, a phrase or "("`)
		}
	case "outlet", "lang":
		if p.field != "" {
			return nil, errorAt(f.pos, "expected words and phrases inside %s(…), found the filter %s (put it outside the group)", p.field+":", f.text+":")
		}
		p.next()
		switch t := p.peekValue(); t.kind {
		case tValue:
			p.next()
			return &Keyword{Field: f.text, Value: t.text, At: t.pos}, nil
		case tLParen:
			return p.parseValues(f.text)
		default:
			return nil, p.unexpected(t, `a value, a quoted value or "("`)
		}
	}
	return nil, errorAt(f.pos, "expected a field (%s) before \":\", found %q (put text in quotes to search for it as words)", fieldList, f.raw(p.src))
}

// parseValues parses a parenthesised OR of values of a keyword filter.
func (p *parser) parseValues(field string) (Node, error) {
	open := p.peekValue()
	if err := p.enter(open.pos); err != nil {
		return nil, err
	}
	p.next()
	var children []Node
	for {
		switch t := p.peekValue(); t.kind {
		case tValue:
			p.next()
			children = append(children, &Keyword{Field: field, Value: t.text, At: t.pos})
		case tLParen:
			n, err := p.parseValues(field)
			if err != nil {
				return nil, err
			}
			children = flatOr(children, n)
		default:
			return nil, p.unexpected(t, `a value, a quoted value or "("`)
		}
		t := p.peek()
		if t.kind == tOr {
			p.next()
			continue
		}
		if t.kind == tAnd || t.kind == tNot || t.kind == tWord || t.kind == tPhrase || t.kind == tField {
			return nil, errorAt(t.pos, "expected OR or \")\" between the values in %s(…), found %s (an article has one %s; put other conditions outside the group)",
				field+":", p.describe(t), field)
		}
		break
	}
	if err := p.closeGroup(open, `OR or ")"`); err != nil {
		return nil, err
	}
	p.leave()
	if len(children) == 1 {
		return children[0], nil
	}
	return &Or{Children: children, At: children[0].Position()}, nil
}
