package docker

import (
	"context"
	"errors"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// ErrStillRunning is returned by Remove for a container that still runs.
var ErrStillRunning = errors.New("container is still running")

// List returns this store's containers, running or exited but not removed,
// found from their labels alone: a server killed between starting a
// container and recording it finds it here.
func (r *Runtime) List(ctx context.Context) ([]runtime.Found, error) {
	list, err := r.cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: r.storeFilter(roleContainer)})
	if err != nil {
		return nil, fmt.Errorf("listing containers: %s", engineMessage(err))
	}
	found := make([]runtime.Found, 0, len(list.Items))
	for _, c := range list.Items {
		found = append(found, runtime.Found{
			TaskARN: c.Labels[labelTaskARN], TaskID: c.Labels[labelTaskID], ContainerName: c.Labels[labelContainer],
			StoreID: c.Labels[labelStore], State: savedState{Version: stateVersion, ID: c.ID}.encode(), Running: c.State == "running",
		})
	}
	return found, nil
}

// Adopt re-attaches to a container started by an earlier server. One that
// exited meanwhile is reported as a *runtime.GoneError with the exit status
// the engine kept; one that is gone altogether without it. A container of
// another store is refused.
func (r *Runtime) Adopt(ctx context.Context, state runtime.State) (runtime.Handle, error) {
	st, err := decodeState(state)
	if err != nil {
		return nil, err
	}
	insp, err := r.cli.ContainerInspect(ctx, st.ID, client.ContainerInspectOptions{})
	if cerrdefs.IsNotFound(err) {
		return nil, &runtime.GoneError{Detail: "the container no longer exists"}
	}
	if err != nil {
		return nil, fmt.Errorf("adopting %s: %s", shortID(st.ID), engineMessage(err))
	}
	c := insp.Container
	if c.Config == nil || c.Config.Labels[labelStore] != r.storeID {
		return nil, fmt.Errorf("%w: container %s was not started by this store", runtime.ErrInvalidState, shortID(st.ID))
	}
	if c.State == nil || !c.State.Running {
		exit := runtime.ExitStatus{Reason: "the container was never started"}
		if c.State != nil && c.State.Status != "created" {
			exit = exitOf(c.State)
		}
		return nil, &runtime.GoneError{Exit: &exit, Detail: "exited while no server watched"}
	}
	h := r.newHandle(c, c.Config.Healthcheck != nil && len(c.Config.Healthcheck.Test) > 0)
	h.log.Info("container adopted", "id", shortID(st.ID))
	return h, nil
}

// Remove deletes an exited container (and its anonymous volumes) once the
// agent has recorded how it ended; a running one is refused.
func (r *Runtime) Remove(state runtime.State) error {
	st, err := decodeState(state)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.ctx, stopGrace)
	defer cancel()
	insp, err := r.cli.ContainerInspect(ctx, st.ID, client.ContainerInspectOptions{})
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove %s: %s", shortID(st.ID), engineMessage(err))
	}
	if insp.Container.State != nil && insp.Container.State.Running {
		return fmt.Errorf("remove %s: %w", shortID(st.ID), ErrStillRunning)
	}
	if _, err := r.cli.ContainerRemove(ctx, st.ID, client.ContainerRemoveOptions{RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("remove %s: %s", shortID(st.ID), engineMessage(err))
	}
	return nil
}
