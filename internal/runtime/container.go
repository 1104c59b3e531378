package runtime

import "time"

// Network modes of a task definition, as ECS names them.
const (
	NetworkBridge = "bridge"
	NetworkHost   = "host"
	NetworkAwsvpc = "awsvpc"
	NetworkNone   = "none"
)

// Labels ECS's agent sets on every container (and the task metadata
// endpoint reports). The agent fills them; runtimes read the family and
// revision to name containers the way ECS does.
const (
	LabelCluster            = "com.amazonaws.ecs.cluster"
	LabelContainerName      = "com.amazonaws.ecs.container-name"
	LabelTaskARN            = "com.amazonaws.ecs.task-arn"
	LabelTaskDefinitionName = "com.amazonaws.ecs.task-definition-family"
	LabelTaskDefinitionRev  = "com.amazonaws.ecs.task-definition-version"
)

// Network is a container's share of its task's network.
type Network struct {
	// Mode is NetworkBridge (the default when empty), NetworkHost,
	// NetworkAwsvpc or NetworkNone.
	Mode string
	// Address is an awsvpc task's own IPv4 address: every container of the
	// task shares it, and the container ports are reachable on it unchanged.
	Address string
}

// ModeOrDefault is Mode, or NetworkBridge when empty (ECS's default on Linux).
func (n Network) ModeOrDefault() string {
	if n.Mode == "" {
		return NetworkBridge
	}
	return n.Mode
}

// Resources are the limits ECS applies to a container, in ECS's units.
type Resources struct {
	// CPUUnits is the container's cpu (1024 units per CPU): a relative weight
	// (CPU shares); 0 means unset.
	CPUUnits int
	// MemoryMiB is the container's hard memory limit (memory); 0 means none.
	MemoryMiB int
	// MemoryReservationMiB is its soft limit (memoryReservation); 0 means none.
	MemoryReservationMiB int
	// TaskCPUUnits and TaskMemoryMiB are the task-level cpu and memory: a hard
	// CPU quota and memory limit for the task's containers together; 0 means
	// none.
	TaskCPUUnits  int
	TaskMemoryMiB int
}

// Ulimit is one resource limit (ECS's ulimits: core, nofile, nproc, ...).
type Ulimit struct {
	Name       string
	Soft, Hard int64
}

// HealthCheck is a container health check with Docker's semantics.
type HealthCheck struct {
	// Command is ECS's and Docker's form: ["CMD", argv...] or
	// ["CMD-SHELL", "command line"].
	Command     []string
	Interval    time.Duration
	Timeout     time.Duration
	StartPeriod time.Duration
	Retries     int
}

// Mount kinds.
const (
	// MountBind mounts a host path (a volume with host.sourcePath).
	MountBind = "bind"
	// MountVolume mounts a named volume that outlives the task (a
	// dockerVolumeConfiguration with scope shared).
	MountVolume = "volume"
	// MountTaskVolume mounts a volume that lives as long as its task: ephemeral
	// task storage, host volumes without a sourcePath, and
	// dockerVolumeConfiguration with scope task. Source is the task
	// definition's volume name; the runtime creates it on first use and
	// removes it in ReleaseTask.
	MountTaskVolume = "task"
)

// Mount is one mountPoint with its volume.
type Mount struct {
	Kind string
	// Source is the host path (MountBind), the volume's name (MountVolume) or
	// the task definition's volume name (MountTaskVolume).
	Source string
	// Target is the path in the container (containerPath).
	Target   string
	ReadOnly bool
	// Volume configures MountVolume and MountTaskVolume volumes; nil means
	// the local driver with no options.
	Volume *VolumeConfig
}

// VolumeConfig is a dockerVolumeConfiguration.
type VolumeConfig struct {
	// Autoprovision creates a missing MountVolume volume; without it a
	// missing one fails the start.
	Autoprovision bool
	Driver        string
	DriverOpts    map[string]string
	Labels        map[string]string
}

// VolumeFrom mounts every volume of another container of the same task.
type VolumeFrom struct {
	// SourceContainer is the other container's name in the task definition.
	SourceContainer string
	ReadOnly        bool
}

// RegistryAuth is a registry user and password for pulling an image.
type RegistryAuth struct {
	Username, Password string
}
