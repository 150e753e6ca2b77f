// Package webhook delivers alerts as JSON to any HTTP endpoint (a ticket
// system, a duty bot), with an Idempotency-Key per message so that a
// receiver that honours it never acts on a retried delivery twice.
package webhook
