package analysis

import (
	"math"
	"time"
)

// wilson is the Wilson score interval of k successes in n trials at z
// standard deviations: unlike the normal approximation it stays inside
// [0, 1] and is honest for small n and for rates near 0, which is where a
// canary starts (few requests, few errors). With no trials it is [0, 1].
func wilson(k, n uint64, z float64) (lower, upper float64) {
	if n == 0 {
		return 0, 1
	}
	fn := float64(n)
	p := float64(k) / fn
	z2 := z * z
	den := 1 + z2/fn
	centre := (p + z2/(2*fn)) / den
	half := z * math.Sqrt(p*(1-p)/fn+z2/(4*fn*fn)) / den
	return max(0, centre-half), min(1, centre+half)
}

// zFor is the one-sided standard normal quantile of confidence c (0.5..1).
func zFor(c float64) float64 { return math.Sqrt2 * math.Erfinv(2*c-1) }

// quantile estimates the q-quantile of h, interpolating inside a bucket as
// the load balancer's own statistics do.
func quantile(h Histogram, q float64) time.Duration {
	return atRank(h, q*float64(h.Total()), false)
}

// quantileLower is a lower confidence bound of the q-quantile: the r-th
// smallest latency, where r is so low that fewer than r of n samples fall
// below the true quantile only with probability 1-c (the count below it is
// binomial(n, q); normal approximation at z). With few samples r drops
// toward the fast end, and below the first rank the bound is 0.
func quantileLower(h Histogram, q, z float64) time.Duration {
	n := float64(h.Total())
	r := math.Floor(n*q - z*math.Sqrt(n*q*(1-q)))
	if r < 1 {
		return 0
	}
	return atRank(h, r, false)
}

// quantileUpper is the matching upper confidence bound: the s-th smallest
// latency with s above n*q by z standard deviations; when s is beyond the
// samples (fewer than about z²·q/(1-q) of them: 2,230 for a p99 at z 4.75)
// it is the slowest latency seen, the top of its bucket.
func quantileUpper(h Histogram, q, z float64) time.Duration {
	n := float64(h.Total())
	s := math.Ceil(n*q+z*math.Sqrt(n*q*(1-q))) + 1
	if s > n {
		return slowest(h)
	}
	return atRank(h, s, true)
}

// forever stands for a latency past the last bucket's bound: no bound
// above it is known.
const forever = time.Duration(math.MaxInt64)

// slowest is the upper edge of the highest non-empty bucket.
func slowest(h Histogram) time.Duration {
	for i := len(h.Counts) - 1; i >= 0; i-- {
		if h.Counts[i] == 0 {
			continue
		}
		if i >= len(h.Bounds) {
			return forever
		}
		return h.Bounds[i]
	}
	return 0
}

// atRank is the latency of the rank-th smallest sample (1-based, may be
// fractional), interpolated linearly inside its bucket. In the overflow
// bucket it is the last bound, or forever when upper (an upper bound
// cannot be known there).
func atRank(h Histogram, rank float64, upper bool) time.Duration {
	var seen float64
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		n := float64(c)
		if seen+n < rank {
			seen += n
			continue
		}
		if i >= len(h.Bounds) {
			if upper || len(h.Bounds) == 0 {
				return forever
			}
			return h.Bounds[len(h.Bounds)-1]
		}
		lo := time.Duration(0)
		if i > 0 {
			lo = h.Bounds[i-1]
		}
		frac := min(1, max(0, (rank-seen)/n))
		return lo + time.Duration(frac*float64(h.Bounds[i]-lo))
	}
	return slowest(h)
}
