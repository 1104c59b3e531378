package docker

import (
	"context"
	"errors"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// holderStopTimeout is how long a network holder gets after SIGTERM; it
// exits at once.
const holderStopTimeout = 2

// PrepareTask creates what an awsvpc task's containers share: a network
// holder, a container of its own that owns the task's network namespace and
// publishes every container port of the task on the task's address. The
// task's containers join its namespace, so they share its address and reach
// each other on localhost, as on Fargate. A holder found running (a restart)
// is kept; one that stopped is replaced. Other network modes need nothing.
func (r *Runtime) PrepareTask(ctx context.Context, task runtime.TaskSpec) error {
	if task.Network.Mode != runtime.NetworkAwsvpc {
		return nil
	}
	name := holderName(task.Labels, task.TaskID)
	old, err := r.cli.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	switch {
	case err == nil && old.Container.State != nil && old.Container.State.Running:
		return nil
	case err == nil:
		r.log.Warn("network holder of the task had stopped; replacing it", "task", task.TaskID)
		if _, err := r.cli.ContainerRemove(ctx, old.Container.ID, client.ContainerRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
			return fmt.Errorf("%w: removing the stopped network holder: %s", runtime.ErrCannotStart, engineMessage(err))
		}
	case !cerrdefs.IsNotFound(err):
		return fmt.Errorf("%w: inspecting the network holder: %s", runtime.ErrCannotStart, engineMessage(err))
	}
	image, err := r.holderImage(ctx)
	if err != nil {
		return err
	}
	ports, bindings, err := portBindings(task.PortMappings, task.Network.Address, true)
	if err != nil {
		return err
	}
	stop := holderStopTimeout
	res, err := r.cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: name,
		Config: &container.Config{
			Image: image, Cmd: []string{HolderArg}, ExposedPorts: ports, StopTimeout: &stop,
			Labels: r.labels(task.Labels, task.TaskARN, task.TaskID, "", roleNetwork),
		},
		HostConfig: &container.HostConfig{
			NetworkMode: network.NetworkBridge, PortBindings: bindings,
			Resources: container.Resources{CPUShares: minCPUShares},
		},
	})
	if err != nil {
		return fmt.Errorf("%w: creating the task's network holder: %s", runtime.ErrCannotStart, engineMessage(err))
	}
	if _, err := r.cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		r.removeQuietly(res.ID)
		return fmt.Errorf("%w: starting the task's network holder on %s: %s", runtime.ErrCannotStart, task.Network.Address, engineMessage(err))
	}
	r.log.Info("task network ready", "task", task.TaskID, "address", task.Network.Address, "holder", shortID(res.ID))
	return nil
}

// ReleaseTask removes the task's network holder, its task-scoped volumes
// and its cgroup once its containers have exited. Shared volumes stay.
func (r *Runtime) ReleaseTask(ctx context.Context, task runtime.TaskSpec) error {
	var errs []error
	list, err := r.cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: r.taskFilter(task.TaskID, roleNetwork)})
	if err != nil {
		return fmt.Errorf("listing the task's network holder: %w", err)
	}
	for _, c := range list.Items {
		if _, err := r.cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("removing network holder %s: %w", shortID(c.ID), err))
		}
	}
	vols, err := r.cli.VolumeList(ctx, client.VolumeListOptions{Filters: r.taskFilter(task.TaskID, roleVolume)})
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("listing the task's volumes: %w", err))...)
	}
	for _, v := range vols.Items {
		if _, err := r.cli.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("removing volume %s: %w", v.Name, err))
		}
	}
	if err := r.tasks.release(task.TaskID); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// PreparedTasks lists the tasks that hold a network holder or task-scoped
// volumes created by this store, after removing the cgroups of tasks that
// have no container left.
func (r *Runtime) PreparedTasks(ctx context.Context) ([]runtime.TaskSpec, error) {
	r.tasks.sweep() // task cgroups carry no task ARN; empty ones go, those in use stay
	seen := map[string]runtime.TaskSpec{}
	list, err := r.cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: r.storeFilter(roleNetwork)})
	if err != nil {
		return nil, fmt.Errorf("listing network holders: %w", err)
	}
	for _, c := range list.Items {
		seen[c.Labels[labelTaskID]] = runtime.TaskSpec{TaskARN: c.Labels[labelTaskARN], TaskID: c.Labels[labelTaskID]}
	}
	vols, err := r.cli.VolumeList(ctx, client.VolumeListOptions{Filters: r.storeFilter(roleVolume)})
	if err != nil {
		return nil, fmt.Errorf("listing task volumes: %w", err)
	}
	for _, v := range vols.Items {
		seen[v.Labels[labelTaskID]] = runtime.TaskSpec{TaskARN: v.Labels[labelTaskARN], TaskID: v.Labels[labelTaskID]}
	}
	out := make([]runtime.TaskSpec, 0, len(seen))
	for _, t := range seen {
		out = append(out, t)
	}
	return out, nil
}

// ensureVolumes creates the volumes the container mounts: its task's
// task-scoped ones (labelled, so ReleaseTask finds them), and shared ones
// that are missing and may be provisioned. A missing shared volume without
// autoprovision fails the start, as in ECS.
func (r *Runtime) ensureVolumes(ctx context.Context, spec runtime.Spec) error {
	for _, m := range spec.Mounts {
		cfg := m.Volume
		if cfg == nil {
			cfg = &runtime.VolumeConfig{}
		}
		switch m.Kind {
		case runtime.MountTaskVolume:
			_, err := r.cli.VolumeCreate(ctx, client.VolumeCreateOptions{
				Name: taskVolumeName(spec.TaskID, m.Source), Driver: cfg.Driver, DriverOpts: cfg.DriverOpts,
				Labels: r.labels(cfg.Labels, spec.TaskARN, spec.TaskID, "", roleVolume),
			})
			if err != nil {
				return fmt.Errorf("%w: creating task volume %s: %s", runtime.ErrCannotStart, m.Source, engineMessage(err))
			}
		case runtime.MountVolume:
			_, err := r.cli.VolumeInspect(ctx, m.Source, client.VolumeInspectOptions{})
			switch {
			case err == nil:
			case cerrdefs.IsNotFound(err) && cfg.Autoprovision:
				if _, err := r.cli.VolumeCreate(ctx, client.VolumeCreateOptions{Name: m.Source, Driver: cfg.Driver, DriverOpts: cfg.DriverOpts, Labels: cfg.Labels}); err != nil {
					return fmt.Errorf("%w: creating volume %s: %s", runtime.ErrCannotStart, m.Source, engineMessage(err))
				}
			case cerrdefs.IsNotFound(err):
				return fmt.Errorf("%w: volume %s does not exist and autoprovision is not set: create it (`docker volume create %s`) or set dockerVolumeConfiguration.autoprovision", runtime.ErrCannotStart, m.Source, m.Source)
			default:
				return fmt.Errorf("%w: inspecting volume %s: %s", runtime.ErrCannotStart, m.Source, engineMessage(err))
			}
		}
	}
	return nil
}

// storeFilter selects what this store created in role.
func (r *Runtime) storeFilter(role string) client.Filters {
	return make(client.Filters).Add("label", labelStore+"="+r.storeID, labelRole+"="+role)
}

// taskFilter selects what this store created for a task in role.
func (r *Runtime) taskFilter(taskID, role string) client.Filters {
	return r.storeFilter(role).Add("label", labelTaskID+"="+taskID)
}
