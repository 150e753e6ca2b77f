package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"kuzot/store"
)

// Delivery settings.
const (
	// sendTimeout bounds one notifier call.
	sendTimeout = 30 * time.Second
	// firstRetry doubles with each failed attempt up to maxRetry: a
	// receiver down for ten minutes gets its backlog within a minute of
	// coming back.
	firstRetry = 2 * time.Second
	maxRetry   = time.Minute
	// giveUp is how long an item is retried before it is marked failed
	// (and shown by kuzot alerts outbox).
	giveUp = 24 * time.Hour
	// duePage is how many due items one pass reads.
	duePage = 200
)

// backoff returns the wait after the n-th failed attempt (n from 1).
func backoff(n int) time.Duration {
	d := firstRetry
	for i := 1; i < n && d < maxRetry; i++ {
		d *= 2
	}
	return min(d, maxRetry)
}

// Deliver makes one pass over the due outbox items: each goes through the
// stages skip (already carried) → throttle → notify, in id order per
// alert and receiver. It returns how many were delivered.
func (e *Engine) Deliver(ctx context.Context) (int, error) {
	return e.deliverDue(ctx, 0)
}

// Flush delivers what is due now and what waits only for its group wait:
// a command that polls once and exits sends its alerts before it goes.
// Quiet hours and back-off still hold.
func (e *Engine) Flush(ctx context.Context) (int, error) {
	return e.deliverDue(ctx, e.cfg.Alerting.GroupWait.D())
}

func (e *Engine) deliverDue(ctx context.Context, ahead time.Duration) (int, error) {
	e.dmu.Lock()
	defer e.dmu.Unlock()
	now := e.now()
	items, err := e.st.DueOutbox(ctx, now.Add(ahead), duePage)
	if err != nil {
		return 0, fmt.Errorf("alerting: %w", err)
	}
	delivered := 0
	for _, o := range items {
		if ctx.Err() != nil {
			return delivered, ctx.Err()
		}
		if until, ok := e.down[o.Receiver]; ok && now.Before(until) {
			continue
		}
		ok, outcome, err := e.deliver(ctx, o, now)
		if e.outcome != nil && outcome != "" {
			e.outcome(o.Receiver, outcome)
		}
		if err != nil {
			return delivered, err
		}
		if ok {
			delivered++
		}
	}
	return delivered, nil
}

// deliver handles one item; ok reports a message sent. Only store errors
// are returned: a failed send is recorded on the item.
func (e *Engine) deliver(ctx context.Context, o store.OutboxItem, now time.Time) (bool, string, error) {
	n := e.notifiers[o.Receiver]
	r := e.receivers[o.Receiver]
	if n == nil || r == nil {
		return false, "failed", e.st.DeliveryFailed(ctx, o.ID, fmt.Sprintf("receiver %q is not configured (or has no notifier); add it to alerting.receivers", o.Receiver), time.Time{})
	}
	if earlier, err := e.st.EarlierPending(ctx, o); err != nil || earlier {
		return false, "", err
	}
	lang := r.Language
	if lang == "" {
		lang = e.cfg.Alerting.Language
	}
	m := &Message{Kind: o.Kind, Key: o.Key, Lang: lang, Location: e.cfg.Location()}
	var covered int64
	if o.Kind == KindSummary {
		var ids []string
		if err := json.Unmarshal([]byte(o.Payload), &ids); err != nil {
			return false, "failed", e.st.DeliveryFailed(ctx, o.ID, "summary payload unreadable: "+err.Error(), time.Time{})
		}
		for _, id := range ids {
			a, err := e.st.Alert(ctx, id)
			if err != nil {
				return false, "", err
			}
			m.Summary = append(m.Summary, a)
		}
		m.URL = strings.TrimRight(e.cfg.Alerting.BaseURL, "/") + "/alerts"
	} else {
		a, err := e.st.Alert(ctx, o.AlertID)
		if err != nil {
			return false, "", err
		}
		m.Alert = a
		m.URL = strings.TrimRight(e.cfg.Alerting.BaseURL, "/") + "/alerts/" + a.ID
		ref, had, ok, err := e.st.Thread(ctx, a.ID, o.Receiver)
		if err != nil {
			return false, "", err
		}
		m.Thread = ref
		for _, art := range a.Articles {
			covered = max(covered, art.ID)
		}
		switch o.Kind {
		case KindUpdate:
			if !ok || o.ArticleID <= had {
				// The alert's first message (or an earlier update) already
				// carried this article, or the receiver never got the alert.
				return false, "skipped", e.st.SetOutboxState(ctx, o.ID, store.OutboxSkipped)
			}
			for _, art := range a.Articles {
				if art.ID > had {
					m.New = append(m.New, art)
				}
			}
		case KindStatus:
			if !ok {
				return false, "skipped", e.st.SetOutboxState(ctx, o.ID, store.OutboxSkipped)
			}
			events, err := e.st.AlertEvents(ctx, a.ID)
			if err != nil {
				return false, "", err
			}
			for i := len(events) - 1; i >= 0; i-- {
				if events[i].Kind == store.StatusAcknowledged || events[i].Kind == store.StatusResolved {
					m.Event = &events[i]
					break
				}
			}
			covered = had
		default:
			if r.MaxPerHour > 0 {
				sent, err := e.st.DeliveredSince(ctx, o.Receiver, now.Add(-time.Hour))
				if err != nil {
					return false, "", err
				}
				if sent >= r.MaxPerHour {
					return false, "summarised", e.summarise(ctx, o, now)
				}
			}
		}
	}

	sendCtx, cancel := context.WithTimeout(ctx, sendTimeout)
	ref, retry, err := n.Notify(sendCtx, m)
	cancel()
	if err == nil {
		delete(e.down, o.Receiver)
		if err := e.st.Delivered(ctx, o, ref, covered, e.now()); err != nil {
			return false, "", err
		}
		e.log.Info("alert delivered", "alert", o.AlertID, "receiver", o.Receiver, "kind", o.Kind, "attempt", o.Attempts+1)
		return true, "delivered", nil
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return false, "", ctx.Err() // stopping: the item stays pending
	}
	attempt := o.Attempts + 1
	next, outcome := time.Time{}, "failed"
	if retry && now.Sub(o.Created) < giveUp {
		next = now.Add(backoff(attempt))
		e.down[o.Receiver] = next
		outcome = "retry"
		e.log.Warn("alert delivery failed; will retry", "alert", o.AlertID, "receiver", o.Receiver, "attempt", attempt, "retry_in", next.Sub(now), "err", err)
	} else {
		e.log.Error("alert delivery failed; giving up", "alert", o.AlertID, "receiver", o.Receiver, "attempt", attempt, "err", err)
	}
	return false, outcome, e.st.DeliveryFailed(ctx, o.ID, err.Error(), next)
}

// summarise replaces a throttled item with a line in its receiver's summary
// of the current hour, sent when the hour ends.
func (e *Engine) summarise(ctx context.Context, o store.OutboxItem, now time.Time) error {
	hour := now.Truncate(time.Hour)
	key := fmt.Sprintf("summary/%s/%s", o.Receiver, hour.UTC().Format("2006-01-02T15"))
	if err := e.st.Summarise(ctx, o, store.OutboxItem{
		Key: key, AlertID: "", Receiver: o.Receiver, Kind: KindSummary, Created: now, NotBefore: hour.Add(time.Hour),
	}); err != nil {
		return err
	}
	e.log.Info("alert throttled into the hour's summary", "alert", o.AlertID, "receiver", o.Receiver, "summary_at", hour.Add(time.Hour))
	return nil
}

// Run takes in scored articles and delivers notifications until ctx ends:
// on Wake, and at least every tick. upTo returns the last article the
// index has scored.
func (e *Engine) Run(ctx context.Context, upTo func() int64, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	lastSpike := time.Time{}
	for {
		if _, err := e.Process(ctx, upTo()); err != nil && ctx.Err() == nil {
			e.log.Error("alerting failed; retrying", "err", err)
		}
		if _, err := e.Deliver(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("alert delivery pass failed", "err", err)
		}
		if now := e.now(); e.counter != nil && e.cfg.Alerting.Spikes.Enabled && now.Truncate(time.Hour).After(lastSpike) {
			if err := e.CheckSpikes(ctx, now.Truncate(time.Hour)); err != nil && ctx.Err() == nil {
				e.log.Error("spike check failed", "err", err)
			} else {
				lastSpike = now.Truncate(time.Hour)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-e.wake:
		case <-t.C:
		}
	}
}
