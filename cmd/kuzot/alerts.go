package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"kuzot/alerting"
	"kuzot/store"
)

// cmdAlerts lists alerts, acknowledges or resolves one, shows one with its
// history, or shows the outbox of notifications.
func cmdAlerts(args []string) error {
	fs := flag.NewFlagSet("alerts", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	status := fs.String("status", "open,acknowledged", "statuses listed: open, acknowledged, resolved or all")
	since := fs.String("since", "", "only alerts raised this long ago or later (30d, 12h)")
	limit := fs.Int("limit", 50, "most alerts listed")
	by := fs.String("by", "", "who acknowledges or resolves (default $USER)")
	comment := fs.String("comment", "", "a comment with the acknowledgement or resolution")
	state := fs.String("state", "failed,pending", "outbox states shown: pending, delivered, failed, skipped, summarised or all")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	ctx := context.Background()
	a, err := common.loadStore(ctx)
	if err != nil {
		return err
	}
	defer a.close()
	out := os.Stdout
	switch {
	case len(pos) == 0:
		f := store.AlertFilter{Limit: *limit, WithArticles: true}
		if *status != "all" {
			for _, s := range strings.Split(*status, ",") {
				s = strings.TrimSpace(s)
				if s != store.StatusOpen && s != store.StatusAcknowledged && s != store.StatusResolved {
					return fmt.Errorf("alerts: --status %q: use open, acknowledged, resolved or all", s)
				}
				f.Statuses = append(f.Statuses, s)
			}
		}
		if *since != "" {
			d, err := parseAge(*since)
			if err != nil {
				return fmt.Errorf("alerts: --since: %w", err)
			}
			f.Since = time.Now().Add(-d)
		}
		as, err := a.store.Alerts(ctx, f)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeAlertsJSON(out, as)
		}
		printAlerts(out, as, a.cfg.Location(), time.Now())
		return nil
	case len(pos) == 2 && (pos[0] == "ack" || pos[0] == "resolve"):
		who := *by
		if who == "" {
			who = os.Getenv("USER")
		}
		if who == "" {
			return fmt.Errorf("alerts %s: say who you are with --by NAME", pos[0])
		}
		// No notifier here: the running service delivers the status
		// notifications this writes to the outbox.
		e := alerting.NewEngine(a.cfg, a.store, nil, alerting.WithLogger(a.log))
		act, done := e.Acknowledge, "acknowledged"
		if pos[0] == "resolve" {
			act, done = e.Resolve, "resolved"
		}
		if err := act(ctx, pos[1], who, *comment); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("alerts %s: no alert %q (kuzot alerts --status all lists them)", pos[0], pos[1])
			}
			return err
		}
		fmt.Fprintf(out, "alert %s %s by %s\n", pos[1], done, who)
		return nil
	case len(pos) == 2 && pos[0] == "show":
		al, err := a.store.Alert(ctx, pos[1])
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("alerts show: no alert %q (kuzot alerts --status all lists them)", pos[1])
		}
		if err != nil {
			return err
		}
		events, err := a.store.AlertEvents(ctx, al.ID)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			return enc.Encode(struct {
				alertJSON
				Events []store.AlertEvent `json:"events"`
			}{newAlertJSON(al), events})
		}
		printAlert(out, al, events, a.cfg.Location())
		return nil
	case len(pos) == 1 && pos[0] == "outbox":
		f := store.OutboxFilter{Limit: *limit}
		if *state != "all" {
			f.States = strings.Split(*state, ",")
		}
		items, err := a.store.Outbox(ctx, f)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			if items == nil {
				items = []store.OutboxItem{}
			}
			return enc.Encode(items)
		}
		printOutbox(out, items, a.cfg.Location())
		return nil
	default:
		return fmt.Errorf("alerts: unknown arguments %q (try kuzot alerts, kuzot alerts ack ID, kuzot alerts resolve ID, kuzot alerts show ID, kuzot alerts outbox)", pos)
	}
}

// alertJSON is an alert as DESIGN.md's contract has it, with its response
// clock: seconds from first publication to alert, acknowledgement and
// resolution.
type alertJSON struct {
	*store.Alert
	Response response `json:"response"`
}

type response struct {
	ToAlert   *float64 `json:"to_alert_seconds"`
	ToAck     *float64 `json:"to_acknowledge_seconds"`
	ToResolve *float64 `json:"to_resolve_seconds"`
}

func newAlertJSON(a *store.Alert) alertJSON {
	since := func(t time.Time) *float64 {
		if t.IsZero() || a.FirstPublished.IsZero() {
			return nil
		}
		v := t.Sub(a.FirstPublished).Seconds()
		return &v
	}
	return alertJSON{a, response{since(a.AlertedAt), since(a.AckedAt), since(a.ResolvedAt)}}
}

func writeAlertsJSON(w io.Writer, as []*store.Alert) error {
	out := make([]alertJSON, len(as))
	for i, a := range as {
		out[i] = newAlertJSON(a)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func printAlerts(w io.Writer, as []*store.Alert, loc *time.Location, now time.Time) {
	if len(as) == 0 {
		fmt.Fprintln(w, "no alerts (kuzot alerts --status all shows resolved ones too)")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tSTATUS\tRAISED\tOUTLETS\tTITLE")
	for _, a := range as {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", a.ID, a.Severity, a.Status, a.Created.In(loc).Format("02.01 15:04"),
			len(alerting.Outlets(a)), truncate(a.Title, 70))
	}
	tw.Flush()
}

func printAlert(w io.Writer, a *store.Alert, events []store.AlertEvent, loc *time.Location) {
	t := func(v time.Time) string {
		if v.IsZero() {
			return "—"
		}
		return v.In(loc).Format("02.01.2006 15:04:05")
	}
	fmt.Fprintf(w, "%s  %s  %s  (score %.1f)\n%s\n%s\n\n", a.ID, strings.ToUpper(a.Severity), a.Status, a.Score, a.Title, a.URL)
	fmt.Fprintf(w, "categories: %s\nrules:      %s\n", strings.Join(a.Categories, ", "), strings.Join(a.Rules, ", "))
	fmt.Fprintf(w, "first published %s · raised %s · alerted %s · acknowledged %s %s · resolved %s %s\n\n",
		t(a.FirstPublished), t(a.Created), t(a.AlertedAt), t(a.AckedAt), a.AckedBy, t(a.ResolvedAt), a.ResolvedBy)
	fmt.Fprintln(w, "articles:")
	for _, art := range a.Articles {
		fmt.Fprintf(w, "  %s  %-16s %s\n", art.Published.In(loc).Format("02.01 15:04"), art.Outlet, art.Title)
	}
	fmt.Fprintln(w, "evidence:")
	for _, e := range a.Evidence {
		fmt.Fprintf(w, "  [%s %s] %s\n", e.Rule, e.Field, alerting.Marked(e, "[", "]", nil))
	}
	fmt.Fprintln(w, "history:")
	for _, e := range events {
		fmt.Fprintf(w, "  %s  %-12s %s %s %s\n", e.At.In(loc).Format("02.01 15:04:05"), e.Kind, e.Actor, e.Comment, e.Detail)
	}
}

func printOutbox(w io.Writer, items []store.OutboxItem, loc *time.Location) {
	if len(items) == 0 {
		fmt.Fprintln(w, "outbox empty for these states (try --state all)")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tALERT\tRECEIVER\tKIND\tSTATE\tATTEMPTS\tNEXT\tERROR")
	for _, o := range items {
		next := "—"
		if o.State == store.OutboxPending {
			next = o.NextAttempt.In(loc).Format("02.01 15:04:05")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", o.ID, o.AlertID, o.Receiver, o.Kind, o.State, o.Attempts, next, truncate(o.LastError, 80))
	}
	tw.Flush()
}
