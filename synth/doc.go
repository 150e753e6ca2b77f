// Package synth generates a deterministic synthetic archive of Kyrgyz news in
// Russian, Kyrgyz and a little English, for benchmarks of the search index and
// the rule matcher: article n is a pure function of the seed and n, so a
// benchmark can generate a million articles on the fly without storing them.
//
// The text is not meant to be read but to look like news to an analyser:
// Zipfian word frequencies over about 60,000 word forms per language, real
// function words and inflected lemmas (Russian case endings, Kyrgyz suffixes
// with vowel harmony) at the head, inflected pseudo-words in the tail,
// recurring named entities, numbers and dates, log-normal article lengths.
package synth
