package scheduler

import (
	"sort"
	"time"
)

// StopReason says why the plan stops a task; the controller words events
// and stop reasons from it.
type StopReason int

// Reasons a plan stops a task.
const (
	// StopUnhealthy replaces a task that failed its health checks.
	StopUnhealthy StopReason = iota + 1
	// StopScaleIn removes a task above the desired count.
	StopScaleIn
	// StopReplaced removes a task of an older deployment.
	StopReplaced
	// StopDraining removes a task of a service being deleted.
	StopDraining
)

// Task is a service task as the planner sees it. Tasks that already have a
// desired status of STOPPED are not given to the planner.
type Task struct {
	ID         string
	Deployment string
	// Healthy: RUNNING and passing every check (container health, targets).
	Healthy bool
	// Failed: unhealthy after the grace period; it must be replaced.
	Failed    bool
	CreatedAt time.Time
	// Protected: ECS task scale-in protection holds; scale-in skips it.
	Protected bool
}

// ServiceInput is a snapshot of one service for Plan.
type ServiceInput struct {
	// Primary is the id of the PRIMARY deployment; its desired count is Desired.
	Primary string
	Desired int
	// MinHealthyPercent and MaximumPercent bound the rollout (ECS defaults 100/200).
	MinHealthyPercent, MaximumPercent int
	// Draining is true for a deleted service: every task stops.
	Draining bool
	// LaunchBlocked holds off new tasks (throttling after repeated failures,
	// or a primary deployment that failed without rollback).
	LaunchBlocked bool
	// Frozen holds a failed deployment where it stopped (circuit breaker
	// without rollback): no task starts and no old task is replaced; only
	// failed tasks still stop.
	Frozen bool
	Tasks  []Task
}

// Stop is one task the plan stops.
type Stop struct {
	TaskID string
	Reason StopReason
}

// Plan is what a service should do next.
type Plan struct {
	// Start is how many tasks of the primary deployment to start.
	Start int
	Stop  []Stop
	// Stuck is true when the deployment cannot progress because the
	// deployment configuration allows neither a start nor a stop.
	Stuck bool
}

// Bounds returns ECS's task bounds for a deployment: the minimum healthy
// count rounds up, the maximum total rounds down.
func Bounds(desired, minPct, maxPct int) (minHealthy, maxTotal int) {
	minHealthy = (desired*minPct + 99) / 100
	maxTotal = desired * maxPct / 100
	return minHealthy, maxTotal
}

// PlanService decides the next step of a service, following ECS's rolling
// update: replace failed tasks; never let healthy tasks fall below the
// minimum healthy count by stopping them; never run more than the maximum
// (tasks already stopping do not count); stop old deployments' tasks as new
// ones become healthy; scale the primary to its desired count.
func PlanService(in ServiceInput) Plan {
	var p Plan
	alive := make([]Task, 0, len(in.Tasks))
	for _, t := range in.Tasks {
		if t.Failed {
			p.Stop = append(p.Stop, Stop{t.ID, StopUnhealthy})
			continue
		}
		alive = append(alive, t)
	}
	if in.Frozen {
		return p
	}
	if in.Draining {
		for _, t := range alive {
			p.Stop = append(p.Stop, Stop{t.ID, StopDraining})
		}
		return p
	}
	minHealthy, maxTotal := Bounds(in.Desired, in.MinHealthyPercent, in.MaximumPercent)
	primary, old, healthy := partition(alive, in.Primary)
	total := len(alive)
	// Scale in: the primary's surplus stops, least useful first. The
	// minimum healthy percent bounds deployments, not scaling in.
	if extra := len(primary) - in.Desired; extra > 0 {
		stops := scaleInStops(primary, extra)
		for _, t := range stops {
			p.Stop = append(p.Stop, Stop{t.ID, StopScaleIn})
			total--
			if t.Healthy {
				healthy--
			}
		}
		primary = primary[:len(primary)-len(stops)]
	}
	// Old deployments: tasks that are not healthy stop at once; healthy ones
	// only while the healthy count stays at or above the minimum.
	for _, t := range byStopPreference(old) {
		if t.Healthy {
			if healthy-1 < minHealthy {
				continue
			}
			healthy--
		}
		p.Stop = append(p.Stop, Stop{t.ID, StopReplaced})
		total--
	}
	if !in.LaunchBlocked {
		need := in.Desired - len(primary)
		room := maxTotal - total
		p.Start = max(0, min(need, room))
	}
	done := len(old) == 0 && len(primary) == in.Desired
	p.Stuck = !done && p.Start == 0 && len(p.Stop) == 0 && !in.LaunchBlocked && healthy >= minHealthy &&
		len(primary) < in.Desired && pendingPrimary(primary) == 0
	return p
}

// scaleInStops picks up to extra of the primary's tasks to stop, least
// useful first. A protected task is never picked (ECS task scale-in
// protection): while protection holds the service keeps more tasks than
// it desires.
func scaleInStops(primary []Task, extra int) []Task {
	stops := make([]Task, 0, extra)
	for _, t := range byStopPreference(primary) {
		if len(stops) == extra {
			break
		}
		if !t.Protected {
			stops = append(stops, t)
		}
	}
	return stops
}

// partition splits tasks into the primary deployment's and the others'
// and counts the healthy ones.
func partition(tasks []Task, primaryID string) (primary, old []Task, healthy int) {
	for _, t := range tasks {
		if t.Healthy {
			healthy++
		}
		if t.Deployment == primaryID {
			primary = append(primary, t)
		} else {
			old = append(old, t)
		}
	}
	return primary, old, healthy
}

// pendingPrimary counts primary tasks still on their way to healthy: while
// any exist the rollout is waiting, not stuck.
func pendingPrimary(primary []Task) int {
	n := 0
	for _, t := range primary {
		if !t.Healthy {
			n++
		}
	}
	return n
}

// byStopPreference orders tasks for stopping: those not healthy first (they
// serve nothing), then the newest.
func byStopPreference(tasks []Task) []Task {
	out := make([]Task, len(tasks))
	copy(out, tasks)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Healthy != out[j].Healthy {
			return !out[i].Healthy
		}
		return out[i].CreatedAt.After(out[j].CreatedAt)
	})
	return out
}
