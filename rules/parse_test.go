package rules_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"kuzot/rules"
)

// validQueries maps queries to their canonical form.
var validQueries = []struct{ in, want string }{
	// Words, case and ё folding.
	{`врач`, `врач`},
	{`ВРАЧ`, `врач`},
	{`Ёлка`, `елка`},
	{`ВРАЧЁМ`, `врачем`},
	{`Оорукана ДАРЫГЕРЛЕРДИН Өкмөт`, `оорукана AND дарыгерлердин AND өкмөт`},
	{`COVID-19`, `covid-19`},
	{`дары-дармек`, `дары-дармек`},
	{`д'Артаньян rock’n’roll`, `д'артаньян AND rock’n’roll`},
	{`врач- -врач`, `врач AND врач`},
	{`a--b`, `a AND b`},
	{`врач/медсестра`, `врач AND медсестра`},
	{`врач, медсестра; роддом. ветеринар!`, `врач AND медсестра AND роддом AND ветеринар`},
	{"\tврач\r\n", `врач`},
	{`ANDROID ORAL NOTE NEARBY`, `android AND oral AND note AND nearby`},
	{`NOT-врач`, `not-врач`},

	// Exact and prefix.
	{`=врач`, `=врач`},
	{`=Врачи`, `=врачи`},
	{`=AND`, `=and`},
	{`врач*`, `врач*`},
	{`Врач*ошибка`, `врач* AND ошибка`},
	{`врач=ошибка`, `врач AND =ошибка`},

	// Phrases.
	{`"врачебная ошибка"`, `"врачебная ошибка"`},
	{`"Врачебная, ОШИБКА!"`, `"врачебная ошибка"`},
	{`"врач"`, `врач`},
	{`" врач "`, `врач`},
	{`"12:30"`, `"12 30"`},
	{`"(скорая) помощь"`, `"скорая помощь"`},
	{`"AND OR NOT NEAR/5"`, `"and or not near 5"`},
	{`«врачебная ошибка»`, `"врачебная ошибка"`},
	{`“врачебная ошибка”`, `"врачебная ошибка"`},
	{`„врачебная ошибка“`, `"врачебная ошибка"`},
	{`"врачебная «ошибка»"`, `"врачебная ошибка"`},
	{"\"врачебная\nошибка\"", `"врачебная ошибка"`},
	{`"врач""ошибка"`, `врач AND ошибка`},

	// Operators and adjacency.
	{`врач AND ошибка`, `врач AND ошибка`},
	{`врач ошибка`, `врач AND ошибка`},
	{`врач OR медсестра`, `врач OR медсестра`},
	{`врач and ошибка`, `врач AND and AND ошибка`},
	{`a or b`, `a AND or AND b`},
	{`not a`, `not AND a`},
	{`near/5`, `near AND 5`},
	{`NOT врач`, `NOT врач`},
	{`a NOT b`, `a AND NOT b`},
	{`a AND NOT b`, `a AND NOT b`},
	{`NOT NOT a`, `NOT NOT a`},
	{`NOT (a OR b)`, `NOT (a OR b)`},
	{`NOT (a b)`, `NOT (a AND b)`},
	{`NOT(a)`, `NOT a`},

	// Precedence.
	{`a OR b AND c`, `a OR (b AND c)`},
	{`a AND b OR c`, `(a AND b) OR c`},
	{`a OR b c OR d`, `a OR (b AND c) OR d`},
	{`(a OR b) c`, `(a OR b) AND c`},
	{`NOT a OR b`, `NOT a OR b`},
	{`NOT a b`, `NOT a AND b`},
	{`NOT a NEAR/3 b`, `NOT a NEAR/3 b`},
	{`a NEAR/5 b c`, `a NEAR/5 b AND c`},
	{`a NEAR/5 b OR c`, `a NEAR/5 b OR c`},
	{`a NEAR/5 b AND c NEAR/2 d`, `a NEAR/5 b AND c NEAR/2 d`},

	// Flattening and redundant parentheses.
	{`a AND (b AND c)`, `a AND b AND c`},
	{`(a b) (c d)`, `a AND b AND c AND d`},
	{`(a OR b) OR (c OR d)`, `a OR b OR c OR d`},
	{`((a))`, `a`},
	{`(a AND b) AND (c OR d)`, `a AND b AND (c OR d)`},
	{`a OR (b OR (c OR d))`, `a OR b OR c OR d`},

	// NEAR.
	{`врач NEAR/5 ошибка`, `врач NEAR/5 ошибка`},
	{`a NEAR/1 b`, `a NEAR/1 b`},
	{`a NEAR/50 b`, `a NEAR/50 b`},
	{`a NEAR/05 b`, `a NEAR/5 b`},
	{`a NEAR/3 b NEAR/5 c`, `a NEAR/3 b NEAR/5 c`},
	{`(a NEAR/3 b) NEAR/5 c`, `a NEAR/3 b NEAR/5 c`},
	{`a NEAR/3 (b NEAR/5 c)`, `a NEAR/3 (b NEAR/5 c)`},
	{`(a OR b) NEAR/5 c`, `(a OR b) NEAR/5 c`},
	{`a NEAR/5 (b OR "c d")`, `a NEAR/5 (b OR "c d")`},
	{`((a OR b)) NEAR/5 (c)`, `(a OR b) NEAR/5 c`},
	{`(a OR (b NEAR/2 c)) NEAR/4 d`, `(a OR b NEAR/2 c) NEAR/4 d`},
	{`=врач NEAR/2 ошибк*`, `=врач NEAR/2 ошибк*`},
	{`"врачебная ошибка" NEAR/10 роддом`, `"врачебная ошибка" NEAR/10 роддом`},

	// Field scopes, pushed down to every term.
	{`title:врач`, `title:врач`},
	{`Title:Врач`, `title:врач`},
	{`title: врач`, `title:врач`},
	{`body:"врачебная ошибка"`, `body:"врачебная ошибка"`},
	{`title:"врач"`, `title:врач`},
	{`title:=врач title:врач*`, `title:(=врач AND врач*)`},
	{`title:(врач OR медсестра)`, `title:(врач OR медсестра)`},
	{`title:врач OR title:медсестра`, `title:(врач OR медсестра)`},
	{`title:(a b)`, `title:(a AND b)`},
	{`title:(a NOT b)`, `title:(a AND NOT b)`},
	{`title:(a OR (b c))`, `title:(a OR (b AND c))`},
	{`title:(title:a b)`, `title:(a AND b)`},
	{`title:(a NEAR/5 b)`, `title:(a NEAR/5 b)`},
	{`title:((a OR b) NEAR/5 c) d`, `title:((a OR b) NEAR/5 c) AND d`},
	{`title:a body:b`, `title:a AND body:b`},
	{`title:(a OR b) c`, `title:(a OR b) AND c`},
	{`title:(a OR b) body:(c OR d)`, `title:(a OR b) AND body:(c OR d)`},
	{`NOT title:a`, `NOT title:a`},
	{`NOT title:(a OR b)`, `NOT title:(a OR b)`},
	{`title:a OR b`, `title:a OR b`},

	// Keyword filters.
	{`outlet:kaktus.media`, `outlet:kaktus.media`},
	{`OUTLET:Kaktus.Media`, `outlet:kaktus.media`},
	{`outlet: 24.kg`, `outlet:24.kg`},
	{`lang:ky`, `lang:ky`},
	{`outlet:vet_kg outlet:a-b`, `outlet:vet_kg AND outlet:a-b`},
	{`outlet:AND.kg`, `outlet:and.kg`},
	{`outlet:(kaktus.media OR 24.kg)`, `outlet:(kaktus.media OR 24.kg)`},
	{`outlet:kaktus.media OR outlet:24.kg`, `outlet:(kaktus.media OR 24.kg)`},
	{`outlet:((a OR b) OR c)`, `outlet:(a OR b OR c)`},
	{`outlet:(a)`, `outlet:a`},
	{`outlet:"Kaktus Media"`, `outlet:"kaktus media"`},
	{`outlet:" vet.kg "`, `outlet:vet.kg`},
	{`outlet:«Азаттык»`, `outlet:азаттык`},
	{`outlet:(a OR "b c")`, `outlet:(a OR "b c")`},
	{`outlet:a OR lang:ky`, `outlet:a OR lang:ky`},
	{`outlet:a(b)`, `outlet:a AND b`},
	{`lang:ky врач`, `lang:ky AND врач`},
	{`врач NOT outlet:vet.kg`, `врач AND NOT outlet:vet.kg`},
	{`outlet:(a OR b) врач`, `outlet:(a OR b) AND врач`},
	{`lang:ky outlet:a OR outlet:b`, `(lang:ky AND outlet:a) OR outlet:b`},

	// Rules as config.yaml holds them.
	{
		`(врач OR медсестра OR роддом OR дарыгер OR оорукана) AND ("врачебная ошибка" OR халатность OR шалаакылык)`,
		`(врач OR медсестра OR роддом OR дарыгер OR оорукана) AND ("врачебная ошибка" OR халатность OR шалаакылык)`,
	},
	{`outlet:vet.kg OR ветеринар`, `outlet:vet.kg OR ветеринар`},
	{
		"(врач OR медсестра)\nAND \"врачебная ошибка\"\nNOT outlet:vet.kg\n",
		`(врач OR медсестра) AND "врачебная ошибка" AND NOT outlet:vet.kg`,
	},
	{
		"title:((задержан* OR арестован*)\r\n\tNEAR/3 главврач) OR\r\n\tbody:главврач",
		`title:((задержан* OR арестован*) NEAR/3 главврач) OR body:главврач`,
	},
}

// invalidQueries lists queries that do not parse, with where the error is
// and a part of its message.
var invalidQueries = []struct {
	in        string
	line, col int
	msg       string
}{
	// Empty.
	{``, 1, 1, "empty query"},
	{"  \n  ", 1, 1, "empty query"},
	{`,,, ...`, 1, 1, "empty query"},

	// Operands missing or out of place.
	{`врач AND )`, 1, 10, `expected a word, a phrase or "(" after AND, found ")"`},
	{`врачебная ошибка AND )`, 1, 22, `after AND, found ")"`},
	{`a OR`, 1, 5, "after OR, found the end of the query"},
	{"a OR\n\n", 1, 5, "after OR, found the end of the query"},
	{`NOT`, 1, 4, "after NOT, found the end of the query"},
	{`AND a`, 1, 1, "at the start of the query, found AND (write it in lower case"},
	{`a OR OR b`, 1, 6, "after OR, found OR"},
	{`a AND AND b`, 1, 7, "after AND, found AND"},
	{`(OR a)`, 1, 2, `after "(", found OR`},
	{`a)`, 1, 2, `found ")" without a "(" before it`},
	{`(a))`, 1, 4, `without a "("`},
	{`()`, 1, 2, `expected a word, a phrase or "(" after "(", found ")"`},

	// Parentheses and quotes left open point at the opening one.
	{`(a OR b`, 1, 1, `unclosed "(": expected ")"`},
	{"(a OR\n(b AND c)", 1, 1, `unclosed "("`},
	{"x\n  (a OR b\n", 2, 3, `unclosed "("`},
	{`((a) OR (b)`, 1, 1, `unclosed "("`},
	{`"abc`, 1, 1, `unclosed quote: expected a closing '"'`},
	{`a "b c`, 1, 3, "unclosed quote"},
	{`«abc"`, 1, 1, "expected a closing »"},
	{"врач\n  “ошибка", 2, 3, "expected a closing ”"},

	// Phrases.
	{`""`, 1, 1, "found an empty phrase"},
	{`a " ,. "`, 1, 3, "found an empty phrase"},
	{`"врач*"`, 1, 6, `found "*" (prefixes work on single words`},
	{`"a =врач"`, 1, 4, `found "=" (exact forms work on single words`},

	// "*", "=" and ":" out of place.
	{`врач *`, 1, 6, `expected a word directly before "*"`},
	{`*врач`, 1, 1, `directly before "*"`},
	{`"a b"*`, 1, 6, `directly before "*"`},
	{`(a)*`, 1, 4, `directly before "*"`},
	{`врач**`, 1, 6, `directly before "*"`},
	{`= врач`, 1, 1, `expected a word directly after "="`},
	{`a =`, 1, 3, `directly after "="`},
	{`=врач*`, 1, 1, `found both on "=врач*"`},
	{`=title:x`, 1, 1, `found the field name "title:"`},
	{`:врач`, 1, 1, `expected a field name (title, body, outlet or lang) directly before ":"`},
	{`врач : ошибка`, 1, 6, `directly before ":"`},

	// Unknown fields.
	{`foo:bar`, 1, 1, `expected a field (title, body, outlet or lang) before ":", found "foo:"`},
	{`врач 12:30`, 1, 6, `found "12:" (put text in quotes`},
	{`http://kaktus.media`, 1, 1, `found "http:"`},
	{`AND:x`, 1, 1, "found AND"},

	// NEAR.
	{`a NEAR b`, 1, 7, `expected "/" and a distance after NEAR, as in NEAR/5`},
	{`a NEAR/0 b`, 1, 8, `expected a distance from 1 to 50 after NEAR/, found "0"`},
	{`a NEAR/51 b`, 1, 8, `found "51"`},
	{`a NEAR/999999999999999999999 b`, 1, 8, `found "999999999999999999999"`},
	{`a NEAR/x b`, 1, 8, `found "x"`},
	{`a NEAR/5x b`, 1, 8, `found "5x"`},
	{`a NEAR/ 5 b`, 1, 8, "found nothing"},
	{`a NEAR/-5 b`, 1, 8, "found nothing"},
	{`NEAR/5 a`, 1, 1, "at the start of the query, found NEAR/5"},
	{`a NEAR/5`, 1, 9, "after NEAR/5, found the end of the query"},
	{`a NEAR/5 NOT b`, 1, 10, "after NEAR/5, found NOT"},
	{`a NEAR/5 (b c)`, 1, 11, "expected a word, a phrase, another NEAR or an OR group of those on each side of NEAR/5, found an AND group"},
	{`(a b) NEAR/5 c`, 1, 2, "found an AND group"},
	{`(a AND b) NEAR/5 c`, 1, 2, "found an AND group"},
	{`(NOT a) NEAR/5 b`, 1, 2, "on each side of NEAR/5, found NOT"},
	{`(a OR b c) NEAR/5 d`, 1, 7, "found an AND group"},
	{`a NEAR/5 (b OR NOT c)`, 1, 16, "found NOT"},
	{`a NEAR/5 outlet:x`, 1, 17, "found the filter outlet:"},
	{`lang:ky NEAR/5 a`, 1, 6, "found the filter lang:"},
	{`outlet:(x OR y) NEAR/5 a`, 1, 9, "found the filter outlet:"},
	{`title:a NEAR/5 b`, 1, 9, "expected both sides of NEAR/5 to search the same field, found title: and no field scope"},
	{`a NEAR/5 body:"b c"`, 1, 3, "found no field scope and body:"},
	{`title:(a NEAR/2 b) NEAR/5 c`, 1, 20, "same field, found title: and no field scope"},
	{`(title:a OR b) NEAR/3 c`, 1, 13, "expected every word of an OR group next to NEAR/3 to search the same field, found title: and no field scope"},

	// Field scopes.
	{`title:(body:x)`, 1, 8, "expected no other field inside title:(…), found body:"},
	{`body:(a OR title:b)`, 1, 12, "inside body:(…), found title:"},
	{`title:(a OR (b body:c))`, 1, 16, "inside title:(…), found body:"},
	{`title:(outlet:x)`, 1, 8, "expected words and phrases inside title:(…), found the filter outlet:"},
	{`body:(a lang:ky)`, 1, 9, "found the filter lang:"},
	{`title:`, 1, 7, `expected a word, a phrase or "(" after title:, found the end of the query`},
	{`title:NOT a`, 1, 7, "after title:, found NOT"},
	{`title:title:a`, 1, 7, "after title:, found the field title:"},
	{`title:)`, 1, 7, `after title:, found ")"`},

	// Keyword filters.
	{`outlet:`, 1, 8, `expected a value, a quoted value or "(" after outlet:, found the end of the query`},
	{`outlet:=x`, 1, 8, `after outlet:, found "="`},
	{`lang:OR`, 1, 6, "after lang:, found OR"},
	{`outlet:(a AND b)`, 1, 11, `expected OR or ")" between the values in outlet:(…), found AND (an article has one outlet`},
	{`outlet:(a b)`, 1, 11, `between the values in outlet:(…), found the word "b"`},
	{`outlet:(a NOT b)`, 1, 11, "found NOT"},
	{`outlet:(a OR)`, 1, 13, `after OR, found ")"`},
	{`outlet:()`, 1, 9, `after "(", found ")"`},
	{`outlet:(a OR b`, 1, 8, `unclosed "("`},
	{`outlet:kaktus.media/news`, 1, 20, `expected a space or ")" after the value "kaktus.media", found "/"`},
	{`outlet:vet.kg,`, 1, 14, `found ","`},
	{`outlet:""`, 1, 8, "found an empty one"},
	{`outlet:"a«b"`, 1, 8, "without quote marks inside"},
	{`outlet:"abc`, 1, 8, "unclosed quote"},

	// Positions beyond the first line, in runes.
	{"(врач OR медсестра)\nAND (\"врачебная ошибка\" OR\n  NEAR/5 x)", 3, 3, "after OR, found NEAR/5"},
	{"врач\n\tAND\n\t)", 3, 2, `after AND, found ")"`},
	{"врач\r\nAND\r\n", 2, 4, "after AND, found the end of the query"},
	{"врач\n  ошибка\n  title:(a OR\n    body:b)", 4, 5, "inside title:(…), found body:"},

	// Not UTF-8.
	{"врач \xff", 1, 6, "expected UTF-8 text, found the byte 0xff"},
}

func TestParse(t *testing.T) {
	for _, tt := range validQueries {
		t.Run(tt.in, func(t *testing.T) {
			n, err := rules.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := n.String(); got != tt.want {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range invalidQueries {
		t.Run(tt.in, func(t *testing.T) {
			n, err := rules.Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tt.in, n)
			}
			var se *rules.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): %T %v, want a *SyntaxError", tt.in, err, err)
			}
			if se.Line != tt.line || se.Col != tt.col || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("Parse(%q):\n got %v\nwant line %d, column %d: …%s…", tt.in, err, tt.line, tt.col, tt.msg)
			}
			checkErrorPos(t, tt.in, se)
		})
	}
}

func TestSyntaxErrorText(t *testing.T) {
	_, err := rules.Parse(`врачебная ошибка AND )`)
	want := `line 1, column 22: expected a word, a phrase or "(" after AND, found ")"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	var se *rules.SyntaxError
	if errors.As(err, &se) && se.Offset != len(`врачебная ошибка AND `) {
		t.Errorf("Offset = %d, want %d", se.Offset, len(`врачебная ошибка AND `))
	}
}

// checkErrorPos checks that an error's line and column agree with its
// offset.
func checkErrorPos(t *testing.T, src string, se *rules.SyntaxError) {
	t.Helper()
	if se.Line < 1 || se.Col < 1 || se.Offset < 0 || se.Offset > len(src) {
		t.Fatalf("Parse(%q): error at line %d, column %d, offset %d", src, se.Line, se.Col, se.Offset)
	}
	if se.Offset < len(src) && !utf8.RuneStart(src[se.Offset]) && utf8.ValidString(src) {
		t.Fatalf("Parse(%q): offset %d is inside a character", src, se.Offset)
	}
	before := src[:se.Offset]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	if se.Line != line || se.Col != col {
		t.Fatalf("Parse(%q): error at line %d, column %d, but offset %d is at line %d, column %d", src, se.Line, se.Col, se.Offset, line, col)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tt := range validQueries {
		n, err := rules.Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		checkRoundTrip(t, tt.in, n)
	}
}

// checkRoundTrip checks that n's canonical text parses to an equal tree
// that prints the same.
func checkRoundTrip(t *testing.T, src string, n rules.Node) {
	t.Helper()
	s := n.String()
	m, err := rules.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q) = %s, which does not parse: %v", src, s, err)
	}
	if got := m.String(); got != s {
		t.Fatalf("Parse(%q) = %s, which prints as %s", src, s, got)
	}
	if a, b := shape(n), shape(m); !reflect.DeepEqual(a, b) {
		t.Fatalf("Parse(%q) = %s, which parses to a different tree:\n%#v\n%#v", src, s, a, b)
	}
}

// shape copies a tree without its positions.
func shape(n rules.Node) rules.Node {
	switch n := n.(type) {
	case *rules.Term:
		return &rules.Term{Field: n.Field, Word: n.Word, Mode: n.Mode}
	case *rules.Phrase:
		return &rules.Phrase{Field: n.Field, Words: n.Words}
	case *rules.Keyword:
		return &rules.Keyword{Field: n.Field, Value: n.Value}
	case *rules.And:
		a := &rules.And{}
		for _, c := range n.Children {
			a.Children = append(a.Children, shape(c))
		}
		return a
	case *rules.Or:
		o := &rules.Or{}
		for _, c := range n.Children {
			o.Children = append(o.Children, shape(c))
		}
		return o
	case *rules.Not:
		return &rules.Not{Child: shape(n.Child)}
	case *rules.Near:
		return &rules.Near{Left: shape(n.Left), Right: shape(n.Right), Dist: n.Dist, Field: n.Field}
	}
	panic(fmt.Sprintf("unknown node %T", n))
}

func TestTree(t *testing.T) {
	n, err := rules.Parse(`title:(Врач OR "врачебная ошибка") NEAR/3 =роддом* NOT outlet:(A.kg OR b)`)
	if err == nil {
		t.Fatalf("parsed %s, want an error for =роддом*", n)
	}
	n, err = rules.Parse(`title:((Врач OR "Врачебная ошибка") NEAR/3 =роддом) NOT outlet:(A.kg OR b) лечени*`)
	if err != nil {
		t.Fatal(err)
	}
	want := &rules.And{Children: []rules.Node{
		&rules.Near{
			Left: &rules.Or{Children: []rules.Node{
				&rules.Term{Field: "title", Word: "врач"},
				&rules.Phrase{Field: "title", Words: []string{"врачебная", "ошибка"}},
			}},
			Right: &rules.Term{Field: "title", Word: "роддом", Mode: rules.Exact},
			Dist:  3,
			Field: "title",
		},
		&rules.Not{Child: &rules.Or{Children: []rules.Node{
			&rules.Keyword{Field: "outlet", Value: "a.kg"},
			&rules.Keyword{Field: "outlet", Value: "b"},
		}}},
		&rules.Term{Word: "лечени", Mode: rules.Prefix},
	}}
	if got := shape(n); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestPositions(t *testing.T) {
	src := "врач AND\n  \"врачебная ошибка\" NEAR/3 =роддом\nNOT lang:ky OR title:x*"
	n, err := rules.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]rules.Pos{
		`(врач AND "врачебная ошибка" NEAR/3 =роддом AND NOT lang:ky) OR title:x*`: {0, 1, 1},
		`врач AND "врачебная ошибка" NEAR/3 =роддом AND NOT lang:ky`:               {0, 1, 1},
		`врач`: {0, 1, 1},
		`"врачебная ошибка" NEAR/3 =роддом`: {strings.Index(src, "NEAR"), 2, 22},
		`"врачебная ошибка"`:                {strings.Index(src, `"`), 2, 3},
		`=роддом`:                           {strings.Index(src, "="), 2, 29},
		`NOT lang:ky`:                       {strings.Index(src, "NOT"), 3, 1},
		`lang:ky`:                           {strings.Index(src, "ky"), 3, 10},
		`title:x*`:                          {strings.Index(src, "x"), 3, 22},
	}
	seen := 0
	rules.Walk(n, func(n rules.Node) bool {
		seen++
		p, ok := want[n.String()]
		if !ok {
			t.Errorf("unexpected node %s", n)
		} else if n.Position() != p {
			t.Errorf("%s at %+v, want %+v", n, n.Position(), p)
		}
		return true
	})
	if seen != len(want) {
		t.Errorf("walked %d nodes, want %d", seen, len(want))
	}
}

func TestWalk(t *testing.T) {
	n, err := rules.Parse(`a OR NOT (b NEAR/2 c) OR d e`)
	if err != nil {
		t.Fatal(err)
	}
	var all, pruned []string
	rules.Walk(n, func(n rules.Node) bool {
		all = append(all, n.String())
		return true
	})
	rules.Walk(n, func(n rules.Node) bool {
		pruned = append(pruned, n.String())
		_, not := n.(*rules.Not)
		return !not
	})
	wantAll := []string{"a OR NOT b NEAR/2 c OR (d AND e)", "a", "NOT b NEAR/2 c", "b NEAR/2 c", "b", "c", "d AND e", "d", "e"}
	wantPruned := []string{"a OR NOT b NEAR/2 c OR (d AND e)", "a", "NOT b NEAR/2 c", "d AND e", "d", "e"}
	if !reflect.DeepEqual(all, wantAll) {
		t.Errorf("Walk visited %q, want %q", all, wantAll)
	}
	if !reflect.DeepEqual(pruned, wantPruned) {
		t.Errorf("Walk pruned at NOT visited %q, want %q", pruned, wantPruned)
	}
	rules.Walk(nil, func(rules.Node) bool { t.Error("Walk(nil) visited a node"); return true })
}

// TestScopePushDown checks that a scope reaches every term, phrase and NEAR
// of its group.
func TestScopePushDown(t *testing.T) {
	n, err := rules.Parse(`body:(врач OR "врачебная ошибка" OR (a NEAR/2 (b OR c*)) OR NOT =d) e`)
	if err != nil {
		t.Fatal(err)
	}
	rules.Walk(n, func(n rules.Node) bool {
		var field string
		switch n := n.(type) {
		case *rules.Term:
			field = n.Field
			if n.Word == "e" {
				field = "body" // outside the group
				if n.Field != "" {
					t.Errorf("e has field %q", n.Field)
				}
			}
		case *rules.Phrase:
			field = n.Field
		case *rules.Near:
			field = n.Field
		default:
			return true
		}
		if field != "body" {
			t.Errorf("%s has field %q, want body", n, field)
		}
		return true
	})
}

func TestDepth(t *testing.T) {
	for _, tt := range []struct {
		in        string
		ok        bool
		line, col int
	}{
		{strings.Repeat("(", 100) + "a" + strings.Repeat(")", 100), true, 0, 0},
		{strings.Repeat("(", 101) + "a" + strings.Repeat(")", 101), false, 1, 101},
		{strings.Repeat("(", 100000) + "a" + strings.Repeat(")", 100000), false, 1, 101},
		{strings.Repeat("NOT ", 100) + "a", true, 0, 0},
		{strings.Repeat("NOT ", 101) + "a", false, 1, 401},
		{strings.Repeat("NOT (", 50000) + "a" + strings.Repeat(")", 50000), false, 1, 251},
		{"outlet:" + strings.Repeat("(", 101) + "a" + strings.Repeat(")", 101), false, 1, 108},
		{"title:" + strings.Repeat("(", 200) + "a" + strings.Repeat(")", 200), false, 1, 107},
		// Long chains and wide groups are not nesting.
		{"a" + strings.Repeat(" NEAR/1 a", 5000), true, 0, 0},
		{"a" + strings.Repeat(" OR a", 5000), true, 0, 0},
		{strings.Repeat("a ", 5000), true, 0, 0},
	} {
		n, err := rules.Parse(tt.in)
		name := tt.in
		if len(name) > 30 {
			name = name[:30] + "…"
		}
		if tt.ok {
			if err != nil {
				t.Errorf("Parse(%s): %v", name, err)
				continue
			}
			checkRoundTrip(t, name, n)
			continue
		}
		var se *rules.SyntaxError
		if !errors.As(err, &se) || se.Line != tt.line || se.Col != tt.col || !strings.Contains(se.Msg, "at most 100 nested") {
			t.Errorf("Parse(%s): %v, want a nesting error at line %d, column %d", name, err, tt.line, tt.col)
		}
	}
}

func TestCaret(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"врач AND )", "врач AND )\n         ^"},
		{"врач\n\tAND )\nошибка", "\tAND )\n\t    ^"},
		{"a\r\nb AND\r\n", "b AND\n     ^"},
		{"\"abc", "\"abc\n^"},
		// A decomposed й takes one column.
		{"и\u0306од AND )", "и\u0306од AND )\n        ^"},
	} {
		_, err := rules.Parse(tt.src)
		var se *rules.SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Parse(%q): %v", tt.src, err)
		}
		if got := se.Caret(tt.src); got != tt.want {
			t.Errorf("Parse(%q): Caret =\n%s\nwant\n%s", tt.src, got, tt.want)
		}
	}
	// A mismatched source does not make Caret panic.
	se := &rules.SyntaxError{Line: 9, Col: 9, Offset: 99}
	if got := se.Caret("ab"); got != "ab\n  ^" {
		t.Errorf("Caret past the end = %q", got)
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[rules.Mode]string{rules.Stem: "stem", rules.Exact: "exact", rules.Prefix: "prefix", 7: "Mode(7)"} {
		if got := m.String(); got != want {
			t.Errorf("Mode(%d).String() = %q, want %q", int(m), got, want)
		}
	}
}

func ExampleParse() {
	n, err := rules.Parse(`(Врач OR медсестра) "врачебная ошибка" NOT outlet:vet.kg`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n)
	fmt.Printf("%T\n", n)
	// Output:
	// (врач OR медсестра) AND "врачебная ошибка" AND NOT outlet:vet.kg
	// *rules.And
}

func ExampleSyntaxError_Caret() {
	src := "врач AND\n  (ошибка OR )"
	_, err := rules.Parse(src)
	var se *rules.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se)
		fmt.Println(se.Caret(src))
	}
	// Output:
	// line 2, column 14: expected a word, a phrase or "(" after OR, found ")"
	//   (ошибка OR )
	//              ^
}

func FuzzParse(f *testing.F) {
	for _, tt := range validQueries {
		f.Add(tt.in)
	}
	for _, tt := range invalidQueries {
		f.Add(tt.in)
	}
	// TestDepth covers nesting past the limit: seeds that long make the
	// fuzzer spend its time minimising rather than exploring.
	f.Add(strings.Repeat("(", 12) + "a NEAR/2 b" + strings.Repeat(")", 12))
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 8<<10 {
			t.Skip("longer than a query")
		}
		n, err := rules.Parse(src)
		if err != nil {
			var se *rules.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): %T %v, want a *SyntaxError", src, err, err)
			}
			if se.Msg == "" {
				t.Fatalf("Parse(%q): an error without a message", src)
			}
			checkErrorPos(t, src, se)
			_ = se.Caret(src)
			return
		}
		checkRoundTrip(t, src, n)
	})
}
