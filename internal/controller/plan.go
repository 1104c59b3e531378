package controller

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/scheduler"
	"github.com/slipway-dev/slipway/internal/strategy"
)

// planAndApply asks the primary deployment's strategy for the service's
// next step and carries it out: stops (with ECS's reasons and events) and
// starts (placed on the cluster's container instances), as many as the
// pass's write budget allows, and for a traffic-shifting deployment its new
// stage and weights. The plan is a function of the stored state, so the
// next pass plans the rest.
func (p *pass) planAndApply() error {
	primary := p.svc.Primary()
	if primary == nil {
		return nil
	}
	if primary.Internal.Config.ShiftsTraffic() && primary.Internal.Traffic == nil && primary.RolloutState == model.RolloutInProgress {
		if err := p.initTraffic(primary); err != nil {
			return err
		}
	}
	snap := strategy.Snapshot{
		Green: primary.ID, Desired: primary.DesiredCount,
		Draining:      p.svc.Status == model.ServiceDraining,
		LaunchBlocked: p.now.Before(p.svc.Internal.BackoffUntil),
		Frozen:        primary.RolloutState == model.RolloutFailed && p.svc.Status == model.ServiceActive,
	}
	judged := map[string]taskHealth{}
	for i := range p.tasks {
		t := &p.tasks[i]
		if !alive(t) {
			continue
		}
		h, err := p.judge(t)
		if err != nil {
			return err
		}
		judged[t.Internal.ID] = h
		snap.Tasks = append(snap.Tasks, scheduler.Task{ID: t.Internal.ID, Deployment: t.Internal.DeploymentID,
			Healthy: h.healthy, Failed: h.failed, CreatedAt: t.CreatedAt.Time, Protected: t.Protected(p.now)})
	}
	strat := p.strategyOf(primary)
	shifting := p.shifting(primary)
	if shifting {
		p.shiftSnapshot(primary, &snap)
	}
	plan := strat.Plan(snap)
	// Starts are planned as if every planned stop happened: when the
	// budget defers a stop, starting now could exceed maximumPercent.
	if p.applyStops(plan.Stop, judged, primary.ID) && plan.Start > 0 && p.budget > 0 {
		if err := p.startTasks(primary, min(plan.Start, p.budget)); err != nil {
			return err
		}
	}
	if plan.Stuck {
		eventStuck(p.svc, p.now)
	}
	if shifting {
		return p.applyShift(primary, plan)
	}
	return nil
}

// strategyOf is the strategy a deployment runs: the one it started with
// while it shifts traffic, otherwise the service's rolling update (a
// completed deployment is kept at its count by replacing tasks in place).
func (p *pass) strategyOf(d *model.Deployment) strategy.Strategy {
	if p.shifting(d) {
		return strategy.For(d.Internal.Config)
	}
	return strategy.For(model.DeploymentConfiguration{
		MinimumHealthyPercent: p.svc.DeploymentConfiguration.MinimumHealthyPercent,
		MaximumPercent:        p.svc.DeploymentConfiguration.MaximumPercent,
	})
}

// applyStops requests the planned stops; it reports whether all of them fit
// in the pass's write budget.
func (p *pass) applyStops(stops []scheduler.Stop, judged map[string]taskHealth, primaryID string) bool {
	var stoppedNow []string
	index := make(map[string]int, len(p.tasks))
	for i := range p.tasks {
		index[p.tasks[i].Internal.ID] = i
	}
	all := true
	for _, s := range stops {
		i, ok := index[s.TaskID]
		if !ok {
			continue
		}
		if !p.reserve(i) {
			all = false
			break
		}
		t := &p.tasks[i]
		reason := "Scaling activity initiated by (deployment " + primaryID + ")"
		h := judged[s.TaskID]
		if s.Reason == scheduler.StopUnhealthy {
			reason = h.why
			addEvent(p.svc, p.now, "%s", h.event)
		}
		model.RequestStop(t, model.StopServiceSchedulerInitiated, reason, p.now)
		if s.Reason == scheduler.StopUnhealthy && t.Internal.HealthyAt == nil && !t.Internal.CountedFailure {
			t.Internal.HealthDetail = firstNonEmpty(t.Internal.HealthDetail, h.why)
			p.countFailure(i, taskFailureDetail(t))
		}
		if findTargetAny(t) == nil {
			stoppedNow = append(stoppedNow, s.TaskID)
		}
	}
	eventStopped(p.svc, p.now, stoppedNow)
	return all
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// findTargetAny returns a registered target of the task, if any.
func findTargetAny(t *model.Task) *model.TaskTarget {
	for i := range t.Internal.Targets {
		if t.Internal.Targets[i].State == model.TargetRegistered {
			return &t.Internal.Targets[i]
		}
	}
	return nil
}

// startTasks places and creates n tasks of the primary deployment; n is
// within the pass's write budget.
func (p *pass) startTasks(primary *model.Deployment, n int) error {
	return p.launch(launchSpec{taskDef: primary.TaskDefinition, deployment: primary.ID,
		launchType: p.svc.LaunchType, network: p.svc.AwsvpcConfiguration(), capacity: p.svc.CapacityProviderStrategy}, n)
}
