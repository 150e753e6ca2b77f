package synth

import (
	"math"
	"math/rand/v2"
)

// rng is a PCG held by value, so an article's generator lives on the stack,
// with the few draws the generator needs and no interface calls.
type rng struct{ src rand.PCG }

// seed derives the stream from two numbers through splitmix64, so that
// neighbouring articles (seeds n and n+1) start from unrelated states.
func (r *rng) seed(a, b uint64) {
	r.src.Seed(mix64(a^0x6a09e667f3bcc909), mix64(b+mix64(a)))
}

func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (r *rng) uint64() uint64 { return r.src.Uint64() }

// intn returns a number in [0, n) for n < 2^32 (multiply-shift; the bias is
// below 2^-32·n and of no consequence here).
func (r *rng) intn(n int) int {
	return int((r.src.Uint64() >> 32) * uint64(n) >> 32)
}

// float returns a number in [0, 1).
func (r *rng) float() float64 {
	return float64(r.src.Uint64()>>11) / (1 << 53)
}

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// norm returns a standard normal number (Box–Muller; one per article, so
// its cost does not matter).
func (r *rng) norm() float64 {
	u1 := 1 - r.float() // in (0, 1]
	u2 := r.float()
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// pick returns an element of s chosen uniformly.
func pick[T any](r *rng, s []T) T { return s[r.intn(len(s))] }
