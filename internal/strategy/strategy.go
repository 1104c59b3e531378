// Package strategy plans a service deployment one step at a time, one type
// per ECS deployment strategy: Rolling replaces tasks in place (the
// scheduler's rolling update); BlueGreen, Canary and Linear start a full
// green set beside blue, move production traffic to it by weights (all at
// once, a canary share then the rest, or equal steps), bake, and only then
// stop blue. Every strategy is a pure function of a Snapshot: the
// controller gathers the snapshot, applies the Plan (tasks, weights,
// stage) and comes back when something changes or Plan.Wake has passed.
package strategy

import (
	"fmt"
	"math"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/scheduler"
)

// Strategy plans the next step of a deployment.
type Strategy interface {
	Plan(Snapshot) Plan
}

// Progress is a traffic-shifting deployment's persisted position.
type Progress struct {
	Stage        string
	GreenPercent float64
	TestToGreen  bool
	// Acked: every data plane applied the weights of GreenPercent and
	// TestToGreen.
	Acked       bool
	RollingBack bool
}

// Snapshot is one service as a strategy sees it.
type Snapshot struct {
	// Green is the deployment being rolled out (the PRIMARY); Desired its count.
	Green   string
	Desired int
	// Blue is the deployment whose tasks carry production traffic, "" when
	// none does (a new service, or nothing completed yet). Tasks of other
	// deployments are stale: a superseded green.
	Blue  string
	Tasks []scheduler.Task
	// Progress is where the deployment stands; Elapsed is the service time
	// (see clock) since its weights were acknowledged.
	Progress Progress
	Elapsed  time.Duration
	// HasTest: a test listener rule exists, so test traffic moves first.
	HasTest bool
	// LaunchBlocked holds off new tasks (throttling after failures).
	LaunchBlocked bool
	// Draining: the service is being deleted.
	Draining bool
	// Frozen: a failed rolling deployment without rollback holds still.
	Frozen bool
	// Hooks are the lifecycle stages that have hooks; Passed the gates
	// (see Gate) whose hooks all succeeded.
	Hooks  map[string]bool
	Passed map[string]bool
}

// Gate names one passage through a lifecycle stage's hooks: the stage, and
// for the stages run at every production step, the step's share.
func Gate(stage string, percent float64) string {
	if stage == model.HookStagePreProductionTrafficShift || stage == model.HookStageProductionTrafficShift {
		return fmt.Sprintf("%s@%.1f", stage, percent)
	}
	return stage
}

// Plan is what a deployment does next.
type Plan struct {
	Start int
	Stop  []scheduler.Stop
	// Progress is the position to record. When its GreenPercent or
	// TestToGreen differ from the snapshot's, the controller writes the new
	// weights and waits for every data plane's acknowledgement (Acked is
	// then false).
	Progress Progress
	// Wake is the service time after which the plan changes by itself (a
	// bake ending); 0 when only a change of state moves it on.
	Wake time.Duration
	// Done: a forward deployment finished (blue is gone), or a rollback
	// finished (green is gone).
	Done bool
	// Stuck mirrors scheduler.Plan.Stuck for rolling updates.
	Stuck bool
	// Hook is the gate the deployment waits on (its stage's hooks run),
	// HookStage that gate's stage; "" when it waits on none.
	Hook, HookStage string
}

// For returns the strategy of a deployment configuration.
func For(c model.DeploymentConfiguration) Strategy {
	switch c.Strategy {
	case model.StrategyBlueGreen:
		return BlueGreen{Bake: c.BakeTime()}
	case model.StrategyCanary:
		p, b := c.Canary()
		return Canary{Percent: p, CanaryBake: b, Bake: c.BakeTime()}
	case model.StrategyLinear:
		p, b := c.Linear()
		return Linear{StepPercent: p, StepBake: b, Bake: c.BakeTime()}
	}
	return Rolling{MinHealthyPercent: c.MinHealthyPercent(), MaximumPercent: c.MaxPercent()}
}

// Rolling is ECS's rolling update: the scheduler's PlanService.
type Rolling struct {
	MinHealthyPercent, MaximumPercent int
}

// Plan implements Strategy.
func (r Rolling) Plan(s Snapshot) Plan {
	sp := scheduler.PlanService(scheduler.ServiceInput{
		Primary: s.Green, Desired: s.Desired, MinHealthyPercent: r.MinHealthyPercent, MaximumPercent: r.MaximumPercent,
		Draining: s.Draining, LaunchBlocked: s.LaunchBlocked, Frozen: s.Frozen, Tasks: s.Tasks,
	})
	return Plan{Start: sp.Start, Stop: sp.Stop, Stuck: sp.Stuck, Progress: s.Progress}
}

// Step is one production weight of a traffic shift and how long it bakes
// once acknowledged.
type Step struct {
	GreenPercent float64
	Bake         time.Duration
}

// BlueGreen moves all production traffic at once, then bakes.
type BlueGreen struct{ Bake time.Duration }

// Plan implements Strategy.
func (b BlueGreen) Plan(s Snapshot) Plan { return planShift(s, []Step{{100, b.Bake}}) }

// Canary moves Percent of production traffic, bakes CanaryBake, moves the
// rest and bakes Bake.
type Canary struct {
	Percent          float64
	CanaryBake, Bake time.Duration
}

// Plan implements Strategy.
func (c Canary) Plan(s Snapshot) Plan { return planShift(s, c.Steps()) }

// Steps is the canary's schedule.
func (c Canary) Steps() []Step {
	if c.Percent >= 100 {
		return []Step{{100, c.Bake}}
	}
	return []Step{{c.Percent, c.CanaryBake}, {100, c.Bake}}
}

// Linear moves StepPercent more of production traffic every StepBake until
// all of it is on green, then bakes Bake (the step bake is not applied
// after the last step, as in ECS).
type Linear struct {
	StepPercent    float64
	StepBake, Bake time.Duration
}

// Plan implements Strategy.
func (l Linear) Plan(s Snapshot) Plan { return planShift(s, l.Steps()) }

// Steps is the linear schedule: k x StepPercent (in tenths of a percent, so
// that 3 x 33.3 is 99.9, not 99.89999) until 100.
func (l Linear) Steps() []Step {
	tenths := int(l.StepPercent*10 + 0.5)
	if tenths <= 0 {
		return []Step{{100, l.Bake}}
	}
	var steps []Step
	for k := 1; k*tenths < 1000; k++ {
		steps = append(steps, Step{float64(k*tenths) / 10, l.StepBake})
	}
	return append(steps, Step{100, l.Bake})
}

// Weights turns green's share of production traffic into forward-action
// weights (0..999 each, as ELB allows): whole percentages as a split of
// 100, tenths as a split of 1000 (canaryPercent 0.1 is 999:1).
func Weights(greenPercent float64) (blue, green int) {
	tenths := int(math.Round(min(max(greenPercent, 0), 100) * 10))
	if tenths%10 == 0 {
		return 100 - tenths/10, tenths / 10
	}
	return 1000 - tenths, tenths
}
