package metricstore

import (
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeNow is a settable clock for retention tests.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeNow) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func open(t *testing.T, path string, now func() time.Time) *Store {
	t.Helper()
	s, err := Open(Options{Path: path, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var lat = NewMetric("App", "Latency", Dimension{"Service", "web"}, Dimension{"Az", "a"})

func TestPutQueryAndDownsampling(t *testing.T) {
	clk := &fakeNow{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s := open(t, filepath.Join(t.TempDir(), "m.db"), clk.now)
	defer s.Close()
	start := clk.now().Add(-10 * time.Minute)
	// 600 one-second samples of 1..600 ms, one per second over ten minutes.
	var samples []Sample
	for i := 0; i < 600; i++ {
		samples = append(samples, Sample{Metric: lat, Unit: "Seconds", Time: start.Add(time.Duration(i) * time.Second), Value: Value(float64(i+1) / 1000)})
	}
	if err := s.Put(samples); err != nil {
		t.Fatal(err)
	}
	check := func(period time.Duration, wantWindows int) []Window {
		t.Helper()
		// The dimension order given must not matter.
		m := NewMetric("App", "Latency", Dimension{"Az", "a"}, Dimension{"Service", "web"})
		w, err := s.Query(Query{Metric: m, Start: start, End: start.Add(10 * time.Minute), Period: period})
		if err != nil {
			t.Fatal(err)
		}
		if len(w) != wantWindows {
			t.Fatalf("period %v: %d windows, want %d", period, len(w), wantWindows)
		}
		var n float64
		for _, x := range w {
			n += x.Value.Count
			if x.Unit != "Seconds" {
				t.Errorf("unit %q", x.Unit)
			}
		}
		if n != 600 {
			t.Errorf("period %v: %v samples, want 600", period, n)
		}
		return w
	}
	check(time.Second, 600)
	check(10*time.Second, 60)
	w := check(time.Minute, 10)
	if a := w[0].Value; a.Min != 0.001 || a.Max != 0.060 || math.Abs(a.Sum-1.83) > 1e-9 {
		t.Errorf("first minute: %+v", a)
	}
	all := check(10*time.Minute, 1)[0].Value
	if p, ok := all.Percentile(99); !ok || math.Abs(p-0.594)/0.594 > 0.045 {
		t.Errorf("p99 = %v, %v; want 0.594 within 4.5%%", p, ok)
	}
	if p, _ := all.Percentile(50); math.Abs(p-0.300)/0.300 > 0.045 {
		t.Errorf("p50 = %v, want 0.300 within 4.5%%", p)
	}
	// The same answers after a flush, a restart and from the 5-minute tier.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, s.opts.Path, clk.now)
	defer s.Close()
	w5, err := s.Query(Query{Metric: lat, Start: start, End: start.Add(10 * time.Minute), Period: 5 * time.Minute})
	if err != nil || len(w5) != 2 || w5[0].Value.Count+w5[1].Value.Count != 600 {
		t.Fatalf("after reopen: %+v, %v", w5, err)
	}
	if s.tierFor(Query{Start: start, Period: 5 * time.Minute}) != 2 {
		t.Error("5-minute periods not read from the 5-minute tier")
	}
}

func TestStatisticSetsAndNegativesHaveNoPercentiles(t *testing.T) {
	if _, ok := StatisticSet(10, 50, 1, 9).Percentile(50); ok {
		t.Error("a statistic set with Min != Max has percentiles")
	}
	if p, ok := StatisticSet(10, 50, 5, 5).Percentile(50); !ok || p != 5 {
		t.Errorf("a statistic set of equal values: p50 = %v, %v", p, ok)
	}
	a := Value(3).Merge(Value(-1))
	if _, ok := a.Percentile(50); ok || a.Min != -1 || a.Sum != 2 {
		t.Errorf("negative value merged: %+v", a)
	}
}

func TestRetention(t *testing.T) {
	clk := &fakeNow{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s := open(t, filepath.Join(t.TempDir(), "m.db"), clk.now)
	defer s.Close()
	t0 := clk.now()
	if err := s.Put([]Sample{{Metric: lat, Time: t0, Value: Value(1)}}); err != nil {
		t.Fatal(err)
	}
	count := func(period time.Duration) float64 {
		w, err := s.Query(Query{Metric: lat, Start: t0.Truncate(time.Hour), End: t0.Truncate(time.Hour).Add(time.Hour), Period: period})
		if err != nil {
			t.Fatal(err)
		}
		if len(w) == 0 {
			return 0
		}
		return w[0].Value.Count
	}
	// Four hours on, the one-second point is gone, the one-minute one is kept.
	clk.add(4 * time.Hour)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := s.EnforceRetention(); err != nil {
		t.Fatal(err)
	}
	if count(time.Second) != 0 || count(time.Minute) != 1 || count(time.Hour) != 1 {
		t.Errorf("after 4h: 1s %v, 1m %v, 1h %v", count(time.Second), count(time.Minute), count(time.Hour))
	}
	clk.add(16 * 24 * time.Hour)
	if err := s.EnforceRetention(); err != nil {
		t.Fatal(err)
	}
	if count(time.Minute) != 0 || count(time.Hour) != 1 {
		t.Errorf("after 16 days: 1m %v, 1h %v", count(time.Minute), count(time.Hour))
	}
	if len(s.List()) != 1 {
		t.Error("series forgotten too early")
	}
	clk.add(456 * 24 * time.Hour)
	if err := s.EnforceRetention(); err != nil {
		t.Fatal(err)
	}
	if count(time.Hour) != 0 || len(s.List()) != 0 {
		t.Errorf("after 472 days: 1h %v, %d series", count(time.Hour), len(s.List()))
	}
	// Data older than a tier keeps is not written to it.
	old := clk.now().Add(-20 * 24 * time.Hour).Truncate(time.Hour)
	if err := s.Put([]Sample{{Metric: lat, Time: old, Value: Value(1)}}); err != nil {
		t.Fatal(err)
	}
	w, _ := s.Query(Query{Metric: lat, Start: old, End: old.Add(time.Hour), Period: time.Minute})
	if len(w) != 0 {
		t.Errorf("a 20-day-old point is in the 15-day tier: %+v", w)
	}
}

func TestMaxSeries(t *testing.T) {
	s, err := Open(Options{Path: filepath.Join(t.TempDir(), "m.db"), MaxSeries: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	for i, name := range []string{"a", "b", "a", "c"} {
		err := s.Put([]Sample{{Metric: NewMetric("N", name), Time: now, Value: Value(1)}})
		if (err != nil) != (i == 3) {
			t.Errorf("put %s: %v", name, err)
		}
	}
}

func TestEncodingRoundTrip(t *testing.T) {
	a := Values(0.25, 3).Merge(Value(0)).Merge(Value(1e9)).Merge(Value(7))
	a.Sum += 0.1
	b, err := decodeAggregate(a.encode(nil))
	if err != nil {
		t.Fatal(err)
	}
	if b.Count != a.Count || b.Sum != a.Sum || b.Min != a.Min || b.Max != a.Max || b.Hist.Count() != 6 || b.Hist.Zeros != 1 {
		t.Errorf("round trip: %+v -> %+v", a, b)
	}
	if _, err := decodeAggregate([]byte{flagHist, 2, 2}); err == nil {
		t.Error("truncated point decoded")
	}
}

func TestHistogramFolds(t *testing.T) {
	var h Histogram
	for i := 0; i < 2*maxBuckets; i++ {
		h.Add(math.Exp2(float64(i)/4), 1)
	}
	if len(h.Buckets) > maxBuckets || h.Count() != 2*maxBuckets {
		t.Errorf("%d buckets, count %v", len(h.Buckets), h.Count())
	}
}
