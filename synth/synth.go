package synth

import (
	"fmt"
	"math"
	"time"
)

// Article is one generated article.
type Article struct {
	N         int       // its number, from 0
	Lang      string    // "ru", "ky" (about 35%) or "en" (about 2%)
	Outlet    string    // one of 40 outlets, a few big and many small
	Title     string    // 5–14 words, no final full stop
	Body      string    // 2–12 paragraphs separated by "\n\n"
	Published time.Time // in [Start, End), in UTC, never before article N-1's
}

// Config says which archive to generate.
type Config struct {
	// Seed selects the archive; the vocabularies are the same for every
	// seed, only the articles differ.
	Seed uint64
	// Start and End bound the publication times: article 0 is published
	// near Start, article N-1 just before End.
	Start, End time.Time
	// N is the number of articles.
	N int
}

// Shares of the languages; the rest is Russian.
const (
	shareKY = 0.35
	shareEN = 0.02
)

// topicCDF is the cumulative share of the topics: 45% of articles are
// general, 15% about health, 13% crime, 14% the economy, 13% politics.
var topicCDF = [nTopics]float64{0.45, 0.60, 0.73, 0.87, 1}

// Body lengths in words are log-normal with median bodyMedian and
// log-standard deviation bodySigma (5th percentile about 70, 95th about
// 900), clamped to [bodyMin, bodyMax].
const (
	bodyMedian = 250
	bodySigma  = 0.78
	bodyMin    = 20
	bodyMax    = 3000
)

// Generator generates the articles of one Config. It is immutable, so one
// generator serves any number of goroutines.
type Generator struct {
	cfg     Config
	vocabs  [nLangs]*vocab
	outlets [nLangs]outletTable
	clock   clock
	start   float64 // Start in seconds since weekRef
	w0, w1  float64 // publishing weight at Start and End
	span    time.Duration
}

// New returns the generator of cfg. It panics if cfg.N < 1 or End is not
// after Start: a benchmark's configuration is written in its code.
func New(cfg Config) *Generator {
	if cfg.N < 1 || !cfg.End.After(cfg.Start) {
		panic(fmt.Sprintf("synth: bad config: N=%d, Start=%v, End=%v (need N ≥ 1 and End after Start)", cfg.N, cfg.Start, cfg.End))
	}
	g := &Generator{cfg: cfg, vocabs: vocabularies(), clock: newClock(), span: cfg.End.Sub(cfg.Start)}
	for l := range g.outlets {
		g.outlets[l] = newOutletTable(l)
	}
	g.start = float64(cfg.Start.Unix()-weekRef) + float64(cfg.Start.Nanosecond())/1e9
	g.w0 = g.clock.weight(g.start)
	g.w1 = g.clock.weight(g.start + g.span.Seconds())
	return g
}

// Article returns article n (0 ≤ n < N). It is a pure function of the
// Config and n: the same article every time, in any order and from any
// goroutine.
func (g *Generator) Article(n int) Article {
	if n < 0 || n >= g.cfg.N {
		panic(fmt.Sprintf("synth: article %d out of range [0, %d)", n, g.cfg.N))
	}
	var w writer
	w.r.seed(g.cfg.Seed, uint64(n))
	r := &w.r
	a := Article{N: n, Published: g.published(n, r)}
	lang := langRU
	switch x := r.float(); {
	case x < shareKY:
		lang = langKY
	case x < shareKY+shareEN:
		lang = langEN
	}
	a.Lang = langCodes[lang]
	a.Outlet = g.outlets[lang].draw(r)
	w.v = g.vocabs[lang]
	w.lang = lang
	w.year = a.Published.Year()
	x := r.float()
	for w.topic = 0; x >= topicCDF[w.topic]; w.topic++ {
	}
	for i := range w.focus {
		w.focus[i] = w.v.entZipf.draw(r)
	}
	a.Title = w.title()
	a.Body = w.body(bodyLength(r))
	return a
}

// published returns the time of article n: quantile (n+jitter)/N of the
// publishing rhythm between Start and End, in whole seconds from Start.
func (g *Generator) published(n int, r *rng) time.Time {
	u := (float64(n) + r.float()) / float64(g.cfg.N)
	x := g.clock.at(g.w0 + u*(g.w1-g.w0))
	off := time.Duration(math.Floor(x-g.start)) * time.Second
	// Rounding can put the first and last articles a hair outside the span.
	off = max(0, min(off, g.span-1))
	return g.cfg.Start.Add(off).UTC()
}

func bodyLength(r *rng) int {
	n := int(math.Round(bodyMedian * math.Exp(bodySigma*r.norm())))
	return max(bodyMin, min(n, bodyMax))
}
