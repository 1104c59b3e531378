package scheduler

import (
	"fmt"
	"testing"
	"time"
)

func tasks(dep string, healthy, pending int) []Task {
	var out []Task
	for i := range healthy + pending {
		out = append(out, Task{ID: fmt.Sprintf("%s-%d", dep, i), Deployment: dep, Healthy: i < healthy,
			CreatedAt: time.Unix(int64(i), 0)})
	}
	return out
}

func join(lists ...[]Task) []Task {
	var out []Task
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func countReason(p Plan, r StopReason) int {
	n := 0
	for _, s := range p.Stop {
		if s.Reason == r {
			n++
		}
	}
	return n
}

func TestBoundsRoundAsECS(t *testing.T) {
	cases := []struct{ d, min, max, wantMin, wantMax int }{
		{4, 100, 200, 4, 8}, {4, 50, 100, 2, 4}, {3, 50, 150, 2, 4}, {1, 50, 100, 1, 1}, {10, 0, 100, 0, 10},
	}
	for _, c := range cases {
		if mn, mx := Bounds(c.d, c.min, c.max); mn != c.wantMin || mx != c.wantMax {
			t.Errorf("Bounds(%d,%d,%d) = %d,%d want %d,%d", c.d, c.min, c.max, mn, mx, c.wantMin, c.wantMax)
		}
	}
}

func TestPlanServiceRollingSteps(t *testing.T) {
	cases := []struct {
		name                   string
		in                     ServiceInput
		start, replaced, scale int
		unhealthy              int
		stuck                  bool
	}{
		{"fresh service starts all", ServiceInput{Primary: "n", Desired: 3, MinHealthyPercent: 100, MaximumPercent: 200}, 3, 0, 0, 0, false},
		{"min100 max200 starts a full new set", ServiceInput{Primary: "n", Desired: 4, MinHealthyPercent: 100, MaximumPercent: 200,
			Tasks: tasks("o", 4, 0)}, 4, 0, 0, 0, false},
		{"min100: old stays until new healthy", ServiceInput{Primary: "n", Desired: 4, MinHealthyPercent: 100, MaximumPercent: 200,
			Tasks: join(tasks("o", 4, 0), tasks("n", 0, 4))}, 0, 0, 0, 0, false},
		{"min100: each healthy new frees one old", ServiceInput{Primary: "n", Desired: 4, MinHealthyPercent: 100, MaximumPercent: 200,
			Tasks: join(tasks("o", 4, 0), tasks("n", 2, 2))}, 0, 2, 0, 0, false},
		{"min50 max100 stops half first", ServiceInput{Primary: "n", Desired: 4, MinHealthyPercent: 50, MaximumPercent: 100,
			Tasks: tasks("o", 4, 0)}, 2, 2, 0, 0, false},
		{"old pending tasks stop at once", ServiceInput{Primary: "n", Desired: 2, MinHealthyPercent: 100, MaximumPercent: 200,
			Tasks: join(tasks("o", 1, 1))}, 2, 1, 0, 0, false},
		{"failed tasks are replaced", ServiceInput{Primary: "n", Desired: 2, MinHealthyPercent: 100, MaximumPercent: 200,
			Tasks: []Task{{ID: "a", Deployment: "n", Healthy: true}, {ID: "b", Deployment: "n", Failed: true}}}, 1, 0, 0, 1, false},
		{"scale in stops surplus", ServiceInput{Primary: "n", Desired: 1, MinHealthyPercent: 100, MaximumPercent: 200,
			Tasks: tasks("n", 3, 0)}, 0, 0, 2, 0, false},
		{"frozen failed deployment", ServiceInput{Primary: "n", Desired: 2, MinHealthyPercent: 50, MaximumPercent: 200, Frozen: true,
			Tasks: join(tasks("o", 2, 0), []Task{{ID: "f", Deployment: "n", Failed: true}})}, 0, 0, 0, 1, false},
		{"blocked launches", ServiceInput{Primary: "n", Desired: 2, MinHealthyPercent: 100, MaximumPercent: 200, LaunchBlocked: true}, 0, 0, 0, 0, false},
		{"min100 max100 cannot progress", ServiceInput{Primary: "n", Desired: 1, MinHealthyPercent: 100, MaximumPercent: 100,
			Tasks: tasks("o", 1, 0)}, 0, 0, 0, 0, true},
		{"min50 max100 of 1 rounds to stuck", ServiceInput{Primary: "n", Desired: 1, MinHealthyPercent: 50, MaximumPercent: 100,
			Tasks: tasks("o", 1, 0)}, 0, 0, 0, 0, true},
		{"min0 max100 replaces in place", ServiceInput{Primary: "n", Desired: 1, MinHealthyPercent: 0, MaximumPercent: 100,
			Tasks: tasks("o", 1, 0)}, 1, 1, 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := PlanService(c.in)
			if p.Start != c.start || countReason(p, StopReplaced) != c.replaced || countReason(p, StopScaleIn) != c.scale ||
				countReason(p, StopUnhealthy) != c.unhealthy || p.Stuck != c.stuck {
				t.Fatalf("plan = %+v", p)
			}
		})
	}
}

func TestPlanServiceDraining(t *testing.T) {
	p := PlanService(ServiceInput{Primary: "n", Draining: true, Tasks: join(tasks("n", 2, 1), tasks("o", 1, 0))})
	if p.Start != 0 || countReason(p, StopDraining) != 4 {
		t.Fatalf("plan = %+v", p)
	}
}

// TestRollingInvariantsHold simulates whole rollouts step by step and checks
// that healthy tasks never drop below the minimum by the plan's own stops
// and the total never exceeds the maximum.
func TestRollingInvariantsHold(t *testing.T) {
	for _, cfg := range [][3]int{{4, 100, 200}, {4, 50, 100}, {4, 50, 150}, {10, 100, 200}, {5, 0, 100}, {3, 100, 150}} {
		d, minPct, maxPct := cfg[0], cfg[1], cfg[2]
		minHealthy, maxTotal := Bounds(d, minPct, maxPct)
		live := tasks("o", d, 0)
		seq := 0
		for step := 0; step < 100; step++ {
			in := ServiceInput{Primary: "n", Desired: d, MinHealthyPercent: minPct, MaximumPercent: maxPct, Tasks: live}
			p := PlanService(in)
			stopped := map[string]bool{}
			for _, s := range p.Stop {
				stopped[s.TaskID] = true
			}
			var next []Task
			healthy := 0
			for _, tk := range live {
				if !stopped[tk.ID] {
					tk.Healthy = true // pending tasks become healthy by the next step
					next = append(next, tk)
				}
			}
			for _, tk := range live {
				if !stopped[tk.ID] && tk.Healthy {
					healthy++
				}
			}
			if healthy < minHealthy && countReason(p, StopReplaced) > 0 {
				t.Fatalf("%v: healthy %d below minimum %d after stops", cfg, healthy, minHealthy)
			}
			for range p.Start {
				seq++
				next = append(next, Task{ID: fmt.Sprintf("n-%d", seq), Deployment: "n"})
			}
			if len(next) > maxTotal && maxTotal >= d {
				t.Fatalf("%v: %d tasks exceed maximum %d", cfg, len(next), maxTotal)
			}
			live = next
			if p.Stuck {
				t.Fatalf("%v: stuck", cfg)
			}
			if len(live) == d && allIn(live, "n") {
				return
			}
		}
		t.Fatalf("%v: rollout did not finish: %+v", cfg, live)
	}
}

func allIn(ts []Task, dep string) bool {
	for _, t := range ts {
		if t.Deployment != dep {
			return false
		}
	}
	return true
}
