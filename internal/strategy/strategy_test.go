package strategy

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/scheduler"
)

func tasks(dep string, healthy, pending int) []scheduler.Task {
	var out []scheduler.Task
	for i := range healthy + pending {
		out = append(out, scheduler.Task{ID: fmt.Sprintf("%s-%d", dep, i), Deployment: dep, Healthy: i < healthy,
			CreatedAt: time.Unix(int64(i), 0)})
	}
	return out
}

func stops(p Plan, r scheduler.StopReason) int {
	n := 0
	for _, s := range p.Stop {
		if s.Reason == r {
			n++
		}
	}
	return n
}

func TestWeightsSplitWithinELBBounds(t *testing.T) {
	cases := []struct {
		pct         float64
		blue, green int
	}{{0, 100, 0}, {10, 90, 10}, {25, 75, 25}, {100, 0, 100}, {0.1, 999, 1}, {25.5, 745, 255}, {99.9, 1, 999}, {33.3, 667, 333}}
	for _, c := range cases {
		b, g := Weights(c.pct)
		if b != c.blue || g != c.green || b > model.MaxTargetGroupWeight || g > model.MaxTargetGroupWeight {
			t.Errorf("Weights(%v) = %d:%d, want %d:%d", c.pct, b, g, c.blue, c.green)
		}
	}
}

func percents(steps []Step) []float64 {
	var out []float64
	for _, s := range steps {
		out = append(out, s.GreenPercent)
	}
	return out
}

func TestSchedules(t *testing.T) {
	if got := percents(Linear{StepPercent: 25}.Steps()); !slices.Equal(got, []float64{25, 50, 75, 100}) {
		t.Errorf("linear 25: %v", got)
	}
	if got := percents(Linear{StepPercent: 33.3}.Steps()); !slices.Equal(got, []float64{33.3, 66.6, 99.9, 100}) {
		t.Errorf("linear 33.3: %v", got)
	}
	if got := len(Linear{StepPercent: 3}.Steps()); got != 34 {
		t.Errorf("linear 3%%: %d steps, want 34", got)
	}
	if got := percents(Canary{Percent: 10}.Steps()); !slices.Equal(got, []float64{10, 100}) {
		t.Errorf("canary 10: %v", got)
	}
	if got := percents(Canary{Percent: 100}.Steps()); !slices.Equal(got, []float64{100}) {
		t.Errorf("canary 100: %v", got)
	}
	// The last step bakes bakeTimeInMinutes, the others the step bake.
	steps := Linear{StepPercent: 50, StepBake: time.Minute, Bake: 5 * time.Minute}.Steps()
	if steps[0].Bake != time.Minute || steps[1].Bake != 5*time.Minute {
		t.Errorf("linear bakes: %+v", steps)
	}
}

func TestForPicksTheStrategyWithECSDefaults(t *testing.T) {
	c := For(model.DeploymentConfiguration{Strategy: model.StrategyCanary}).(Canary)
	if c.Percent != 5 || c.CanaryBake != 10*time.Minute || c.Bake != 0 {
		t.Errorf("canary defaults: %+v", c)
	}
	l := For(model.DeploymentConfiguration{Strategy: model.StrategyLinear}).(Linear)
	if l.StepPercent != 10 || l.StepBake != 6*time.Minute {
		t.Errorf("linear defaults: %+v", l)
	}
	if _, ok := For(model.DeploymentConfiguration{Strategy: model.StrategyBlueGreen}).(BlueGreen); !ok {
		t.Error("BLUE_GREEN is not BlueGreen")
	}
	if r, ok := For(model.DeploymentConfiguration{}).(Rolling); !ok || r.MinHealthyPercent != 100 || r.MaximumPercent != 200 {
		t.Errorf("default: %#v", For(model.DeploymentConfiguration{}))
	}
}

// walk runs a canary deployment of 4 tasks from start to end, acknowledging
// every weight change at once and letting each bake pass, and checks that
// blue keeps all its tasks until the clean-up.
func TestCanaryWalksEveryStageInOrder(t *testing.T) {
	strat := Canary{Percent: 10, CanaryBake: 10 * time.Minute, Bake: 5 * time.Minute}
	s := Snapshot{Green: "g", Blue: "b", Desired: 4, HasTest: true, Tasks: tasks("b", 4, 0),
		Progress: Progress{Stage: model.StageScaleUp, Acked: true}}
	p := strat.Plan(s)
	if p.Start != 4 || len(p.Stop) != 0 || p.Progress.Stage != model.StageScaleUp {
		t.Fatalf("scale up: %+v", p)
	}
	s.Tasks = append(tasks("b", 4, 0), tasks("g", 2, 2)...)
	if p = strat.Plan(s); p.Progress.Stage != model.StageScaleUp || p.Start != 0 {
		t.Fatalf("green not all healthy yet: %+v", p)
	}
	s.Tasks = append(tasks("b", 4, 0), tasks("g", 4, 0)...)
	var seen []string
	for range 10 {
		p = strat.Plan(s)
		if stops(p, scheduler.StopReplaced) > 0 && p.Progress.Stage != model.StageCleanUp {
			t.Fatalf("blue stopped at %s", p.Progress.Stage)
		}
		seen = append(seen, fmt.Sprintf("%s %.0f %v", p.Progress.Stage, p.Progress.GreenPercent, p.Progress.TestToGreen))
		if p.Progress.Stage == model.StageCleanUp {
			break
		}
		if p.Progress.Acked != s.Progress.Acked || p.Progress.GreenPercent != s.Progress.GreenPercent {
			if p.Progress.Acked {
				t.Fatalf("a weight change is acknowledged before it was applied: %+v", p.Progress)
			}
			// The weights changed: nothing moves until they are acknowledged.
			s.Progress = p.Progress
			if again := strat.Plan(s); again.Progress != s.Progress {
				t.Fatalf("moved on before the acknowledgement: %+v", again.Progress)
			}
			s.Progress.Acked, s.Elapsed = true, 0
			continue
		}
		if p.Wake == 0 {
			t.Fatalf("waiting at %s without a wake-up", p.Progress.Stage)
		}
		s.Progress, s.Elapsed = p.Progress, s.Elapsed+p.Wake
	}
	want := []string{"TEST_TRAFFIC_SHIFT 0 true", "PRODUCTION_TRAFFIC_SHIFT 10 true", "PRODUCTION_TRAFFIC_SHIFT 10 true",
		"PRODUCTION_TRAFFIC_SHIFT 100 true", "BAKE_TIME 100 true", "CLEAN_UP 100 true"}
	if !slices.Equal(seen, want) {
		t.Fatalf("stages:\n%q\nwant\n%q", seen, want)
	}
	if stops(p, scheduler.StopReplaced) != 4 || p.Done {
		t.Fatalf("clean-up: %+v", p)
	}
	s.Progress, s.Tasks = p.Progress, tasks("g", 4, 0)
	if p = strat.Plan(s); !p.Done || len(p.Stop) != 0 {
		t.Fatalf("blue gone: %+v", p)
	}
}

func TestBakeWaitsItsTime(t *testing.T) {
	strat := Linear{StepPercent: 25, StepBake: 2 * time.Minute, Bake: time.Minute}
	s := Snapshot{Green: "g", Blue: "b", Desired: 2, Tasks: append(tasks("b", 2, 0), tasks("g", 2, 0)...),
		Progress: Progress{Stage: model.StageProductionTrafficShift, GreenPercent: 50, Acked: true}, Elapsed: 30 * time.Second}
	p := strat.Plan(s)
	if p.Progress.GreenPercent != 50 || p.Wake != 90*time.Second {
		t.Fatalf("mid-bake: %+v", p)
	}
	s.Elapsed = 2 * time.Minute
	if p = strat.Plan(s); p.Progress.GreenPercent != 75 || p.Progress.Acked {
		t.Fatalf("after the bake: %+v", p)
	}
}

func TestSupersededGreenStopsOnlyAfterTrafficIsBack(t *testing.T) {
	s := Snapshot{Green: "g2", Blue: "b", Desired: 2, Tasks: append(tasks("b", 2, 0), tasks("g1", 2, 0)...),
		Progress: Progress{Stage: model.StageScaleUp}}
	p := BlueGreen{}.Plan(s)
	if len(p.Stop) != 0 || p.Start != 2 {
		t.Fatalf("before the acknowledgement: %+v", p)
	}
	s.Progress.Acked = true
	if p = (BlueGreen{}).Plan(s); stops(p, scheduler.StopReplaced) != 2 {
		t.Fatalf("after: %+v", p)
	}
}

func TestNoBlueShiftsAllAtOnce(t *testing.T) {
	s := Snapshot{Green: "g", Desired: 2, HasTest: true, Tasks: tasks("g", 2, 0), Progress: Progress{Stage: model.StageScaleUp, Acked: true}}
	p := Canary{Percent: 10, CanaryBake: time.Hour, Bake: time.Hour}.Plan(s)
	if p.Progress.Stage != model.StageProductionTrafficShift || p.Progress.GreenPercent != 100 || p.Progress.TestToGreen {
		t.Fatalf("new service: %+v", p.Progress)
	}
	s.Progress = p.Progress
	s.Progress.Acked = true
	if p = (Canary{Percent: 10, CanaryBake: time.Hour, Bake: time.Hour}).Plan(s); !p.Done || p.Progress.Stage != model.StageCleanUp {
		t.Fatalf("new service after the shift: %+v", p)
	}
}

func TestRollbackReturnsTrafficBeforeGreenStops(t *testing.T) {
	s := Snapshot{Green: "g", Blue: "b", Desired: 2, Tasks: append(tasks("b", 2, 0), tasks("g", 2, 0)...),
		Progress: Progress{Stage: model.StageProductionTrafficShift, GreenPercent: 10, TestToGreen: true, Acked: true, RollingBack: true}}
	p := Canary{Percent: 10}.Plan(s)
	if p.Progress.GreenPercent != 0 || p.Progress.TestToGreen || p.Progress.Acked || len(p.Stop) != 0 || p.Start != 0 {
		t.Fatalf("rollback start: %+v", p)
	}
	s.Progress = p.Progress
	s.Progress.Acked = true
	if p = (Canary{Percent: 10}).Plan(s); stops(p, scheduler.StopReplaced) != 2 || p.Done {
		t.Fatalf("traffic back: %+v", p)
	}
	s.Tasks = tasks("b", 2, 0)
	if p = (Canary{Percent: 10}).Plan(s); !p.Done || len(p.Stop) != 0 {
		t.Fatalf("green gone: %+v", p)
	}
}

func TestFailedGreenIsReplacedDuringAShift(t *testing.T) {
	green := tasks("g", 2, 0)
	green[1].Healthy, green[1].Failed = false, true
	s := Snapshot{Green: "g", Blue: "b", Desired: 2, Tasks: append(tasks("b", 2, 0), green...),
		Progress: Progress{Stage: model.StageProductionTrafficShift, GreenPercent: 10, Acked: true}}
	p := Canary{Percent: 10, CanaryBake: time.Minute}.Plan(s)
	if stops(p, scheduler.StopUnhealthy) != 1 || p.Start != 1 {
		t.Fatalf("replacement: %+v", p)
	}
}

func TestRollingIsTheScheduler(t *testing.T) {
	s := Snapshot{Green: "n", Desired: 4, Tasks: tasks("o", 4, 0)}
	p := Rolling{MinHealthyPercent: 100, MaximumPercent: 200}.Plan(s)
	if p.Start != 4 || len(p.Stop) != 0 {
		t.Fatalf("rolling: %+v", p)
	}
}

func TestHooksGateTheStages(t *testing.T) {
	strat := Canary{Percent: 10, CanaryBake: time.Minute}
	s := Snapshot{Green: "g", Blue: "b", Desired: 2, Tasks: append(tasks("b", 2, 0), tasks("g", 2, 0)...),
		Progress: Progress{Stage: model.StageScaleUp, Acked: true},
		Hooks:    map[string]bool{model.HookStagePostScaleUp: true, model.HookStageProductionTrafficShift: true}, Passed: map[string]bool{}}
	p := strat.Plan(s)
	if p.Hook != model.HookStagePostScaleUp || p.Progress.Stage != model.StageScaleUp {
		t.Fatalf("post scale-up: %+v", p)
	}
	s.Passed[model.HookStagePostScaleUp] = true
	if p = strat.Plan(s); p.Hook != "" || p.Progress.GreenPercent != 10 {
		t.Fatalf("after the hook: %+v", p)
	}
	s.Progress = p.Progress
	s.Progress.Acked, s.Elapsed = true, 2*time.Minute
	if p = strat.Plan(s); p.Hook != Gate(model.HookStageProductionTrafficShift, 10) || p.Progress.GreenPercent != 10 {
		t.Fatalf("the 10%% step waits on its hook, bake or not: %+v", p)
	}
	s.Passed[p.Hook] = true
	if p = strat.Plan(s); p.Progress.GreenPercent != 100 {
		t.Fatalf("after the step's hook: %+v", p)
	}
}
