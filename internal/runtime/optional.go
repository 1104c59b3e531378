package runtime

import "context"

// Health statuses a HealthWatcher reports, in ECS's words.
const (
	HealthHealthy   = "HEALTHY"
	HealthUnhealthy = "UNHEALTHY"
	HealthUnknown   = "UNKNOWN"
)

// Health is a container's health as its runtime's own health check sees it.
type Health struct {
	// Status is HealthHealthy, HealthUnhealthy or HealthUnknown.
	Status string
	// Output is the last probe's output (bounded), for failure reasons.
	Output string
}

// HealthWatcher is implemented by handles whose runtime runs the container's
// Spec.HealthCheck itself, as the Docker Engine does. The agent then takes
// the status from it instead of probing through Exec.
type HealthWatcher interface {
	// WatchHealth calls report with the container's health each time it
	// changes, until ctx ends or the container exits.
	WatchHealth(ctx context.Context, report func(Health))
}

// Identified is implemented by handles whose runtime has an id of its own
// for the container (Docker's container id), which ECS reports as the
// container's runtimeId and the task metadata endpoint as DockerId.
type Identified interface {
	RuntimeID() string
}

// LogTailer is implemented by handles whose output is kept by their runtime
// rather than in the files LogPaths names.
type LogTailer interface {
	// LogTail returns the last n lines of the container's output, stderr
	// first; "" when there is none or it cannot be read.
	LogTail(ctx context.Context, n int) string
}

// TaskSpec is what a task needs beyond its containers.
type TaskSpec struct {
	TaskARN, TaskID string
	// Network is the task's network; for awsvpc, Address is its own.
	Network Network
	// PortMappings are those of every container of the task: an awsvpc
	// task's network namespace receives them on Network.Address.
	PortMappings []PortMapping
	// Labels are set on what the runtime creates for the task, as on its
	// containers (Spec.Labels).
	Labels map[string]string
}

// TaskPreparer is implemented by runtimes that hold resources per task, not
// per container: the Docker runtime's network namespace of an awsvpc task
// and its task-scoped volumes. The agent calls PrepareTask before starting a
// task's containers (again after a restart, so it must find what an earlier
// call created) and ReleaseTask once all of them have exited.
type TaskPreparer interface {
	PrepareTask(ctx context.Context, task TaskSpec) error
	ReleaseTask(ctx context.Context, task TaskSpec) error
	// PreparedTasks lists the tasks holding resources (started by this store),
	// so that a restarted agent releases those of tasks that are gone.
	PreparedTasks(ctx context.Context) ([]TaskSpec, error)
}

// HostGateway is implemented by runtimes whose containers have a network
// namespace of their own and so cannot reach the host's loopback address.
type HostGateway interface {
	// HostGateway is the host's address as such containers reach it (the
	// Docker bridge's gateway), or "" when unknown.
	HostGateway() string
}
