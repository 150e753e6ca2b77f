package synth

import (
	"fmt"
	"slices"
	"strings"
)

// parseLemmas reads a lemma list: "[g]" (or h, c, e, p) starts a topic
// (general, health, crime, economy, politics), and each line "code: word
// word ..." lists lemmas inflected by inflect with that paradigm code; the
// code "=" gives an irregular word's forms, separated by "|". An
// underscore in a word stands for a space. Lists are package data, so a
// mistake in one is a programming error and panics.
func parseLemmas(text string, inflect func(word, code string) []string) []lemma {
	topics := map[string]int{"[g]": topicGeneral, "[h]": topicHealth, "[c]": topicCrime, "[e]": topicEconomy, "[p]": topicPolitics}
	topic := topicGeneral
	var out []lemma
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if t, ok := topics[line]; ok {
			topic = t
			continue
		}
		code, words, ok := strings.Cut(line, ":")
		if !ok {
			panic(fmt.Sprintf("synth: lemma list line %q has no paradigm", line))
		}
		for _, w := range strings.Fields(words) {
			w = strings.ReplaceAll(w, "_", " ")
			var forms []string
			if code == "=" {
				forms = strings.Split(w, "|") // an irregular word, all its forms given
			} else {
				forms = inflect(w, code)
			}
			if len(forms) == 0 {
				panic(fmt.Sprintf("synth: no forms for %q (%s)", w, code))
			}
			out = append(out, lemma{forms: forms, topic: topic})
		}
	}
	return out
}

// parseEntities reads one entity a line, its forms separated by "|".
func parseEntities(text string) [][]string {
	var out [][]string
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line != "" {
			out = append(out, strings.Split(line, "|"))
		}
	}
	return out
}

// weighted picks a string from choices, each followed by its weight, as in
// {"н", 3, "р", 2}: a compact way to write the syllable inventories.
type weighted struct {
	items []string
	cum   []float64
}

func newWeighted(spec string) weighted {
	var w weighted
	total := 0.0
	for _, f := range strings.Fields(spec) {
		item, n := f, 1.0
		if s, num, ok := strings.Cut(f, "*"); ok {
			item = s
			fmt.Sscan(num, &n)
		}
		if item == "0" {
			item = ""
		}
		total += n
		w.items = append(w.items, item)
		w.cum = append(w.cum, total)
	}
	return w
}

func (w *weighted) pick(r *rng) string {
	x := r.float() * w.cum[len(w.cum)-1]
	for i, c := range w.cum {
		if x < c {
			return w.items[i]
		}
	}
	return w.items[len(w.items)-1]
}

// dedup drops repeated forms, keeping the first.
func dedup(forms []string) []string {
	out := make([]string, 0, len(forms))
	for _, f := range forms {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
