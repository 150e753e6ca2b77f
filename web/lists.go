package web

import (
	"kuzot/config"
	"kuzot/rules"
)

// checkQuery parses q with each @name standing for one word of the same
// length, so that a syntax error points into the text the user wrote.
func checkQuery(q string) error {
	b := []byte(q)
	config.EachListRef(q, func(start, end int, _ string) {
		for i := start; i < end; i++ {
			b[i] = 'x'
		}
	})
	_, err := rules.Parse(string(b))
	return err
}
