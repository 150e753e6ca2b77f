package rules

import (
	"strconv"
	"strings"
)

// Mode says how a Term matches word forms.
type Mode int

const (
	// Stem matches any form of the word: the caller stems it in the
	// article's language (врач matches врачи, врачей).
	Stem Mode = iota
	// Exact matches this word form only (=врач).
	Exact
	// Prefix matches every word form that starts with the word (врач*).
	Prefix
)

// String returns "stem", "exact" or "prefix".
func (m Mode) String() string {
	switch m {
	case Stem:
		return "stem"
	case Exact:
		return "exact"
	case Prefix:
		return "prefix"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Pos is a place in the query source. Offset counts bytes from 0; Line and
// Col count from 1, Col in runes, so that a message points where an editor
// does.
type Pos struct {
	Offset, Line, Col int
}

// String returns "line:col".
func (p Pos) String() string {
	return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// Node is a node of the syntax tree: *Term, *Phrase, *Keyword, *And, *Or,
// *Not or *Near.
type Node interface {
	// Position is where the node is in the query source.
	Position() Pos
	// String prints the canonical query text of the node. Parsing it gives
	// back an equal tree (positions aside), and printing that tree gives the
	// same text again.
	String() string
}

// Term is one word. Field is "title" or "body" when the word is scoped to
// one of them, and "" when it may be in either. Word is lower-cased with ё
// folded to е, and is not stemmed. It may hold internal hyphens and
// apostrophes (covid-19, дары-дармек); the analyser decides how to split
// them. At is the word, or its leading "=".
type Term struct {
	Field string
	Word  string
	Mode  Mode
	At    Pos
}

// Phrase is two or more word forms that must appear in this order, next to
// each other; Words are folded like Term.Word. Field is as in Term. At is the
// opening quote.
type Phrase struct {
	Field string
	Words []string
	At    Pos
}

// Keyword is an exact filter on an article's metadata: Field is "outlet" or
// "lang", Value is lower-cased and compared as it is. At is the value.
type Keyword struct {
	Field string
	Value string
	At    Pos
}

// And holds when all its children hold. It has two or more children, none of
// them an *And. At is its first child's position.
type And struct {
	Children []Node
	At       Pos
}

// Or holds when any child holds. It has two or more children, none of them
// an *Or. At is its first child's position.
type Or struct {
	Children []Node
	At       Pos
}

// Not holds when its child does not. At is the NOT.
type Not struct {
	Child Node
	At    Pos
}

// Near holds when a match of Left and a match of Right are at most Dist
// words apart, in either order. Left and Right are each a *Term, a *Phrase,
// an *Or of such operands or another *Near. All the terms and phrases below
// a Near search the same field, and Field records it ("" for title or body)
// so that a matcher need not look down. At is the NEAR/n operator.
type Near struct {
	Left, Right Node
	Dist        int
	Field       string
	At          Pos
}

// Position returns t.At.
func (t *Term) Position() Pos { return t.At }

// Position returns p.At.
func (p *Phrase) Position() Pos { return p.At }

// Position returns k.At.
func (k *Keyword) Position() Pos { return k.At }

// Position returns a.At.
func (a *And) Position() Pos { return a.At }

// Position returns o.At.
func (o *Or) Position() Pos { return o.At }

// Position returns n.At.
func (n *Not) Position() Pos { return n.At }

// Position returns n.At.
func (n *Near) Position() Pos { return n.At }

// String returns the canonical query text, such as title:=врач or врач*.
func (t *Term) String() string { return format(t) }

// String returns the canonical query text, such as "врачебная ошибка".
func (p *Phrase) String() string { return format(p) }

// String returns the canonical query text, such as outlet:kaktus.media.
func (k *Keyword) String() string { return format(k) }

// String returns the canonical query text, such as врач AND ошибка.
func (a *And) String() string { return format(a) }

// String returns the canonical query text, such as врач OR медсестра.
func (o *Or) String() string { return format(o) }

// String returns the canonical query text, such as NOT ветеринар.
func (n *Not) String() string { return format(n) }

// String returns the canonical query text, such as врач NEAR/5 ошибка.
func (n *Near) String() string { return format(n) }

// Walk calls fn for n and then, if fn returns true, walks n's children in
// order (And and Or children, Not's child, Near's Left then Right): a
// depth-first, pre-order walk. A nil n is not visited.
func Walk(n Node, fn func(Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	switch n := n.(type) {
	case *And:
		for _, c := range n.Children {
			Walk(c, fn)
		}
	case *Or:
		for _, c := range n.Children {
			Walk(c, fn)
		}
	case *Not:
		Walk(n.Child, fn)
	case *Near:
		Walk(n.Left, fn)
		Walk(n.Right, fn)
	}
}

// The canonical form spells operators in upper case with single spaces,
// writes AND where the source had words side by side, puts parentheses only
// where precedence needs them (and around an AND inside an OR, for the
// reader), and writes a field scope once around a group whose terms all
// share it: title:(врач OR медсестра) rather than title:врач OR
// title:медсестра.

func format(n Node) string {
	var b strings.Builder
	writeOperand(&b, n, "", false)
	return b.String()
}

// writeOperand writes n as an operand: factored under its common field scope
// when no scope is open yet, else in parentheses when paren is set.
func writeOperand(b *strings.Builder, n Node, scope string, paren bool) {
	if scope == "" {
		if f := groupScope(n); f != "" {
			b.WriteString(f)
			b.WriteString(":(")
			writeNode(b, n, f)
			b.WriteByte(')')
			return
		}
	}
	if paren {
		b.WriteByte('(')
		writeNode(b, n, scope)
		b.WriteByte(')')
		return
	}
	writeNode(b, n, scope)
}

// writeNode writes n inside the field scope already written around it.
func writeNode(b *strings.Builder, n Node, scope string) {
	switch n := n.(type) {
	case *Term:
		writeField(b, n.Field, scope)
		switch n.Mode {
		case Exact:
			b.WriteByte('=')
			b.WriteString(n.Word)
		case Prefix:
			b.WriteString(n.Word)
			b.WriteByte('*')
		default:
			b.WriteString(n.Word)
		}
	case *Phrase:
		writeField(b, n.Field, scope)
		b.WriteByte('"')
		b.WriteString(strings.Join(n.Words, " "))
		b.WriteByte('"')
	case *Keyword:
		writeField(b, n.Field, scope)
		if isValueToken(n.Value) {
			b.WriteString(n.Value)
		} else {
			b.WriteByte('"')
			b.WriteString(n.Value)
			b.WriteByte('"')
		}
	case *Not:
		b.WriteString("NOT ")
		_, and := n.Child.(*And)
		_, or := n.Child.(*Or)
		writeOperand(b, n.Child, scope, and || or)
	case *And:
		for i, c := range n.Children {
			if i > 0 {
				b.WriteString(" AND ")
			}
			_, or := c.(*Or)
			writeOperand(b, c, scope, or)
		}
	case *Or:
		for i, c := range n.Children {
			if i > 0 {
				b.WriteString(" OR ")
			}
			_, and := c.(*And)
			writeOperand(b, c, scope, and)
		}
	case *Near:
		_, or := n.Left.(*Or)
		writeOperand(b, n.Left, scope, or)
		b.WriteString(" NEAR/")
		b.WriteString(strconv.Itoa(n.Dist))
		b.WriteByte(' ')
		_, or = n.Right.(*Or)
		_, near := n.Right.(*Near)
		writeOperand(b, n.Right, scope, or || near)
	}
}

func writeField(b *strings.Builder, field, scope string) {
	if field != "" && field != scope {
		b.WriteString(field)
		b.WriteByte(':')
	}
}

// groupScope returns the field scope to write once around the group n: the
// field all its terms and phrases share, or for an OR of keyword filters on
// one field, that field. It returns "" for a single term, phrase, keyword or
// NOT, which print their own scope, and for groups without a common one.
func groupScope(n Node) string {
	switch n := n.(type) {
	case *Near:
		return n.Field
	case *And:
		f, ok := leafScope(n)
		if ok {
			return f
		}
	case *Or:
		if len(n.Children) == 0 {
			return ""
		}
		if k, ok := n.Children[0].(*Keyword); ok {
			for _, c := range n.Children[1:] {
				if c, ok := c.(*Keyword); !ok || c.Field != k.Field {
					return ""
				}
			}
			return k.Field
		}
		f, ok := leafScope(n)
		if ok {
			return f
		}
	}
	return ""
}

// leafScope returns the field shared by every term and phrase below n, and
// false when they differ or a keyword filter is among them. A Near answers
// with its Field, which Parse keeps equal to its operands' field, so that
// printing a long NEAR chain does not walk it again at every link.
func leafScope(n Node) (string, bool) {
	switch n := n.(type) {
	case *Term:
		return n.Field, true
	case *Phrase:
		return n.Field, true
	case *Not:
		return leafScope(n.Child)
	case *Near:
		return n.Field, true
	case *And:
		return childrenScope(n.Children)
	case *Or:
		return childrenScope(n.Children)
	}
	return "", false
}

func childrenScope(children []Node) (string, bool) {
	if len(children) == 0 {
		return "", false
	}
	f, ok := leafScope(children[0])
	if !ok {
		return "", false
	}
	for _, c := range children[1:] {
		if g, ok := leafScope(c); !ok || g != f {
			return "", false
		}
	}
	return f, true
}
