package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"kuzot/index"
	"kuzot/rules"
	"kuzot/store"
)

// apiError is the body of every JSON error.
type apiError struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
	// Position is where a bad query went wrong.
	Position *position `json:"position,omitempty"`
}

type position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// fail answers with an error: JSON for the API, a page for the UI.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, format string, args ...any) {
	s.failWith(w, r, apiError{Error: fmt.Sprintf(format, args...), Status: status})
}

func (s *Server) failWith(w http.ResponseWriter, r *http.Request, e apiError) {
	if isAPI(r) || r.Header.Get("Accept") == "application/json" {
		writeJSON(w, e.Status, e)
		return
	}
	p := s.newPage(r, "error", "")
	p.Data = e
	s.render(w, r, e.Status, "error", p)
}

// internal logs an unexpected error and answers 500 (404 for a missing
// row).
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "%v", err)
		return
	}
	s.log.Error("request failed", "path", r.URL.Path, "err", err)
	s.fail(w, r, http.StatusInternalServerError, "internal error; the log says more")
}

// formError answers a body that could not be read: 413 when too large.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, err error) {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		s.fail(w, r, http.StatusRequestEntityTooLarge, "request body is over the limit of %d bytes", mb.Limit)
		return
	}
	s.fail(w, r, http.StatusBadRequest, "cannot read the request: %v", err)
}

// queryError answers a search or backtest error: 400 with the position
// for a bad query, 500 otherwise.
func (s *Server) queryError(w http.ResponseWriter, r *http.Request, err error) {
	var se *rules.SyntaxError
	if errors.As(err, &se) {
		s.failWith(w, r, apiError{Error: err.Error(), Status: http.StatusBadRequest,
			Position: &position{Line: se.Line, Column: se.Col, Offset: se.Offset}})
		return
	}
	var bad *badRequest
	if errors.Is(err, index.ErrQuery) || errors.As(err, &bad) {
		s.fail(w, r, http.StatusBadRequest, "%v", err)
		return
	}
	s.internal(w, r, err)
}

// badRequest is a parameter a user got wrong.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func badf(format string, args ...any) error { return &badRequest{fmt.Sprintf(format, args...)} }

func sortStrings(s []string) []string {
	sort.Strings(s)
	return s
}
