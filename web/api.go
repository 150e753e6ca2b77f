package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kuzot/index"
	"kuzot/store"
)

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	out := map[string]any{"user": p.user}
	if p.session != nil {
		out["csrf_token"] = p.session.CSRF
	}
	writeJSON(w, http.StatusOK, out)
}

// hitJSON is one search hit in the API.
type hitJSON struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Outlet    string    `json:"outlet"`
	Lang      string    `json:"lang"`
	Title     string    `json:"title"`
	Published time.Time `json:"published"`
	Score     float64   `json:"score"`
	TitleHTML string    `json:"title_html"`
	Snippet   string    `json:"snippet"`
}

type searchJSON struct {
	Query     string                        `json:"query"`
	Total     uint64                        `json:"total"`
	Page      int                           `json:"page"`
	Size      int                           `json:"size"`
	Hits      []hitJSON                     `json:"hits"`
	Facets    map[string][]index.FacetCount `json:"facets,omitempty"`
	Histogram *index.Histogram              `json:"histogram,omitempty"`
	TookMS    int64                         `json:"took_ms"`
}

func toHits(res *index.Result) []hitJSON {
	out := []hitJSON{}
	for _, h := range res.Hits {
		a := h.Article
		out = append(out, hitJSON{ID: a.ID, URL: a.URL, Outlet: a.Outlet, Lang: a.Lang, Title: a.Title, Published: a.Published,
			Score: h.Score, TitleHTML: h.TitleHTML, Snippet: h.Snippet})
	}
	return out
}

// apiSearch searches the archive. Besides the parameters of parseSearch,
// facets lists the fields to count hits by (outlet, category, lang) and
// histogram=1 asks for hits per day.
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	p, req, err := s.parseSearch(v)
	if err != nil {
		s.queryError(w, r, err)
		return
	}
	for _, f := range listParam(v, "facets") {
		if f == "date" {
			req.Histogram = true
			continue
		}
		req.Facets = append(req.Facets, f)
	}
	if h := v.Get("histogram"); h == "1" || h == "true" {
		req.Histogram = true
	}
	res, err := s.idx.Search(r.Context(), req)
	if err != nil {
		s.queryError(w, r, err)
		return
	}
	out := searchJSON{Query: p.Query, Total: res.Total, Page: p.Page, Size: p.Size, Hits: toHits(res), Histogram: res.Dates,
		TookMS: res.Took.Milliseconds()}
	if len(req.Facets) > 0 {
		out.Facets = res.Facets
	}
	writeJSON(w, http.StatusOK, out)
}

// matchJSON is one rule an article matched.
type matchJSON struct {
	Rule     string           `json:"rule"`
	Category string           `json:"category"`
	Severity string           `json:"severity"`
	Score    float64          `json:"score"`
	Decision string           `json:"decision"`
	Evidence []store.Evidence `json:"evidence"`
}

type storyJSON struct {
	ID       string               `json:"id"`
	Articles []store.AlertArticle `json:"articles"`
	Alert    *store.Alert         `json:"alert"`
}

type articleJSON struct {
	ID        int64       `json:"id"`
	URL       string      `json:"url"`
	Source    string      `json:"source"`
	Outlet    string      `json:"outlet"`
	Lang      string      `json:"lang"`
	Title     string      `json:"title"`
	Body      string      `json:"body"`
	Author    string      `json:"author,omitempty"`
	Published time.Time   `json:"published"`
	Fetched   time.Time   `json:"fetched"`
	Matches   []matchJSON `json:"matches"`
	Story     *storyJSON  `json:"story"`
}

// article reads an article with its matches and its story.
func (s *Server) article(ctx context.Context, id int64) (*articleJSON, error) {
	a, err := s.st.Article(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &articleJSON{ID: a.ID, URL: a.URL, Source: a.SourceID, Outlet: a.Outlet, Lang: a.Lang, Title: a.Title, Body: a.Body,
		Author: a.Author, Published: a.Published, Fetched: a.Fetched, Matches: []matchJSON{}}
	ms, err := s.st.Matches(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		mj := matchJSON{Rule: m.RuleID, Category: m.Category, Severity: m.Severity, Score: m.Score, Decision: m.Decision, Evidence: []store.Evidence{}}
		if m.Evidence != "" {
			if err := json.Unmarshal([]byte(m.Evidence), &mj.Evidence); err != nil {
				s.log.Warn("bad evidence of a match", "article", id, "rule", m.RuleID, "err", err)
			}
		}
		out.Matches = append(out.Matches, mj)
	}
	storyID, err := s.st.StoryOf(ctx, id)
	if err != nil {
		return nil, err
	}
	if storyID != "" {
		if out.Story, err = s.story(ctx, storyID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// story reads a story's articles and its alert; an unknown story is
// ErrNotFound.
func (s *Server) story(ctx context.Context, id string) (*storyJSON, error) {
	arts, err := s.st.StoryArticles(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(arts) == 0 {
		return nil, fmt.Errorf("web: story %q: %w", id, store.ErrNotFound)
	}
	out := &storyJSON{ID: id, Articles: arts}
	a, err := s.st.AlertByStory(ctx, id)
	switch {
	case err == nil:
		out.Alert = a
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	return out, nil
}

func articleID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, badf("article id %q is not a number", r.PathValue("id"))
	}
	return id, nil
}

func (s *Server) apiArticle(w http.ResponseWriter, r *http.Request) {
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
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) apiStory(w http.ResponseWriter, r *http.Request) {
	st, err := s.story(r.Context(), r.PathValue("id"))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

var statuses = []string{store.StatusOpen, store.StatusAcknowledged, store.StatusResolved}

// apiAlerts lists alerts, newest first: status (repeated or
// comma-separated) filters, limit bounds (default 100).
func (s *Server) apiAlerts(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	f := store.AlertFilter{Statuses: listParam(v, "status"), WithArticles: true}
	for _, st := range f.Statuses {
		if !slices.Contains(statuses, st) {
			s.fail(w, r, http.StatusBadRequest, "status %q: use open, acknowledged or resolved", st)
			return
		}
	}
	var err error
	if f.Limit, err = intParam(v, "limit", 100, 1, 1000); err != nil {
		s.queryError(w, r, err)
		return
	}
	if f.Since, f.Until, err = s.period(v.Get("since"), v.Get("until")); err != nil {
		s.queryError(w, r, err)
		return
	}
	list, err := s.st.Alerts(r.Context(), f)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if list == nil {
		list = []*store.Alert{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": list})
}

type alertJSON struct {
	*store.Alert
	Events []store.AlertEvent `json:"events"`
}

func (s *Server) alertWithEvents(ctx context.Context, id string) (*alertJSON, error) {
	a, err := s.st.Alert(ctx, id)
	if err != nil {
		return nil, err
	}
	ev, err := s.st.AlertEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	if ev == nil {
		ev = []store.AlertEvent{}
	}
	return &alertJSON{Alert: a, Events: ev}, nil
}

func (s *Server) apiAlert(w http.ResponseWriter, r *http.Request) {
	a, err := s.alertWithEvents(r.Context(), r.PathValue("id"))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// maxComment bounds the comment of an acknowledgement or resolution.
const maxComment = 2000

// errConflict is a transition an alert's status does not allow.
type errConflict struct{ msg string }

func (e *errConflict) Error() string { return e.msg }

// transition acknowledges or resolves an alert through the engine, after
// checking that its status allows it.
func (s *Server) transition(ctx context.Context, id, to string, p *principal, comment string) error {
	if utf8.RuneCountInString(comment) > maxComment {
		return badf("the comment has more than %d characters", maxComment)
	}
	a, err := s.st.Alert(ctx, id)
	if err != nil {
		return err
	}
	if s.alerts == nil {
		return errNoEngine
	}
	switch {
	case to == store.StatusAcknowledged && a.Status != store.StatusOpen:
		return &errConflict{"alert " + id + " is " + a.Status + "; only an open alert can be acknowledged"}
	case to == store.StatusResolved && a.Status == store.StatusResolved:
		return &errConflict{"alert " + id + " is resolved already"}
	}
	if to == store.StatusAcknowledged {
		err = s.alerts.Acknowledge(ctx, id, p.actor(), comment)
	} else {
		err = s.alerts.Resolve(ctx, id, p.actor(), comment)
	}
	if err != nil {
		return err
	}
	s.log.Info("alert "+to, "alert", id, "actor", p.actor())
	return nil
}

var errNoEngine = errors.New("web: the alerting engine is not running")

func (s *Server) transitionError(w http.ResponseWriter, r *http.Request, err error) {
	var c *errConflict
	var bad *badRequest
	switch {
	case errors.As(err, &c):
		s.fail(w, r, http.StatusConflict, "%v", err)
	case errors.As(err, &bad):
		s.fail(w, r, http.StatusBadRequest, "%v", err)
	case errors.Is(err, errNoEngine):
		s.fail(w, r, http.StatusServiceUnavailable, "%v", err)
	default:
		s.internal(w, r, err)
	}
}

// readComment reads {"comment": "..."} or a form's comment field.
func readComment(r *http.Request) (string, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var body struct {
			Comment string `json:"comment"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		return strings.TrimSpace(body.Comment), nil
	}
	if err := r.ParseForm(); err != nil {
		return "", err
	}
	return strings.TrimSpace(r.PostForm.Get("comment")), nil
}

func (s *Server) apiTransition(to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		comment, err := readComment(r)
		if err != nil {
			s.formError(w, r, err)
			return
		}
		id := r.PathValue("id")
		if err := s.transition(r.Context(), id, to, principalOf(r), comment); err != nil {
			s.transitionError(w, r, err)
			return
		}
		a, err := s.alertWithEvents(r.Context(), id)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, a)
	}
}

func (s *Server) apiAck(w http.ResponseWriter, r *http.Request) {
	s.apiTransition(store.StatusAcknowledged)(w, r)
}

func (s *Server) apiResolve(w http.ResponseWriter, r *http.Request) {
	s.apiTransition(store.StatusResolved)(w, r)
}

func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) {
	rows, err := s.sourceRows(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": rows})
}

func (s *Server) apiRules(w http.ResponseWriter, r *http.Request) {
	rows, err := s.ruleRows(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": rows})
}

// apiBacktest backtests a configured rule (rule=ID) or a draft (query,
// exclude, category, severity) over since..until (default the last 30
// days): GET with parameters or POST with the same names in JSON.
func (s *Server) apiBacktest(w http.ResponseWriter, r *http.Request) {
	var d draft
	if r.Method == http.MethodPost {
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				s.formError(w, r, err)
				return
			}
			s.fail(w, r, http.StatusBadRequest, "the body is not a backtest request in JSON: %v", err)
			return
		}
	} else {
		v := r.URL.Query()
		d = draft{Rule: v.Get("rule"), Query: v.Get("query"), Exclude: v.Get("exclude"), Category: v.Get("category"),
			Severity: v.Get("severity"), Since: v.Get("since"), Until: v.Get("until")}
	}
	res, err := s.backtest(r.Context(), d)
	if err != nil {
		s.queryError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
