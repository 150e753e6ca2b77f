package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kuzot/backtest"
	"kuzot/config"
	"kuzot/index"
	"kuzot/rules"
	"kuzot/store"
)

// facetView is one facet of the search page: its values as filters that
// toggle.
type facetView struct {
	Field  string
	Values []facetValue
}

type facetValue struct {
	Value, Label, Href string
	Count              int
	Active             bool
}

type chip struct{ Label, Href string }

type searchView struct {
	P          searchParams
	Res        *index.Result
	Error      string
	Caret      string
	Facets     []facetView
	Active     []chip
	Hist       func(index.DateBucket) string
	Prev, Next string
	Pages      int
	CSV        string
	TookMS     int64
	Start      int
}

// label names a facet value in the page's language.
func facetLabel(p *page, field, v string) string {
	switch field {
	case index.FieldCategory:
		return p.T("cat." + v)
	case index.FieldLang:
		return p.T("lang." + v)
	}
	return v
}

func toggle(list []string, v string) []string {
	if i := slices.Index(list, v); i >= 0 {
		return slices.Delete(slices.Clone(list), i, i+1)
	}
	return append(slices.Clone(list), v)
}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	pg := s.newPage(r, "nav.search", "search")
	params, req, err := s.parseSearch(r.URL.Query())
	v := &searchView{P: params}
	pg.Data = v
	if err != nil {
		v.Error = err.Error()
		s.render(w, r, http.StatusBadRequest, "search", pg)
		return
	}
	if strings.TrimSpace(params.Query) == "" && params.Sort == "" {
		req.Sort = index.SortDate // an empty box shows the newest articles
	}
	req.Facets = index.FacetFields
	req.Histogram = true
	res, err := s.idx.Search(r.Context(), req)
	if err != nil {
		var se *rules.SyntaxError
		if errors.As(err, &se) {
			v.Error, v.Caret = err.Error(), se.Caret(params.Query)
			s.render(w, r, http.StatusBadRequest, "search", pg)
			return
		}
		if errors.Is(err, index.ErrQuery) {
			v.Error = err.Error()
			s.render(w, r, http.StatusBadRequest, "search", pg)
			return
		}
		s.internal(w, r, err)
		return
	}
	v.Res, v.TookMS, v.Start = res, res.Took.Milliseconds(), req.From+1
	link := func(p searchParams) string { return "/search?" + p.values().Encode() }
	for _, f := range index.FacetFields {
		fv := facetView{Field: f}
		cur := map[string][]string{index.FieldOutlet: params.Outlets, index.FieldLang: params.Langs, index.FieldCategory: params.Categories}[f]
		for _, c := range res.Facets[f] {
			np := params
			np.Page = 1
			switch f {
			case index.FieldOutlet:
				np.Outlets = toggle(params.Outlets, c.Value)
			case index.FieldLang:
				np.Langs = toggle(params.Langs, c.Value)
			case index.FieldCategory:
				np.Categories = toggle(params.Categories, c.Value)
			}
			fv.Values = append(fv.Values, facetValue{Value: c.Value, Label: facetLabel(pg, f, c.Value), Count: c.Count,
				Active: slices.Contains(cur, c.Value), Href: link(np)})
		}
		v.Facets = append(v.Facets, fv)
		for _, val := range cur {
			np := params
			np.Page = 1
			switch f {
			case index.FieldOutlet:
				np.Outlets = toggle(params.Outlets, val)
			case index.FieldLang:
				np.Langs = toggle(params.Langs, val)
			case index.FieldCategory:
				np.Categories = toggle(params.Categories, val)
			}
			v.Active = append(v.Active, chip{Label: pg.T("facet."+f) + ": " + facetLabel(pg, f, val), Href: link(np)})
		}
	}
	for _, f := range []struct {
		label string
		val   *string
	}{{"search.since", &params.Since}, {"search.until", &params.Until}} {
		if *f.val == "" {
			continue
		}
		np := params
		np.Page = 1
		if f.label == "search.since" {
			np.Since = ""
		} else {
			np.Until = ""
		}
		v.Active = append(v.Active, chip{Label: pg.T(f.label) + " " + *f.val, Href: link(np)})
	}
	if res.Dates != nil && res.Dates.Unit == "day" {
		res.Dates.Buckets = s.padDays(res.Dates.Buckets, params.Since == "" && params.Until == "")
		v.Hist = func(b index.DateBucket) string {
			np := params
			np.Page = 1
			np.Since, np.Until = b.Start.In(s.loc).Format(time.DateOnly), b.Start.In(s.loc).Format(time.DateOnly)
			return link(np)
		}
	}
	v.Pages = int((res.Total + uint64(params.Size) - 1) / uint64(params.Size))
	if params.Page > 1 {
		np := params
		np.Page--
		v.Prev = link(np)
	}
	if params.Page < v.Pages {
		np := params
		np.Page++
		v.Next = link(np)
	}
	csv := params
	csv.Page = 1
	v.CSV = "/search.csv?" + csv.values().Encode()
	s.render(w, r, http.StatusOK, "search", pg)
}

// minHistogramDays is the fewest days the search histogram shows, so a
// few hits do not draw a few wide bars.
const minHistogramDays = 30

// padDays extends a daily histogram to today (when open-ended) and back to
// at least minHistogramDays days, with empty days.
func (s *Server) padDays(bs []index.DateBucket, openEnded bool) []index.DateBucket {
	if len(bs) == 0 {
		return bs
	}
	now := s.now().In(s.loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.loc)
	if openEnded {
		for last := bs[len(bs)-1].Start; last.Before(today); {
			last = last.AddDate(0, 0, 1)
			bs = append(bs, index.DateBucket{Start: last})
		}
	}
	for len(bs) < minHistogramDays {
		bs = append([]index.DateBucket{{Start: bs[0].Start.AddDate(0, 0, -1)}}, bs...)
	}
	return bs
}

// severityOrder puts the most severe alert first on the board.
func severityOrder(sev string) int {
	return slices.Index([]string{"critical", "high", "medium", "low"}, sev)
}

// alertCard is one alert on the board.
type alertCard struct {
	*store.Alert
	Shown []store.AlertArticle
	More  int
	// Outlets are the story's outlets in the order they picked it up.
	Outlets []string
}

// storyShown is how many of a story's articles a card lists.
const storyShown = 6

func newCard(a *store.Alert) alertCard {
	c := alertCard{Alert: a, Shown: a.Articles}
	if len(c.Shown) > storyShown {
		c.Shown, c.More = c.Shown[:storyShown], len(a.Articles)-storyShown
	}
	for _, art := range a.Articles {
		if !slices.Contains(c.Outlets, art.Outlet) {
			c.Outlets = append(c.Outlets, art.Outlet)
		}
	}
	return c
}

type alertsView struct {
	Status string
	Counts map[string]int
	Tabs   []string
	Cards  []alertCard
}

// boardLimit bounds the alerts of one tab.
const boardLimit = 200

func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request) {
	pg := s.newPage(r, "nav.alerts", "alerts")
	status := r.URL.Query().Get("status")
	if status == "" {
		status = store.StatusOpen
	}
	if !slices.Contains(statuses, status) {
		s.fail(w, r, http.StatusBadRequest, "status %q: use open, acknowledged or resolved", status)
		return
	}
	v := &alertsView{Status: status, Counts: map[string]int{}, Tabs: statuses}
	for _, st := range statuses {
		list, err := s.st.Alerts(r.Context(), store.AlertFilter{Statuses: []string{st}, Limit: boardLimit, WithArticles: st == status})
		if err != nil {
			s.internal(w, r, err)
			return
		}
		v.Counts[st] = len(list)
		if st == status {
			if st != store.StatusResolved {
				// Open and acknowledged work is taken most severe first.
				slices.SortStableFunc(list, func(a, b *store.Alert) int { return severityOrder(a.Severity) - severityOrder(b.Severity) })
			}
			for _, a := range list {
				v.Cards = append(v.Cards, newCard(a))
			}
		}
	}
	pg.Data = v
	s.render(w, r, http.StatusOK, "alerts", pg)
}

type alertView struct {
	Card   alertCard
	Events []store.AlertEvent
}

func (s *Server) alertPage(w http.ResponseWriter, r *http.Request) {
	a, err := s.alertWithEvents(r.Context(), r.PathValue("id"))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	pg := s.newPage(r, a.Title, "alerts")
	c := newCard(a.Alert)
	c.Shown, c.More = a.Articles, 0
	pg.Data = &alertView{Card: c, Events: a.Events}
	s.render(w, r, http.StatusOK, "alert", pg)
}

func (s *Server) transitionForm(to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		comment, err := readComment(r)
		if err != nil {
			s.formError(w, r, err)
			return
		}
		if err := s.transition(r.Context(), r.PathValue("id"), to, principalOf(r), comment); err != nil {
			s.transitionError(w, r, err)
			return
		}
		next := r.PostFormValue("next")
		if !strings.HasPrefix(next, "/alerts") {
			next = "/alerts"
		}
		http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	}
}

func (s *Server) ackForm(w http.ResponseWriter, r *http.Request) {
	s.transitionForm(store.StatusAcknowledged)(w, r)
}

func (s *Server) resolveForm(w http.ResponseWriter, r *http.Request) {
	s.transitionForm(store.StatusResolved)(w, r)
}

func (s *Server) articlePage(w http.ResponseWriter, r *http.Request) {
	id, err := articleID(r)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, "%v", err)
		return
	}
	a, err := s.article(r.Context(), id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	pg := s.newPage(r, a.Title, "search")
	pg.Data = a
	s.render(w, r, http.StatusOK, "article", pg)
}

func (s *Server) storyPage(w http.ResponseWriter, r *http.Request) {
	st, err := s.story(r.Context(), r.PathValue("id"))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if st.Alert != nil {
		http.Redirect(w, r, "/alerts/"+url.PathEscape(st.Alert.ID), http.StatusSeeOther)
		return
	}
	pg := s.newPage(r, "article.story", "search")
	pg.Data = st
	s.render(w, r, http.StatusOK, "story", pg)
}

func (s *Server) rulesPage(w http.ResponseWriter, r *http.Request) {
	rows, err := s.ruleRows(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	pg := s.newPage(r, "rules.title", "rules")
	pg.Data = rows
	s.render(w, r, http.StatusOK, "rules", pg)
}

type editView struct {
	D          draft
	Categories []string
	Severities []string
	Periods    []string
	Result     *backtestResult
	Error      string
	Caret      string
	Rule       *config.Rule
	ScoreLimit int
}

// ruleEditPage shows the editor of a rule (GET ?id=), and backtests what
// the form holds (POST).
func (s *Server) ruleEditPage(w http.ResponseWriter, r *http.Request) {
	pg := s.newPage(r, "rules.edit", "rules")
	v := &editView{Categories: config.Categories, Severities: config.Severities, Periods: []string{"7d", "30d", "90d"}, ScoreLimit: backtest.ScoreLimit}
	pg.Data = v
	if r.Method == http.MethodGet {
		id := r.URL.Query().Get("id")
		if id != "" {
			if v.Rule = s.configRule(id); v.Rule == nil {
				s.fail(w, r, http.StatusNotFound, "rule %q is not in config.yaml", id)
				return
			}
			v.D = draft{Rule: v.Rule.ID, Query: v.Rule.Query, Exclude: v.Rule.Exclude, Category: v.Rule.Category, Severity: v.Rule.Severity}
		} else {
			v.D = draft{Category: "medical_error", Severity: "high"}
		}
		v.D.Since = "30d"
		s.render(w, r, http.StatusOK, "rule_edit", pg)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.formError(w, r, err)
		return
	}
	f := r.PostForm
	v.D = draft{Rule: strings.TrimSpace(f.Get("rule")), Query: f.Get("query"), Exclude: f.Get("exclude"), Category: f.Get("category"),
		Severity: f.Get("severity"), Since: f.Get("since")}
	if !slices.Contains(v.Periods, v.D.Since) {
		v.D.Since = "30d"
	}
	v.Rule = s.configRule(v.D.Rule)
	// The form always sends the query: a draft backtest, so that the
	// YAML shows what was run.
	res, err := s.backtest(r.Context(), v.D)
	if err != nil {
		var fe *fieldError
		var bad *badRequest
		switch {
		case errors.As(err, &fe):
			src := v.D.Query
			if fe.Field == "exclude" {
				src = v.D.Exclude
			}
			v.Error, v.Caret = err.Error(), fe.Err.Caret(src)
		case errors.As(err, &bad), errors.Is(err, index.ErrQuery), errors.Is(err, store.ErrNotFound):
			v.Error = err.Error()
		default:
			s.internal(w, r, err)
			return
		}
		s.render(w, r, http.StatusBadRequest, "rule_edit", pg)
		return
	}
	v.Result = res
	s.render(w, r, http.StatusOK, "rule_edit", pg)
}

func (s *Server) sourcesPage(w http.ResponseWriter, r *http.Request) {
	rows, err := s.sourceRows(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	pg := s.newPage(r, "sources.title", "sources")
	pg.Data = rows
	s.render(w, r, http.StatusOK, "sources", pg)
}

type usersView struct {
	Users  []*store.User
	Tokens map[int64][]*store.APIToken
	Roles  []string
	// Secret is a password or token just made, shown once.
	Secret, SecretFor string
	Error             string
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, v *usersView) {
	var err error
	if v.Users, err = s.st.Users(r.Context()); err != nil {
		s.internal(w, r, err)
		return
	}
	toks, err := s.st.Tokens(r.Context(), 0)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v.Tokens, v.Roles = map[int64][]*store.APIToken{}, store.Roles
	for _, t := range toks {
		v.Tokens[t.UserID] = append(v.Tokens[t.UserID], t)
	}
	pg := s.newPage(r, "users.title", "users")
	pg.Path = "/users"
	pg.Data = v
	s.render(w, r, status, "users", pg)
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) {
	s.renderUsers(w, r, http.StatusOK, &usersView{})
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.formError(w, r, err)
		return
	}
	u, pw, err := AddUser(r.Context(), s.st, r.PostForm.Get("name"), r.PostForm.Get("role"), r.PostForm.Get("password"), s.now())
	if err != nil {
		s.renderUsers(w, r, http.StatusBadRequest, &usersView{Error: err.Error()})
		return
	}
	s.log.Info("user added", "user", u.Name, "role", u.Role, "by", principalOf(r).actor())
	s.renderUsers(w, r, http.StatusOK, &usersView{Secret: pw, SecretFor: u.Name})
}

func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) disableUser(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, http.StatusNotFound, "no such user")
		return
	}
	disable := r.PostFormValue("disabled") != "0"
	if id == principalOf(r).user.ID && disable {
		s.renderUsers(w, r, http.StatusBadRequest, &usersView{Error: "you cannot disable yourself"})
		return
	}
	if err := s.st.SetUserDisabled(r.Context(), id, disable); err != nil {
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/users", http.StatusSeeOther)
}

func (s *Server) addToken(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, http.StatusNotFound, "no such user")
		return
	}
	u, err := s.st.User(r.Context(), id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	tok, _, err := AddToken(r.Context(), s.st, u, r.PostFormValue("label"), s.now())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.log.Info("token added", "user", u.Name, "by", principalOf(r).actor())
	s.renderUsers(w, r, http.StatusOK, &usersView{Secret: tok, SecretFor: u.Name})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, http.StatusNotFound, "no such token")
		return
	}
	if err := s.st.RevokeToken(r.Context(), id); err != nil {
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/users", http.StatusSeeOther)
}
