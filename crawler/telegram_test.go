package crawler

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"
)

func TestParseTelegram(t *testing.T) {
	utc := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, time.UTC) }
	post := func(n int, text string, at time.Time, views int) Post {
		return Post{Number: n, URL: "https://t.me/minzdravkg/" + strconv.Itoa(n), Text: text, Published: at, Views: views}
	}
	tests := []struct {
		file, url   string
		wantChannel string
		wantBefore  int
		want        []Post
	}{
		{"page1.html", "https://t.me/s/minzdravkg", "minzdravkg", 1001, []Post{
			post(1001, "В Таласе выявлены пять случаев кори.\nМинздрав призывает пройти вакцинацию.", utc(24, 3, 0), 1200),
			post(1004, "Уточнение: заболевшие дети получают лечение в областной больнице.", utc(25, 4, 35), 3400000),
			post(1005, "Бүгүн Бишкекте эмдөө күнү өтөт 💉\nСаат 9дан 17ге чейин.", utc(25, 6, 10), 987),
		}},
		{"page2.html", "https://t.me/s/minzdravkg?before=1001", "minzdravkg", 996, []Post{
			post(996, "Приказ о карантине в школах Таласа отменён.", utc(20, 3, 0), 15300),
			post(997, "Министр провёл встречу с главврачами регионов.", utc(21, 3, 0), 4100),
			post(998, "Внимание: мошенники рассылают сообщения от имени Минздрава.", utc(22, 3, 0), 12),
			post(999, "Ооруканаларда жаңы жабдуулар орнотулду.", utc(23, 3, 0), 700),
			post(1000, "Итоги недели: открыто два новых ЦСМ.", utc(23, 12, 0), 1000),
		}},
		{"empty.html", "https://t.me/s/nochannel", "nochannel", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			tp, err := ParseTelegram(readFixture(t, "telegram/"+tt.file), tt.url, bishkek)
			if err != nil {
				t.Fatal(err)
			}
			if tp.Before != tt.wantBefore {
				t.Errorf("Before = %d, want %d", tp.Before, tt.wantBefore)
			}
			if tp.Channel != tt.wantChannel {
				t.Errorf("Channel = %q, want %q", tp.Channel, tt.wantChannel)
			}
			if len(tp.Posts) != len(tt.want) {
				t.Fatalf("got %d posts, want %d: %+v", len(tp.Posts), len(tt.want), tp.Posts)
			}
			for i := range tp.Posts {
				g, w := tp.Posts[i], tt.want[i]
				if !g.Published.Equal(w.Published) {
					t.Errorf("post %d: Published = %v, want %v", g.Number, g.Published, w.Published)
				}
				g.Published, w.Published = time.Time{}, time.Time{}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("post %d:\n got %#v\nwant %#v", i, g, w)
				}
			}
		})
	}
}

// TestTelegramPaging follows the cursor from the newest page to the older
// one, as the poller does, and checks that no post is read twice or missed.
func TestTelegramPaging(t *testing.T) {
	pages := map[string]string{
		"https://t.me/s/minzdravkg":             "page1.html",
		"https://t.me/s/minzdravkg?before=1001": "page2.html",
	}
	next := "https://t.me/s/minzdravkg"
	var numbers []int
	for range 3 {
		file, ok := pages[next]
		if !ok {
			break
		}
		tp, err := ParseTelegram(readFixture(t, "telegram/"+file), next, bishkek)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range tp.Posts {
			numbers = append(numbers, p.Number)
		}
		if tp.Before == 0 {
			break
		}
		next = "https://t.me/s/" + tp.Channel + "?before=" + strconv.Itoa(tp.Before)
	}
	want := []int{1001, 1004, 1005, 996, 997, 998, 999, 1000}
	if !reflect.DeepEqual(numbers, want) {
		t.Errorf("read posts %v, want %v", numbers, want)
	}
}

func TestParseViews(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"987", 987}, {"1.2K", 1200}, {"3.4M", 3400000}, {"1K", 1000}, {"15.3K", 15300},
		{"4,1K", 4100}, {" 12 ", 12}, {"", 0}, {"много", 0}, {"-5", 0}, {"1e99M", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseViews(tt.in); got != tt.want {
				t.Errorf("parseViews(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseTelegram(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "telegram", "*.html"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tp, err := ParseTelegram(body, "https://t.me/s/fuzz", bishkek)
		if err != nil {
			return
		}
		for i, p := range tp.Posts {
			if p.Text == "" || p.Number < tp.Before || i > 0 && tp.Posts[i-1].Number >= p.Number {
				t.Errorf("post %+v breaks the page's order, cursor %d or text", p, tp.Before)
			}
		}
	})
}
