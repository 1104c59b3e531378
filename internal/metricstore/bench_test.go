package metricstore

import (
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// BenchmarkRecorderTick is one tick of Slipway's recorder: 500 series get a
// sample each (a third with a latency histogram) and the head is flushed,
// as Run does every FlushInterval. ns/op is the cost of a tick.
func BenchmarkRecorderTick(b *testing.B) {
	clk := &fakeNow{t: time.Now()}
	s, err := Open(Options{Path: filepath.Join(b.TempDir(), "m.db"), Now: clk.now})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	metrics := make([]Metric, 500)
	for i := range metrics {
		metrics[i] = NewMetric("AWS/ApplicationELB", "M"+strconv.Itoa(i%10), Dimension{"TargetGroup", "targetgroup/tg" + strconv.Itoa(i/10) + "/0123456789abcdef"})
	}
	batch := make([]Sample, len(metrics))
	cpu0 := cpuTime()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		clk.add(5 * time.Second)
		at := clk.now()
		for i, m := range metrics {
			v := Value(float64(n + i))
			if i%3 == 0 {
				v = Aggregate{Count: 100, Sum: 5, Min: 0.001, Max: 0.2, Hist: &Histogram{}}
				v.Hist.AddRange(0.001, 0.0025, 60)
				v.Hist.AddRange(0.0025, 0.1, 40)
			}
			batch[i] = Sample{Metric: m, Time: at, Value: v}
		}
		if err := s.Put(batch); err != nil {
			b.Fatal(err)
		}
		if err := s.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPut is the in-memory part of a write (no flush): one sample.
func BenchmarkPut(b *testing.B) {
	s, err := Open(Options{Path: filepath.Join(b.TempDir(), "m.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	m := NewMetric("App", "Requests")
	t0 := time.Now()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if err := s.Put([]Sample{{Metric: m, Time: t0, Value: Value(1)}}); err != nil {
			b.Fatal(err)
		}
	}
}
