package synth

import (
	"math"
	"sort"
)

// Publication times follow a weekly rhythm in Bishkek time (UTC+6): few
// articles at night, most in office hours, fewer at weekends. Article n is
// placed at quantile (n+jitter)/N of that rhythm over [Start, End), so times
// are spread over the whole span, never decrease with n, and need no state.

const (
	weekSeconds = 7 * 24 * 3600
	// weekRef is Monday 1970-01-05 00:00 in Bishkek, as Unix seconds.
	weekRef = 4*86400 - 6*3600
)

// hourWeight is the relative rate of publication by hour of the local day.
var hourWeight = [24]float64{
	0.25, 0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.6, 1.0, 1.4, 1.6, 1.7,
	1.6, 1.5, 1.6, 1.6, 1.5, 1.4, 1.2, 1.0, 0.9, 0.7, 0.5, 0.35,
}

// dayWeight is the relative rate by day of the week, from Monday.
var dayWeight = [7]float64{1, 1, 1, 1, 1, 0.65, 0.55}

// clock maps time (seconds since weekRef) to cumulative publishing weight
// and back; the weight is constant within each hour of the week.
type clock struct {
	w   [168]float64 // weight per second in each hour of the week
	cum [169]float64 // weight before each hour of the week
}

func newClock() clock {
	var c clock
	for h := range c.w {
		c.w[h] = hourWeight[h%24] * dayWeight[h/24]
		c.cum[h+1] = c.cum[h] + c.w[h]*3600
	}
	return c
}

// weight returns the cumulative weight up to x.
func (c *clock) weight(x float64) float64 {
	k := math.Floor(x / weekSeconds)
	rem := x - k*weekSeconds
	h := min(int(rem/3600), 167)
	return k*c.cum[168] + c.cum[h] + (rem-float64(h)*3600)*c.w[h]
}

// at is the inverse of weight.
func (c *clock) at(y float64) float64 {
	k := math.Floor(y / c.cum[168])
	rem := y - k*c.cum[168]
	h := min(sort.Search(168, func(i int) bool { return c.cum[i+1] > rem }), 167)
	return k*weekSeconds + float64(h)*3600 + (rem-c.cum[h])/c.w[h]
}
