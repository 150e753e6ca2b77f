// Package rules holds Kuzot's crisis-rule language: the parser that turns a
// query such as `(врач OR медсестра) AND "врачебная ошибка"` into a syntax
// tree with positions for error messages, and the canonical form of a tree.
// Stemming, compiling to a matcher and to a search query happen downstream,
// on the tree Parse returns.
package rules
