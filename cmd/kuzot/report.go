package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/xuri/excelize/v2"

	"kuzot/digest"
)

// cmdReport writes the figures of a period as tables for a report.
func cmdReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	from := fs.String("from", "", "first day of the period (required)")
	to := fs.String("to", "", "last day of the period, inclusive (required)")
	format := fs.String("format", "md", "md, csv or xlsx")
	out := fs.String("out", "", "write to FILE instead of standard output")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return errors.New("report needs --from and --to, e.g. kuzot report --from 2026-01-01 --to 2026-03-31")
	}
	switch *format {
	case "md", "csv", "xlsx":
	default:
		return fmt.Errorf("--format %q: use md, csv or xlsx", *format)
	}
	a, err := common.load()
	if err != nil {
		return err
	}
	pf, pt, err := period(*from, *to, a.cfg.Location(), nil)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer a.close()
	if err := a.openIndex(ctx); err != nil {
		return err
	}
	f, err := digest.Compute(ctx, a.store, digest.IndexCounter{X: a.index}, a.cfg, pf, pt)
	if err != nil {
		return err
	}
	tables := periodTables(f, a.cfg.Digest.Language)

	w := io.Writer(os.Stdout)
	if *out != "" {
		file, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		defer file.Close()
		w = file
	} else if *format == "xlsx" && isTerminal(os.Stdout) {
		return errors.New("--format xlsx writes a binary file: give --out report.xlsx")
	}
	switch *format {
	case "md":
		err = writeMarkdown(w, f, a.cfg.Digest.Language, tables)
	case "csv":
		err = writeCSV(w, tables)
	case "xlsx":
		err = writeXLSX(w, tables)
	}
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if *out != "" {
		fmt.Fprintf(os.Stderr, "wrote %s\n", *out)
	}
	return nil
}

// periodTable is one table of a report, rendered alike in every format.
type periodTable struct {
	Sheet string // xlsx sheet name (≤ 31 characters)
	Title string
	Head  []string
	Rows  [][]any // strings, ints and float64 shares (0..1)
}

// pctCell marks a float64 cell (0..1) as a percentage.
type pctCell float64

func periodTables(f *digest.Figures, lang string) []periodTable {
	l := func(k string) string { return digest.Label(lang, k) }
	change := func(c digest.Count) string { return c.Change(l("new")) }

	summary := periodTable{Sheet: "Summary", Title: l("report") + ": " + digest.PeriodText(f.From, f.To),
		Head: []string{l("figure"), l("value"), l("prev"), l("change")}}
	summary.Rows = append(summary.Rows,
		[]any{l("period"), digest.PeriodText(f.From, f.To), digest.PeriodText(f.PrevFrom, f.From), ""},
		[]any{l("all_articles"), f.Articles, "", ""},
		[]any{l("watch"), f.Watch.Cur, f.Watch.Prev, change(f.Watch)},
		[]any{l("categorised"), f.Categorised.Cur, f.Categorised.Prev, change(f.Categorised)},
		[]any{l("alerts") + ": " + l("raised"), f.Alerts.Raised, "", ""},
		[]any{l("alerts") + ": " + l("acknowledged"), f.Alerts.Acknowledged, "", ""},
		[]any{l("alerts") + ": " + l("resolved"), f.Alerts.Resolved, "", ""})
	for _, e := range f.Entities {
		summary.Rows = append(summary.Rows, []any{l("entity") + ": " + e.Name, e.Cur, e.Prev, change(e.Count)})
	}

	cats := periodTable{Sheet: "Categories", Title: l("categorised"), Head: []string{l("category"), l("mentions"), l("share"), l("prev"), l("change")}}
	for _, c := range f.Categories {
		cats.Rows = append(cats.Rows, []any{l(c.Category), c.Cur, pctCell(c.Share), c.Prev, change(c.Count)})
	}
	cats.Rows = append(cats.Rows, []any{l("total"), f.Categorised.Cur, pctCell(boolf(f.Categorised.Cur > 0)), f.Categorised.Prev, change(f.Categorised)})

	outlets := periodTable{Sheet: "Outlets", Title: l("by_outlet"), Head: []string{l("outlet"), l("reach"), l("mentions"), l("articles")}}
	for _, o := range f.Outlets {
		outlets.Rows = append(outlets.Rows, []any{o.Outlet, o.Reach, o.Mentions, o.Articles})
	}

	resp := periodTable{Sheet: "Response", Title: l("response"), Head: []string{l("figure"), l("alerts"), l("from_published"), l("from_raised")}}
	resp.Rows = append(resp.Rows,
		[]any{l("median_ack"), f.Alerts.Acknowledged, digest.Duration(lang, f.Alerts.AckFromPublished), digest.Duration(lang, f.Alerts.AckFromRaised)},
		[]any{l("median_resolve"), f.Alerts.Resolved, digest.Duration(lang, f.Alerts.ResolveFromPublished), digest.Duration(lang, f.Alerts.ResolveFromRaised)})

	stories := periodTable{Sheet: "Stories", Title: l("top_stories"), Head: []string{"#", l("top_stories"), l("articles"), l("outlets"), l("category"), "URL"}}
	for i, s := range f.Stories {
		var cs []string
		for _, c := range s.Categories {
			cs = append(cs, l(c))
		}
		stories.Rows = append(stories.Rows, []any{i + 1, s.Title, len(s.Articles), strings.Join(s.Outlets, ", "), strings.Join(cs, ", "), s.URL})
	}

	fresh := periodTable{Sheet: "New sources", Title: l("new_sources") + " (" + l("new_sources_note") + ")", Head: []string{l("outlet"), l("articles"), l("mentions")}}
	for _, o := range f.NewOutlets {
		fresh.Rows = append(fresh.Rows, []any{o.Outlet, o.Articles, o.Mentions})
	}
	return []periodTable{summary, cats, outlets, resp, stories, fresh}
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func cellText(v any) string {
	switch v := v.(type) {
	case pctCell:
		return digest.Percent(float64(v))
	case string:
		return v
	}
	return fmt.Sprint(v)
}

func writeMarkdown(w io.Writer, f *digest.Figures, lang string, tables []periodTable) error {
	var b strings.Builder
	for i, t := range tables {
		if i == 0 {
			fmt.Fprintf(&b, "# %s\n\n", t.Title)
		} else {
			fmt.Fprintf(&b, "\n## %s\n\n", t.Title)
		}
		if len(t.Rows) == 0 {
			fmt.Fprintf(&b, "%s\n", digest.Label(lang, "none"))
			continue
		}
		b.WriteString("| " + strings.Join(t.Head, " | ") + " |\n|")
		for j := range t.Head {
			if j > 0 && isNumber(t.Rows[0][j]) {
				b.WriteString("---:|")
			} else {
				b.WriteString("---|")
			}
		}
		b.WriteString("\n")
		for _, r := range t.Rows {
			cells := make([]string, len(r))
			for j, c := range r {
				cells[j] = strings.ReplaceAll(cellText(c), "|", `\|`)
			}
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func isNumber(v any) bool {
	switch v.(type) {
	case int, pctCell:
		return true
	}
	return false
}

// writeCSV writes every table under one header: table, then its columns.
func writeCSV(w io.Writer, tables []periodTable) error {
	cw := csv.NewWriter(w)
	for i, t := range tables {
		if i > 0 {
			cw.Write(nil)
		}
		cw.Write(append([]string{t.Sheet}, t.Head...))
		for _, r := range t.Rows {
			rec := []string{t.Sheet}
			for _, c := range r {
				rec = append(rec, cellText(c))
			}
			cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeXLSX writes a workbook with a sheet per table; counts are numbers
// and shares percentages, so a spreadsheet can sum and chart them.
func writeXLSX(w io.Writer, tables []periodTable) error {
	x := excelize.NewFile()
	defer x.Close()
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"E5E7EB"}, Pattern: 1}})
	if err != nil {
		return err
	}
	pct, err := x.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
	if err != nil {
		return err
	}
	for i, t := range tables {
		sheet := t.Sheet
		if i == 0 {
			if err := x.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
		} else if _, err := x.NewSheet(sheet); err != nil {
			return err
		}
		if err := x.SetCellValue(sheet, "A1", t.Title); err != nil {
			return err
		}
		head := make([]any, len(t.Head))
		for j, h := range t.Head {
			head[j] = h
		}
		if err := x.SetSheetRow(sheet, "A3", &head); err != nil {
			return err
		}
		last, _ := excelize.CoordinatesToCellName(len(t.Head), 3)
		x.SetCellStyle(sheet, "A3", last, bold)
		for r, row := range t.Rows {
			cells := make([]any, len(row))
			for j, c := range row {
				switch c := c.(type) {
				case pctCell:
					cells[j] = math.Round(float64(c)*10000) / 10000
					cell, _ := excelize.CoordinatesToCellName(j+1, r+4)
					x.SetCellStyle(sheet, cell, cell, pct)
				default:
					cells[j] = c
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+4)
			if err := x.SetSheetRow(sheet, cell, &cells); err != nil {
				return err
			}
		}
		x.SetColWidth(sheet, "A", "A", 36)
		x.SetColWidth(sheet, "B", "F", 16)
	}
	_, err = x.WriteTo(w)
	return err
}
