package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"kuzot/analysis"
	"kuzot/backtest"
	"kuzot/config"
	"kuzot/crawler"
	"kuzot/index"
	"kuzot/rules"
)

// cmdRules checks, tests, backtests and evaluates the crisis rules.
func cmdRules(args []string) error {
	if len(args) == 0 {
		return errors.New("rules needs a subcommand: check, test FILE|URL, backtest, eval DIR")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("rules "+sub, flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	since := fs.String("since", "30d", "backtest: from this age or date")
	ruleID := fs.String("rule", "", "backtest: only this rule")
	queryText := fs.String("query", "", "backtest: this query instead of the configured rules (a rule not yet in config)")
	category := fs.String("category", "medical_error", "backtest --query: the category the query would have")
	severity := fs.String("severity", "high", "backtest --query: the severity it would have")
	verbose := fs.Bool("v", false, "eval: list every miss and false alarm")
	pos, err := parse(fs, rest)
	if err != nil {
		return err
	}
	a, err := common.load()
	if err != nil {
		return err
	}
	set, err := newRuleSet(a.cfg)
	if err != nil {
		return err
	}
	switch sub {
	case "check":
		return rulesCheck(os.Stdout, a.cfg, set)
	case "test":
		if len(pos) != 1 {
			return errors.New("rules test needs one FILE or URL (an article page, or a text file: title on the first line)")
		}
		return rulesTest(context.Background(), os.Stdout, a, set, pos[0], *asJSON)
	case "eval":
		if len(pos) != 1 {
			return errors.New("rules eval needs a DIR of labelled *.yaml cases (see rules/testdata/eval)")
		}
		return rulesEval(os.Stdout, set, pos[0], *asJSON, *verbose)
	case "backtest":
		from, err := parseSince(*since, time.Now(), a.cfg.Location())
		if err != nil {
			return fmt.Errorf("--since: %w", err)
		}
		var only []*rules.Rule
		switch {
		case *queryText != "":
			r, err := rules.CompileRule(rules.Spec{ID: "query", Category: *category, Severity: *severity, Query: *queryText})
			if err != nil {
				return err
			}
			only = []*rules.Rule{r}
		case *ruleID != "":
			r := set.matcher.Rule(*ruleID)
			if r == nil {
				return fmt.Errorf("--rule %q: no such rule in %s (kuzot rules check lists them)", *ruleID, a.cfgPath)
			}
			only = []*rules.Rule{r}
		default:
			only = set.matcher.Rules()
		}
		ctx := context.Background()
		defer a.close()
		if err := a.openIndex(ctx); err != nil {
			return err
		}
		return rulesBacktest(ctx, os.Stdout, a, set, only, from, *asJSON)
	}
	return fmt.Errorf("rules: unknown subcommand %q (check, test, backtest, eval)", sub)
}

// ruleSet is the compiled rules and scoring of a configuration.
type ruleSet struct {
	matcher *rules.Matcher
	scorer  *rules.Scorer
	set     *backtest.Set
}

func newRuleSet(cfg *config.Config) (*ruleSet, error) {
	set, err := backtest.NewSet(cfg)
	if err != nil {
		return nil, err
	}
	return &ruleSet{matcher: set.Matcher, scorer: set.Scorer, set: set}, nil
}

// reachOf is an outlet's reach tier; an outlet not configured is regular.
func (s *ruleSet) reachOf(outlet string) int { return s.set.ReachOf(outlet) }

// score analyses and scores one article.
func (s *ruleSet) score(title, body, outlet, lang string) []rules.Scored {
	return s.set.Score(title, body, outlet, lang)
}

func rulesCheck(w io.Writer, cfg *config.Config, set *ruleSet) error {
	byCat := map[string][]string{}
	for _, r := range set.matcher.Rules() {
		byCat[r.Category] = append(byCat[r.Category], r.ID)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CATEGORY\tRULES")
	var missing []string
	for _, c := range config.Categories {
		fmt.Fprintf(tw, "%s\t%s\n", c, strings.Join(byCat[c], ", "))
		if len(byCat[c]) == 0 {
			missing = append(missing, c)
		}
	}
	tw.Flush()
	disabled := len(cfg.Rules) - len(set.matcher.Rules())
	fmt.Fprintf(w, "%d rules compile (%d disabled), %d watch-list entries\n", len(set.matcher.Rules()), disabled, len(cfg.Scoring.Watch))
	if len(missing) > 0 {
		fmt.Fprintf(w, "no rule covers: %s\n", strings.Join(missing, ", "))
	}
	return nil
}

type testJSON struct {
	Input  string       `json:"input"`
	Title  string       `json:"title"`
	Lang   string       `json:"lang"`
	Outlet string       `json:"outlet"`
	Best   string       `json:"decision"`
	Watch  []string     `json:"watched"`
	Match  []scoredJSON `json:"matches"`
}

type scoredJSON struct {
	Rule     string           `json:"rule"`
	Category string           `json:"category"`
	Severity string           `json:"severity"`
	Score    float64          `json:"score"`
	Decision string           `json:"decision"`
	Factors  rules.Factors    `json:"factors"`
	Evidence []rules.Evidence `json:"evidence"`
}

// rulesTest reads one article from a file or URL and shows how the rules
// score it.
func rulesTest(ctx context.Context, w io.Writer, a *app, set *ruleSet, src string, asJSON bool) error {
	title, body, outlet, err := readArticle(ctx, a, src)
	if err != nil {
		return err
	}
	lang := detectLang(title, body)
	scored := set.score(title, body, outlet, lang)
	out := testJSON{Title: title, Lang: lang, Outlet: outlet, Input: src, Best: rules.Ignore.String(), Match: []scoredJSON{}}
	watched, _ := set.scorer.Watched(rules.NewArticle(title, body, outlet, lang))
	out.Watch = watched
	for i, s := range scored {
		if i == 0 {
			out.Best = s.Decision.String()
		}
		out.Match = append(out.Match, scoredJSON{Rule: s.Rule.ID, Category: s.Rule.Category, Severity: s.Rule.Severity,
			Score: s.Score, Decision: s.Decision.String(), Factors: s.Factors, Evidence: s.Evidence})
	}
	if asJSON {
		return writeJSON(w, out)
	}
	fmt.Fprintf(w, "%s\n%s · %s · %d words\n", title, outlet, lang, len(strings.Fields(body)))
	if len(watched) > 0 {
		fmt.Fprintf(w, "watch list: %s\n", strings.Join(watched, ", "))
	}
	if len(scored) == 0 {
		fmt.Fprintln(w, "\nno rule matches: decision ignore")
		return nil
	}
	for _, s := range scored {
		f := s.Factors
		fmt.Fprintf(w, "\n%s (%s, %s): score %.2f = %g severity × %.2f evidence × %.1f source × %.1f watch → %s\n",
			s.Rule.ID, s.Rule.Category, s.Rule.Severity, s.Score, f.Severity, f.Evidence, f.Source, f.Watch, strings.ToUpper(s.Decision.String()))
		for _, e := range s.Evidence {
			fmt.Fprintf(w, "  %-5s %s\n", e.Field+":", markEvidence(e, isTerminal(w)))
		}
	}
	return nil
}

// markEvidence writes an evidence passage with its words bold on a
// terminal and in [brackets] elsewhere.
func markEvidence(e rules.Evidence, tty bool) string {
	open, end := "[", "]"
	if tty {
		open, end = "\x1b[1m", "\x1b[0m"
	}
	var b strings.Builder
	at := 0
	for _, m := range e.Marks {
		b.WriteString(e.Text[at:m.Start])
		b.WriteString(open + e.Text[m.Start:m.End] + end)
		at = m.End
	}
	b.WriteString(e.Text[at:])
	return b.String()
}

// readArticle reads an article from a URL (fetched politely and
// extracted like a crawled page), an HTML file, or a text file whose first
// line is the title.
func readArticle(ctx context.Context, a *app, src string) (title, body, outlet string, err error) {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		f := crawler.NewFetcher(a.cfg.Crawler, a.log)
		res, err := f.Fetch(ctx, crawler.Request{URL: src})
		if err != nil {
			return "", "", "", err
		}
		page, err := crawler.ToUTF8(res.Body, res.ContentType)
		if err != nil {
			return "", "", "", fmt.Errorf("%s: %w", src, err)
		}
		ex, err := crawler.ExtractArticle(page, res.URL, selectorsFor(a.cfg, res.URL), a.cfg.Location())
		if err != nil {
			return "", "", "", fmt.Errorf("%s: %w", src, err)
		}
		return ex.Title, ex.Body, hostOf(res.URL), nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return "", "", "", fmt.Errorf("rules test: %w", err)
	}
	if ext := strings.ToLower(filepath.Ext(src)); ext == ".html" || ext == ".htm" {
		page, err := crawler.ToUTF8(data, "text/html")
		if err != nil {
			return "", "", "", fmt.Errorf("%s: %w", src, err)
		}
		ex, err := crawler.ExtractArticle(page, "file://"+src, nil, a.cfg.Location())
		if err != nil {
			return "", "", "", fmt.Errorf("%s: %w", src, err)
		}
		return ex.Title, ex.Body, "file", nil
	}
	text, err := crawler.ToUTF8(data, "text/plain")
	if err != nil {
		return "", "", "", fmt.Errorf("%s: %w", src, err)
	}
	t, b, _ := strings.Cut(strings.TrimSpace(string(text)), "\n")
	if strings.TrimSpace(t) == "" {
		return "", "", "", fmt.Errorf("%s: empty (write the title on the first line, the text below it)", src)
	}
	return strings.TrimSpace(t), strings.TrimSpace(b), "file", nil
}

// selectorsFor returns the selectors of the configured html source on the
// page's host, so that a kaktus.media page is read the way the crawler
// reads it.
func selectorsFor(cfg *config.Config, page string) *config.Selectors {
	host := hostOf(page)
	for _, s := range cfg.Sources {
		if s.Selectors != nil && hostOf(s.URL) == host {
			return s.Selectors
		}
	}
	return nil
}

func hostOf(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	host, _, _ := strings.Cut(u, "/")
	return strings.TrimPrefix(strings.ToLower(host), "www.")
}

type evalRow struct {
	Category  string  `json:"category"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

func rulesEval(w io.Writer, set *ruleSet, dir string, asJSON, verbose bool) error {
	cases, err := rules.LoadCases(dir)
	if err != nil {
		return err
	}
	rep := rules.Evaluate(set.matcher, set.scorer, cases, set.reachOf)
	var rows []evalRow
	cats := make([]string, 0, len(rep.Categories))
	for c := range rep.Categories {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		k := rep.Categories[c]
		rows = append(rows, evalRow{c, k.TP, k.FP, k.FN, k.Precision(), k.Recall()})
	}
	rows = append(rows, evalRow{"overall", rep.Overall.TP, rep.Overall.FP, rep.Overall.FN, rep.Overall.Precision(), rep.Overall.Recall()},
		evalRow{"crisis or not", rep.Crisis.TP, rep.Crisis.FP, rep.Crisis.FN, rep.Crisis.Precision(), rep.Crisis.Recall()})
	if asJSON {
		return writeJSON(w, rows)
	}
	pos := 0
	for _, c := range cases {
		if len(c.Categories) > 0 {
			pos++
		}
	}
	fmt.Fprintf(w, "%d articles (%d crises, %d not) in %s\n\n", len(cases), pos, len(cases)-pos, dir)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "CATEGORY\tTP\tFP\tFN\tPRECISION\tRECALL\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.2f\t%.2f\t\n", r.Category, r.TP, r.FP, r.FN, r.Precision, r.Recall)
	}
	tw.Flush()
	if verbose {
		for _, o := range rep.Outcomes {
			if slices.Equal(o.Predicted, sortedCopy(o.Case.Categories)) {
				continue
			}
			fmt.Fprintf(w, "\n%s want %v got %v: %s\n", o.Case.ID, o.Case.Categories, o.Predicted, o.Case.Title)
			for _, s := range o.Scored {
				fmt.Fprintf(w, "  %s %.2f %s %q\n", s.Rule.ID, s.Score, s.Decision, evidenceWords(s.Evidence))
			}
		}
	}
	return nil
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}

func evidenceWords(ev []rules.Evidence) []string {
	var out []string
	for _, e := range ev {
		out = append(out, e.Words()...)
	}
	return out
}

// backtestRow is one rule's backtest, as printed with --json.
type backtestRow = backtest.Row

// rulesBacktest runs rules over the archive through the index, and scores
// their hits with the matcher to tell what would have alerted.
func rulesBacktest(ctx context.Context, w io.Writer, a *app, set *ruleSet, only []*rules.Rule, since time.Time, asJSON bool) error {
	rows, err := backtest.Run(ctx, a.index, set.set, backtest.Request{Rules: only, Since: since, Until: time.Now(), Location: a.cfg.Location()})
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(w, rows)
	}
	fmt.Fprintf(w, "backtest since %s\n", since.In(a.cfg.Location()).Format("2006-01-02 15:04"))
	for _, r := range rows {
		fmt.Fprintf(w, "\n%s (%s): %d hits, %d would alert (%d critical), %d digest only\n", r.Rule, r.Category, r.Hits, r.Alerts, r.Critical, r.Digest)
		if r.Hits > 0 {
			fmt.Fprintf(w, "  per day %s\n", sparkline(r.PerDay))
		}
		for _, s := range r.Samples {
			fmt.Fprintf(w, "  %s  %-14s %-8s %5.2f  %s\n", s.Published[:16], s.Outlet, s.Decision, s.Score, s.Title)
		}
	}
	return nil
}

// sparkline draws daily counts as a row of bars.
func sparkline(bs []index.DateBucket) string {
	bars := []rune(" ▁▂▃▄▅▆▇█")
	most := 0
	for _, b := range bs {
		most = max(most, b.Count)
	}
	var s strings.Builder
	for _, b := range bs {
		i := 0
		if most > 0 {
			i = (b.Count*(len(bars)-1) + most - 1) / most
		}
		s.WriteRune(bars[i])
	}
	return s.String()
}

// detectLang is the language of an article read by rules test, Russian
// when too short to tell.
func detectLang(title, body string) string {
	if l := analysis.DetectLanguage(title + "\n" + body); l != "" {
		return l
	}
	return analysis.Russian
}
