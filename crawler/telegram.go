package crawler

import (
	"bytes"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

var (
	tgMessage = cascadia.MustCompile("div.tgme_widget_message[data-post]")
	tgText    = cascadia.MustCompile("div.tgme_widget_message_text")
	tgReply   = cascadia.MustCompile(".tgme_widget_message_reply")
	tgTime    = cascadia.MustCompile("a.tgme_widget_message_date time[datetime]")
	tgViews   = cascadia.MustCompile("span.tgme_widget_message_views")
)

// ParseTelegram reads one page of a public channel preview
// (https://t.me/s/CHANNEL). Service messages and posts without text (a
// photo alone) are skipped, but still count for Before, the cursor of the
// next older page, so paging never returns to a page already read. Posts
// come oldest first.
func ParseTelegram(body []byte, pageURL string, loc *time.Location) (*TelegramPage, error) {
	if loc == nil {
		loc = time.UTC
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("crawler: telegram %s: %w", pageURL, err)
	}
	page := &TelegramPage{Channel: channelOf(pageURL)}
	seen := make(map[int]bool)
	for _, m := range tgMessage.MatchAll(doc) {
		channel, num, ok := splitDataPost(htmlAttr(m, "data-post"))
		if !ok {
			continue
		}
		if page.Channel == "" {
			page.Channel = channel
		}
		if page.Before == 0 || num < page.Before {
			page.Before = num
		}
		if seen[num] || hasHTMLClass(m, "service_message") {
			continue
		}
		text := postText(m)
		if text == "" {
			continue
		}
		seen[num] = true
		p := Post{Number: num, URL: "https://t.me/" + channel + "/" + strconv.Itoa(num), Text: text}
		if t := tgTime.MatchFirst(m); t != nil {
			p.Published, _ = parseTime(htmlAttr(t, "datetime"), loc, time.Now())
		}
		if v := tgViews.MatchFirst(m); v != nil {
			p.Views = parseViews(nodeLine(v))
		}
		page.Posts = append(page.Posts, p)
	}
	slices.SortFunc(page.Posts, func(a, b Post) int { return a.Number - b.Number })
	return page, nil
}

// postText is a message's own text with its line breaks; the quoted text of
// the message it replies to sits in a nested text block and is left out.
func postText(m *html.Node) string {
	reply := tgReply.MatchAll(m)
	for _, n := range tgText.MatchAll(m) {
		if insideAny(n, reply) {
			continue
		}
		return strings.Join(appendParagraphs(nil, n), "\n")
	}
	return ""
}

// insideAny reports whether n lies inside one of the roots.
func insideAny(n *html.Node, roots []*html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if slices.Contains(roots, p) {
			return true
		}
	}
	return false
}

// splitDataPost reads "channel/123".
func splitDataPost(s string) (string, int, bool) {
	i := strings.LastIndexByte(s, '/')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n <= 0 {
		return "", 0, false
	}
	return s[:i], n, true
}

// channelOf reads the channel name from https://t.me/s/CHANNEL.
func channelOf(pageURL string) string {
	u, err := url.Parse(pageURL)
	if err != nil {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) >= 2 && parts[0] == "s" {
		return parts[1]
	}
	return ""
}

// parseViews reads Telegram's view counter: "987", "1.2K", "3.4M". It gives
// 0 for anything else: a missing count must not fail the post.
func parseViews(s string) int {
	s = strings.ToUpper(strings.TrimSpace(s))
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1e3, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1e6, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "B"):
		mult, s = 1e9, strings.TrimSuffix(s, "B")
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f*mult > math.MaxInt32 {
		return 0
	}
	return int(math.Round(f * mult))
}

// hasHTMLClass reports whether n's class list holds c.
func hasHTMLClass(n *html.Node, c string) bool {
	return slices.Contains(strings.Fields(htmlAttr(n, "class")), c)
}
