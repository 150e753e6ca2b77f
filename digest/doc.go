// Package digest computes the figures of a period — mentions of the watch
// list and of each category, top stories, outlets, alerts and response
// times, new sources, daily mentions — and mails them as the weekly digest;
// the same figures make the period reports of kuzot report.
//
// Compute reads the store and counts watch-list mentions through a Counter
// (the search index), never by running the matcher over the archive.
// A Runner sends the digest on its cron schedule, records it in the store
// so that it goes out once, retries a failed send and catches up on a
// digest missed while the service was down.
package digest
