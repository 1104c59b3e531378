package analysis

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// revision is how a simulated revision answers: its 5xx rate, and
// latencies log-normal around median with a share of slow requests.
type revision struct {
	errorRate  float64
	median     time.Duration
	sigma      float64 // of the log-normal
	slowShare  float64
	slowMedian time.Duration
}

// healthy is a realistic healthy service: 0.5% 5xx, a 3 ms median with
// noise, 1% of requests around 60 ms (a cache miss, a GC pause).
var healthy = revision{errorRate: 0.005, median: 3 * time.Millisecond, sigma: 0.6, slowShare: 0.01, slowMedian: 60 * time.Millisecond}

// canary is one simulated canary: rate requests a second, share of them
// to green, read every tick as the controller does, for at most bake.
type canary struct {
	rate        float64
	share       float64
	tick        time.Duration
	bake        time.Duration
	blue, green revision
}

// run simulates c and returns when the analysis first failed green, or
// ok=false when it never did within the bake.
func (c canary) run(rng *rand.Rand, th Thresholds) (detected time.Duration, v Verdict, ok bool) {
	var s Series
	at := time.Unix(0, 0)
	old, nw := Counts{Latency: Histogram{Bounds: lbBounds, Counts: make([]uint64, len(lbBounds)+1)}},
		Counts{Latency: Histogram{Bounds: lbBounds, Counts: make([]uint64, len(lbBounds)+1)}}
	s.Add(Point{At: at, Old: clone(old), New: clone(nw)})
	perTick := c.rate * c.tick.Seconds()
	for elapsed := c.tick; elapsed <= c.bake; elapsed += c.tick {
		n := poisson(rng, perTick)
		for range n {
			if rng.Float64() < c.share {
				c.green.answer(rng, &nw)
			} else {
				c.blue.answer(rng, &old)
			}
		}
		s.Add(Point{At: at.Add(elapsed), Old: clone(old), New: clone(nw)})
		w, _ := s.Window()
		if v := Judge(w, th); v.Fail {
			return elapsed, v, true
		}
	}
	return 0, Verdict{}, false
}

func (r revision) answer(rng *rand.Rand, c *Counts) {
	c.Requests++
	if rng.Float64() < r.errorRate {
		c.Errors++
	}
	median := r.median
	if rng.Float64() < r.slowShare {
		median = r.slowMedian
	}
	d := time.Duration(float64(median) * math.Exp(r.sigma*rng.NormFloat64()))
	j := 0
	for j < len(lbBounds) && d > lbBounds[j] {
		j++
	}
	c.Latency.Counts[j]++
}

func clone(c Counts) Counts {
	c.Latency.Counts = slices.Clone(c.Latency.Counts)
	return c
}

// poisson draws a Poisson count of mean m (normal approximation above 50).
func poisson(rng *rand.Rand, m float64) int {
	if m > 50 {
		return max(0, int(math.Round(m+math.Sqrt(m)*rng.NormFloat64())))
	}
	l, k, p := math.Exp(-m), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// The acceptance figures' canary: 200 requests a second, 10% to green, read
// every quarter second (the controller's interval).
var acceptance = canary{rate: 200, share: 0.10, tick: 250 * time.Millisecond, bake: 10 * time.Minute, blue: healthy, green: healthy}

func failing500s() canary {
	c := acceptance
	c.green.errorRate = 0.5
	return c
}

// detections simulates n canaries of c and returns their detection times
// (a canary never failed counts as its bake).
func detections(c canary, n int, seed uint64) []time.Duration {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]time.Duration, n)
	for i := range out {
		d, _, ok := c.run(rng, Thresholds{})
		if !ok {
			d = c.bake
		}
		out[i] = d
	}
	slices.Sort(out)
	return out
}

// falseAlarms simulates n healthy canaries of c and counts those failed.
func falseAlarms(c canary, n int, seed uint64) (int, Verdict) {
	rng := rand.New(rand.NewPCG(seed, 2))
	count, last := 0, Verdict{}
	for range n {
		if _, v, ok := c.run(rng, Thresholds{}); ok {
			count, last = count+1, v
		}
	}
	return count, last
}

// TestSimulatedCanaries: a green answering half its requests with 500 at a
// 10% canary of 200 requests a second is caught within 5 s (simulated
// time) every time; 100 healthy canaries baking minutes each, under
// several traffic shapes, are never failed.
func TestSimulatedCanaries(t *testing.T) {
	d := detections(failing500s(), 100, 1)
	if worst := d[len(d)-1]; worst >= 5*time.Second {
		t.Errorf("detection: median %v, worst %v (goal < 5 s)", d[len(d)/2], worst)
	}
	slowGreen := acceptance
	slowGreen.green.slowShare, slowGreen.green.slowMedian = 0.05, 500*time.Millisecond
	if d := detections(slowGreen, 20, 3); d[len(d)-1] >= time.Minute {
		t.Errorf("a green 5%% of whose requests take 500 ms: detection worst %v", d[len(d)-1])
	}
	// Bakes shorter than the benchmark's keep the test quick under -race.
	short := acceptance
	short.bake = 3 * time.Minute
	for name, c := range map[string]canary{
		"10% of 200/s":           short,
		"10% of 20/s":            {rate: 20, share: 0.10, tick: 250 * time.Millisecond, bake: 10 * time.Minute, blue: healthy, green: healthy},
		"linear 50% of 200/s":    {rate: 200, share: 0.50, tick: 250 * time.Millisecond, bake: 2 * time.Minute, blue: healthy, green: healthy},
		"5% errors, 10% of 1k/s": withErrors(canary{rate: 1000, share: 0.10, tick: 250 * time.Millisecond, bake: time.Minute}, 0.05),
	} {
		if n, v := falseAlarms(c, 100, 7); n > 0 {
			t.Errorf("%s: %d of 100 healthy canaries failed, e.g. %s", name, n, v.Summary())
		}
	}
}

func withErrors(c canary, rate float64) canary {
	c.blue, c.green = healthy, healthy
	c.blue.errorRate, c.green.errorRate = rate, rate
	return c
}

// BenchmarkAnalysisDetection reports the built-in analysis's detection
// time (simulated) for a green answering 50% 500s at a 10% canary of 200
// requests a second: median and worst of 100 canaries.
func BenchmarkAnalysisDetection(b *testing.B) {
	var d []time.Duration
	for i := range b.N {
		d = detections(failing500s(), 100, uint64(i))
	}
	b.ReportMetric(d[len(d)/2].Seconds(), "median-s")
	b.ReportMetric(d[len(d)-1].Seconds(), "worst-s")
}

// BenchmarkAnalysisFalseAlarms reports how many of 100 healthy canaries
// (0.5% 5xx on both sides, latency noise; 10 minutes' bake at 200
// requests a second, 10% canary) the analysis failed.
func BenchmarkAnalysisFalseAlarms(b *testing.B) {
	total := 0
	for i := range b.N {
		n, _ := falseAlarms(acceptance, 100, uint64(i))
		total += n
	}
	b.ReportMetric(float64(total)/float64(b.N), "false-alarms/100")
}

// BenchmarkJudge is the cost of one judgement.
func BenchmarkJudge(b *testing.B) {
	w := Window{Old: counts(9000, 45), New: counts(1000, 5)}
	for b.Loop() {
		Judge(w, Thresholds{})
	}
}
