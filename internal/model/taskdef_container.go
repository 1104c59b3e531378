package model

// ContainerRunSettings are the container definition fields that shape how a
// runtime runs the container (Docker honours them all; the process runtime
// refuses those it cannot apply).
type ContainerRunSettings struct {
	User                   string                 `json:"user,omitempty"`
	ReadonlyRootFilesystem *bool                  `json:"readonlyRootFilesystem,omitempty"`
	Ulimits                []Ulimit               `json:"ulimits,omitempty"`
	DockerLabels           map[string]string      `json:"dockerLabels,omitempty"`
	LinuxParameters        *LinuxParameters       `json:"linuxParameters,omitempty"`
	MountPoints            []MountPoint           `json:"mountPoints,omitempty"`
	VolumesFrom            []VolumeFrom           `json:"volumesFrom,omitempty"`
	Secrets                []Secret               `json:"secrets,omitempty"`
	EnvironmentFiles       []EnvironmentFile      `json:"environmentFiles,omitempty"`
	RepositoryCredentials  *RepositoryCredentials `json:"repositoryCredentials,omitempty"`
}

// Ulimit is one of a container's ulimits.
type Ulimit struct {
	Name      string `json:"name"`
	SoftLimit int64  `json:"softLimit"`
	HardLimit int64  `json:"hardLimit"`
}

// LinuxParameters is the part of linuxParameters Slipway acts on.
type LinuxParameters struct {
	InitProcessEnabled *bool `json:"initProcessEnabled,omitempty"`
}

// MountPoint mounts a task volume into a container.
type MountPoint struct {
	SourceVolume  string `json:"sourceVolume"`
	ContainerPath string `json:"containerPath"`
	ReadOnly      bool   `json:"readOnly,omitempty"`
}

// VolumeFrom mounts the volumes of another container of the task.
type VolumeFrom struct {
	SourceContainer string `json:"sourceContainer"`
	ReadOnly        bool   `json:"readOnly,omitempty"`
}

// Secret is an environment variable whose value comes from a secret store.
type Secret struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

// EnvironmentFile is a file of VARIABLE=VALUE lines.
type EnvironmentFile struct {
	Value string `json:"value"`
	Type  string `json:"type"`
}

// RepositoryCredentials names the secret holding a private registry's
// username and password.
type RepositoryCredentials struct {
	CredentialsParameter string `json:"credentialsParameter"`
}

// Volume is a task definition volume. Exactly one kind applies: a host path
// (Host.SourcePath), a Docker volume (DockerVolumeConfiguration), or, with
// neither, task storage that lives as long as the task.
type Volume struct {
	Name                      string                     `json:"name"`
	Host                      *HostVolume                `json:"host,omitempty"`
	DockerVolumeConfiguration *DockerVolumeConfiguration `json:"dockerVolumeConfiguration,omitempty"`
	// Kinds of volume Slipway cannot provide; a definition using them is
	// refused at registration.
	EFSVolumeConfiguration     any   `json:"efsVolumeConfiguration,omitempty"`
	FSxWindowsFileServerVolume any   `json:"fsxWindowsFileServerVolumeConfiguration,omitempty"`
	ConfiguredAtLaunch         *bool `json:"configuredAtLaunch,omitempty"`
}

// HostVolume is a bind mount of a host path; an empty SourcePath asks for
// storage that lives as long as the task.
type HostVolume struct {
	SourcePath string `json:"sourcePath,omitempty"`
}

// Docker volume scopes.
const (
	VolumeScopeTask   = "task"
	VolumeScopeShared = "shared"
)

// DockerVolumeConfiguration is a Docker volume; Scope is task (the default:
// created with the task and removed with it) or shared (outlives it).
type DockerVolumeConfiguration struct {
	Scope         string            `json:"scope,omitempty"`
	Autoprovision *bool             `json:"autoprovision,omitempty"`
	Driver        string            `json:"driver,omitempty"`
	DriverOpts    map[string]string `json:"driverOpts,omitempty"`
	Labels        map[string]string `json:"labels,omitempty"`
}

// ScopeOrDefault is Scope, or task when unset (ECS's default).
func (d *DockerVolumeConfiguration) ScopeOrDefault() string {
	if d.Scope == "" {
		return VolumeScopeTask
	}
	return d.Scope
}

// InitProcessEnabled reports linuxParameters.initProcessEnabled.
func (c *ContainerDefinition) InitProcessEnabled() bool {
	return c.LinuxParameters != nil && c.LinuxParameters.InitProcessEnabled != nil && *c.LinuxParameters.InitProcessEnabled
}

// Volume returns the task definition volume called name, or nil.
func (s *TaskSpec) Volume(name string) *Volume {
	for i := range s.Volumes {
		if s.Volumes[i].Name == name {
			return &s.Volumes[i]
		}
	}
	return nil
}
