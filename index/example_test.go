package index_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"kuzot/index"
	"kuzot/store"
)

// A Kyrgyz article is found by another form of its words, and the matches
// are marked in the title and the snippet.
func ExampleIndex_Search() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "kuzot-example")
	defer os.RemoveAll(dir)
	st, _ := store.Open(ctx, filepath.Join(dir, "kuzot.db"))
	defer st.Close()
	st.SaveArticles(ctx, []*store.Article{{
		URL: "https://azattyk.org/a/1", SourceID: "azattyk", Outlet: "azattyk.org", Lang: "ky",
		Title: "Ооруканада кезек", Body: "Ооруканасында дарыгерлер жетишпейт.",
		Published: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), Fetched: time.Now(), ContentHash: "1",
	}})

	x, _ := index.Open(filepath.Join(dir, "index"), st, slog.New(slog.DiscardHandler))
	defer x.Close()
	x.Sync(ctx, nil)

	res, err := x.Search(ctx, index.Request{Query: "оорукана AND дарыгер", Facets: []string{index.FieldLang}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Total, res.Facets[index.FieldLang])
	fmt.Println(res.Hits[0].TitleHTML)
	fmt.Println(res.Hits[0].Snippet)

	_, err = x.Search(ctx, index.Request{Query: "оорукана AND (дарыгер"})
	fmt.Println(err)
	// Output:
	// 1 [{ky 1}]
	// <mark>Ооруканада</mark> кезек
	// <mark>Ооруканасында</mark> <mark>дарыгерлер</mark> жетишпейт.
	// index: bad query: line 1, column 14: unclosed "(": expected ")", found the end of the query
}
