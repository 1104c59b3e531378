package stats

import (
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	if p := Percentile(d, 0.5); p != 50 {
		t.Fatalf("p50 of 1..100 = %d", p)
	}
	if p := Percentile(d, 0.99); p != 99 {
		t.Fatalf("p99 of 1..100 = %d", p)
	}
	if p := Percentile(d[:1], 0.99); p != 1 {
		t.Fatalf("p99 of one sample = %d", p)
	}
}
