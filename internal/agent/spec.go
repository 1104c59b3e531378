package agent

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// containerOverride is the part of ECS's containerOverrides the agent honours.
type containerOverride struct {
	Name        string               `json:"name"`
	Command     []string             `json:"command"`
	Environment []model.KeyValuePair `json:"environment"`
}

type taskOverrides struct {
	ContainerOverrides []containerOverride `json:"containerOverrides"`
}

func overridesFor(raw json.RawMessage, container string) containerOverride {
	var ov taskOverrides
	_ = json.Unmarshal(raw, &ov) // validated by the API when the task was created
	for _, co := range ov.ContainerOverrides {
		if co.Name == container {
			return co
		}
	}
	return containerOverride{}
}

// specInputs are what buildSpec needs beyond the task and its definition.
type specInputs struct {
	metadataURI, logRoot, region string
	// address is an awsvpc task's own address.
	address string
	secrets secretSource
}

// buildSpec turns a container definition of a task into a runtime Spec. It
// fails (errResourceInit) when a secret, an environment file or registry
// credentials the definition names cannot be read.
func buildSpec(t model.Task, td model.TaskDefinition, cd model.ContainerDefinition, in specInputs) (runtime.Spec, error) {
	env, err := containerEnv(t, cd, in)
	if err != nil {
		return runtime.Spec{}, err
	}
	auth, err := in.secrets.registryAuth(cd.RepositoryCredentials)
	if err != nil {
		return runtime.Spec{}, fmt.Errorf("%w: unable to pull secrets or registry auth: %v", errResourceInit, err)
	}
	command := cd.Command
	if ov := overridesFor(t.Overrides, cd.Name); len(ov.Command) > 0 {
		command = ov.Command
	}
	spec := runtime.Spec{
		TaskARN: t.ARN, TaskID: t.Internal.ID, ContainerName: cd.Name, Image: cd.Image,
		EntryPoint: cd.EntryPoint, Command: command, Env: env, WorkingDir: cd.WorkingDirectory,
		LogDir: filepath.Join(in.logRoot, t.Internal.ID, cd.Name),
		Labels: containerLabels(t, td, cd), User: cd.User,
		ReadonlyRootFilesystem: cd.ReadonlyRootFilesystem != nil && *cd.ReadonlyRootFilesystem,
		Init:                   cd.InitProcessEnabled(), StopTimeout: cd.StopTimeoutOrDefault(),
		HealthCheck: healthSpec(cd.HealthCheck), Resources: resourcesOf(td, cd),
		Network: runtime.Network{Mode: td.Spec.NetworkMode, Address: in.address},
		Mounts:  mountsOf(td, cd), RegistryAuth: auth,
	}
	for _, pm := range cd.PortMappings {
		spec.PortMappings = append(spec.PortMappings, runtime.PortMapping{
			ContainerPort: pm.ContainerPort, HostPort: pm.HostPort, Protocol: pm.Protocol})
	}
	for _, u := range cd.Ulimits {
		spec.Ulimits = append(spec.Ulimits, runtime.Ulimit{Name: u.Name, Soft: u.SoftLimit, Hard: u.HardLimit})
	}
	for _, vf := range cd.VolumesFrom {
		spec.VolumesFrom = append(spec.VolumesFrom, runtime.VolumeFrom{SourceContainer: vf.SourceContainer, ReadOnly: vf.ReadOnly})
	}
	return spec, nil
}

// containerEnv is the container's environment, later entries winning (one
// entry per name): the environment files top down, the definition's
// environment, its secrets, the override's environment, then the variables
// ECS's agent gives every container.
func containerEnv(t model.Task, cd model.ContainerDefinition, in specInputs) ([]string, error) {
	var env envSet
	for _, ef := range cd.EnvironmentFiles {
		lines, err := in.secrets.envFile(ef.Value)
		if err != nil {
			return nil, fmt.Errorf("%w: unable to pull secrets or registry auth: %v", errResourceInit, err)
		}
		for _, l := range lines {
			env.add(l)
		}
	}
	for _, kv := range cd.Environment {
		env.add(kv.Name + "=" + kv.Value)
	}
	for _, s := range cd.Secrets {
		v, err := in.secrets.resolve(s.ValueFrom)
		if err != nil {
			return nil, fmt.Errorf("%w: unable to pull secrets or registry auth: %v", errResourceInit, err)
		}
		env.add(s.Name + "=" + v)
	}
	for _, kv := range overridesFor(t.Overrides, cd.Name).Environment {
		env.add(kv.Name + "=" + kv.Value)
	}
	for _, kv := range []string{
		"ECS_CONTAINER_METADATA_URI_V4=" + in.metadataURI,
		"ECS_CONTAINER_METADATA_URI=" + in.metadataURI,
		"AWS_EXECUTION_ENV=AWS_ECS_EC2",
		"AWS_DEFAULT_REGION=" + in.region,
		"AWS_REGION=" + in.region,
	} {
		env.add(kv)
	}
	return env.list, nil
}

// envSet is an ordered "KEY=value" list with one entry per key: a process
// reads the first of duplicate names, so the last one given must be the
// only one.
type envSet struct {
	list  []string
	index map[string]int
}

func (e *envSet) add(kv string) {
	k, _, _ := strings.Cut(kv, "=")
	if e.index == nil {
		e.index = map[string]int{}
	}
	if i, ok := e.index[k]; ok {
		e.list[i] = kv
		return
	}
	e.index[k] = len(e.list)
	e.list = append(e.list, kv)
}

// containerLabels are the definition's dockerLabels and the labels ECS's
// agent sets on every container.
func containerLabels(t model.Task, td model.TaskDefinition, cd model.ContainerDefinition) map[string]string {
	out := taskLabels(t, td)
	for k, v := range cd.DockerLabels {
		if _, ecs := out[k]; !ecs {
			out[k] = v
		}
	}
	out[runtime.LabelContainerName] = cd.Name
	return out
}

// taskLabels are the labels ECS's agent sets that name the task.
func taskLabels(t model.Task, td model.TaskDefinition) map[string]string {
	return map[string]string{
		runtime.LabelCluster:            t.ClusterARN,
		runtime.LabelTaskARN:            t.ARN,
		runtime.LabelTaskDefinitionName: td.Family,
		runtime.LabelTaskDefinitionRev:  strconv.Itoa(td.Revision),
	}
}

func healthSpec(hc *model.HealthCheck) *runtime.HealthCheck {
	if hc == nil {
		return nil
	}
	return &runtime.HealthCheck{
		Command: hc.Command, Retries: hc.Retries,
		Interval: time.Duration(hc.Interval) * time.Second, Timeout: time.Duration(hc.Timeout) * time.Second,
		StartPeriod: time.Duration(hc.StartPeriod) * time.Second,
	}
}

// resourcesOf collects the container's and the task's cpu and memory.
func resourcesOf(td model.TaskDefinition, cd model.ContainerDefinition) runtime.Resources {
	r := runtime.Resources{CPUUnits: cd.CPU}
	if cd.Memory != nil {
		r.MemoryMiB = *cd.Memory
	}
	if cd.MemoryReservation != nil {
		r.MemoryReservationMiB = *cd.MemoryReservation
	}
	r.TaskCPUUnits, _ = strconv.Atoi(td.Spec.CPU)
	r.TaskMemoryMiB, _ = strconv.Atoi(td.Spec.Memory)
	return r
}

// mountsOf resolves the container's mountPoints against the task's
// volumes: a host path is bound; a shared Docker volume is mounted by name;
// everything else (ephemeral task storage, host volumes without a path,
// task-scoped Docker volumes) is a volume that lives as long as the task.
func mountsOf(td model.TaskDefinition, cd model.ContainerDefinition) []runtime.Mount {
	var out []runtime.Mount
	for _, mp := range cd.MountPoints {
		v := td.Spec.Volume(mp.SourceVolume)
		if v == nil {
			continue // refused at registration
		}
		m := runtime.Mount{Kind: runtime.MountTaskVolume, Source: v.Name, Target: mp.ContainerPath, ReadOnly: mp.ReadOnly}
		switch d := v.DockerVolumeConfiguration; {
		case v.Host != nil && v.Host.SourcePath != "":
			m.Kind, m.Source = runtime.MountBind, v.Host.SourcePath
		case d != nil:
			m.Volume = &runtime.VolumeConfig{Driver: d.Driver, DriverOpts: d.DriverOpts, Labels: d.Labels,
				Autoprovision: d.Autoprovision != nil && *d.Autoprovision}
			if d.ScopeOrDefault() == model.VolumeScopeShared {
				m.Kind = runtime.MountVolume
			}
		}
		out = append(out, m)
	}
	return out
}

func bindingsOf(h runtime.Handle) []model.NetworkBinding {
	out := []model.NetworkBinding{}
	for _, b := range h.Bindings() {
		proto := b.Protocol
		if proto == "" {
			proto = "tcp"
		}
		out = append(out, model.NetworkBinding{BindIP: b.BindIP, ContainerPort: b.ContainerPort, HostPort: b.HostPort, Protocol: proto})
	}
	return out
}
