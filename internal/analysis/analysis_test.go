package analysis

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// lbBounds are the load balancer's latency buckets (internal/lb).
var lbBounds = []time.Duration{
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2500 * time.Millisecond, 5 * time.Second,
	10 * time.Second, 30 * time.Second, 60 * time.Second,
}

// hist puts n latencies of d into a histogram of the lb's buckets.
func hist(pairs ...any) Histogram {
	h := Histogram{Bounds: lbBounds, Counts: make([]uint64, len(lbBounds)+1)}
	for i := 0; i < len(pairs); i += 2 {
		n, d := pairs[i].(int), pairs[i+1].(time.Duration)
		j := 0
		for j < len(lbBounds) && d > lbBounds[j] {
			j++
		}
		h.Counts[j] += uint64(n)
	}
	return h
}

func counts(requests, errors int) Counts {
	return Counts{Requests: uint64(requests), Errors: uint64(errors), Latency: hist(requests, 3*time.Millisecond)}
}

func TestErrorRate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new Counts
		fail     bool
	}{
		{"no traffic", counts(0, 0), counts(0, 0), false},
		{"a few requests, all failed", counts(30, 0), counts(3, 3), false},
		{"below the minimum, half failed", counts(250, 0), counts(29, 15), false},
		{"one error in the first requests", counts(270, 0), counts(30, 1), false},
		{"two errors in the first requests", counts(270, 0), counts(30, 2), false},
		{"equal rates, few requests", counts(270, 2), counts(30, 0), false},
		{"equal rates, many requests", counts(90_000, 450), counts(10_000, 50), false},
		{"equal high rates", counts(9_000, 900), counts(1_000, 100), false},
		{"slightly higher, significant but under a point", counts(900_000, 4_500), counts(100_000, 900), false},
		{"half failing, first second of a 10% canary at 200/s", counts(180, 0), counts(20, 10), false},
		{"half failing, 1.5 s of a 10% canary at 200/s", counts(270, 0), counts(30, 15), true},
		{"half failing against a 0.5% baseline", counts(2700, 14), counts(300, 150), true},
		{"clearly worse, 5% against 0.5%", counts(90_000, 450), counts(10_000, 500), true},
		{"no old traffic to compare with", counts(0, 0), counts(1000, 500), false},
	} {
		v := Judge(Window{Old: tc.old, New: tc.new}, Thresholds{})
		if v.Fail != tc.fail {
			t.Errorf("%s: fail %v, want %v: %+v", tc.name, v.Fail, tc.fail, v)
		}
		if v.Fail && (v.Kind != KindErrors || !strings.Contains(v.Summary(), "error rate")) {
			t.Errorf("%s: %s %q", tc.name, v.Kind, v.Summary())
		}
	}
}

func TestLatency(t *testing.T) {
	fast := func(n int) Counts {
		return Counts{Requests: uint64(n), Latency: hist(n*98/100, 3*time.Millisecond, n*2/100, 20*time.Millisecond)}
	}
	slow := func(n int, d time.Duration) Counts {
		return Counts{Requests: uint64(n), Latency: hist(n*90/100, 3*time.Millisecond, n*10/100, d)}
	}
	for _, tc := range []struct {
		name     string
		old, new Counts
		fail     bool
	}{
		{"too few samples", fast(900), slow(90, 2*time.Second), false},
		{"same distribution", fast(9000), fast(1000), false},
		{"10% of requests 400 ms slower", fast(9000), slow(1000, 400*time.Millisecond), true},
		{"slower but by less than 100 ms", fast(9000), slow(1000, 60*time.Millisecond), false},
		{"slow, few old samples: bounded by the old slowest", slow(150, 400*time.Millisecond), slow(150, 400*time.Millisecond), false},
	} {
		v := Judge(Window{Old: tc.old, New: tc.new}, Thresholds{})
		if v.Fail != tc.fail {
			t.Errorf("%s: fail %v, want %v: %+v", tc.name, v.Fail, tc.fail, v)
		}
		if v.Fail && (v.Kind != KindLatency || !strings.Contains(v.Summary(), "p99 latency")) {
			t.Errorf("%s: %s %q", tc.name, v.Kind, v.Summary())
		}
	}
}

func TestWilson(t *testing.T) {
	z := zFor(0.975)
	if math.Abs(z-1.96) > 0.001 {
		t.Fatalf("z(97.5%%) = %v", z)
	}
	// Reference values (Wilson 1927; e.g. Newcombe 1998, table I: 81/263).
	lo, hi := wilson(81, 263, z)
	if math.Abs(lo-0.2553) > 0.0005 || math.Abs(hi-0.3662) > 0.0005 {
		t.Errorf("wilson(81, 263) = %.4f, %.4f", lo, hi)
	}
	if lo, hi := wilson(0, 0, z); lo != 0 || hi != 1 {
		t.Errorf("no trials: %v %v", lo, hi)
	}
	if lo, _ := wilson(0, 100, z); lo != 0 {
		t.Errorf("no successes: lower %v", lo)
	}
}

func TestQuantileBounds(t *testing.T) {
	z := zFor(0.9995)
	h := hist(990, 3*time.Millisecond, 10, 200*time.Millisecond) // p99 at the top of the 2.5-5 ms bucket
	if q := quantile(h, p99); q != 5*time.Millisecond {
		t.Errorf("p99 %v", q)
	}
	// 1,000 samples: too few to bound the p99 from above but by the slowest.
	if u := quantileUpper(h, p99, z); u != 250*time.Millisecond {
		t.Errorf("upper %v", u)
	}
	if l := quantileLower(h, p99, z); l >= 5*time.Millisecond || l < 2500*time.Microsecond {
		t.Errorf("lower %v", l)
	}
	if l := quantileLower(hist(1, time.Second), p99, z); l != 0 {
		t.Errorf("lower bound of one sample %v, want 0", l)
	}
	if u := quantileUpper(hist(10, 3*time.Minute), p99, z); u != forever {
		t.Errorf("upper bound in the overflow bucket %v", u)
	}
}

func TestParse(t *testing.T) {
	d := Defaults()
	if got, err := Parse("", Thresholds{}); err != nil || got != d {
		t.Errorf("empty: %+v %v", got, err)
	}
	if got, err := Parse("off", d); err != nil || !got.Off {
		t.Errorf("off: %+v %v", got, err)
	}
	got, err := Parse("on min-requests=50 confidence=99.9 error-increase=2 min-latency-samples=200 latency-ratio=2 latency-increase=250ms", Thresholds{Off: true})
	want := Thresholds{MinRequests: 50, Confidence: 99.9, MinErrorIncrease: 2, MinLatencySamples: 200, LatencyRatio: 2,
		MinLatencyIncrease: 250 * time.Millisecond}
	if err != nil || got != want {
		t.Errorf("keys: %+v %v", got, err)
	}
	back, err := Parse(got.String(), Thresholds{})
	if err != nil || back != got {
		t.Errorf("String %q reads back as %+v %v", got.String(), back, err)
	}
	for _, bad := range []string{"of", "min-requests=0", "confidence=100", "confidence=50", "error-increase=-1",
		"latency-ratio=0.5", "latency-increase=2m", "latency-increase=5", "colour=blue", "on off", "min-requests"} {
		if _, err := Parse(bad, d); !errors.Is(err, ErrSetting) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestSeries(t *testing.T) {
	var s Series
	at := time.Unix(1000, 0)
	add := func(sec int, old, new Counts) {
		s.Add(Point{At: at.Add(time.Duration(sec) * time.Second), Old: old, New: new})
	}
	if w, d := s.Window(); d != 0 || w.New.Requests != 0 {
		t.Fatalf("empty: %+v %v", w, d)
	}
	add(0, counts(100, 1), counts(10, 0))
	add(1, counts(280, 1), counts(30, 10))
	if w, d := s.Window(); d != time.Second || w.Old.Requests != 180 || w.New.Requests != 20 || w.New.Errors != 10 ||
		w.New.Latency.Total() != 20 {
		t.Errorf("window %+v over %v", w, d)
	}
	for sec := 2; sec <= 120; sec++ {
		add(sec, counts(280+180*(sec-1), 1), counts(30+20*(sec-1), 10))
	}
	if w, d := s.Window(); d != DefaultMaxAge || w.New.Requests != 20*60 || w.New.Errors != 0 {
		t.Errorf("sliding window %+v over %v", w, d)
	}
	add(121, counts(5, 0), counts(5, 0)) // the data plane restarted
	if s.Len() != 1 {
		t.Errorf("after a restart %d readings", s.Len())
	}
}
