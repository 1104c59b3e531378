// Package stats is the benchmarks' arithmetic on latencies.
package stats

import "time"

// Percentile of sorted durations by the nearest-rank method.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
