package metricstore

import (
	"math"
	"sort"
)

// Percentiles are answered from a sparse histogram with fixed logarithmic
// buckets: bucket i holds the values in (2^((i-1)/8), 2^(i/8)], and a value is
// answered as its bucket's geometric midpoint, so any percentile is within
// 4.4% (2^(1/16)-1) of a value that was recorded at that rank. The buckets
// are the same for every series and every tier, so histograms merge by
// adding counts: downsampling keeps percentiles exact to that bound.
//
// As in CloudWatch, percentiles need raw values: a datapoint that had a
// negative value, or a statistic set whose SampleCount > 1 and Minimum !=
// Maximum, has none (Aggregate.NoPercentiles).
const (
	bucketsPerOctave = 8
	// maxBuckets bounds one histogram (a datapoint's values spanning 50
	// octaves, 1e-7 to 1e8, fit). Beyond it the lowest buckets are folded
	// into one, losing resolution only at the lowest ranks.
	maxBuckets = 400
)

// bucket is one non-empty histogram bucket.
type bucket struct {
	Index int32
	Count float64
}

// Histogram counts positive values (and zeros) in fixed logarithmic buckets.
// The zero value is empty.
type Histogram struct {
	Zeros   float64  // values equal to 0
	Buckets []bucket // sorted by Index, counts > 0
}

// bucketIndex is the bucket of v > 0.
func bucketIndex(v float64) int32 {
	i := math.Ceil(math.Log2(v) * bucketsPerOctave)
	return int32(math.Max(math.MinInt32+1, math.Min(math.MaxInt32, i)))
}

// bucketValue is the value a bucket answers with: its geometric midpoint.
func bucketValue(i int32) float64 {
	return math.Exp2((float64(i) - 0.5) / bucketsPerOctave)
}

// bucketUpper is the upper bound of bucket i.
func bucketUpper(i int32) float64 { return math.Exp2(float64(i) / bucketsPerOctave) }

// Add records n values equal to v (v >= 0).
func (h *Histogram) Add(v, n float64) {
	if n <= 0 {
		return
	}
	if v == 0 {
		h.Zeros += n
		return
	}
	idx := bucketIndex(v)
	k := sort.Search(len(h.Buckets), func(j int) bool { return h.Buckets[j].Index >= idx })
	if k < len(h.Buckets) && h.Buckets[k].Index == idx {
		h.Buckets[k].Count += n
		return
	}
	h.Buckets = append(h.Buckets, bucket{})
	copy(h.Buckets[k+1:], h.Buckets[k:])
	h.Buckets[k] = bucket{Index: idx, Count: n}
	h.fold()
}

// AddRange records n values spread evenly over (lo, hi], as a bucketed
// source (the load balancer's latency histogram) describes them: each fixed
// bucket overlapping the range gets its share of n.
func (h *Histogram) AddRange(lo, hi, n float64) {
	if n <= 0 {
		return
	}
	if hi <= lo || lo < 0 {
		h.Add(hi, n)
		return
	}
	if lo == 0 {
		lo = hi / 1e3 // the share below a thousandth of hi is negligible
	}
	first, last := bucketIndex(math.Nextafter(lo, math.Inf(1))), bucketIndex(hi)
	for i := first; i <= last; i++ {
		a := math.Max(lo, bucketUpper(i-1))
		b := math.Min(hi, bucketUpper(i))
		if b > a {
			h.Add(bucketValue(i), n*(b-a)/(hi-lo))
		}
	}
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	h.Zeros += o.Zeros
	if len(o.Buckets) == 0 {
		return
	}
	out := make([]bucket, 0, len(h.Buckets)+len(o.Buckets))
	i, j := 0, 0
	for i < len(h.Buckets) || j < len(o.Buckets) {
		switch {
		case j == len(o.Buckets) || (i < len(h.Buckets) && h.Buckets[i].Index < o.Buckets[j].Index):
			out = append(out, h.Buckets[i])
			i++
		case i == len(h.Buckets) || o.Buckets[j].Index < h.Buckets[i].Index:
			out = append(out, o.Buckets[j])
			j++
		default:
			out = append(out, bucket{Index: h.Buckets[i].Index, Count: h.Buckets[i].Count + o.Buckets[j].Count})
			i++
			j++
		}
	}
	h.Buckets = out
	h.fold()
}

// fold merges the lowest buckets while there are more than maxBuckets.
func (h *Histogram) fold() {
	if len(h.Buckets) <= maxBuckets {
		return
	}
	extra := len(h.Buckets) - maxBuckets
	var n float64
	for _, b := range h.Buckets[:extra+1] {
		n += b.Count
	}
	keep := h.Buckets[extra]
	keep.Count = n
	h.Buckets = append([]bucket{keep}, h.Buckets[extra+1:]...)
}

// Count is the number of values recorded.
func (h *Histogram) Count() float64 {
	n := h.Zeros
	for _, b := range h.Buckets {
		n += b.Count
	}
	return n
}

// Quantile returns the value at rank q (0 < q <= 1) of the recorded values,
// clamped to [min, max] (the exact extremes the Aggregate keeps), or false
// when the histogram is empty.
func (h *Histogram) Quantile(q, min, max float64) (float64, bool) {
	total := h.Count()
	if total == 0 {
		return 0, false
	}
	rank := q * total
	seen := h.Zeros
	v := 0.0
	if seen < rank {
		v = bucketValue(h.Buckets[len(h.Buckets)-1].Index)
		for _, b := range h.Buckets {
			seen += b.Count
			if seen >= rank*(1-1e-12) {
				v = bucketValue(b.Index)
				break
			}
		}
	}
	return math.Min(max, math.Max(min, v)), true
}

func (h *Histogram) clone() *Histogram {
	return &Histogram{Zeros: h.Zeros, Buckets: append([]bucket(nil), h.Buckets...)}
}
