package web

import (
	"fmt"
	"regexp"
	"strings"

	"kuzot/rules"
)

// listRef is a reference to a named word list of config.yaml's
// rule_lists in a query: @ru-staff. The rule editor takes queries as
// config.yaml holds them, lists and all.
var listRef = regexp.MustCompile(`^@([a-z0-9][a-z0-9-]*)`)

// eachListRef calls fn with the byte range and name of every @name in q
// outside quoted phrases.
func eachListRef(q string, fn func(start, end int, name string)) {
	inQuote := false
	for i := 0; i < len(q); i++ {
		switch {
		case q[i] == '"':
			inQuote = !inQuote
		case q[i] == '@' && !inQuote:
			if m := listRef.FindStringSubmatchIndex(q[i:]); m != nil {
				fn(i, i+m[1], q[i+m[2]:i+m[3]])
				i += m[1] - 1
			}
		}
	}
}

// checkQuery parses q with each @name standing for one word of the same
// length, so that a syntax error points into the text the user wrote.
func checkQuery(q string) error {
	b := []byte(q)
	eachListRef(q, func(start, end int, _ string) {
		for i := start; i < end; i++ {
			b[i] = 'x'
		}
	})
	_, err := rules.Parse(string(b))
	return err
}

// expandLists replaces every @name in q with its list in parentheses,
// lists within lists too, the way config.yaml's rules are read.
func expandLists(q string, lists map[string]string, depth int) (string, error) {
	if depth > 5 {
		return "", fmt.Errorf("lists nest more than 5 deep (does one refer to itself?)")
	}
	var b strings.Builder
	var err error
	last := 0
	eachListRef(q, func(start, end int, name string) {
		if err != nil {
			return
		}
		list, ok := lists[name]
		if !ok {
			err = badf("@%s is not a list in rule_lists of config.yaml", name)
			return
		}
		var sub string
		if sub, err = expandLists(list, lists, depth+1); err != nil {
			return
		}
		b.WriteString(q[last:start])
		b.WriteString("(" + sub + ")")
		last = end
	})
	if err != nil {
		return "", err
	}
	b.WriteString(q[last:])
	return b.String(), nil
}
