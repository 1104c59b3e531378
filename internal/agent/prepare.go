package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// releaseTimeout bounds releasing a task's resources after it stopped.
const releaseTimeout = time.Minute

// taskKey names a task on this node.
func taskKey(cluster, id string) string { return cluster + "/" + id }

// prepare readies what the task's containers share before the first one
// starts: an awsvpc task's address (allocated here and recorded in the
// task's attachment before anything uses it) and the runtime's task-level
// resources (Docker's network holder). A restarted agent finds the
// recorded address and the runtime finds what it created.
func (r *runner) prepare(ctx context.Context) error {
	t := r.current()
	if r.td.Spec.NetworkMode == model.NetworkModeAwsvpc {
		addr := t.Address()
		if addr == "" {
			var err error
			if addr, err = r.a.addrs.allocate(taskKey(r.cluster, r.id), taskPorts(r.td)); err != nil {
				return fmt.Errorf("%w: %v", runtime.ErrCannotStart, err)
			}
			rep := TaskReport{Cluster: r.cluster, TaskID: r.id, At: time.Now(), Address: addr}
			if err := r.a.link.Report(ctx, rep); err != nil {
				r.a.addrs.release(taskKey(r.cluster, r.id))
				return fmt.Errorf("%w: recording the task's address: %v", runtime.ErrCannotStart, err)
			}
			r.a.logger.Info("task address assigned", "task", r.id, "address", addr)
		}
		r.address = addr
	}
	tp, ok := r.a.rt.(runtime.TaskPreparer)
	if !ok {
		return nil
	}
	return tp.PrepareTask(ctx, r.taskSpec())
}

// release frees the task's address and the runtime's task-level resources
// once every container has exited.
func (r *runner) release() {
	r.a.addrs.release(taskKey(r.cluster, r.id))
	tp, ok := r.a.rt.(runtime.TaskPreparer)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.a.ctx), releaseTimeout)
	defer cancel()
	if err := tp.ReleaseTask(ctx, r.taskSpec()); err != nil {
		r.a.logger.Error("releasing the task's resources", "task", r.id, "err", err)
	}
}

func (r *runner) taskSpec() runtime.TaskSpec {
	t := r.current()
	return runtime.TaskSpec{
		TaskARN: t.ARN, TaskID: t.Internal.ID, Labels: taskLabels(t, r.td), PortMappings: taskPorts(r.td),
		Network: runtime.Network{Mode: r.td.Spec.NetworkMode, Address: r.taskAddress()},
	}
}

// claimAddress records the address a task holds on this node, so that no
// other task is given it.
func (a *Agent) claimAddress(t model.Task) {
	if addr := t.Address(); addr != "" && t.LastStatus != model.TaskStopped {
		a.addrs.claim(taskKey(t.Internal.Cluster, t.Internal.ID), addr)
	}
}

// releaseUnwantedTasks releases, at start-up, the task-level resources the
// runtime holds for tasks that are no longer assigned here (a server that
// died before releasing them).
func (a *Agent) releaseUnwantedTasks(ctx context.Context, assigned map[string]model.Task) error {
	tp, ok := a.rt.(runtime.TaskPreparer)
	if !ok {
		return nil
	}
	prepared, err := tp.PreparedTasks(ctx)
	if err != nil {
		return fmt.Errorf("list task resources: %w", err)
	}
	for _, ts := range prepared {
		if _, ok := assigned[ts.TaskARN]; ok {
			continue
		}
		a.logger.Info("releasing the resources of a task no longer here", "task", ts.TaskID)
		if err := tp.ReleaseTask(ctx, ts); err != nil {
			a.logger.Error("releasing task resources", "task", ts.TaskID, "err", err)
		}
	}
	return nil
}
