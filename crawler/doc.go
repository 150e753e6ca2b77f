// Package crawler polls news sources politely and turns what it finds into
// normalised articles for the store: scheduling, fetching (robots.txt,
// per-host limits, conditional GET, back-off), parsing feeds, listing pages
// and Telegram previews, extracting article text and normalising it.
package crawler
