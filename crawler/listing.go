package crawler

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"kuzot/config"
)

// ErrNoSelectors means a listing page was given without the selectors that
// find its items.
var ErrNoSelectors = errors.New("crawler: no item selector configured")

// anchor finds a link when a site configures no link selector.
var anchor = func(n *html.Node) bool {
	return n.Type == html.ElementNode && n.DataAtom == atom.A && htmlAttr(n, "href") != ""
}

// ParseListing reads the article entries of a listing page with the site's
// selectors. A link text is the item's title. A time of day alone ("10:35",
// as kaktus.media prints on a day's listing) is on the day the page URL's
// date= parameter names, else on today in loc. Items without a link are
// skipped and repeated links collapsed.
func ParseListing(body []byte, pageURL string, sel *config.Selectors, loc *time.Location) ([]Item, error) {
	return parseListing(body, pageURL, sel, loc, time.Now())
}

// parseListing is ParseListing with the current time injected.
func parseListing(body []byte, pageURL string, sel *config.Selectors, loc *time.Location, now time.Time) ([]Item, error) {
	if loc == nil {
		loc = time.UTC
	}
	if sel == nil || sel.Item == "" {
		return nil, fmt.Errorf("crawler: listing %s: %w", pageURL, ErrNoSelectors)
	}
	cs, err := compileSelectors(sel)
	if err != nil {
		return nil, fmt.Errorf("crawler: listing %s: %w", pageURL, err)
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("crawler: listing %q: %w", pageURL, err)
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("crawler: listing %s: %w", pageURL, err)
	}
	base = baseHref(doc, base)
	ref := listingDay(base, loc, now)

	var items []Item
	seen := make(map[string]struct{})
	for _, n := range cs.item.MatchAll(doc) {
		var a *html.Node
		if cs.link != nil {
			a = cs.link.MatchFirst(n)
		} else if anchor(n) {
			a = n
		} else {
			a = firstNodeMatching(n, anchor)
		}
		if a == nil {
			continue
		}
		link, ok := resolveLink(base, htmlAttr(a, "href"))
		if !ok {
			continue
		}
		if _, dup := seen[link]; dup {
			continue
		}
		seen[link] = struct{}{}
		it := Item{URL: link, GUID: link, Title: nodeLine(a)}
		if it.Title == "" {
			it.Title = squashSpace(htmlAttr(a, "title"))
		}
		if cs.itemTime != nil {
			if tn := cs.itemTime.MatchFirst(n); tn != nil {
				v := htmlAttr(tn, "datetime")
				if v == "" {
					v = nodeLine(tn)
				}
				it.Published, _ = parseTime(v, loc, ref)
			}
		}
		items = append(items, it)
	}
	return items, nil
}

// listingDay is the moment "today" means on a listing page: the end of the
// day its date=YYYY-MM-DD parameter names, or now. The end of the day, so
// that a year-less date on that day is not taken for one in the future.
func listingDay(u *url.URL, loc *time.Location, now time.Time) time.Time {
	if d := u.Query().Get("date"); d != "" {
		if t, err := time.ParseInLocation("2006-01-02", d, loc); err == nil {
			return t.AddDate(0, 0, 1).Add(-time.Second)
		}
	}
	return now.In(loc)
}

// baseHref applies a page's <base href>, which relative links resolve
// against instead of the page URL.
func baseHref(doc *html.Node, pageURL *url.URL) *url.URL {
	b := firstNodeMatching(doc, func(n *html.Node) bool {
		return n.Type == html.ElementNode && n.DataAtom == atom.Base && htmlAttr(n, "href") != ""
	})
	if b == nil {
		return pageURL
	}
	u, err := url.Parse(htmlAttr(b, "href"))
	if err != nil {
		return pageURL
	}
	return pageURL.ResolveReference(u)
}

// firstNodeMatching is the first node under n, n excluded, that match accepts.
func firstNodeMatching(n *html.Node, match func(*html.Node) bool) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if match(c) {
			return c
		}
		if f := firstNodeMatching(c, match); f != nil {
			return f
		}
	}
	return nil
}
