package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"kuzot/crawler"
)

// cmdSources shows each source's health, or checks every source once.
func cmdSources(args []string) error {
	fs := flag.NewFlagSet("sources", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	a, err := common.load()
	if err != nil {
		return err
	}
	ctx := context.Background()
	switch {
	case len(pos) == 0:
		if err := a.openStore(ctx); err != nil {
			return err
		}
		defer a.close()
		return sourceHealth(ctx, a, *asJSON)
	case len(pos) == 1 && pos[0] == "check":
		return sourceCheck(ctx, a, *asJSON)
	default:
		return fmt.Errorf("sources: unknown arguments %q (try `kuzot sources` or `kuzot sources check`)", pos)
	}
}

type healthRow struct {
	ID          string `json:"id"`
	Outlet      string `json:"outlet"`
	Kind        string `json:"kind"`
	Enabled     bool   `json:"enabled"`
	LastFetch   string `json:"last_fetch,omitempty"`
	LastSuccess string `json:"last_success,omitempty"`
	Status      string `json:"status"`
	Errors      int    `json:"errors_in_a_row"`
	LastError   string `json:"last_error,omitempty"`
	Articles24h int    `json:"articles_24h"`
	Articles7d  int    `json:"articles_7d"`
	NextCheck   string `json:"next_check,omitempty"`
}

func sourceHealth(ctx context.Context, a *app, asJSON bool) error {
	now := time.Now()
	states, err := a.store.SourceStates(ctx)
	if err != nil {
		return err
	}
	counts, err := a.store.RecentCounts(ctx, now)
	if err != nil {
		return err
	}
	rfc := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	var rows []healthRow
	for _, s := range a.cfg.Sources {
		st := states[s.ID]
		status := st.LastStatus
		if status == "" {
			status = "never polled"
		}
		rows = append(rows, healthRow{ID: s.ID, Outlet: s.Outlet, Kind: s.Kind, Enabled: !s.Disabled, LastFetch: rfc(st.LastFetch),
			LastSuccess: rfc(st.LastSuccess), Status: status, Errors: st.ErrorCount, LastError: st.LastError,
			Articles24h: counts[s.ID].Day, Articles7d: counts[s.ID].Week, NextCheck: rfc(st.NextCheck)})
	}
	if asJSON {
		return writeJSON(os.Stdout, rows)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tLAST FETCH\tSTATUS\tERRORS\t24H\t7D\tNEXT\tLAST ERROR")
	for i, r := range rows {
		st := states[r.ID]
		status := r.Status
		if !r.Enabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", r.ID, r.Kind, ago(now, st.LastFetch), status, r.Errors,
			r.Articles24h, r.Articles7d, ago(now, st.NextCheck), truncate(rows[i].LastError, 90))
	}
	return tw.Flush()
}

type checkRow struct {
	ID     string `json:"id"`
	URL    string `json:"url"`
	OK     bool   `json:"ok"`
	Items  int    `json:"items"`
	Sample string `json:"sample,omitempty"`
	Error  string `json:"error,omitempty"`
}

func sourceCheck(ctx context.Context, a *app, asJSON bool) error {
	c := crawler.New(a.cfg, nil, a.log)
	results := c.CheckAll(ctx)
	rows := make([]checkRow, len(results))
	bad := 0
	for i, r := range results {
		rows[i] = checkRow{ID: r.Source, URL: r.URL, OK: r.Err == nil, Items: r.Items, Sample: r.Sample}
		if r.Err != nil {
			rows[i].Error = r.Err.Error()
			bad++
		}
	}
	if asJSON {
		if err := writeJSON(os.Stdout, rows); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SOURCE\tRESULT\tITEMS\tSAMPLE OR ERROR")
		for _, r := range rows {
			result, detail := "ok", r.Sample
			if !r.OK {
				result, detail = "FAILED", r.Error
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", r.ID, result, r.Items, truncate(detail, 110))
		}
		tw.Flush()
		fmt.Printf("%d of %d sources work; fix or disable the others in %s\n", len(rows)-bad, len(rows), a.cfgPath)
	}
	if bad > 0 {
		return fmt.Errorf("sources check: %d of %d sources failed", bad, len(rows))
	}
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
