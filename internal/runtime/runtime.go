// Package runtime defines the contract between the node agent and the things that run
// containers: a Runtime starts or re-attaches to containers and hands back a Handle.
//
// Implementations live in subpackages: process (local processes under a supervisor shim)
// and, later, docker. The agent depends only on this package, so a runtime can be swapped
// without touching task lifecycle code.
package runtime

import (
	"context"
	"time"
)

// Spec is one container to start.
type Spec struct {
	// TaskARN, TaskID and ContainerName identify the container for logs and state.
	TaskARN, TaskID, ContainerName string
	// Image names the container image (docker) or, for the process runtime, the
	// executable when EntryPoint and Command are both empty.
	Image string
	// EntryPoint and Command form argv as in ECS: EntryPoint followed by Command.
	EntryPoint []string
	Command    []string
	// Env is "KEY=value" pairs, already including everything the agent wants
	// (metadata URI etc.).
	Env []string
	// WorkingDir is the container's working directory; empty means the runtime's default.
	WorkingDir string
	// PortMappings are the ports the container listens on and how they map to host ports.
	PortMappings []PortMapping
	// LogDir is the directory for this container's stdout/stderr files (created if missing).
	LogDir string
	// LogMaxBytes bounds each log stream; 0 means DefaultLogMaxBytes.
	LogMaxBytes int64
	// StoreID is the identity of the store whose agent starts the container. The
	// runtime records it with the container (the process runtime in its container
	// config, Docker as a label) and reports it in Found, so that an agent never
	// stops a container that another store started.
	StoreID string

	// Labels are the container's labels: the definition's dockerLabels and the
	// com.amazonaws.ecs.* labels ECS's agent sets. Runtimes that label
	// containers add their own (task, store) on top.
	Labels map[string]string
	// User runs the container as "user", "uid", "user:group" or "uid:gid";
	// empty means the image's user.
	User string
	// ReadonlyRootFilesystem mounts the container's root filesystem read-only.
	ReadonlyRootFilesystem bool
	// Init runs an init process as the container's PID 1 that forwards signals
	// and reaps zombies (linuxParameters.initProcessEnabled).
	Init bool
	// Ulimits are resource limits set on the container's processes.
	Ulimits []Ulimit
	// StopTimeout is the container's stopTimeout (0: the runtime's default); the
	// agent still passes the timeout to Stop.
	StopTimeout time.Duration
	// HealthCheck is the container's health check. Runtimes whose handles
	// implement HealthWatcher run it themselves; for the others the agent
	// probes it through Handle.Exec.
	HealthCheck *HealthCheck
	// Resources are the CPU and memory limits ECS applies.
	Resources Resources
	// Network is the task's network mode and, for awsvpc, its own address.
	Network Network
	// Mounts are the container's mountPoints resolved against the task's volumes.
	Mounts []Mount
	// VolumesFrom mounts the volumes of other containers of the same task.
	VolumesFrom []VolumeFrom
	// RegistryAuth authenticates image pulls (repositoryCredentials); nil pulls
	// anonymously.
	RegistryAuth *RegistryAuth
}

// DefaultLogMaxBytes is the per-stream log bound used when Spec.LogMaxBytes is 0.
const DefaultLogMaxBytes int64 = 10 << 20

// PortMapping maps a container port to a host port. HostPort 0 asks for a dynamic port.
type PortMapping struct {
	ContainerPort, HostPort int
	// Protocol is "tcp" (the default when empty) or "udp".
	Protocol string
}

// Binding is a port mapping as realised: the host port actually in use.
type Binding struct {
	ContainerPort, HostPort int
	BindIP, Protocol        string
}

// ExitStatus tells how a container ended.
type ExitStatus struct {
	// ExitCode is the exit code; nil when unknown. A container killed by a signal
	// reports 128+signal number, as Docker and ECS do (137 for SIGKILL).
	ExitCode *int
	// Signal names the signal that killed the container, e.g. "SIGKILL"; empty otherwise.
	Signal string
	// Reason is human-readable, e.g. "exit status 1", "signal: killed",
	// "CannotStartContainerError: executable file not found in $PATH: talk".
	Reason string
	// FinishedAt is when the container exited; zero when unknown. It matters for
	// containers that exited while no server watched.
	FinishedAt time.Time
}

// Runtime starts containers and re-attaches to them after a server restart.
type Runtime interface {
	// Name is the runtime's name: "process", "docker".
	Name() string
	// Start starts the container and returns once it is running, or with an error
	// (ErrNotFound for an unknown executable, ErrPortInUse for a taken host port, wrapped).
	Start(ctx context.Context, spec Spec) (Handle, error)
	// Adopt re-attaches to a container started by an earlier server process, from the
	// State it saved. It returns ErrGone (wrapped in a *GoneError carrying the ExitStatus
	// when known) when the container no longer runs.
	Adopt(ctx context.Context, state State) (Handle, error)
}

// Remover is implemented by runtimes that keep per-container bookkeeping after exit
// (the process runtime keeps the exit status on disk so that Adopt can report it).
// The agent calls Remove once it has durably recorded a container's exit.
type Remover interface {
	Remove(state State) error
}

// Lister is implemented by runtimes that can find their containers without the agent's
// records. It closes the gap between Start and the agent durably recording the State
// that Start returned: a server killed in between leaves a running container that
// only the runtime's own bookkeeping knows of.
type Lister interface {
	// List returns every container this runtime's state holds, running or exited but
	// not yet Removed. The agent calls it at start-up, before starting containers, and
	// must Adopt or Remove each one it returns (the runtime holds the host ports of
	// running ones until then).
	List(ctx context.Context) ([]Found, error)
}

// Found is a container a Lister found.
type Found struct {
	// TaskARN, TaskID and ContainerName are those of the Spec it was started from.
	TaskARN, TaskID, ContainerName string
	// StoreID is the Spec's StoreID: empty for a container started without one
	// (before runtimes recorded it).
	StoreID string
	// State can be passed to Adopt (which reports ErrGone, as a *GoneError, when the
	// container has exited) and to Remove. For a container whose Start returned, it is
	// byte for byte the State its Handle returned, so the agent recognises a container
	// it has already recorded with bytes.Equal.
	State State
	// Running is false when the container is known to have exited (its status is
	// recorded) or its supervisor is gone; a true value may be stale by the time the
	// caller looks, which Adopt then reports.
	Running bool
}

// State is opaque, runtime-specific JSON that lets a later server Adopt a container.
// The agent persists it durably.
type State []byte

// Handle controls one started or adopted container.
type Handle interface {
	// State returns what the agent must persist to Adopt this container later.
	State() State
	// Bindings are the host ports in use, one per port mapping.
	Bindings() []Binding
	// Done is closed when the container has exited.
	Done() <-chan struct{}
	// Exit reports how the container ended; valid after Done is closed.
	Exit() ExitStatus
	// Stop sends SIGTERM, then SIGKILL after timeout; it returns once the container
	// has exited or ctx ends.
	Stop(ctx context.Context, timeout time.Duration) error
	// Kill sends SIGKILL now; it does not wait (use Done).
	Kill() error
	// Exec runs a command in the container's context (same env and working dir), for
	// health checks. A non-zero exit code is not an error; err reports failures to run
	// it at all or ctx ending first. output is bounded (the tail is kept).
	Exec(ctx context.Context, argv []string) (exitCode int, output []byte, err error)
	// LogPaths returns the files holding the container's current stdout and stderr.
	LogPaths() (stdout, stderr string)
}
