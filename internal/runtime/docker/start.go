package docker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// Start creates and starts the container and returns once it runs. The
// image is used as it is on this machine, and pulled only when missing.
func (r *Runtime) Start(ctx context.Context, spec runtime.Spec) (runtime.Handle, error) {
	if spec.Image == "" {
		return nil, fmt.Errorf("%w: %w: no image", runtime.ErrCannotStart, runtime.ErrInvalidSpec)
	}
	if err := r.ensureImage(ctx, spec.Image, spec.RegistryAuth); err != nil {
		return nil, err
	}
	if err := r.ensureVolumes(ctx, spec); err != nil {
		return nil, err
	}
	if r.tasks.uses(spec.Resources) {
		if err := r.tasks.ensure(spec.TaskID, spec.Resources); err != nil {
			return nil, fmt.Errorf("%w: %w", runtime.ErrCannotStart, err)
		}
	}
	name := containerName(spec.Labels, spec.TaskID, spec.ContainerName)
	opts, err := r.createOptions(spec, name)
	if err != nil {
		return nil, err
	}
	id, err := r.create(ctx, opts)
	if err != nil {
		return nil, err
	}
	if _, err := r.cli.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		r.removeQuietly(id)
		return nil, fmt.Errorf("%w: %s", runtime.ErrCannotStart, engineMessage(err))
	}
	insp, err := r.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return nil, fmt.Errorf("%w: inspecting the started container: %w", runtime.ErrCannotStart, err)
	}
	h := r.newHandle(insp.Container, spec.HealthCheck != nil)
	h.log.Info("container started", "id", shortID(id), "name", name, "bindings", h.bindings)
	if dir := r.tasks.memoryDir(spec.TaskID); r.tasks.uses(spec.Resources) && !h.meter.viaEngine && !strings.HasPrefix(h.meter.cgroup.MemoryDir, dir+"/") {
		h.log.Warn("the engine did not put the container in its task's cgroup; the task's limits do not hold it", "cgroup", h.meter.cgroup.MemoryDir, "task cgroup", dir)
	}
	return h, nil
}

// create creates the container. A container of the same name exists when an
// earlier server created it and died before recording it; one that never
// started, or exited, is removed and created afresh (a running one is what
// List reports and the agent adopts, so it is never replaced here).
func (r *Runtime) create(ctx context.Context, opts client.ContainerCreateOptions) (string, error) {
	for attempt := 0; ; attempt++ {
		res, err := r.cli.ContainerCreate(ctx, opts)
		if err == nil {
			return res.ID, nil
		}
		if !cerrdefs.IsConflict(err) || attempt > 0 {
			return "", fmt.Errorf("%w: %s", runtime.ErrCannotStart, engineMessage(err))
		}
		old, ierr := r.cli.ContainerInspect(ctx, opts.Name, client.ContainerInspectOptions{})
		if ierr != nil {
			return "", fmt.Errorf("%w: %s", runtime.ErrCannotStart, engineMessage(err))
		}
		if old.Container.Config == nil || old.Container.Config.Labels[labelStore] != r.storeID || old.Container.State.Running {
			return "", fmt.Errorf("%w: a container named %s already exists and is not a stale one of this task", runtime.ErrCannotStart, opts.Name)
		}
		r.log.Info("removing a stale container of the same name", "name", opts.Name, "id", shortID(old.Container.ID))
		if _, err := r.cli.ContainerRemove(ctx, old.Container.ID, client.ContainerRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
			return "", fmt.Errorf("%w: removing stale container %s: %w", runtime.ErrCannotStart, opts.Name, err)
		}
	}
}

// removeQuietly removes a container whose start failed.
func (r *Runtime) removeQuietly(id string) {
	ctx, cancel := context.WithTimeout(r.ctx, stopGrace)
	defer cancel()
	if _, err := r.cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
		r.log.Warn("removing a container that failed to start", "id", shortID(id), "err", err)
	}
}

// bindingsOf reads where the container's ports are reachable: the host
// ports the engine published for a bridge-mode container; for host and
// awsvpc containers, the container ports themselves on the address recorded
// in their labels (the engine refuses to expose ports of a container that
// shares another's network, so the labels carry them).
func bindingsOf(c container.InspectResponse) []runtime.Binding {
	out := []runtime.Binding{}
	if c.Config != nil && c.Config.Labels[labelPorts] != "" {
		addr := c.Config.Labels[labelAddress]
		for _, p := range strings.Split(c.Config.Labels[labelPorts], ",") {
			port, err := network.ParsePort(p)
			if err == nil {
				out = append(out, runtime.Binding{ContainerPort: int(port.Num()), HostPort: int(port.Num()), BindIP: addr, Protocol: string(port.Proto())})
			}
		}
		return out
	}
	if c.NetworkSettings == nil {
		return out
	}
	for port, bs := range c.NetworkSettings.Ports {
		for _, b := range bs {
			hp, err := strconv.Atoi(b.HostPort)
			if err != nil || !b.HostIP.Is4() {
				continue // the engine also reports [::] bindings of the same port
			}
			out = append(out, runtime.Binding{ContainerPort: int(port.Num()), HostPort: hp, BindIP: b.HostIP.String(), Protocol: string(port.Proto())})
		}
	}
	slices.SortFunc(out, func(a, b runtime.Binding) int {
		return cmp.Or(cmp.Compare(a.ContainerPort, b.ContainerPort), cmp.Compare(a.Protocol, b.Protocol))
	})
	return out
}

// portsLabel records the port mappings of a container the engine does not
// publish ports for (host and awsvpc modes), for bindingsOf.
func portsLabel(mappings []runtime.PortMapping) string {
	parts := make([]string, 0, len(mappings))
	for _, m := range mappings {
		proto := strings.ToLower(m.Protocol)
		if proto == "" {
			proto = "tcp"
		}
		parts = append(parts, strconv.Itoa(m.ContainerPort)+"/"+proto)
	}
	return strings.Join(parts, ",")
}

// engineMessage is the engine's error text without the client's prefix.
func engineMessage(err error) string {
	var msg interface{ Message() string }
	if errors.As(err, &msg) {
		return msg.Message()
	}
	return err.Error()
}

func shortID(id string) string { return id[:min(len(id), 12)] }

func parseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return a, fmt.Errorf("%w: %w: address %q", runtime.ErrCannotStart, runtime.ErrInvalidSpec, s)
	}
	return a, nil
}
