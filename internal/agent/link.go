package agent

import (
	"context"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
)

// ControlPlane is the agent's narrow link to the cluster's state. In the
// embedded default it is implemented over the local store; a remote agent
// would implement it over the network with the same messages.
type ControlPlane interface {
	// Register records this node as a container instance in every ACTIVE
	// cluster. It is idempotent and cheap when nothing changed.
	Register(ctx context.Context, node Node) error
	// Assigned returns the tasks placed on this node that have not STOPPED.
	Assigned(ctx context.Context, nodeID string) ([]model.Task, error)
	// TaskDefinition returns a task definition by ARN.
	TaskDefinition(ctx context.Context, arn string) (model.TaskDefinition, error)
	// Report applies an observed task status. Status never moves backwards.
	Report(ctx context.Context, r TaskReport) error
	// Changed returns a channel closed at the next change of desired state.
	Changed() <-chan struct{}
}

// Node describes this agent's machine.
type Node struct {
	ID      string
	Runtime string
	// RuntimeReason says why this runtime was chosen.
	RuntimeReason string
	// DockerVersion is the Docker Engine's version when the runtime is docker.
	DockerVersion string
	// Attributes are the container instance attributes the runtime offers
	// (ECS's capability attributes).
	Attributes   []model.Attribute
	AgentVersion string
	CPU          int // CPU units (1024 per core)
	Memory       int // MiB
}

// TaskReport is what the agent observed of one task.
type TaskReport struct {
	Cluster, TaskID string
	LastStatus      string
	HealthStatus    string
	Containers      []ContainerReport
	// At is when the observation was made; it stamps the timestamps of the
	// statuses the task passes through.
	At time.Time
	// StoppingAt is when the agent began stopping the task (zero before):
	// the task's stoppingAt when this report is the first to pass STOPPING.
	StoppingAt time.Time
	// StopCode and StoppedReason are set when the agent itself ends the task
	// (an essential container exited, a container failed to start).
	StopCode, StoppedReason string
	// LogTail is the end of the output of the container that ended the task.
	LogTail string
	// HealthDetail is the last failing health-check output.
	HealthDetail string
	// Address is the address the agent gave an awsvpc task, reported once
	// before its containers start.
	Address string
}

// ContainerReport is the observed state of one container.
type ContainerReport struct {
	Name            string
	LastStatus      string
	ExitCode        *int
	Reason          string
	HealthStatus    string
	NetworkBindings []model.NetworkBinding
	RuntimeID       string
	RuntimeState    []byte
}
