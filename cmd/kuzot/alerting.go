package main

import (
	"context"
	"fmt"
	"time"

	"kuzot/alerting"
	"kuzot/alerting/email"
	"kuzot/alerting/slack"
	"kuzot/alerting/telegram"
	"kuzot/alerting/webhook"
	"kuzot/index"
	"kuzot/store"
)

// newEngine builds the alerting engine with a notifier for every receiver
// in the configuration.
func (a *app) newEngine(opts ...alerting.Option) (*alerting.Engine, error) {
	notifiers := map[string]alerting.Notifier{}
	var sender *email.Sender
	dir := a.cfg.Alerting.TemplatesDir
	for i := range a.cfg.Alerting.Receivers {
		r := &a.cfg.Alerting.Receivers[i]
		var (
			n   alerting.Notifier
			err error
		)
		switch {
		case r.Slack != nil:
			n, err = slack.New(r.Name, r.Slack, slack.Options{TemplatesDir: dir, Interactive: r.Slack.SigningSecret != ""})
		case r.Email != nil:
			if sender == nil {
				if sender, err = email.NewSender(a.cfg.SMTP); err != nil {
					return nil, err
				}
			}
			n, err = email.New(r.Name, r.Email.To, sender, email.Options{TemplatesDir: dir})
		case r.Telegram != nil:
			n, err = telegram.New(r.Name, r.Telegram, telegram.Options{TemplatesDir: dir})
		case r.Webhook != nil:
			n, err = webhook.New(r.Name, r.Webhook, webhook.Options{})
		default:
			err = fmt.Errorf("receiver %q sets no kind (slack, email, telegram or webhook)", r.Name)
		}
		if err != nil {
			return nil, fmt.Errorf("alerting.receivers %s: %w", r.Name, err)
		}
		notifiers[r.Name] = n
	}
	opts = append([]alerting.Option{alerting.WithLogger(a.log)}, opts...)
	if a.onAlert != nil {
		opts = append(opts, alerting.WithObserver(a.onAlert))
	}
	opts = append(opts, alerting.WithLinked(a.relabel))
	return alerting.NewEngine(a.cfg, a.store, notifiers, opts...), nil
}

// relabel writes an article's story into the search index once the
// alerting engine has grouped it, with the labels its stored matches give.
// A failure is logged: the story is in the store, and the next reindex
// writes it.
func (a *app) relabel(ctx context.Context, art *store.Article, matches []store.Match, storyID string) {
	if a.index == nil {
		return // a command that opens no index
	}
	if err := a.index.Relabel(ctx, art, labelsOf(matches, storyID)); err != nil {
		a.log.Warn("the search index did not take an article's story; a reindex writes it", "article", art.ID, "story", storyID, "err", err)
	}
}

// indexCounter counts mentions with the search index, for spikes.
type indexCounter struct{ x *index.Index }

func (c indexCounter) Mentions(ctx context.Context, query string, from, to time.Time, sample int) (int, []store.AlertArticle, error) {
	// A page of at least one hit: a Size of 0 would mean the default page
	// of 20, each read from the store, for the baseline counts that want
	// none.
	res, err := c.x.Search(ctx, index.Request{Query: query, Since: from, Until: to, Size: max(sample, 1), Sort: index.SortDate})
	if err != nil {
		return 0, nil, err
	}
	var out []store.AlertArticle
	for _, h := range res.Hits[:min(len(res.Hits), sample)] {
		if h.Article == nil {
			continue
		}
		out = append(out, store.AlertArticle{ID: h.Article.ID, URL: h.Article.URL, Outlet: h.Article.Outlet,
			Title: h.Article.Title, Published: h.Article.Published, Lang: h.Article.Lang})
	}
	return int(res.Total), out, nil
}
