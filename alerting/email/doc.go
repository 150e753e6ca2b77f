// Package email sends mail through the configured SMTP server and delivers
// alerts as multipart text and HTML messages.
//
// A Sender tells a failure worth retrying (a refused connection, a timeout,
// an SMTP 4xx reply) from one that needs a person (a 5xx reply: a bad
// recipient, a wrong password), and names the server and the fix. A
// Notifier renders alerting.Message values with embedded templates that a
// press office can override from a directory, and threads the messages of
// one alert through Message-ID, In-Reply-To and References.
package email
