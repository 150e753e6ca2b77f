package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"kuzot/index"
	"kuzot/rules"
	"kuzot/store"
)

// scoreArticles is the index's label function: every article the index
// takes in is scored against the rules as it goes, its matches (digest or
// above) are stored, and their categories and rules become the article's
// keywords in the index. An article is scored once, in id order, whether
// it arrives by a poll or by a rebuild of the index; the articles of one
// batch of the index are matched together.
func (s *ruleSet) scoreArticles(st *store.Store, now func() time.Time, matched func(rule, decision string)) index.LabelFunc {
	return func(ctx context.Context, as []*store.Article) ([]index.Labels, error) {
		analysed := make([]*rules.Article, len(as))
		for i, a := range as {
			analysed[i] = rules.NewArticle(a.Title, a.Body, a.Outlet, a.Lang)
		}
		scored := s.set.ScoreBatch(analysed)
		out := make([]index.Labels, len(as))
		for i, a := range as {
			l, err := keepMatches(ctx, st, a, scored[i], now, matched)
			if err != nil {
				return nil, fmt.Errorf("article %d: %w", a.ID, err)
			}
			out[i] = l
		}
		return out, nil
	}
}

// keepMatches stores the matches of article a that reach the digest, in
// place of those an earlier scoring stored, and returns its labels.
func keepMatches(ctx context.Context, st *store.Store, a *store.Article, scored []rules.Scored, now func() time.Time, matched func(rule, decision string)) (index.Labels, error) {
	var keep []store.Match
	for _, m := range scored {
		if m.Decision < rules.Digest {
			continue
		}
		if matched != nil {
			matched(m.Rule.ID, m.Decision.String())
		}
		ev, err := json.Marshal(m.Evidence)
		if err != nil {
			return index.Labels{}, err
		}
		keep = append(keep, store.Match{RuleID: m.Rule.ID, Category: m.Rule.Category, Severity: m.Rule.Severity,
			Score: m.Score, Decision: m.Decision.String(), Evidence: string(ev), Scored: now()})
	}
	// An article already grouped (when the index is rebuilt) keeps its
	// story; a new one gets it from the alerting engine.
	story, err := st.StoryOf(ctx, a.ID)
	if err != nil {
		return index.Labels{}, err
	}
	l := labelsOf(keep, story)
	if len(keep) == 0 {
		// Most articles match nothing: write only to clear what an
		// earlier scoring stored.
		if old, err := st.Matches(ctx, a.ID); err != nil || len(old) == 0 {
			return l, err
		}
	}
	return l, st.ReplaceMatches(ctx, a.ID, keep)
}

// labelsOf is what an article's stored matches and its story make it in
// the index: its rules, their categories (each once) and the story.
func labelsOf(matches []store.Match, story string) index.Labels {
	l := index.Labels{Story: story}
	for _, m := range matches {
		l.Rules = append(l.Rules, m.RuleID)
		if !slices.Contains(l.Categories, m.Category) {
			l.Categories = append(l.Categories, m.Category)
		}
	}
	return l
}
