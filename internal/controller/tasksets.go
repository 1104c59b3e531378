package controller

import (
	"sort"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// runTaskSets is the pass of a service deployed through task sets (the
// EXTERNAL and CODE_DEPLOY deployment controllers). Each task set is kept
// at its computed desired count on its own, registered in its own load
// balancer's target group; there are no deployments, strategies or
// circuit breaker (the external controller decides what to roll out and
// back). DRAINING task sets scale to zero and are removed once their tasks
// have stopped.
func (p *pass) runTaskSets() error {
	for _, ts := range p.svc.TaskSets {
		for _, l := range ts.LoadBalancers {
			if _, ok := p.health[l.TargetGroupARN]; !ok {
				p.loadHealth(l.TargetGroupARN)
			}
		}
	}
	p.svc.RescaleTaskSets(model.At(p.now))
	if err := p.registerTargets(); err != nil {
		return err
	}
	if err := p.account(); err != nil {
		return err
	}
	p.stopOrphans()
	for i := range p.svc.TaskSets {
		if err := p.scaleTaskSet(&p.svc.TaskSets[i]); err != nil {
			return err
		}
	}
	if err := p.deregisterStopping(); err != nil {
		return err
	}
	if err := p.bookTaskSets(); err != nil {
		return err
	}
	p.finishDeletion()
	return nil
}

// loadBalancersOf is where a task's container ports are registered: its
// task set's load balancers for a service deployed through task sets, the
// service's otherwise.
func (p *pass) loadBalancersOf(t *model.Task) []model.LoadBalancer {
	if !p.svc.UsesTaskSets() {
		return p.svc.LoadBalancers
	}
	if ts := p.svc.TaskSet(t.Internal.DeploymentID); ts != nil {
		return ts.LoadBalancers
	}
	return nil
}

// stopOrphans stops the live tasks of the service that belong to no task
// set (one removed while they started).
func (p *pass) stopOrphans() {
	var stopped []string
	for i := range p.tasks {
		t := &p.tasks[i]
		if !alive(t) || p.svc.TaskSet(t.Internal.DeploymentID) != nil || !p.reserve(i) {
			continue
		}
		model.RequestStop(t, model.StopServiceSchedulerInitiated, "Task set "+t.Internal.DeploymentID+" was deleted", p.now)
		stopped = append(stopped, t.Internal.ID)
	}
	eventStopped(p.svc, p.now, stopped)
}

// scaleTaskSet replaces the task set's failed tasks and starts or stops
// tasks until it runs its computed desired count. Scale-in stops tasks that
// are not healthy first, then the newest, and never a protected one.
func (p *pass) scaleTaskSet(ts *model.TaskSet) error {
	var keep []int
	var stopped []string
	for i := range p.tasks {
		t := &p.tasks[i]
		if !alive(t) || t.Internal.DeploymentID != ts.ID {
			continue
		}
		h, err := p.judge(t)
		if err != nil {
			return err
		}
		if !h.failed {
			keep = append(keep, i)
			continue
		}
		if !p.reserve(i) {
			return nil
		}
		addEvent(p.svc, p.now, "%s", h.event)
		model.RequestStop(t, model.StopServiceSchedulerInitiated, h.why, p.now)
		if t.Internal.HealthyAt == nil && !t.Internal.CountedFailure {
			p.countFailure(i, taskFailureDetail(t))
		}
		stopped = append(stopped, t.Internal.ID)
	}
	if extra := len(keep) - ts.ComputedDesiredCount; extra > 0 {
		stopped = append(stopped, p.scaleInTaskSet(ts, keep, extra)...)
	}
	eventStopped(p.svc, p.now, stopped)
	missing := ts.ComputedDesiredCount - len(keep)
	if missing <= 0 || p.budget == 0 || p.now.Before(p.svc.Internal.BackoffUntil) {
		return nil
	}
	return p.launch(launchSpec{taskDef: ts.TaskDefinition, deployment: ts.ID, launchType: ts.LaunchType,
		network: ts.AwsvpcConfiguration(), capacity: ts.CapacityProviderStrategy}, min(missing, p.budget))
}

// scaleInTaskSet stops n of the task set's live tasks (indexes keep), as
// many as the budget allows, and returns their ids.
func (p *pass) scaleInTaskSet(ts *model.TaskSet, keep []int, n int) []string {
	sort.SliceStable(keep, func(a, b int) bool {
		ta, tb := &p.tasks[keep[a]], &p.tasks[keep[b]]
		if (ta.Internal.HealthyAt == nil) != (tb.Internal.HealthyAt == nil) {
			return ta.Internal.HealthyAt == nil
		}
		return ta.CreatedAt != nil && tb.CreatedAt != nil && ta.CreatedAt.After(tb.CreatedAt.Time)
	})
	reason := "Scaling activity initiated by (task set " + ts.ID + ")"
	var ids []string
	for _, i := range keep {
		t := &p.tasks[i]
		if len(ids) == n {
			break
		}
		if t.Protected(p.now) || !p.reserve(i) {
			continue
		}
		model.RequestStop(t, model.StopServiceSchedulerInitiated, reason, p.now)
		ids = append(ids, t.Internal.ID)
	}
	return ids
}

// bookTaskSets updates each task set's counts and stability (STEADY_STATE:
// running its computed count, all healthy, nothing pending or stopping and
// nothing on a draining instance), removes the DRAINING ones whose tasks
// have all stopped (with their tags), and records the service's steady
// state when every task set is steady.
func (p *pass) bookTaskSets() error {
	per := p.countTasks()
	onDraining := p.tasksOnDrainingInstances()
	at := model.At(p.now)
	kept := p.svc.TaskSets[:0]
	steady := true
	for _, ts := range p.svc.TaskSets {
		c := per[ts.ID]
		if c == nil {
			c = &deploymentCounts{}
		}
		if ts.Status == model.TaskSetDraining && c.live == 0 {
			arn := ts.ARN
			if err := p.write(func(tx state.Tx) error { return tx.PutTags(arn, nil) }); err != nil {
				return err
			}
			addEvent(p.svc, p.now, "(task set %s) was deleted.", ts.ID)
			continue
		}
		ts.RunningCount, ts.PendingCount = c.running, c.pending
		stability := model.StabilityStabilizing
		if c.running == ts.ComputedDesiredCount && c.pending == 0 && c.healthy == c.running && c.live == c.running && !onDraining[ts.ID] {
			stability = model.StabilitySteadyState
		}
		if stability != ts.StabilityStatus {
			ts.StabilityStatus, ts.StabilityStatusAt = stability, at
		}
		steady = steady && stability == model.StabilitySteadyState
		kept = append(kept, ts)
	}
	p.svc.TaskSets = kept
	if !steady || p.svc.Status != model.ServiceActive {
		p.svc.Internal.SteadySince = time.Time{}
		return nil
	}
	if p.svc.Internal.SteadySince.IsZero() {
		p.svc.Internal.SteadySince = p.now
		eventSteady(p.svc, p.now)
	}
	return nil
}

// tasksOnDrainingInstances names the task sets with a live task on a
// container instance that is not ACTIVE: ECS does not count such a task set
// as steady.
func (p *pass) tasksOnDrainingInstances() map[string]bool {
	inactive := map[string]bool{}
	for _, ci := range p.nodes {
		if ci.Status != model.InstanceActive {
			inactive[ci.ARN] = true
		}
	}
	out := map[string]bool{}
	for i := range p.tasks {
		if t := &p.tasks[i]; alive(t) && inactive[t.ContainerInstanceARN] {
			out[t.Internal.DeploymentID] = true
		}
	}
	return out
}
