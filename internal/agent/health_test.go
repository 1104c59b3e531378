package agent

import (
	"testing"
	"time"
)

func TestNextProbeUsesStartIntervalDuringStartPeriod(t *testing.T) {
	cases := []struct {
		elapsed time.Duration
		status  string
		want    time.Duration
	}{
		{0, "UNKNOWN", time.Second},
		{3 * time.Second, "UNKNOWN", time.Second},
		{3 * time.Second, "HEALTHY", 10 * time.Second},
		{5 * time.Second, "UNKNOWN", 10 * time.Second},
	}
	for _, c := range cases {
		if got := nextProbe(10*time.Second, 5*time.Second, c.elapsed, c.status); got != c.want {
			t.Errorf("nextProbe(elapsed %s, %s) = %s, want %s", c.elapsed, c.status, got, c.want)
		}
	}
	if got := nextProbe(10*time.Second, 0, 0, "UNKNOWN"); got != 10*time.Second {
		t.Errorf("without a start period the first probe waits an interval, got %s", got)
	}
}
