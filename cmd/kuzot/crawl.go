package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"kuzot/crawler"
)

// cmdCrawl polls every source once, or walks back in time with --backfill.
func cmdCrawl(args []string) error {
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	once := fs.Bool("once", false, "poll every source once and exit (required)")
	backfill := fs.String("backfill", "", "also walk listing pages back this far, e.g. 7d")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if !*once {
		return errors.New("crawl needs --once (the scheduled crawler is `kuzot serve`)")
	}
	var since time.Duration
	if *backfill != "" {
		var err error
		if since, err = parseAge(*backfill); err != nil {
			return fmt.Errorf("--backfill: %w", err)
		}
	}
	a, err := common.load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := a.openStore(ctx); err != nil {
		return err
	}
	defer a.close()
	c := crawler.New(a.cfg, a.store, a.log)

	if since > 0 {
		runBackfill(ctx, c, time.Now().Add(-since), os.Stderr)
	}
	bar := newProgress(len(c.Sources()), "polling", os.Stderr)
	results := c.PollAll(ctx, func(r crawler.PollResult) { bar.step(r.Source, r.Status) })
	bar.finish()
	// Index what was stored, so that `kuzot search` finds it at once.
	if err := a.openIndex(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	// Alert on what was stored and send it before exiting; what cannot be
	// delivered stays in the outbox for the next run or kuzot serve.
	engine, err := a.newEngine()
	if err != nil {
		return err
	}
	if _, err := engine.Process(context.WithoutCancel(ctx), a.index.LastID()); err != nil {
		return err
	}
	if _, err := engine.Flush(ctx); err != nil {
		a.log.Warn("alert delivery incomplete; the outbox keeps the rest", "err", err)
	}
	if *asJSON {
		return writeJSON(os.Stdout, pollJSON(results))
	}
	return printPolls(os.Stdout, results)
}

// runBackfill walks every source back to since with a progress display.
func runBackfill(ctx context.Context, c *crawler.Crawler, since time.Time, w io.Writer) {
	bar := newProgress(len(c.Sources()), "backfill", w)
	c.Backfill(ctx, since, func(s crawler.BackfillStep) {
		status := fmt.Sprintf("%s: %d stored", s.Page, s.Stored)
		if s.Err != nil {
			status = fmt.Sprintf("%s: %v", s.Page, s.Err)
		}
		if s.Done {
			bar.step(s.Source, status)
		} else {
			bar.note(s.Source, status)
		}
	})
	bar.finish()
}

type pollRow struct {
	Source     string  `json:"source"`
	Status     string  `json:"status"`
	Items      int     `json:"items"`
	New        int     `json:"new"`
	Stored     int     `json:"stored"`
	Duplicates int     `json:"duplicates"`
	Failed     int     `json:"failed"`
	Deferred   int     `json:"deferred"`
	Error      string  `json:"error,omitempty"`
	Seconds    float64 `json:"seconds"`
	NextCheck  string  `json:"next_check"`
}

func pollJSON(results []crawler.PollResult) []pollRow {
	rows := make([]pollRow, len(results))
	for i, r := range results {
		rows[i] = pollRow{Source: r.Source, Status: r.Status, Items: r.Items, New: r.New, Stored: r.Stored,
			Duplicates: r.Duplicates, Failed: r.Failed, Deferred: r.Deferred, Seconds: r.Duration.Seconds(), NextCheck: r.NextCheck.UTC().Format(time.RFC3339)}
		if r.Err != nil {
			rows[i].Error = r.Err.Error()
		}
	}
	return rows
}

func printPolls(w io.Writer, results []crawler.PollResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSTATUS\tITEMS\tNEW\tSTORED\tDUPL\tFAILED\tLATER\tTOOK\tERROR")
	var stored, failed int
	for _, r := range results {
		msg := ""
		if r.Err != nil {
			msg = r.Err.Error()
			failed++
		}
		stored += r.Stored
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", r.Source, r.Status, r.Items, r.New, r.Stored, r.Duplicates, r.Failed, r.Deferred, r.Duration.Round(time.Millisecond), msg)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d sources polled, %d failed, %d articles stored\n", len(results), failed, stored)
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// progress is a bar on a terminal and plain lines elsewhere (CI logs, pipes).
type progress struct {
	bar *progressbar.ProgressBar
	w   io.Writer
	n   int
	of  int
}

func newProgress(total int, what string, w io.Writer) *progress {
	p := &progress{w: w, of: total}
	if isTerminal(w) {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30))
	}
	return p
}

// step marks one unit done.
func (p *progress) step(name, status string) {
	p.n++
	if p.bar != nil {
		p.bar.Describe(name + " " + status)
		_ = p.bar.Add(1)
		return
	}
	fmt.Fprintf(p.w, "[%d/%d] %s: %s\n", p.n, p.of, name, status)
}

// note reports progress inside a unit without completing it.
func (p *progress) note(name, status string) {
	if p.bar != nil {
		p.bar.Describe(name + " " + status)
		return
	}
	fmt.Fprintf(p.w, "      %s: %s\n", name, status)
}

// countBar shows how far a long count has got, on a terminal only: a
// reindex of a large archive, or an index catching up at start. It shows
// nothing for small counts.
type countBar struct {
	what string
	w    io.Writer
	bar  *progressbar.ProgressBar
}

func newCountBar(what string, w io.Writer) *countBar { return &countBar{what: what, w: w} }

func (c *countBar) set(done, total int) {
	if total < 1000 || !isTerminal(c.w) {
		return
	}
	if c.bar == nil {
		c.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(c.w), progressbar.OptionSetDescription(c.what),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30))
	}
	_ = c.bar.Set(done)
}

func (c *countBar) finish() {
	if c.bar != nil {
		_ = c.bar.Finish()
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
