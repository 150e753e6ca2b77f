package crawler

import "time"

// Item is one entry found on a feed or a listing page: a link to an article,
// with whatever the feed or listing already tells about it.
type Item struct {
	URL       string
	GUID      string
	Title     string
	Summary   string
	Author    string
	Published time.Time
	// Content is the full text when the feed carries it (content:encoded).
	Content string
}

// Extracted is the article read from its own page.
type Extracted struct {
	Title     string
	Body      string
	Author    string
	Published time.Time
}

// Post is one message of a public Telegram channel preview (t.me/s/CHANNEL).
type Post struct {
	// Number is the message number in the channel (data-post "chan/123").
	Number    int
	URL       string
	Text      string
	Published time.Time
	Views     int
}

// TelegramPage is one page of a channel preview.
type TelegramPage struct {
	Channel string
	Posts   []Post
	// Before is the cursor for the next older page (?before=N), zero when
	// the page shows no older messages.
	Before int
}
