package agent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// defaultStartTimeout bounds how long a container waits for its dependencies
// (ECS_CONTAINER_START_TIMEOUT's default on Linux is 3 minutes).
const defaultStartTimeout = 3 * time.Minute

// startAll starts the containers not yet started, each once its dependsOn
// conditions hold, then reports RUNNING. It returns false when the task
// ended instead (a container failed to start, or a stop was asked for).
func (r *runner) startAll(ctx context.Context) bool {
	if r.allStarted() {
		r.report(ctx, model.TaskRunning, "", "")
		return true
	}
	r.report(ctx, model.TaskPending, "", "")
	if err := r.prepare(ctx); err != nil {
		r.stop(ctx, model.StopTaskFailedToStart, err.Error())
		return false
	}
	if err := r.prepareLogs(ctx); err != nil {
		r.stop(ctx, model.StopTaskFailedToStart, err.Error())
		return false
	}
	deadline := time.NewTimer(defaultStartTimeout)
	defer deadline.Stop()
	poll := time.NewTicker(200 * time.Millisecond)
	defer poll.Stop()
	for !r.allStarted() {
		for _, c := range r.ctrs {
			if c.handle != nil || c.exited || !r.dependenciesMet(c) {
				continue
			}
			if !r.a.acquireStart(ctx) {
				return false // the agent is closing; a restarted agent starts it
			}
			err := r.startContainer(ctx, c)
			r.a.releaseStart()
			if err != nil {
				r.recordExit(c, &runtime.ExitStatus{Reason: err.Error()})
				r.stop(ctx, model.StopTaskFailedToStart, err.Error())
				return false
			}
			// Each started container is recorded at once (a restarted agent
			// adopts it by that record), but the last one by the RUNNING
			// report that follows: a transaction fewer per task.
			if !r.allStarted() {
				r.report(ctx, "", "", "")
			}
		}
		if r.allStarted() {
			break
		}
		select {
		case <-ctx.Done():
			return false
		case t := <-r.updates:
			r.setTask(t)
			if r.wantsStop(t) {
				r.stop(ctx, "", "")
				return false
			}
		case hr := <-r.health:
			r.applyHealth(hr)
		case c := <-r.exits:
			r.recordExit(c, exitOf(c.handle))
			if c.def.IsEssential() {
				r.stop(ctx, model.StopEssentialContainerExited, "Essential container in task exited")
				return false
			}
		case <-poll.C:
		case <-deadline.C:
			r.stop(ctx, model.StopTaskFailedToStart, "DependencyTimeout: a container's dependsOn condition was not met in time")
			return false
		}
	}
	r.report(ctx, model.TaskRunning, "", "")
	return true
}

func (r *runner) allStarted() bool {
	for _, c := range r.ctrs {
		if c.handle == nil && !c.exited {
			return false
		}
	}
	return true
}

// dependenciesMet applies ECS's dependsOn conditions: START (started),
// HEALTHY (health check passed), COMPLETE (exited), SUCCESS (exited 0).
func (r *runner) dependenciesMet(c *ctr) bool {
	for _, dep := range c.def.DependsOn {
		idx := slices.IndexFunc(r.ctrs, func(o *ctr) bool { return o.def.Name == dep.ContainerName })
		if idx < 0 {
			continue
		}
		d := r.ctrs[idx]
		var ok bool
		switch dep.Condition {
		case "START":
			ok = d.handle != nil
		case "HEALTHY":
			ok = d.health == model.HealthHealthy
		case "COMPLETE":
			ok = d.exited
		case "SUCCESS":
			ok = d.exited && d.exitCode != nil && *d.exitCode == 0
		}
		if !ok {
			return false
		}
	}
	return true
}

func (r *runner) startContainer(ctx context.Context, c *ctr) error {
	t := r.current()
	spec, err := buildSpec(t, r.td, c.def, r.specInputs(c))
	if err != nil {
		return err
	}
	spec.StoreID = r.a.opts.StoreID
	h, err := r.a.rt.Start(ctx, spec)
	if err != nil {
		if errors.Is(err, runtime.ErrCannotStart) || errors.Is(err, runtime.ErrCannotPull) {
			return err
		}
		return fmt.Errorf("%w: %v", runtime.ErrCannotStart, err)
	}
	c.handle, c.lastStatus, c.state, c.bindings = h, model.TaskRunning, h.State(), bindingsOf(h)
	r.a.logger.Info("container started", "task", r.id, "container", c.def.Name, "bindings", c.bindings)
	r.watch(ctx, c)
	r.shipLogs(c)
	return nil
}

// stop ends the task: STOPPING, then each running container stopped in
// reverse definition order (dependents first) with SIGTERM and, after its
// stopTimeout, SIGKILL; then STOPPED with exit codes.
//
// Each report is a write transaction every other writer may wait behind, and
// a scale-in of thousands of tasks sends them by the hundred, so a stop
// reports as few as it can: a requested stop reports STOPPING only once it
// has taken stoppingGrace (most tasks exit on SIGTERM well within it and are
// reported once, STOPPED), and DEPROVISIONING is never reported on its own
// (nothing happens between it and STOPPED). agentlink.ApplyReport stamps the
// statuses a report passes, stoppingAt with when the stop began. A stop the
// agent decides itself (code set) reports STOPPING at once, with its reason.
func (r *runner) stop(ctx context.Context, code, reason string) {
	r.stopBegan = time.Now()
	var stopping *laterReport
	if code == "" {
		stopping = r.reportLater(ctx, stoppingGrace, r.newReport(model.TaskStopping, "", ""))
	} else {
		r.report(ctx, model.TaskStopping, code, reason)
	}
	for i := len(r.ctrs) - 1; i >= 0; i-- {
		c := r.ctrs[i]
		if c.handle == nil || c.exited {
			continue
		}
		if err := c.handle.Stop(ctx, c.def.StopTimeoutOrDefault()); err != nil && ctx.Err() != nil {
			stopping.settle()
			return // the agent is closing; a restarted agent resumes the stop
		}
		r.recordExit(c, exitOf(c.handle))
	}
	stopping.settle()
	r.finish(ctx, "", "")
}

// finish reports STOPPED and releases the runtime's records of the containers.
func (r *runner) finish(ctx context.Context, code, reason string) {
	for _, c := range r.ctrs {
		if !c.exited {
			c.exited, c.lastStatus = true, model.TaskStopped
		}
	}
	r.report(ctx, model.TaskStopped, code, reason)
	r.a.logger.Info("task stopped", "task", r.id, "cluster", r.cluster)
	r.drainLogs()
	if rm, ok := r.a.rt.(runtime.Remover); ok {
		for _, c := range r.ctrs {
			if len(c.state) > 0 {
				_ = rm.Remove(runtime.State(c.state))
			}
		}
	}
	r.release()
}
