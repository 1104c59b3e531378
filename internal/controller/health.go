package controller

import (
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
)

// taskHealth is how the controller judges one service task.
type taskHealth struct {
	// healthy: RUNNING, container health checks (if any) HEALTHY, and every
	// target healthy in its target group.
	healthy bool
	// failed: past the grace period with a failing container health check or
	// an unhealthy target; the task must be replaced.
	failed bool
	// why explains a failure in ECS's words, for events and stop reasons.
	why     string
	event   string
	elbFail bool
}

func (p *pass) judge(t *model.Task) (taskHealth, error) {
	var h taskHealth
	if t.LastStatus != model.TaskRunning && t.LastStatus != model.TaskActivating {
		return h, nil
	}
	td, err := p.taskDefinition(t.TaskDefinitionARN)
	if err != nil {
		return h, err
	}
	containerOK := !hasHealthCheck(td) || t.HealthStatus == model.HealthHealthy
	if t.HealthStatus == model.HealthUnhealthy && !p.inGrace(t) {
		h.failed, h.why = true, "Task failed container health checks"
		h.event = fmt.Sprintf("(task %s) failed container health checks.", t.Internal.ID)
		return h, nil
	}
	targetsOK := true
	for _, l := range p.loadBalancersOf(t) {
		tt := findTarget(t, l.TargetGroupARN)
		if tt == nil {
			tt = findTarget(t, l.Alternate(l.TargetGroupARN))
		}
		if tt == nil {
			targetsOK = false
			continue
		}
		th, ok := p.health[tt.TargetGroupARN][targetKey(tt.TargetID, tt.Port)]
		// A task that was healthy and whose target is being checked afresh
		// (the data plane restarted) keeps counting as healthy, so a server
		// restart never makes the planner stop tasks as if they had failed.
		recheck := (!ok || th.State == lb.StateInitial) && t.Internal.HealthyAt != nil
		if (!ok || th.State != lb.StateHealthy) && !recheck {
			targetsOK = false
		}
		if ok && th.State == lb.StateUnhealthy && !p.inGrace(t) {
			h.failed, h.elbFail = true, true
			h.why = fmt.Sprintf("Task failed ELB health checks in (target-group %s)", tt.TargetGroupARN)
			h.event = fmt.Sprintf("(task %s) (port %d) is unhealthy in (target-group %s) due to (reason %s).",
				t.Internal.ID, tt.Port, tt.TargetGroupARN, healthReason(th))
			return h, nil
		}
	}
	h.healthy = t.LastStatus == model.TaskRunning && containerOK && targetsOK && p.settled(t, td)
	return h, nil
}

// settleTime is how long a task with no health signal at all (no container
// health check, no load balancer) must stay RUNNING before it counts as
// healthy. ECS counts such a task at once, so a version whose process
// exits a second after it starts would "complete" and crash-loop; with the
// settle time its exits count toward the circuit breaker instead.
const settleTime = 3 * time.Second

func (p *pass) settled(t *model.Task, td model.TaskDefinition) bool {
	if len(p.loadBalancersOf(t)) > 0 || hasHealthCheck(td) {
		return true
	}
	return t.StartedAt != nil && p.now.Sub(t.StartedAt.Time) >= settleTime
}

func healthReason(th lb.TargetHealth) string {
	if th.Description != "" {
		return th.Description
	}
	return th.Reason
}

func hasHealthCheck(td model.TaskDefinition) bool {
	for _, c := range td.Spec.ContainerDefinitions {
		if c.IsEssential() && c.HealthCheck != nil && len(c.HealthCheck.Command) > 0 && c.HealthCheck.Command[0] != "NONE" {
			return true
		}
	}
	return false
}

func findTarget(t *model.Task, tg string) *model.TaskTarget {
	for i := range t.Internal.Targets {
		if t.Internal.Targets[i].TargetGroupARN == tg && t.Internal.Targets[i].State == model.TargetRegistered {
			return &t.Internal.Targets[i]
		}
	}
	return nil
}
