package strategy

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/scheduler"
)

// percentTolerance compares recorded percentages with a schedule's.
const percentTolerance = 1e-6

// tasksByRole splits a snapshot's tasks: failed ones (always replaced),
// then green's, blue's and stale ones (a superseded green's).
type tasksByRole struct {
	failed, green, blue, stale []scheduler.Task
	healthyGreen               int
}

func split(s Snapshot) tasksByRole {
	var r tasksByRole
	for _, t := range s.Tasks {
		switch {
		case t.Failed:
			r.failed = append(r.failed, t)
		case t.Deployment == s.Green:
			r.green = append(r.green, t)
			if t.Healthy {
				r.healthyGreen++
			}
		case s.Blue != "" && t.Deployment == s.Blue:
			r.blue = append(r.blue, t)
		default:
			r.stale = append(r.stale, t)
		}
	}
	return r
}

func stopAll(p *Plan, tasks []scheduler.Task, why scheduler.StopReason) {
	for _, t := range tasks {
		p.Stop = append(p.Stop, scheduler.Stop{TaskID: t.ID, Reason: why})
	}
}

// planShift is the traffic-shifting deployment that BlueGreen, Canary and
// Linear share, over their schedule of production weights. Its invariants:
// blue keeps its full set until green has had all production traffic for
// the final bake; no stage moves on, and no task that may carry traffic
// stops, until every data plane acknowledged the current weights; a
// rollback returns the traffic before green scales in.
func planShift(s Snapshot, steps []Step) Plan {
	p := Plan{Progress: s.Progress}
	r := split(s)
	stopAll(&p, r.failed, scheduler.StopUnhealthy)
	if s.Draining {
		stopAll(&p, r.green, scheduler.StopDraining)
		stopAll(&p, r.blue, scheduler.StopDraining)
		stopAll(&p, r.stale, scheduler.StopDraining)
		return p
	}
	if s.Progress.RollingBack {
		return planRollback(p, s, r)
	}
	if s.Progress.Stage == "" || s.Progress.Stage == model.StageScaleUp {
		if (len(r.stale) > 0 && !gate(&p, s, model.HookStageReconcileService, 0)) || !gate(&p, s, model.HookStagePreScaleUp, 0) {
			return p
		}
	}
	scaleGreen(&p, s, r)
	if !s.Progress.Acked {
		return p
	}
	stopAll(&p, r.stale, scheduler.StopReplaced)
	if len(r.blue) == 0 {
		// Nothing to compare green with (a new service): all at once, no bake.
		steps = []Step{{100, 0}}
	}
	advance(&p, s, r, steps)
	return p
}

// scaleGreen starts green up to the desired count and scales in a surplus.
func scaleGreen(p *Plan, s Snapshot, r tasksByRole) {
	if extra := len(r.green) - s.Desired; extra > 0 {
		stopAll(p, r.green[len(r.green)-extra:], scheduler.StopScaleIn)
	} else if !s.LaunchBlocked {
		p.Start = s.Desired - len(r.green)
	}
}

// advance moves an acknowledged deployment to its next stage when the
// current one is over.
func advance(p *Plan, s Snapshot, r tasksByRole, steps []Step) {
	last := len(steps) - 1
	// shift moves production traffic to the next step once the hooks
	// before every production step have passed.
	shift := func(percent float64) {
		if gate(p, s, model.HookStagePreProductionTrafficShift, percent) {
			p.Progress.Stage, p.Progress.GreenPercent, p.Progress.Acked = model.StageProductionTrafficShift, percent, false
		}
	}
	switch s.Progress.Stage {
	case "", model.StageScaleUp:
		p.Progress.Stage = model.StageScaleUp
		if len(r.green) < s.Desired || r.healthyGreen < s.Desired || !gate(p, s, model.HookStagePostScaleUp, 0) {
			return
		}
		if s.HasTest && len(r.blue) > 0 && !s.Progress.TestToGreen {
			p.Progress.Stage, p.Progress.TestToGreen, p.Progress.Acked = model.StageTestTrafficShift, true, false
			return
		}
		shift(steps[0].GreenPercent)
	case model.StageTestTrafficShift:
		if gate(p, s, model.HookStageTestTrafficShift, 0) && gate(p, s, model.HookStagePostTestTrafficShift, 0) {
			shift(steps[0].GreenPercent)
		}
	case model.StageProductionTrafficShift:
		i := stepIndex(steps, s.Progress.GreenPercent)
		if !gate(p, s, model.HookStageProductionTrafficShift, s.Progress.GreenPercent) {
			return
		}
		if i == last {
			if gate(p, s, model.HookStagePostProductionShift, 0) {
				p.Progress.Stage = model.StageBakeTime
				bake(p, s, r, steps[last])
			}
			return
		}
		if s.Elapsed < steps[i].Bake {
			p.Wake = steps[i].Bake - s.Elapsed
			return
		}
		shift(steps[i+1].GreenPercent)
	case model.StageBakeTime:
		bake(p, s, r, steps[last])
	case model.StageCleanUp:
		cleanUp(p, r)
	}
}

// bake ends the final bake time, counted from the acknowledgement of 100%,
// and goes on to clean up.
func bake(p *Plan, s Snapshot, r tasksByRole, final Step) {
	if s.Elapsed < final.Bake {
		p.Wake = final.Bake - s.Elapsed
		return
	}
	p.Progress.Stage = model.StageCleanUp
	cleanUp(p, r)
}

// cleanUp stops blue; the deployment is done once no task but green's wants
// to run.
func cleanUp(p *Plan, r tasksByRole) {
	stopAll(p, r.blue, scheduler.StopReplaced)
	p.Done = len(r.blue) == 0 && len(r.stale) == 0
}

// gate reports whether the hooks of a stage (at a production step's share)
// have passed, or there are none; otherwise the plan waits on them.
func gate(p *Plan, s Snapshot, stage string, percent float64) bool {
	key := Gate(stage, percent)
	if !s.Hooks[stage] || s.Passed[key] {
		return true
	}
	p.Hook, p.HookStage = key, stage
	return false
}

// stepIndex finds the step a recorded green percentage belongs to: the
// first whose weight is at least it.
func stepIndex(steps []Step, percent float64) int {
	for i, st := range steps {
		if st.GreenPercent >= percent-percentTolerance {
			return i
		}
	}
	return len(steps) - 1
}

// planRollback returns all traffic to blue and, once every data plane
// acknowledged that, stops green.
func planRollback(p Plan, s Snapshot, r tasksByRole) Plan {
	if p.Progress.GreenPercent != 0 || p.Progress.TestToGreen {
		p.Progress.GreenPercent, p.Progress.TestToGreen, p.Progress.Acked = 0, false, false
	}
	if !p.Progress.Acked {
		return p
	}
	stopAll(&p, r.green, scheduler.StopReplaced)
	stopAll(&p, r.stale, scheduler.StopReplaced)
	p.Done = len(r.green) == 0 && len(r.stale) == 0
	return p
}
