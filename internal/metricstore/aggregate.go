package metricstore

import "math"

// Aggregate is what the store keeps per series and time bucket: CloudWatch's
// statistic set (SampleCount, Sum, Minimum, Maximum) and, for percentiles, a
// histogram of the values. Merging two Aggregates is exact for the statistic
// set and for the histogram's buckets, which is what downsampling relies on.
type Aggregate struct {
	Count, Sum, Min, Max float64
	// Hist holds the values for percentiles; nil when there are none.
	Hist *Histogram
	// NoPercentiles marks data percentiles cannot be computed from (see
	// Histogram): it wins over Hist in a merge.
	NoPercentiles bool
}

// Value is the Aggregate of one raw value.
func Value(v float64) Aggregate { return Values(v, 1) }

// Values is the Aggregate of n equal raw values v (PutMetricData's Values
// with Counts).
func Values(v, n float64) Aggregate {
	a := Aggregate{Count: n, Sum: v * n, Min: v, Max: v}
	if v < 0 {
		a.NoPercentiles = true
	} else {
		a.Hist = &Histogram{}
		a.Hist.Add(v, n)
	}
	return a
}

// StatisticSet is the Aggregate of a published statistic set. As CloudWatch
// does, it keeps percentiles only when the set stands for raw values: a
// SampleCount of 1, or Minimum equal to Maximum.
func StatisticSet(count, sum, min, max float64) Aggregate {
	if count == 1 || min == max {
		a := Values(min, count)
		a.Sum = sum
		a.Max = max
		return a
	}
	return Aggregate{Count: count, Sum: sum, Min: min, Max: max, NoPercentiles: true}
}

// Empty reports whether the Aggregate holds no samples.
func (a Aggregate) Empty() bool { return a.Count == 0 }

// Merge returns the Aggregate of both.
func (a Aggregate) Merge(b Aggregate) Aggregate {
	if a.Empty() {
		return b.clone()
	}
	if b.Empty() {
		return a
	}
	out := Aggregate{
		Count: a.Count + b.Count, Sum: a.Sum + b.Sum,
		Min: math.Min(a.Min, b.Min), Max: math.Max(a.Max, b.Max),
		NoPercentiles: a.NoPercentiles || b.NoPercentiles,
	}
	if !out.NoPercentiles && (a.Hist != nil || b.Hist != nil) {
		out.Hist = &Histogram{}
		if a.Hist != nil {
			out.Hist.Merge(a.Hist)
		}
		if b.Hist != nil {
			out.Hist.Merge(b.Hist)
		}
	}
	return out
}

// Average is Sum / SampleCount.
func (a Aggregate) Average() float64 {
	if a.Count == 0 {
		return 0
	}
	return a.Sum / a.Count
}

// Percentile returns the p-th percentile (0 < p <= 100), or false when the
// data has none.
func (a Aggregate) Percentile(p float64) (float64, bool) {
	if a.NoPercentiles || a.Hist == nil {
		return 0, false
	}
	return a.Hist.Quantile(p/100, a.Min, a.Max)
}

func (a Aggregate) clone() Aggregate {
	if a.Hist != nil {
		a.Hist = a.Hist.clone()
	}
	return a
}
