// Package analysis turns text into the terms that search and the crisis
// rules both match: tokenising, case and ё/е folding, Russian Snowball and
// English Porter2 stemming, the Kyrgyz suffix stemmer, language detection.
// It lives in one place so that a rule finds the same articles when it
// scores a new article and when it is backtested on the archive.
package analysis
