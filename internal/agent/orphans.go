package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// listTimeout bounds the start-up scan of the runtime's containers.
const listTimeout = time.Minute

// orphanStopTimeout is how long a container nobody wants gets after SIGTERM.
const orphanStopTimeout = 10 * time.Second

// reconcileFound runs before the first reconcile: it asks the runtime for
// every container it holds and matches them with the recorded tasks. A
// container the server started but died before recording is recorded now,
// so the runner adopts it instead of starting a duplicate; a container no
// task wants (a duplicate, or a task that stopped) is stopped and removed.
//
// Both happen only to containers recorded with this agent's store identity.
// Not knowing a container proves nothing when the store is not the one that
// started it: a store restored from an older copy, a new store over an old
// data dir, or another store's agent on a shared Docker engine. Those
// containers are left running, and said so.
func (a *Agent) reconcileFound(ctx context.Context) error {
	lister, ok := a.rt.(runtime.Lister)
	if !ok {
		return nil
	}
	lctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	found, err := lister.List(lctx)
	if err != nil {
		return fmt.Errorf("list containers: %w", err)
	}
	tasks, err := a.link.Assigned(ctx, a.opts.Node.ID)
	if err != nil {
		return err
	}
	byARN := map[string]model.Task{}
	for _, t := range tasks {
		byARN[t.ARN] = t
	}
	var unwanted []runtime.Found
	for _, f := range found {
		t, known := byARN[f.TaskARN]
		rec := t.Container(f.ContainerName)
		switch {
		case known && rec != nil && bytes.Equal(rec.RuntimeState, f.State):
			// recorded: the runner adopts it
		case !a.startedByThisStore(f):
			a.logger.Warn("leaving a container another store started alone", "task", f.TaskID,
				"container", f.ContainerName, "running", f.Running, "its_store", orUnrecorded(f.StoreID), "this_store", a.opts.StoreID)
		case known && rec != nil && len(rec.RuntimeState) == 0 && t.DesiredStatus == model.TaskRunning:
			if err := a.recordFound(ctx, t, f); err != nil {
				return err
			}
		default:
			unwanted = append(unwanted, f)
		}
	}
	if err := a.releaseUnwantedTasks(ctx, byARN); err != nil {
		return err
	}
	if len(unwanted) > 0 {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.removeUnwanted(unwanted) }()
	}
	return nil
}

// startedByThisStore reports whether f was started by an agent of this
// agent's store: only then may its absence from the store mean anything.
func (a *Agent) startedByThisStore(f runtime.Found) bool {
	return a.opts.StoreID != "" && f.StoreID == a.opts.StoreID
}

func orUnrecorded(id string) string {
	if id == "" {
		return "unrecorded"
	}
	return id
}

func (a *Agent) recordFound(ctx context.Context, t model.Task, f runtime.Found) error {
	a.logger.Info("found unrecorded container; adopting it", "task", t.Internal.ID, "container", f.ContainerName)
	return a.link.Report(ctx, TaskReport{Cluster: t.Internal.Cluster, TaskID: t.Internal.ID, At: time.Now(),
		Containers: []ContainerReport{{Name: f.ContainerName, RuntimeState: f.State}}})
}

// removeUnwanted stops and removes containers no task wants.
func (a *Agent) removeUnwanted(found []runtime.Found) {
	rm, _ := a.rt.(runtime.Remover)
	for _, f := range found {
		a.logger.Info("stopping a container no task wants", "task", f.TaskID, "container", f.ContainerName, "running", f.Running)
		h, err := a.rt.Adopt(a.ctx, f.State)
		if err == nil {
			_ = h.Stop(a.ctx, orphanStopTimeout)
		} else if !errors.Is(err, runtime.ErrGone) {
			a.logger.Error("cannot stop unwanted container", "task", f.TaskID, "container", f.ContainerName, "err", err)
			continue
		}
		if rm != nil {
			if err := rm.Remove(f.State); err != nil {
				a.logger.Error("cannot remove unwanted container", "task", f.TaskID, "container", f.ContainerName, "err", err)
			}
		}
	}
}
