package controller

import (
	"time"

	"github.com/slipway-dev/slipway/internal/model"
)

// circuitBreaker fails the PRIMARY deployment once as many of its tasks
// failed as ECS's threshold allows and, with rollback on, starts a new
// deployment of the last COMPLETED one. A deployment with nothing to roll
// back to ends FAILED and stays frozen until the service is updated.
func (p *pass) circuitBreaker() error {
	primary := p.svc.Primary()
	cb := p.svc.DeploymentConfiguration.DeploymentCircuitBreaker
	if primary == nil || primary.RolloutState != model.RolloutInProgress || cb == nil || !cb.Enable {
		return nil
	}
	if primary.FailedTasks < cb.Threshold(primary.DesiredCount) {
		return nil
	}
	failedID := primary.ID
	primary.RolloutState = model.RolloutFailed
	primary.RolloutStateReason = "ECS deployment circuit breaker: tasks failed to start."
	if primary.Internal.Detail != "" {
		primary.RolloutStateReason += " " + primary.Internal.Detail
	}
	primary.UpdatedAt = model.At(p.now)
	primary.Internal.FinishedAt = model.At(p.now)
	primary.Internal.Outcome = model.OutcomeFailed
	addEvent(p.svc, p.now, "(deployment %s) deployment failed: tasks failed to start.", failedID)
	p.c.logger.Info("deployment failed", "service", p.svc.Name, "deployment", failedID, "detail", primary.Internal.Detail)
	if !cb.Rollback {
		return nil
	}
	return p.rollBack(primary, "Circuit breaker triggered: "+primary.RolloutStateReason)
}

// rollBack rolls back a failed PRIMARY deployment: a traffic-shifting one
// whose blue still runs returns traffic to it (no new deployment); any
// other starts a new deployment of the last COMPLETED one.
func (p *pass) rollBack(primary *model.Deployment, reason string) error {
	failedID := primary.ID
	if tr := primary.Internal.Traffic; tr != nil && tr.Blue != "" && p.svc.Deployment(tr.Blue) != nil {
		p.startRollback(primary, reason)
		return nil
	}
	target := p.lastCompleted(failedID)
	if target == nil {
		primary.Internal.Outcome = model.OutcomeRollbackFailed
		addEvent(p.svc, p.now, "(deployment %s) has no completed deployment to roll back to: update the service with a working task definition.", failedID)
		return nil
	}
	primary.Internal.Outcome = model.OutcomeRollbackInProgress
	addEvent(p.svc, p.now, "rolling back to deployment %s.", target.ID)
	if !p.writeMode {
		return errNeedsWrite
	}
	seq, err := p.tx.NextDeploymentSeq()
	if err != nil {
		return err
	}
	taskDef := target.TaskDefinition
	nd := p.svc.StartDeployment(seq, taskDef, p.now)
	nd.Internal.RollbackOf = failedID
	p.c.logger.Info("rolling back", "service", p.svc.Name, "from", failedID, "to", target.ID, "deployment", nd.ID)
	return nil
}

// lastCompleted finds the newest deployment other than skip whose rollout
// COMPLETED, among live deployments and the history.
func (p *pass) lastCompleted(skip string) *model.Deployment {
	var best *model.Deployment
	consider := func(d *model.Deployment) {
		if d.ID != skip && d.RolloutState == model.RolloutCompleted && (best == nil || d.Internal.Seq > best.Internal.Seq) {
			best = d
		}
	}
	for i := range p.svc.Deployments {
		consider(&p.svc.Deployments[i])
	}
	for i := range p.svc.Internal.History {
		consider(&p.svc.Internal.History[i])
	}
	if best == nil {
		return nil
	}
	cp := *best
	return &cp
}

// deploymentCounts are one deployment's tasks as bookDeployments sees them.
type deploymentCounts struct{ running, pending, live, healthy int }

// countTasks tallies the service's tasks per deployment: live (not yet
// STOPPED), and among those that want to run, running, pending and healthy.
func (p *pass) countTasks() map[string]*deploymentCounts {
	per := map[string]*deploymentCounts{}
	for i := range p.tasks {
		t := &p.tasks[i]
		c := per[t.Internal.DeploymentID]
		if c == nil {
			c = &deploymentCounts{}
			per[t.Internal.DeploymentID] = c
		}
		if t.LastStatus != model.TaskStopped {
			c.live++
		}
		if !alive(t) {
			continue
		}
		if t.LastStatus == model.TaskRunning {
			c.running++
		} else if model.TaskStatusRank(t.LastStatus) < model.TaskStatusRank(model.TaskRunning) {
			c.pending++
		}
		if t.Internal.HealthyAt != nil {
			c.healthy++
		}
	}
	return per
}

// bookDeployments updates each deployment's counts, completes the primary
// once all its tasks are healthy and no other deployment has a task left,
// retires deployments with no tasks left, and records a steady state.
func (p *pass) bookDeployments() {
	per := p.countTasks()
	othersLive := 0
	var kept []model.Deployment
	for i := range p.svc.Deployments {
		d := &p.svc.Deployments[i]
		c := per[d.ID]
		if c == nil {
			c = &deploymentCounts{}
		}
		if d.RunningCount != c.running || d.PendingCount != c.pending {
			d.RunningCount, d.PendingCount, d.UpdatedAt = c.running, c.pending, model.At(p.now)
		}
		if d.Status != model.DeploymentPrimary {
			// As in ECS, an ACTIVE deployment's desired count shrinks as the
			// primary replaces its tasks.
			if alive := c.running + c.pending; alive < d.DesiredCount {
				d.DesiredCount, d.UpdatedAt = alive, model.At(p.now)
			}
			othersLive += c.live
			if c.live == 0 {
				p.retire(*d)
				continue
			}
		}
		kept = append(kept, *d)
	}
	p.svc.Deployments = kept
	primary := p.svc.Primary()
	if primary == nil {
		return
	}
	pc := per[primary.ID]
	healthyAll := pc != nil && pc.healthy >= primary.DesiredCount && pc.running == primary.DesiredCount
	if primary.DesiredCount == 0 {
		healthyAll = pc == nil || pc.live == 0
	}
	// A traffic-shifting deployment completes only after its clean-up
	// stage: a new service's first one has no other tasks long before.
	shifted := primary.Internal.Traffic == nil || primary.Internal.Traffic.Stage == model.StageCleanUp
	if primary.RolloutState == model.RolloutInProgress && healthyAll && othersLive == 0 && shifted {
		p.complete(primary)
	}
	p.steady(primary, healthyAll && othersLive == 0 && len(p.svc.Deployments) == 1)
}

func (p *pass) complete(d *model.Deployment) {
	d.RolloutState = model.RolloutCompleted
	d.RolloutStateReason = "ECS deployment " + d.ID + " completed."
	d.UpdatedAt = model.At(p.now)
	d.Internal.FinishedAt = model.At(p.now)
	d.Internal.Outcome = model.OutcomeSuccessful
	if d.Internal.RollbackOf != "" {
		p.markRolledBack(d.Internal.RollbackOf)
	}
	addEvent(p.svc, p.now, "(deployment %s) deployment completed.", d.ID)
	p.c.logger.Info("deployment completed", "service", p.svc.Name, "deployment", d.ID)
}

// markRolledBack records on a failed deployment that its rollback finished.
func (p *pass) markRolledBack(id string) {
	for _, list := range [][]model.Deployment{p.svc.Deployments, p.svc.Internal.History} {
		for i := range list {
			if list[i].ID == id {
				list[i].Internal.Outcome = model.OutcomeRollbackSuccessful
			}
		}
	}
}

// retire moves a deployment with no tasks left into the history as INACTIVE.
// A deployment that was replaced before it completed is recorded as STOPPED.
func (p *pass) retire(d model.Deployment) {
	d.Status = model.DeploymentInactive
	d.UpdatedAt = model.At(p.now)
	if d.Internal.FinishedAt.IsZero() {
		d.Internal.FinishedAt = model.At(p.now)
	}
	if d.Internal.Outcome == model.OutcomeInProgress {
		d.Internal.Outcome = model.OutcomeStopped
	}
	h := append([]model.Deployment{d}, p.svc.Internal.History...)
	if len(h) > model.MaxDeploymentHistory {
		h = h[:model.MaxDeploymentHistory]
	}
	p.svc.Internal.History = h
}

// steady records ECS's steady-state event when the service first settles.
func (p *pass) steady(primary *model.Deployment, settled bool) {
	settled = settled && primary.RolloutState == model.RolloutCompleted && p.svc.Status == model.ServiceActive
	if !settled {
		p.svc.Internal.SteadySince = time.Time{}
		return
	}
	if p.svc.Internal.SteadySince.IsZero() {
		p.svc.Internal.SteadySince = p.now
		p.svc.Internal.LastSteadyEvent = p.now
		eventSteady(p.svc, p.now)
	}
}

// finishDeletion makes a DRAINING service INACTIVE once all its tasks stopped.
func (p *pass) finishDeletion() {
	if p.svc.Status != model.ServiceDraining {
		return
	}
	for i := range p.tasks {
		if p.tasks[i].LastStatus != model.TaskStopped {
			return
		}
	}
	p.svc.Status = model.ServiceInactive
	for _, d := range p.svc.Deployments {
		p.retire(d)
	}
	p.svc.Deployments = []model.Deployment{}
	p.c.logger.Info("service deleted", "service", p.svc.Name)
}
