package alerting

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"kuzot/config"
	"kuzot/store"
)

// threaded reports whether a receiver kind carries an alert's follow-ups
// (new articles, acknowledgements) as replies: Slack and Telegram threads,
// and webhooks, whose consumers decide for themselves. Email gets only what
// needs a reader's attention: new alerts, escalations, re-openings.
func threaded(kind string) bool { return kind != "email" }

// routed returns the receivers the routes send an alert to, each with the
// earliest time it may be sent: now, or the end of the quiet hours of
// every route that sends it (critical alerts ignore quiet hours).
func (e *Engine) routed(al *store.Alert, now time.Time) map[string]time.Time {
	out := map[string]time.Time{}
	loc := e.cfg.Location()
	for i := range e.cfg.Alerting.Routes {
		rt := &e.cfg.Alerting.Routes[i]
		if !fits(rt, al) {
			continue
		}
		at := now
		if al.Severity != "critical" && rt.QuietHours != nil {
			at = rt.QuietHours.End(now, loc)
		}
		for _, name := range rt.Receivers {
			if prev, ok := out[name]; !ok || at.Before(prev) {
				out[name] = at
			}
		}
	}
	return out
}

// fits reports whether an alert is one a route sends.
func fits(rt *config.Route, al *store.Alert) bool {
	if severityRank(al.Severity) < severityRank(rt.MinSeverity) {
		return false
	}
	if len(rt.Categories) == 0 {
		return true
	}
	for _, c := range al.Categories {
		if slices.Contains(rt.Categories, c) {
			return true
		}
	}
	return al.Kind == "spike" && slices.Contains(rt.Categories, "spike")
}

// route returns the outbox items of one change of an alert: kind new,
// escalation, reopen, update or status. Keys make each unique per alert
// version (or article, for an update) and receiver.
func (e *Engine) route(al *store.Alert, kind string, articleID int64, now time.Time) []store.OutboxItem {
	to := e.routed(al, now)
	names := make([]string, 0, len(to))
	for n := range to {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []store.OutboxItem
	for _, name := range names {
		r := e.receivers[name]
		if r == nil {
			continue
		}
		at := to[name]
		var key string
		switch kind {
		case KindUpdate:
			if !threaded(r.Kind()) {
				continue
			}
			// An update waits for nothing but the alert's first message:
			// it is sent as a reply to it, or dropped when that message
			// already carried the article.
			at = now
			key = fmt.Sprintf("%s/article/%d/%s", al.ID, articleID, name)
		case KindStatus:
			if !threaded(r.Kind()) {
				continue
			}
			at = now
			key = fmt.Sprintf("%s/v%d/%s/%s", al.ID, al.Version, kind, name)
		case KindNew:
			// The group wait gathers what arrives with the first article;
			// quiet hours that end later hold it longer.
			if wait := now.Add(e.cfg.Alerting.GroupWait.D()); wait.After(at) {
				at = wait
			}
			key = fmt.Sprintf("%s/v%d/%s/%s", al.ID, al.Version, kind, name)
		default:
			key = fmt.Sprintf("%s/v%d/%s/%s", al.ID, al.Version, kind, name)
		}
		out = append(out, store.OutboxItem{
			Key: key, AlertID: al.ID, Receiver: name, Kind: kind, Version: al.Version,
			ArticleID: articleID, Created: now, NotBefore: at,
		})
	}
	return out
}
