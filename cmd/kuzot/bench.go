package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"kuzot/config"
)

// cmdBench runs Kuzot's end-to-end measurements.
func cmdBench(args []string) error {
	if len(args) == 0 || args[0] != "latency" {
		return errors.New("bench: say what to measure: kuzot bench latency [--articles 50] [--poll 2s] [--group-wait 30s] [--json]")
	}
	fs := flag.NewFlagSet("bench latency", flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	n := fs.Int("articles", 50, "articles the local site publishes")
	poll := fs.Duration("poll", 2*time.Second, "how often kuzot polls the site")
	wait := fs.Duration("group-wait", 30*time.Second, "alerting.group_wait")
	every := fs.Duration("every", 1500*time.Millisecond, "time between two publications")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	switch {
	case *n < 1:
		return fmt.Errorf("bench latency: --articles %d: publish at least 1 (try 50)", *n)
	case *poll < time.Second:
		return fmt.Errorf("bench latency: --poll %s: poll at least every second (try 2s)", *poll)
	case *wait < 0 || *every <= 0:
		return errors.New("bench latency: --group-wait must not be negative and --every must be positive")
	}
	a, err := common.load()
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	res, err := benchLatency(ctx, a.cfg, latencyOptions{Articles: *n, Poll: *poll, GroupWait: *wait, Every: *every, Progress: os.Stderr})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(os.Stdout, res)
	}
	res.print(os.Stdout)
	return nil
}

type latencyOptions struct {
	Articles  int
	Poll      time.Duration
	GroupWait time.Duration
	Every     time.Duration
	Progress  io.Writer
	Dir       string // data directory; a temporary one when empty
}

// latencyResult is the detection latency: from an article's publication
// on the site to its arrival in Slack, as a new alert or a reply in its
// story's thread.
type latencyResult struct {
	Articles  int           `json:"articles"`
	Arrived   int           `json:"arrived"`
	Poll      time.Duration `json:"poll_ns"`
	GroupWait time.Duration `json:"group_wait_ns"`
	Goal      time.Duration `json:"goal_p95_ns"` // poll + group wait + 1 s
	P50       time.Duration `json:"p50_ns"`
	P95       time.Duration `json:"p95_ns"`
	Max       time.Duration `json:"max_ns"`
	// First are the latencies of articles that opened an alert (they wait
	// for the group wait); Follow those of articles that joined one.
	FirstP50  time.Duration `json:"first_p50_ns"`
	FollowP50 time.Duration `json:"follow_p50_ns"`
	First     int           `json:"first"`
}

func (r *latencyResult) print(w io.Writer) {
	ok := "met"
	if r.P95 > r.Goal || r.Arrived < r.Articles {
		ok = "MISSED"
	}
	fmt.Fprintf(w, "detection latency, publication → Slack, %d of %d articles arrived (poll %s, group wait %s)\n",
		r.Arrived, r.Articles, r.Poll, r.GroupWait)
	fmt.Fprintf(w, "  p50 %s   p95 %s   max %s   goal p95 ≤ %s: %s\n", r.P50.Round(10*time.Millisecond),
		r.P95.Round(10*time.Millisecond), r.Max.Round(10*time.Millisecond), r.Goal, ok)
	fmt.Fprintf(w, "  %d opened an alert (p50 %s); %d joined one as a thread reply (p50 %s)\n", r.First,
		r.FirstP50.Round(10*time.Millisecond), r.Arrived-r.First, r.FollowP50.Round(10*time.Millisecond))
}

// benchLatency runs the whole service against a local site that publishes
// an article every opts.Every, with a fake Slack that records arrivals.
func benchLatency(ctx context.Context, base *config.Config, opts latencyOptions) (*latencyResult, error) {
	site := newBenchSite()
	defer site.Close()
	slack := newFakeSlack(site.URL)
	defer slack.Close()

	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "kuzot-bench-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
	}
	cfg := *base
	cfg.DataDir = dir
	cfg.Crawler.HostInterval = 0
	cfg.Crawler.MinInterval = config.Duration(opts.Poll)
	cfg.Crawler.MaxInterval = config.Duration(opts.Poll)
	off := false
	cfg.Crawler.RespectRobots = &off
	full := false
	cfg.Sources = []config.Source{{ID: "bench-site", Outlet: "bench.kg", Kind: config.KindRSS, URL: site.URL + "/feed.xml",
		Interval: config.Duration(opts.Poll), Lang: "ru", Reach: 2, FullText: &full}}
	cfg.Alerting.GroupWait = config.Duration(opts.GroupWait)
	cfg.Alerting.Escalation = config.Escalation{}
	cfg.Alerting.Spikes.Enabled = false
	cfg.Web.Listen = "127.0.0.1:0"
	cfg.Alerting.Receivers = []config.Receiver{{Name: "bench-slack", Slack: &config.SlackReceiver{Token: "xoxb-bench", Channel: "#press", APIURL: slack.URL + "/api/"}}}
	cfg.Alerting.Routes = []config.Route{{Receivers: []string{"bench-slack"}, MinSeverity: "low"}}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	a := &app{cfg: &cfg, log: slog.New(slog.DiscardHandler)}

	runCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- a.serve(runCtx) }()
	defer func() {
		stop()
		<-served
	}()

	// Publish while the service runs, then wait for the last arrivals.
	time.Sleep(opts.Poll) // the first poll sees an empty feed
	for i := 0; i < opts.Articles; i++ {
		site.publish(i)
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "\rpublished %d/%d, arrived %d", i+1, opts.Articles, slack.count())
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(opts.Every):
		}
	}
	deadline := time.Now().Add(opts.Poll + opts.GroupWait + 30*time.Second)
	for slack.count() < opts.Articles && time.Now().Before(deadline) {
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "\rpublished %d/%d, arrived %d", opts.Articles, opts.Articles, slack.count())
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	if opts.Progress != nil {
		fmt.Fprintln(opts.Progress)
	}

	res := &latencyResult{Articles: opts.Articles, Poll: opts.Poll, GroupWait: opts.GroupWait, Goal: opts.Poll + opts.GroupWait + time.Second}
	var all, first, follow []time.Duration
	arrivals := slack.arrivals()
	for i := 0; i < opts.Articles; i++ {
		arr, ok := arrivals[i]
		if !ok {
			continue
		}
		d := arr.at.Sub(site.published(i))
		all = append(all, d)
		if arr.top {
			first = append(first, d)
		} else {
			follow = append(follow, d)
		}
	}
	res.Arrived, res.First = len(all), len(first)
	res.P50, res.P95, res.Max = quantile(all, 0.5), quantile(all, 0.95), quantile(all, 1)
	res.FirstP50, res.FollowP50 = quantile(first, 0.5), quantile(follow, 0.5)
	return res, nil
}

// quantile returns the q-quantile of ds (nearest rank).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// benchSite is a news site whose RSS feed gains an article at a time.
type benchSite struct {
	*httptest.Server
	mu    sync.Mutex
	times []time.Time
}

// benchStories are the events the site reports, each in several words.
var benchStories = []struct{ title, body string }{
	{"В роддоме %s роженице по ошибке ввели антисептик", "В городском родильном доме %s медсестра по ошибке ввела роженице антисептик вместо обезболивающего. Женщина в реанимации. Минздрав начал служебную проверку, медсестра отстранена от работы."},
	{"В больнице %s врачи вымогали деньги у пациентов за операции", "Пациенты больницы %s пожаловались, что врачи требовали деньги за бесплатные операции. Минздрав направил комиссию, прокуратура проверяет факты вымогательства."},
	{"В %s закончился инсулин: пациенты не могут получить лекарство", "В аптеках и больнице %s уже неделю нет инсулина. Пациенты с диабетом не могут получить лекарство, Минздрав обещает поставку."},
	{"Рентген-аппарат стоит под снегом во дворе больницы %s", "Новый рентген-аппарат больницы %s несколько месяцев стоит под открытым небом во дворе. Оборудование не установлено, Минздрав начал проверку."},
	{"В %s выросло число заболевших корью", "В %s за неделю выявлены новые случаи кори у детей. Вспышка кори: санэпидслужба и Минздрав проводят вакцинацию в школах."},
}

var benchPlaces = []string{"Бишкека", "Оша", "Каракола", "Нарына", "Таласа", "Баткена", "Токмока", "Джалал-Абада", "Узгена", "Кара-Балты"}

func newBenchSite() *benchSite {
	s := &benchSite{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.feed))
	return s
}

func (s *benchSite) publish(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.times) <= i {
		s.times = append(s.times, time.Time{})
	}
	s.times[i] = time.Now()
}

func (s *benchSite) published(i int) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.times[i]
}

func benchArticle(i int) (title, body string) {
	st := benchStories[i%len(benchStories)]
	place := benchPlaces[(i/len(benchStories))%len(benchPlaces)]
	return fmt.Sprintf(st.title, place), fmt.Sprintf(st.body, place) + fmt.Sprintf(" Сообщение %d.", i)
}

func (s *benchSite) feed(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/feed.xml" {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	times := slices.Clone(s.times)
	s.mu.Unlock()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>bench.kg</title><link>` + s.URL + `</link>`)
	for i := len(times) - 1; i >= 0; i-- {
		title, body := benchArticle(i)
		fmt.Fprintf(&b, `<item><title>%s</title><link>%s/news/%d</link><guid>%s/news/%d</guid><pubDate>%s</pubDate><description>%s</description></item>`,
			html.EscapeString(title), s.URL, i, s.URL, i, times[i].UTC().Format(time.RFC1123Z), html.EscapeString(body))
	}
	b.WriteString(`</channel></rss>`)
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	io.WriteString(w, b.String())
}

// fakeSlack records when each bench article first reaches Slack.
type fakeSlack struct {
	*httptest.Server
	link *regexp.Regexp
	mu   sync.Mutex
	seen map[int]arrival
	ts   int
}

type arrival struct {
	at  time.Time
	top bool // a top-level message (a new alert), not a thread reply
}

func newFakeSlack(site string) *fakeSlack {
	f := &fakeSlack{link: regexp.MustCompile(regexp.QuoteMeta(site) + `/news/([0-9]+)`), seen: map[int]arrival{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		top := r.PostForm.Get("thread_ts") == ""
		f.mu.Lock()
		for _, m := range f.link.FindAllStringSubmatch(r.PostForm.Get("blocks")+r.PostForm.Get("text"), -1) {
			if i, err := strconv.Atoi(m[1]); err == nil {
				if _, dup := f.seen[i]; !dup {
					f.seen[i] = arrival{at: now, top: top}
				}
			}
		}
		f.ts++
		ts := f.ts
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": "C0PRESS", "ts": fmt.Sprintf("1700000000.%06d", ts)})
	}))
	return f
}

func (f *fakeSlack) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.seen)
}

// posts returns how many messages were posted.
func (f *fakeSlack) posts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ts
}

func (f *fakeSlack) arrivals() map[int]arrival {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[int]arrival, len(f.seen))
	for k, v := range f.seen {
		out[k] = v
	}
	return out
}

// signalContext ends on SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
