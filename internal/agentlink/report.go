package agentlink

import (
	"github.com/slipway-dev/slipway/internal/agent"
	"github.com/slipway-dev/slipway/internal/model"
)

// ApplyReport merges an agent's observation into a task record. Status only
// moves forward through ECS's lifecycle; each status the task passes sets
// its timestamp once; the first stop reason wins.
func ApplyReport(t *model.Task, r agent.TaskReport) {
	at := model.Ptr(r.At)
	if r.StopCode != "" {
		model.RequestStop(t, r.StopCode, r.StoppedReason, r.At)
	}
	if r.LastStatus != "" && model.TaskStatusRank(r.LastStatus) > model.TaskStatusRank(t.LastStatus) {
		if !r.StoppingAt.IsZero() && t.StoppingAt == nil && model.TaskStatusRank(r.LastStatus) >= model.TaskStatusRank(model.TaskStopping) {
			t.StoppingAt = model.Ptr(r.StoppingAt) // the stop began before this report
		}
		passStatuses(t, r.LastStatus, at)
		t.LastStatus = r.LastStatus
	}
	if r.HealthStatus != "" {
		t.HealthStatus = r.HealthStatus
	}
	if r.LogTail != "" {
		t.Internal.LogTail = r.LogTail
	}
	if r.HealthDetail != "" {
		t.Internal.HealthDetail = r.HealthDetail
	}
	applyAddress(t, r)
	for _, cr := range r.Containers {
		c := t.Container(cr.Name)
		if c == nil {
			continue
		}
		if cr.LastStatus != "" && model.TaskStatusRank(cr.LastStatus) >= model.TaskStatusRank(c.LastStatus) {
			c.LastStatus = cr.LastStatus
		}
		if cr.ExitCode != nil {
			c.ExitCode = cr.ExitCode
		}
		if cr.Reason != "" {
			c.Reason = cr.Reason
		}
		if cr.HealthStatus != "" {
			c.HealthStatus = cr.HealthStatus
		}
		if cr.NetworkBindings != nil {
			c.NetworkBindings = cr.NetworkBindings
		}
		if cr.RuntimeID != "" {
			c.RuntimeID = cr.RuntimeID
		}
		if len(cr.RuntimeState) > 0 {
			c.RuntimeState = cr.RuntimeState
		}
	}
}

// passStatuses stamps the timestamps of every status between the task's
// current one and next, as ECS records them.
func passStatuses(t *model.Task, next string, at *model.Time) {
	rank := model.TaskStatusRank(next)
	set := func(p **model.Time) {
		if *p == nil {
			*p = at
		}
	}
	if rank >= model.TaskStatusRank(model.TaskPending) {
		set(&t.PullStartedAt)
		set(&t.PullStoppedAt)
	}
	if rank == model.TaskStatusRank(model.TaskRunning) {
		set(&t.StartedAt)
		set(&t.ConnectivityAt)
	}
	if rank >= model.TaskStatusRank(model.TaskStopping) {
		set(&t.StoppingAt)
	}
	if rank >= model.TaskStatusRank(model.TaskDeprovisioning) {
		set(&t.ExecutionStoppedAt)
	}
	if rank == model.TaskStatusRank(model.TaskStopped) {
		set(&t.StoppedAt)
		set(&t.ExecutionStoppedAt)
		if t.DesiredStatus != model.TaskStopped {
			t.DesiredStatus = model.TaskStopped
		}
	}
}
