// Package rules holds Kuzot's crisis-rule language and what runs it. Parse
// turns a query such as `(врач OR медсестра) AND "врачебная ошибка"` into
// a syntax tree with positions for error messages, and a tree prints in a
// canonical form. A tree compiles to a bleve query over the index (Bleve)
// and, with the rest of a rule set, to a Matcher, which scores an analysed
// article against every rule at once (Match, or MatchBatch for many) and
// gives each match its evidence; both read words, phrases and NEAR/n the
// same way. A Scorer turns matches into scores and decisions.
package rules
