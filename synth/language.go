package synth

import "sync"

// Languages, as indexes into the generator's tables.
const (
	langRU = iota
	langKY
	langEN
	nLangs
)

var langCodes = [nLangs]string{"ru", "ky", "en"}

// Vocabulary sizes: distinct forms each language's Zipf draw ranges over.
const (
	vocabSizeRU = 60000
	vocabSizeKY = 60000
	vocabSizeEN = 15000
)

// vocabularies builds the three vocabularies once per process. They depend
// on nothing in Config (their invented words come from fixed seeds), so
// every generator shares them and New is cheap after the first.
var vocabularies = sync.OnceValue(func() [nLangs]*vocab {
	specs := [nLangs]langSpec{
		{
			code: "ru", head: ruHead, lemmas: parseLemmas(ruLemmas, ruInflect), pseudo: ruPseudo,
			entities: withPersons(parseEntities(ruEntities), ruMen, ruWomen, ruSurnames, ruPerson),
			size:     vocabSizeRU, seed: 0x7275,
		},
		{
			code: "ky", head: kyHead, lemmas: parseLemmas(kyLemmas, kyInflect), pseudo: kyPseudo,
			entities: withPersons(parseEntities(kyEntities), kyMen, kyWomen, kySurnames, kyPerson),
			size:     vocabSizeKY, seed: 0x6b79,
		},
		{
			code: "en", head: enHead, lemmas: parseLemmas(enLemmas, enInflect), pseudo: enPseudo,
			entities: withPersons(parseEntities(enEntities), enMen, enWomen, enSurnames, enPerson),
			size:     vocabSizeEN, seed: 0x656e,
		},
	}
	var out [nLangs]*vocab
	var wg sync.WaitGroup
	for i := range specs {
		wg.Go(func() { out[i] = buildVocab(specs[i]) })
	}
	wg.Wait()
	return out
})

// withPersons interleaves people with the other entities, one person after
// every second entity, so that some people are as often in the news as a
// city and many are rare. Every third person is a woman.
func withPersons(ents [][]string, men, women, surnames []string, person func(first, surname string, woman bool) []string) [][]string {
	var people [][]string
	for i := range surnames {
		s := surnames[i*7%len(surnames)]
		if i%3 == 2 {
			people = append(people, person(women[i/3%len(women)], s, true))
		} else {
			people = append(people, person(men[i%len(men)], s, false))
		}
	}
	var out [][]string
	for i, e := range ents {
		out = append(out, e)
		if i%2 == 1 && len(people) > 0 {
			out = append(out, people[0])
			people = people[1:]
		}
	}
	return append(out, people...)
}
