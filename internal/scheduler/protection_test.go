package scheduler

import "testing"

// ECS task scale-in protection: a scale-in never stops a protected task,
// so with more protected tasks than the surplus fewer tasks stop.
func TestScaleInSkipsProtectedTasks(t *testing.T) {
	ts := tasks("d1", 4, 0)
	ts[3].Protected, ts[2].Protected = true, true // the newest: stopped first otherwise
	p := PlanService(ServiceInput{Primary: "d1", Desired: 1, MinHealthyPercent: 100, MaximumPercent: 200, Tasks: ts})
	if len(p.Stop) != 2 || p.Start != 0 {
		t.Fatalf("plan: %+v", p)
	}
	for _, s := range p.Stop {
		if s.TaskID == ts[3].ID || s.TaskID == ts[2].ID || s.Reason != StopScaleIn {
			t.Fatalf("stopped a protected task: %+v", p.Stop)
		}
	}
	for i := range ts {
		ts[i].Protected = true
	}
	if p := PlanService(ServiceInput{Primary: "d1", Desired: 1, MinHealthyPercent: 100, MaximumPercent: 200, Tasks: ts}); len(p.Stop) != 0 || p.Start != 0 || p.Stuck {
		t.Fatalf("all protected: %+v", p)
	}
}
