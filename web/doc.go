// Package web serves Kuzot's HTML UI and JSON API: search over the archive,
// the alerts board, the rules with their backtests, the sources' health,
// /metrics and /healthz, behind logins with roles, sessions, CSRF tokens
// and API tokens.
//
// Roles: a viewer reads everything (search, CSV export, alerts, stories,
// rules, sources, metrics); an analyst also acknowledges and resolves
// alerts and backtests rules in the editor; an admin also manages users
// and API tokens. An API token acts as its user, with the user's role.
package web
