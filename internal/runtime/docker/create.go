package docker

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// CPU shares as ECS's agent (1.82 and later) passes them: the Linux kernel
// takes 2 to 262144, and a cpu of 0 or 1 (or none) becomes 2.
const (
	minCPUShares = 2
	maxCPUShares = 262144
)

// cpuUnitsPerCPU is ECS's unit: 1024 per CPU.
const cpuUnitsPerCPU = 1024

// startIntervalAPI is the first API version with a health check's
// StartInterval; older engines (20.10 speaks 1.41) probe at Interval during
// the start period too.
const startIntervalAPI = "1.44"

// healthStartInterval is how often a health check probes during its start
// period where the engine allows it (failures there do not count).
const healthStartInterval = time.Second

// createOptions turns a Spec into the engine's container configuration.
func (r *Runtime) createOptions(spec runtime.Spec, name string) (client.ContainerCreateOptions, error) {
	cfg := &container.Config{
		Image: spec.Image, Env: spec.Env, WorkingDir: spec.WorkingDir, User: spec.User,
		Labels: r.labels(spec.Labels, spec.TaskARN, spec.TaskID, spec.ContainerName, roleContainer),
	}
	// ECS overrides the image's ENTRYPOINT and CMD only where the definition
	// sets them (the engine then drops the image's CMD for a new ENTRYPOINT).
	if len(spec.EntryPoint) > 0 {
		cfg.Entrypoint = spec.EntryPoint
	}
	if len(spec.Command) > 0 {
		cfg.Cmd = spec.Command
	}
	if spec.StopTimeout > 0 {
		secs := int(math.Ceil(spec.StopTimeout.Seconds()))
		cfg.StopTimeout = &secs
	}
	cfg.Healthcheck = r.healthConfig(spec.HealthCheck)
	inTask := r.tasks.uses(spec.Resources)
	host := &container.HostConfig{
		ReadonlyRootfs: spec.ReadonlyRootFilesystem,
		Init:           &spec.Init,
		Resources:      resources(spec, inTask),
		LogConfig:      logConfig(spec.LogMaxBytes),
	}
	if inTask {
		host.CgroupParent = r.tasks.parent(spec.TaskID)
	}
	if err := r.network(spec, cfg, host); err != nil {
		return client.ContainerCreateOptions{}, err
	}
	for _, m := range spec.Mounts {
		host.Mounts = append(host.Mounts, r.mount(spec.TaskID, m))
	}
	for _, vf := range spec.VolumesFrom {
		mode := ":rw"
		if vf.ReadOnly {
			mode = ":ro"
		}
		host.VolumesFrom = append(host.VolumesFrom, containerName(spec.Labels, spec.TaskID, vf.SourceContainer)+mode)
	}
	return client.ContainerCreateOptions{Config: cfg, HostConfig: host, Name: name}, nil
}

// network sets the container's network mode and, for bridge mode, its
// published ports. awsvpc containers join their task's network holder, which
// publishes the task's ports on its own address.
func (r *Runtime) network(spec runtime.Spec, cfg *container.Config, host *container.HostConfig) error {
	switch mode := spec.Network.ModeOrDefault(); mode {
	case runtime.NetworkBridge:
		host.NetworkMode = network.NetworkBridge
		ports, bindings, err := portBindings(spec.PortMappings, r.bindIP.String(), false)
		if err != nil {
			return err
		}
		cfg.ExposedPorts, host.PortBindings = ports, bindings
	case runtime.NetworkHost:
		host.NetworkMode = network.NetworkHost
		cfg.Labels[labelPorts], cfg.Labels[labelAddress] = portsLabel(spec.PortMappings), "0.0.0.0"
	case runtime.NetworkNone:
		host.NetworkMode = network.NetworkNone
	case runtime.NetworkAwsvpc:
		if _, err := parseAddr(spec.Network.Address); err != nil {
			return err
		}
		host.NetworkMode = container.NetworkMode("container:" + holderName(spec.Labels, spec.TaskID))
		cfg.Labels[labelPorts], cfg.Labels[labelAddress] = portsLabel(spec.PortMappings), spec.Network.Address
	default:
		return fmt.Errorf("%w: %w: network mode %q", runtime.ErrCannotStart, runtime.ErrInvalidSpec, mode)
	}
	return nil
}

// portBindings publishes mappings on hostIP; fixed uses the container port
// as the host port (awsvpc holders), else HostPort 0 lets the engine pick.
func portBindings(mappings []runtime.PortMapping, hostIP string, fixed bool) (network.PortSet, network.PortMap, error) {
	ports, bindings := network.PortSet{}, network.PortMap{}
	for _, m := range mappings {
		proto := strings.ToLower(m.Protocol)
		if proto == "" {
			proto = "tcp"
		}
		p, err := network.ParsePort(strconv.Itoa(m.ContainerPort) + "/" + proto)
		if err != nil || (proto != "tcp" && proto != "udp") {
			return nil, nil, fmt.Errorf("%w: %w: port mapping %d/%s", runtime.ErrCannotStart, runtime.ErrInvalidSpec, m.ContainerPort, m.Protocol)
		}
		hostPort := m.HostPort
		if fixed {
			hostPort = m.ContainerPort
		}
		b := network.PortBinding{}
		if b.HostIP, err = parseAddr(hostIP); err != nil {
			return nil, nil, err
		}
		if hostPort != 0 {
			b.HostPort = strconv.Itoa(hostPort)
		}
		ports[p] = struct{}{}
		bindings[p] = append(bindings[p], b)
	}
	return ports, bindings, nil
}

// resources applies ECS's limits: cpu as CPU shares, memory as the hard
// limit and memoryReservation as the soft one. Task-level cpu and memory
// belong to the task's cgroup, the container's cgroup parent (inTask; see
// taskCgroups), where the engine allows one; else task-level cpu becomes
// each container's CPU quota and task-level memory caps every container of
// the task, so a one-container task is still limited exactly as ECS limits
// it.
func resources(spec runtime.Spec, inTask bool) container.Resources {
	res := spec.Resources
	shares := int64(min(max(res.CPUUnits, minCPUShares), maxCPUShares))
	out := container.Resources{
		CPUShares:         shares,
		Memory:            int64(res.MemoryMiB) << 20,
		MemoryReservation: int64(res.MemoryReservationMiB) << 20,
	}
	if inTask {
		res.TaskMemoryMiB, res.TaskCPUUnits = 0, 0 // the task's cgroup holds them
	}
	if res.TaskMemoryMiB > 0 && (out.Memory == 0 || out.Memory > int64(res.TaskMemoryMiB)<<20) {
		out.Memory = int64(res.TaskMemoryMiB) << 20
	}
	if out.MemoryReservation > out.Memory && out.Memory > 0 {
		out.MemoryReservation = out.Memory
	}
	if res.TaskCPUUnits > 0 {
		out.NanoCPUs = int64(res.TaskCPUUnits) * 1e9 / cpuUnitsPerCPU
	}
	for _, u := range spec.Ulimits {
		out.Ulimits = append(out.Ulimits, &container.Ulimit{Name: u.Name, Soft: u.Soft, Hard: u.Hard})
	}
	return out
}

// healthConfig is the engine's form of a health check; nil keeps the image's.
func (r *Runtime) healthConfig(hc *runtime.HealthCheck) *container.HealthConfig {
	if hc == nil || len(hc.Command) == 0 {
		return nil
	}
	test := hc.Command
	if test[0] == "CMD-SHELL" && len(test) > 2 {
		test = []string{"CMD-SHELL", strings.Join(test[1:], " ")} // as ECS's agent joins them
	}
	out := &container.HealthConfig{
		Test: test, Interval: hc.Interval, Timeout: hc.Timeout, StartPeriod: hc.StartPeriod, Retries: hc.Retries,
	}
	if hc.StartPeriod > 0 && r.apiAtLeast(startIntervalAPI) {
		out.StartInterval = healthStartInterval
	}
	return out
}

// logConfig keeps the container's output in the engine's json-file driver,
// bounded like the process runtime's logs: two files of at most maxBytes.
func logConfig(maxBytes int64) container.LogConfig {
	if maxBytes <= 0 {
		maxBytes = runtime.DefaultLogMaxBytes
	}
	return container.LogConfig{Type: "json-file", Config: map[string]string{
		"max-size": strconv.FormatInt(maxBytes, 10), "max-file": "2",
	}}
}

// mount is the engine's form of one mount point.
func (r *Runtime) mount(taskID string, m runtime.Mount) mount.Mount {
	out := mount.Mount{Target: m.Target, ReadOnly: m.ReadOnly}
	switch m.Kind {
	case runtime.MountBind:
		out.Type, out.Source = mount.TypeBind, m.Source
	case runtime.MountTaskVolume:
		out.Type, out.Source = mount.TypeVolume, taskVolumeName(taskID, m.Source)
	default:
		out.Type, out.Source = mount.TypeVolume, m.Source
	}
	return out
}

// taskVolumeName names the engine's volume for a task-scoped volume.
func taskVolumeName(taskID, volume string) string {
	return dockerSafe("slipway-" + taskID + "-" + volume)
}
