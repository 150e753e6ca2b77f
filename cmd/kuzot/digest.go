package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"kuzot/alerting/email"
	"kuzot/digest"
	"kuzot/store"
)

// cmdDigest previews or sends the weekly digest.
func cmdDigest(args []string) error {
	if len(args) > 0 && args[0] == "status" {
		return digestStatus(args[1:])
	}
	if len(args) == 0 || (args[0] != "preview" && args[0] != "send") {
		return errors.New("digest needs preview, send or status: kuzot digest preview [--html FILE] [--text] [--from DATE --to DATE] | kuzot digest send [--from DATE --to DATE] | kuzot digest status")
	}
	sub := args[0]
	fs := flag.NewFlagSet("digest "+sub, flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	from := fs.String("from", "", "first day of the period (default: the period of the latest scheduled digest)")
	to := fs.String("to", "", "last day of the period, inclusive")
	var htmlOut *string
	var text *bool
	if sub == "preview" {
		htmlOut = fs.String("html", "", "write the HTML, chart inline, to FILE")
		text = fs.Bool("text", false, "print the text part (the default without --html)")
	}
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, err := common.load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer a.close()
	if err := a.openIndex(ctx); err != nil {
		return err
	}
	var mailer digest.Mailer
	if sub == "send" && a.cfg.SMTP.Host != "" {
		s, err := email.NewSender(a.cfg.SMTP)
		if err != nil {
			return err
		}
		mailer = s
	}
	r, err := digest.NewRunner(a.cfg, a.store, digest.IndexCounter{X: a.index}, mailer, a.log, digest.Options{})
	if err != nil {
		return err
	}
	pf, pt, err := period(*from, *to, a.cfg.Location(), func() (time.Time, time.Time) { return r.Period(r.LastRun(time.Now())) })
	if err != nil {
		return err
	}

	if sub == "send" {
		err := r.Send(ctx, pf, pt)
		if errors.Is(err, digest.ErrAlreadySent) {
			fmt.Fprintf(os.Stdout, "%s; not sent again\n", strings.TrimPrefix(err.Error(), "digest: "))
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stdout, "digest %s sent to %s\n", digest.PeriodText(pf, pt), strings.Join(a.cfg.Digest.Recipients, ", "))
		return nil
	}
	d, err := r.Preview(ctx, pf, pt)
	if err != nil {
		return err
	}
	if *htmlOut != "" {
		if err := os.WriteFile(*htmlOut, []byte(d.PreviewHTML), 0o644); err != nil {
			return fmt.Errorf("digest preview: %w", err)
		}
		fmt.Fprintf(os.Stderr, "wrote %s\n", *htmlOut)
	}
	if *text || *htmlOut == "" {
		fmt.Fprintf(os.Stdout, "Subject: %s\n\n%s", d.Subject, d.Text)
	}
	return nil
}

// period reads --from and --to (dates, the last one inclusive) into
// [from, to); without them it is def's.
func period(fromS, toS string, loc *time.Location, def func() (time.Time, time.Time)) (time.Time, time.Time, error) {
	if fromS == "" && toS == "" {
		from, to := def()
		if from.IsZero() {
			return from, to, errors.New("no scheduled digest in the last 35 days: give --from and --to")
		}
		return from, to, nil
	}
	if fromS == "" || toS == "" {
		return time.Time{}, time.Time{}, errors.New("give both --from and --to (e.g. --from 2026-01-01 --to 2026-03-31)")
	}
	from, err := parseDate(fromS, loc)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("--from: %w", err)
	}
	to, err := parseDate(toS, loc)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("--to: %w", err)
	}
	if !strings.Contains(toS, "T") {
		to = to.AddDate(0, 0, 1)
	}
	if !to.After(from) {
		return time.Time{}, time.Time{}, fmt.Errorf("--to %s is before --from %s", toS, fromS)
	}
	return from, to, nil
}

// digestStatus lists the digests recorded: sent, failed (with the error)
// or being sent.
func digestStatus(args []string) error {
	fs := flag.NewFlagSet("digest status", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 20, "most digests listed")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	ctx := context.Background()
	a, err := common.loadStore(ctx)
	if err != nil {
		return err
	}
	defer a.close()
	ds, err := a.store.Digests(ctx, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		if ds == nil {
			ds = []store.DigestRecord{}
		}
		return writeJSON(os.Stdout, ds)
	}
	if len(ds) == 0 {
		fmt.Println("no digest recorded yet (kuzot digest send, or kuzot serve with digest.recipients)")
		return nil
	}
	loc := a.cfg.Location()
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PERIOD\tLANG\tSTATE\tATTEMPTS\tSENT\tERROR")
	for _, d := range ds {
		sent := "—"
		if !d.SentAt.IsZero() {
			sent = d.SentAt.In(loc).Format("02.01.2006 15:04")
		}
		fmt.Fprintf(tw, "%s — %s\t%s\t%s\t%d\t%s\t%s\n", d.From.In(loc).Format("02.01.2006"), d.To.Add(-time.Second).In(loc).Format("02.01.2006"),
			d.Lang, d.State, d.Attempts, sent, truncate(d.LastError, 80))
	}
	return tw.Flush()
}
