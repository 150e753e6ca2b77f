package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"kuzot/index"
)

// maxCSVRows bounds an export.
const maxCSVRows = 10000

// searchCSV exports a search's hits as CSV (UTF-8 with a byte order mark,
// so that Excel reads Cyrillic), newest first unless sorted otherwise.
func (s *Server) searchCSV(w http.ResponseWriter, r *http.Request) {
	params, req, err := s.parseSearch(r.URL.Query())
	if err != nil {
		s.queryError(w, r, err)
		return
	}
	if params.Sort == "" {
		req.Sort = index.SortDate
	}
	req.From, req.Size = 0, index.MaxPageSize
	first, err := s.idx.Search(r.Context(), req)
	if err != nil {
		s.queryError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="kuzot-search-%s.csv"`, s.now().In(s.loc).Format("2006-01-02-1504")))
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	cw.Write([]string{"published", "outlet", "lang", "title", "url", "score", "id"})
	res := first
	for n := 0; ; {
		for _, h := range res.Hits {
			a := h.Article
			cw.Write([]string{a.Published.In(s.loc).Format("2006-01-02 15:04"), cell(a.Outlet), a.Lang, cell(a.Title), cell(a.URL),
				strconv.FormatFloat(h.Score, 'f', 3, 64), strconv.FormatInt(a.ID, 10)})
		}
		n += len(res.Hits)
		if len(res.Hits) < req.Size || n >= maxCSVRows || uint64(n) >= first.Total {
			break
		}
		req.From = n
		if res, err = s.idx.Search(r.Context(), req); err != nil {
			s.log.Error("csv export", "err", err)
			break
		}
	}
	cw.Flush()
}

// cell guards a text cell against spreadsheet formula injection: a
// title starting with = + - or @ is read as text.
func cell(v string) string {
	v = strings.ReplaceAll(v, "\r", " ")
	if v != "" && strings.ContainsRune("=+-@\t", rune(v[0])) {
		return "'" + v
	}
	return v
}
