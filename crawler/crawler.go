package crawler

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"kuzot/config"
	"kuzot/store"
)

// Store is what the crawler needs of the system of record.
type Store interface {
	KnownURLs(ctx context.Context, urls []string) (map[string]bool, error)
	SaveArticles(ctx context.Context, arts []*store.Article) ([]store.SaveResult, error)
	SourceState(ctx context.Context, id string) (store.SourceState, error)
	SourceStates(ctx context.Context) (map[string]store.SourceState, error)
	SaveSourceState(ctx context.Context, st store.SourceState) error
	PublishedSince(ctx context.Context, id string, t time.Time) ([]time.Time, error)
	RecordFetchFailure(ctx context.Context, f store.FetchFailure) error
	FetchFailures(ctx context.Context, urls []string) (map[string]store.FetchFailure, error)
	ClearFetchFailure(ctx context.Context, url string) error
}

// StoredFunc receives the articles a poll stored for the first time; the
// index and the rules hang off it.
type StoredFunc func(ctx context.Context, arts []*store.Article)

// Crawler polls the configured sources into the store.
type Crawler struct {
	cfg     *config.Config
	store   Store
	fetch   *Fetcher
	log     *slog.Logger
	now     func() time.Time
	stored  StoredFunc
	polled  func(PollResult)
	crons   map[string]cron.Schedule
	sources []*config.Source
}

// Option changes a Crawler built by New.
type Option func(*Crawler)

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(c *Crawler) { c.now = now } }

// WithStored sets the function told about newly stored articles.
func WithStored(fn StoredFunc) Option { return func(c *Crawler) { c.stored = fn } }

// WithPolled sets a function told about every finished poll (metrics).
func WithPolled(fn func(PollResult)) Option { return func(c *Crawler) { c.polled = fn } }

// New builds a crawler over the enabled sources of cfg, which Validate has
// already checked.
func New(cfg *config.Config, st Store, log *slog.Logger, opts ...Option) *Crawler {
	c := &Crawler{
		cfg:   cfg,
		store: st,
		fetch: NewFetcher(cfg.Crawler, log),
		log:   log,
		now:   time.Now,
		crons: map[string]cron.Schedule{},
	}
	for i := range cfg.Sources {
		s := &cfg.Sources[i]
		if s.Disabled {
			continue
		}
		c.sources = append(c.sources, s)
		if s.Cron != "" {
			// Validate parsed the spec already; an error here cannot happen.
			if sched, err := config.CronParser.Parse(s.Cron); err == nil {
				c.crons[s.ID] = sched
			}
		}
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Sources returns the enabled sources.
func (c *Crawler) Sources() []*config.Source { return c.sources }

// PollAll polls every enabled source once, Workers at a time, and returns
// each source's result in configuration order. One slow or dead site only
// holds up its own worker.
func (c *Crawler) PollAll(ctx context.Context, progress func(PollResult)) []PollResult {
	results := make([]PollResult, len(c.sources))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := 0; w < min(c.cfg.Crawler.Workers, max(len(c.sources), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r := c.Poll(ctx, c.sources[i])
				results[i] = r
				if progress != nil {
					mu.Lock()
					progress(r)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range c.sources {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	return results
}

// shutdownGrace is how long polls under way may go on storing what they
// fetched after Run is told to stop.
const shutdownGrace = 10 * time.Second

// Run polls each source when it is due until ctx is cancelled, then gives
// the polls under way shutdownGrace to finish, so a fetched page is stored
// rather than dropped.
func (c *Crawler) Run(ctx context.Context) error {
	states, err := c.store.SourceStates(ctx)
	if err != nil {
		return fmt.Errorf("crawler: %w", err)
	}
	due := make(map[string]time.Time, len(c.sources))
	now := c.now()
	for _, s := range c.sources {
		next := states[s.ID].NextCheck
		if next.IsZero() || next.After(now.Add(c.cfg.Crawler.MaxInterval.D())) {
			// Never polled, or scheduled by a config that has since changed.
			next = now
		}
		due[s.ID] = next
	}

	type done struct {
		id   string
		next time.Time
	}
	jobs := make(chan *config.Source)
	results := make(chan done)
	pollCtx, stopPolls := context.WithCancel(context.WithoutCancel(ctx))
	defer stopPolls()
	var wg sync.WaitGroup
	for w := 0; w < c.cfg.Crawler.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range jobs {
				r := c.Poll(pollCtx, s)
				select {
				case results <- done{s.ID, r.NextCheck}:
				case <-ctx.Done():
				}
			}
		}()
	}
	defer func() {
		close(jobs)
		t := time.AfterFunc(shutdownGrace, stopPolls)
		wg.Wait()
		t.Stop()
	}()

	inFlight := map[string]bool{}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		// Hand every due source to a free worker; the rest wait their turn.
		now := c.now()
		var soonest time.Time
		for _, s := range c.sources {
			if inFlight[s.ID] {
				continue
			}
			at := due[s.ID]
			if !at.After(now) {
				// A worker not in flight is waiting on jobs, so the send
				// cannot block; with every worker busy the source waits
				// for the next result.
				if len(inFlight) < c.cfg.Crawler.Workers {
					jobs <- s
					inFlight[s.ID] = true
				}
				continue
			}
			if soonest.IsZero() || at.Before(soonest) {
				soonest = at
			}
		}
		wait := time.Hour
		if !soonest.IsZero() {
			wait = soonest.Sub(now)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case r := <-results:
			delete(inFlight, r.id)
			due[r.id] = r.next
		case <-timer.C:
		}
	}
}
