// Package analysis judges a traffic-shifting deployment from the load
// balancer's own counts, with no alarm set up: over one window it compares
// the new revision's (green's) error rate and p99 latency with the old
// revision's (blue's) and says whether green is clearly worse. It is a pure
// function of the counts and the thresholds; the controller gathers the
// window and acts on the verdict.
//
// Both tests account for small samples, so that a handful of requests never
// fails a deployment and equal rates do not either:
//
//   - errors: green fails when the lower bound of the Wilson score interval
//     of its 5xx rate is above the upper bound of blue's (each one-sided at
//     Thresholds.Confidence), its observed rate is at least
//     Thresholds.MinErrorIncrease above blue's, and it answered at least
//     Thresholds.MinRequests requests;
//   - latency: green fails when a distribution-free lower confidence bound
//     of its p99 (an order statistic below the 99th, chosen by the binomial
//     law of the ranks) is at least Thresholds.LatencyRatio times, and
//     Thresholds.MinLatencyIncrease more than, the matching upper bound of
//     blue's p99, each with at least Thresholds.MinLatencySamples samples.
//     With few samples the bounds widen to the extremes (blue's slowest
//     request, green's faster ones), so little traffic cannot fail it.
package analysis

import (
	"fmt"
	"time"
)

// Histogram is a latency histogram as the load balancer keeps it:
// Counts[i] counts requests of latency in (Bounds[i-1], Bounds[i]]; the
// last element of Counts (one more than Bounds) is the overflow bucket.
type Histogram struct {
	Bounds []time.Duration
	Counts []uint64
}

// Total is the number of latencies counted.
func (h Histogram) Total() uint64 {
	var n uint64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// Counts are one revision's requests over the window.
type Counts struct {
	Requests uint64 // responses sent to clients
	Errors   uint64 // of which 5xx (the target's or the load balancer's on its behalf)
	Latency  Histogram
}

// Window is what the two revisions answered over the same time.
type Window struct {
	Old, New Counts
}

// Kind says what a failing verdict found.
type Kind string

// What a verdict can find.
const (
	KindNone    Kind = ""
	KindErrors  Kind = "errors"
	KindLatency Kind = "latency"
)

// Verdict is the outcome of one judgement, with the figures it rests on.
type Verdict struct {
	// Fail: the new revision is clearly worse; Kind says how.
	Fail bool
	Kind Kind
	// Judged: enough requests on both sides to judge the error rate (a
	// verdict that does not fail and is not judged means "too early").
	Judged bool
	// Error rates observed and their bounds (new's lower, old's upper).
	NewErrorRate, OldErrorRate   float64
	NewErrorLower, OldErrorUpper float64
	// p99 latencies observed (interpolated in the buckets) and their bounds
	// (new's lower, old's upper); zero without enough samples.
	NewP99, OldP99           time.Duration
	NewP99Lower, OldP99Upper time.Duration
	NewRequests, OldRequests uint64
	NewErrors, OldErrors     uint64
}

// Judge compares the new revision with the old over w.
func Judge(w Window, t Thresholds) Verdict {
	t = t.withDefaults()
	z := t.z()
	v := Verdict{NewRequests: w.New.Requests, OldRequests: w.Old.Requests, NewErrors: w.New.Errors, OldErrors: w.Old.Errors}
	v.NewErrorRate, v.OldErrorRate = rate(w.New.Errors, w.New.Requests), rate(w.Old.Errors, w.Old.Requests)
	v.NewErrorLower, _ = wilson(w.New.Errors, w.New.Requests, z)
	_, v.OldErrorUpper = wilson(w.Old.Errors, w.Old.Requests, z)
	v.Judged = w.New.Requests >= uint64(t.MinRequests) && w.Old.Requests >= uint64(t.MinRequests)
	if w.New.Requests >= uint64(t.MinRequests) && v.NewErrorLower > v.OldErrorUpper &&
		100*(v.NewErrorRate-v.OldErrorRate) >= t.MinErrorIncrease {
		v.Fail, v.Kind = true, KindErrors
		return v
	}
	nn, no := w.New.Latency.Total(), w.Old.Latency.Total()
	if nn < uint64(t.MinLatencySamples) || no < uint64(t.MinLatencySamples) {
		return v
	}
	v.NewP99, v.OldP99 = quantile(w.New.Latency, p99), quantile(w.Old.Latency, p99)
	v.NewP99Lower, v.OldP99Upper = quantileLower(w.New.Latency, p99, z), quantileUpper(w.Old.Latency, p99, z)
	if float64(v.NewP99Lower) >= t.LatencyRatio*float64(v.OldP99Upper) && v.NewP99Lower-v.OldP99Upper >= t.MinLatencyIncrease {
		v.Fail, v.Kind = true, KindLatency
	}
	return v
}

const p99 = 0.99

func rate(k, n uint64) float64 {
	if n == 0 {
		return 0
	}
	return float64(k) / float64(n)
}

// Summary is the verdict's figures in a sentence, for a deployment's
// statusReason and the service's events: what was worse, by how much, over
// how many requests.
func (v Verdict) Summary() string {
	switch v.Kind {
	case KindErrors:
		return fmt.Sprintf("error rate %s (%d of %d requests) against %s (%d of %d) for the previous revision",
			percent(v.NewErrorRate), v.NewErrors, v.NewRequests, percent(v.OldErrorRate), v.OldErrors, v.OldRequests)
	case KindLatency:
		return fmt.Sprintf("p99 latency %s (at least %s) over %d requests against %s (at most %s) over %d for the previous revision",
			ms(v.NewP99), ms(v.NewP99Lower), v.NewRequests, ms(v.OldP99), ms(v.OldP99Upper), v.OldRequests)
	}
	return fmt.Sprintf("error rate %s (%d of %d requests) against %s (%d of %d) for the previous revision; p99 latency %s against %s",
		percent(v.NewErrorRate), v.NewErrors, v.NewRequests, percent(v.OldErrorRate), v.OldErrors, v.OldRequests, ms(v.NewP99), ms(v.OldP99))
}

func percent(r float64) string { return fmt.Sprintf("%.1f%%", 100*r) }

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
