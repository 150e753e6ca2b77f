package digest

import (
	"context"
	"fmt"
	"time"

	"kuzot/index"
)

// Counter counts the articles published in [from, to) that a query of the
// rule language finds.
type Counter interface {
	Count(ctx context.Context, query string, from, to time.Time) (int, error)
}

// IndexCounter counts through the search index.
type IndexCounter struct{ X *index.Index }

// Count runs the query for one hit and reads the total.
func (c IndexCounter) Count(ctx context.Context, query string, from, to time.Time) (int, error) {
	// The index bounds publication from Since inclusive to Until
	// exclusive, as a period is bounded. Size 1: only the total is read.
	res, err := c.X.Search(ctx, index.Request{Query: query, Since: from, Until: to, Size: 1})
	if err != nil {
		return 0, fmt.Errorf("digest: count %q: %w", query, err)
	}
	return int(res.Total), nil
}
