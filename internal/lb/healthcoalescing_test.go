package lb

import "testing"

// TestHealthCoalescing: a target's events merge from its first From to its
// last To; another target, or the same target in another group, is another
// key.
func TestHealthCoalescing(t *testing.T) {
	c := HealthCoalescing()
	a := Target{ID: "i-1", Host: "127.0.0.1", Port: 80}
	e1 := HealthEvent{TargetGroupARN: "g", Target: a, From: TargetHealth{State: "initial"}, To: TargetHealth{State: "healthy"}}
	e2 := HealthEvent{TargetGroupARN: "g", Target: a, From: TargetHealth{State: "healthy"}, To: TargetHealth{State: "unhealthy"}}
	if c.Key(e1) != c.Key(e2) {
		t.Fatal("one target's events have different keys")
	}
	if m := c.Merge(e1, e2); m.From.State != "initial" || m.To.State != "unhealthy" || m.Target != a {
		t.Fatalf("merged %+v", m)
	}
	other := e1
	other.TargetGroupARN = "h"
	b := e1
	b.Target.Port = 81
	if c.Key(other) == c.Key(e1) || c.Key(b) == c.Key(e1) {
		t.Fatal("different targets share a key")
	}
}
