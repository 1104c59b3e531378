package controller

import (
	"fmt"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
)

// Throttling after consecutive task failures, in the spirit of ECS's
// service throttle: the first failures retry at once, later ones wait
// longer each time, up to a cap.
const (
	throttleAfter = 3
	throttleBase  = time.Second
	throttleMax   = 5 * time.Minute
)

// account records what happened to tasks since the last pass: tasks that
// became healthy (they reset the failure streak) and tasks that failed to
// start or run before they were ever healthy (they count toward the
// throttle and the deployment's circuit breaker).
func (p *pass) account() error {
	for i := range p.tasks {
		t := &p.tasks[i]
		if t.Internal.HealthyAt == nil && alive(t) {
			h, err := p.judge(t)
			if err != nil {
				return err
			}
			if h.healthy && p.reserve(i) {
				t.Internal.HealthyAt = model.Ptr(p.now)
				p.svc.Internal.LaunchFailures = 0
				p.svc.Internal.BackoffUntil = time.Time{}
				p.resetBreaker(t.Internal.DeploymentID)
			}
		}
		if t.DesiredStatus == model.TaskStopped && !t.Internal.CountedFailure && t.Internal.HealthyAt == nil &&
			(t.StopCode == model.StopTaskFailedToStart || t.StopCode == model.StopEssentialContainerExited) && p.reserve(i) {
			p.countFailure(i, taskFailureDetail(t))
		}
	}
	return nil
}

// countFailure charges a failed task to its deployment and the throttle;
// the caller has reserved task i.
func (p *pass) countFailure(i int, detail string) {
	t := &p.tasks[i]
	t.Internal.CountedFailure = true
	if d := p.svc.Deployment(t.Internal.DeploymentID); d != nil {
		d.FailedTasks++
		d.Internal.Detail = detail
		d.UpdatedAt = model.At(p.now)
	}
	// Beyond ECS, which leaves the reason on the stopped task only: say
	// why tasks fail, once per distinct reason, where the operator looks.
	addRepeatingEvent(p.svc, p.now, "tasks are failing: %s. See `slipway tasks --stopped` or DescribeTasks for each task.", failureSummary(t))
	s := &p.svc.Internal
	s.LaunchFailures++
	if s.LaunchFailures >= throttleAfter {
		wait := throttleBase << min(s.LaunchFailures-throttleAfter, 20)
		s.BackoffUntil = p.now.Add(min(wait, throttleMax))
		eventThrottled(p.svc, p.now)
	}
}

// taskFailureDetail is the actionable account of a failed task: why it
// stopped, the exit code and reason of its containers, the failing health
// check's output and the end of its output.
func taskFailureDetail(t *model.Task) string {
	var b strings.Builder
	fmt.Fprintf(&b, "task %s: %s", t.Internal.ID, t.StoppedReason)
	for _, c := range t.Containers {
		if c.ExitCode != nil {
			fmt.Fprintf(&b, "; container %s exit code %d", c.Name, *c.ExitCode)
		}
		if c.Reason != "" {
			fmt.Fprintf(&b, " (%s)", c.Reason)
		}
	}
	if t.Internal.HealthDetail != "" {
		fmt.Fprintf(&b, "; health check: %s", t.Internal.HealthDetail)
	}
	if t.Internal.LogTail != "" {
		fmt.Fprintf(&b, "; last output:\n%s", t.Internal.LogTail)
	}
	return b.String()
}

// resetBreaker follows ECS's resetOnHealthyTask (default true): a task of a
// deployment in progress that becomes healthy resets its failure count.
func (p *pass) resetBreaker(deployment string) {
	d := p.svc.Deployment(deployment)
	cb := p.svc.DeploymentConfiguration.DeploymentCircuitBreaker
	if d != nil && d.RolloutState == model.RolloutInProgress && d.FailedTasks > 0 && cb.ResetsOnHealthyTask() {
		d.FailedTasks = 0
		d.UpdatedAt = model.At(p.now)
	}
}

// failureSummary is a task failure in one line, without the task id, so the
// same cause is reported once.
func failureSummary(t *model.Task) string {
	out := t.StoppedReason
	for _, c := range t.Containers {
		if c.ExitCode != nil && *c.ExitCode != 0 {
			out += fmt.Sprintf(" (container %s exit code %d)", c.Name, *c.ExitCode)
			break
		}
		if c.Reason != "" && c.Reason != t.StoppedReason {
			out += " (" + c.Reason + ")"
			break
		}
	}
	return out
}
