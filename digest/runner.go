package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"kuzot/alerting/email"
	"kuzot/config"
	"kuzot/store"
)

// ErrAlreadySent is returned by Send for a digest that went out before.
var ErrAlreadySent = errors.New("digest: already sent")

// Runner sends the digest on schedule and on demand.
type Runner struct {
	cfg     *config.Config
	st      *store.Store
	counter Counter
	mail    Mailer
	render  *Renderer
	log     *slog.Logger
	sched   cron.Schedule
	domain  string
	opt     Options
}

// Options tune a Runner; the zero value is the production behaviour.
type Options struct {
	// Now is the clock (time.Now).
	Now func() time.Time
	// Backoff is the wait before retry n, from 1 (1 min doubling, at
	// most 1 h).
	Backoff func(n int) time.Duration
	// MaxAttempts bounds the tries of one scheduled digest (8).
	MaxAttempts int
	// Lease is how long a claim keeps another process from sending the
	// same digest (15 min); a claim older than that is of a dead process.
	Lease time.Duration
}

// NewRunner returns the runner of cfg's digest. mail may be nil when
// cfg has no SMTP server: Preview works, Send fails.
func NewRunner(cfg *config.Config, st *store.Store, counter Counter, m Mailer, log *slog.Logger, opt Options) (*Runner, error) {
	sched, err := config.CronParser.Parse(cfg.Digest.Cron)
	if err != nil {
		return nil, fmt.Errorf("digest: digest.cron %q: %w", cfg.Digest.Cron, err)
	}
	r, err := NewRenderer(cfg.Alerting.TemplatesDir, cfg.Alerting.BaseURL)
	if err != nil {
		return nil, err
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Backoff == nil {
		opt.Backoff = func(n int) time.Duration { return min(time.Hour, time.Minute<<min(n-1, 10)) }
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 8
	}
	if opt.Lease <= 0 {
		opt.Lease = 15 * time.Minute
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	domain := "kuzot.local"
	if a, err := mail.ParseAddress(cfg.SMTP.From); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok {
			domain = d
		}
	}
	return &Runner{cfg: cfg, st: st, counter: counter, mail: m, render: r, log: log, sched: sched, domain: domain, opt: opt}, nil
}

// Period is the digest period of a run at t: the 7 days before the local
// midnight that starts t's day (Monday 00:00 to Monday 00:00 for the
// default Monday 09:00 run).
func (r *Runner) Period(t time.Time) (from, to time.Time) {
	lt := t.In(r.cfg.Location())
	to = time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, lt.Location())
	return to.AddDate(0, 0, -7), to
}

// LastRun is the latest scheduled run at or before now (zero when the
// schedule had none in the last 35 days).
func (r *Runner) LastRun(now time.Time) time.Time {
	var last time.Time
	for t := r.sched.Next(now.In(r.cfg.Location()).AddDate(0, 0, -35)); !t.After(now); t = r.sched.Next(t) {
		last = t
	}
	return last
}

// Preview computes and renders the digest of [from, to) without sending.
func (r *Runner) Preview(ctx context.Context, from, to time.Time) (*Rendered, error) {
	f, err := Compute(ctx, r.st, r.counter, r.cfg, from, to)
	if err != nil {
		return nil, err
	}
	return r.render.Render(f, r.cfg.Digest.Language)
}

// Send mails the digest of [from, to) to the configured recipients unless
// it went out before (ErrAlreadySent), and records the outcome: a failure
// stays in the store with its error, pending a retry when it is
// temporary. A crash between the server's acceptance and the record can
// send a digest twice; its stable Message-ID lets a mail client show one.
func (r *Runner) Send(ctx context.Context, from, to time.Time) error {
	lang, rcpt := r.cfg.Digest.Language, r.cfg.Digest.Recipients
	if len(rcpt) == 0 {
		return errors.New("digest: digest.recipients is empty: list the addresses that get the digest")
	}
	if r.mail == nil {
		return errors.New("digest: smtp.host is empty: set the SMTP server to send the digest")
	}
	if d, ok, err := r.st.Digest(ctx, from, to, lang); err != nil {
		return err
	} else if ok && d.State == store.DigestSent {
		return fmt.Errorf("%w: %s on %s", ErrAlreadySent, PeriodText(from.In(r.cfg.Location()), to.In(r.cfg.Location())), d.SentAt.In(r.cfg.Location()).Format("02.01.2006 15:04"))
	}
	d, err := r.Preview(ctx, from, to)
	if err != nil {
		return err
	}
	msg, err := d.Message(r.mail, rcpt, r.domain)
	if err != nil {
		return err
	}
	if _, err := r.st.ClaimDigest(ctx, from, to, lang, rcpt, r.opt.Now(), r.opt.Lease); errors.Is(err, store.ErrDigestSent) {
		return fmt.Errorf("%w: %s", ErrAlreadySent, PeriodText(d.Figures.From, d.Figures.To))
	} else if err != nil {
		return err
	}
	if err := r.mail.Send(ctx, msg); err != nil {
		// The record is written even when ctx is done: it is the report
		// of the failure.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return errors.Join(err, r.st.DigestFailedAt(rctx, from, to, lang, err.Error(), !email.Temporary(err), r.opt.Now()))
	}
	return r.st.DigestSentAt(context.WithoutCancel(ctx), from, to, lang, msg.GetMessageID(), r.opt.Now())
}

// Run sends the digest on schedule until ctx is done. At start it sends
// the digest of the latest scheduled run if that was not sent (the
// service was down at the time). A failed send is retried with back-off
// up to MaxAttempts, then recorded as failed and logged.
func (r *Runner) Run(ctx context.Context) error {
	if len(r.cfg.Digest.Recipients) == 0 {
		r.log.Info("digest not scheduled: digest.recipients is empty")
		return nil
	}
	if last := r.LastRun(r.opt.Now()); !last.IsZero() {
		r.deliver(ctx, last)
	}
	for {
		next := r.sched.Next(r.opt.Now().In(r.cfg.Location()))
		r.log.Debug("next digest", "at", next)
		if !sleep(ctx, next.Sub(r.opt.Now())) {
			return nil
		}
		r.deliver(ctx, next)
	}
}

// deliver sends the digest of the run at t, retrying temporary failures.
func (r *Runner) deliver(ctx context.Context, t time.Time) {
	from, to := r.Period(t)
	log := r.log.With("period_from", from.Format(time.DateOnly), "period_to", to.Format(time.DateOnly))
	for attempt := 1; ; attempt++ {
		err := r.Send(ctx, from, to)
		switch {
		case err == nil:
			log.Info("digest sent", "recipients", len(r.cfg.Digest.Recipients), "attempt", attempt)
			return
		case errors.Is(err, ErrAlreadySent):
			log.Debug("digest already sent")
			return
		case errors.Is(err, store.ErrDigestBusy):
			log.Info("digest being sent by another process")
			return
		case ctx.Err() != nil:
			return
		case !email.Temporary(err) || attempt >= r.opt.MaxAttempts:
			_ = r.st.DigestFailedAt(context.WithoutCancel(ctx), from, to, r.cfg.Digest.Language, err.Error(), true, r.opt.Now())
			log.Error("digest not sent; fix the cause and run kuzot digest send", "attempts", attempt, "err", err)
			return
		}
		wait := r.opt.Backoff(attempt)
		log.Warn("digest send failed, retrying", "attempt", attempt, "retry_in", wait, "err", err)
		if !sleep(ctx, wait) {
			return
		}
	}
}

// sleep waits d or until ctx is done, reporting whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
