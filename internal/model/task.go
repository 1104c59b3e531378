package model

import (
	"encoding/json"
	"time"
)

// Task lifecycle statuses, in ECS's order.
const (
	TaskProvisioning   = "PROVISIONING"
	TaskPending        = "PENDING"
	TaskActivating     = "ACTIVATING"
	TaskRunning        = "RUNNING"
	TaskDeactivating   = "DEACTIVATING"
	TaskStopping       = "STOPPING"
	TaskDeprovisioning = "DEPROVISIONING"
	TaskStopped        = "STOPPED"
)

// taskOrder ranks statuses so that status only ever moves forward.
var taskOrder = map[string]int{
	TaskProvisioning: 0, TaskPending: 1, TaskActivating: 2, TaskRunning: 3,
	TaskDeactivating: 4, TaskStopping: 5, TaskDeprovisioning: 6, TaskStopped: 7,
}

// TaskStatusRank returns the position of status in the lifecycle.
func TaskStatusRank(status string) int { return taskOrder[status] }

// Health statuses of tasks and containers.
const (
	HealthHealthy   = "HEALTHY"
	HealthUnhealthy = "UNHEALTHY"
	HealthUnknown   = "UNKNOWN"
)

// Stop codes ECS sets on stopped tasks.
const (
	StopTaskFailedToStart         = "TaskFailedToStart"
	StopEssentialContainerExited  = "EssentialContainerExited"
	StopUserInitiated             = "UserInitiated"
	StopServiceSchedulerInitiated = "ServiceSchedulerInitiated"
)

// Task is one run of a task definition on a container instance.
type Task struct {
	ARN                  string          `json:"taskArn"`
	ClusterARN           string          `json:"clusterArn"`
	TaskDefinitionARN    string          `json:"taskDefinitionArn"`
	ContainerInstanceARN string          `json:"containerInstanceArn,omitempty"`
	Group                string          `json:"group,omitempty"`
	StartedBy            string          `json:"startedBy,omitempty"`
	LastStatus           string          `json:"lastStatus"`
	DesiredStatus        string          `json:"desiredStatus"`
	HealthStatus         string          `json:"healthStatus"`
	Containers           []Container     `json:"containers"`
	CPU                  string          `json:"cpu,omitempty"`
	Memory               string          `json:"memory,omitempty"`
	LaunchType           string          `json:"launchType,omitempty"`
	CapacityProviderName string          `json:"capacityProviderName,omitempty"`
	PlatformVersion      string          `json:"platformVersion,omitempty"`
	AvailabilityZone     string          `json:"availabilityZone,omitempty"`
	Overrides            json.RawMessage `json:"overrides,omitempty"`
	EnableExecuteCommand bool            `json:"enableExecuteCommand"`
	Version              int64           `json:"version"`
	CreatedAt            *Time           `json:"createdAt,omitempty"`
	PullStartedAt        *Time           `json:"pullStartedAt,omitempty"`
	PullStoppedAt        *Time           `json:"pullStoppedAt,omitempty"`
	StartedAt            *Time           `json:"startedAt,omitempty"`
	ConnectivityAt       *Time           `json:"connectivityAt,omitempty"`
	StoppingAt           *Time           `json:"stoppingAt,omitempty"`
	ExecutionStoppedAt   *Time           `json:"executionStoppedAt,omitempty"`
	StoppedAt            *Time           `json:"stoppedAt,omitempty"`
	StopCode             string          `json:"stopCode,omitempty"`
	StoppedReason        string          `json:"stoppedReason,omitempty"`
	Attachments          []Attachment    `json:"attachments"`
	Internal             TaskInternal    `json:"internal"`

	// EphemeralStorage is a Fargate task's (its definition's, else
	// Fargate's default).
	EphemeralStorage *EphemeralStorage `json:"ephemeralStorage,omitempty"`
}

// TaskInternal is Slipway's bookkeeping on a task; never sent to clients.
type TaskInternal struct {
	ID           string `json:"id"`
	Cluster      string `json:"cluster"`
	Service      string `json:"service,omitempty"`
	DeploymentID string `json:"deploymentId,omitempty"`
	// Targets are the target-group registrations the service controller made.
	Targets []TaskTarget `json:"targets,omitempty"`
	// LogTail is the last lines of output of the container that ended the
	// task, kept for deployment failure reasons.
	LogTail string `json:"logTail,omitempty"`
	// HealthDetail is the last failing health-check output or target reason.
	HealthDetail string `json:"healthDetail,omitempty"`
	// CountedFailure is set once a failure of this task has been counted by
	// the service controller (backoff, circuit breaker).
	CountedFailure bool `json:"countedFailure,omitempty"`
	// Reserved is what the task reserves on its container instance.
	Reserved Reservation `json:"reserved"`
	// HealthyAt is when the task was first counted healthy for its deployment.
	HealthyAt *Time `json:"healthyAt,omitempty"`
	// Network is an awsvpc task's networkConfiguration.
	Network *AwsvpcConfiguration `json:"network,omitempty"`
	// ProtectedUntil is when the task's scale-in protection
	// (UpdateTaskProtection) expires; zero when it is not protected.
	ProtectedUntil time.Time `json:"protectedUntil,omitzero"`
	// ClientToken is the idempotency token of the RunTask that started the
	// task.
	ClientToken string `json:"clientToken,omitempty"`
}

// Registration states of a TaskTarget. The controller moves a target from
// registered to draining when it deregisters it and to deregistered once it
// has drained; the agent stops a task only when none is left otherwise.
const (
	TargetRegistered   = "registered"
	TargetDraining     = "draining"
	TargetDeregistered = "deregistered"
)

// TaskTarget is one registration of a task's host port in a target group.
type TaskTarget struct {
	TargetGroupARN string `json:"targetGroupArn"`
	ContainerName  string `json:"containerName"`
	ContainerPort  int    `json:"containerPort"`
	TargetID       string `json:"targetId"`
	Port           int    `json:"port"`
	// State is TargetRegistered, TargetDraining or TargetDeregistered.
	State string `json:"state"`
}

// Container is the run state of one container of a task.
type Container struct {
	ContainerARN      string             `json:"containerArn"`
	TaskARN           string             `json:"taskArn"`
	Name              string             `json:"name"`
	Image             string             `json:"image"`
	RuntimeID         string             `json:"runtimeId,omitempty"`
	LastStatus        string             `json:"lastStatus"`
	ExitCode          *int               `json:"exitCode,omitempty"`
	Reason            string             `json:"reason,omitempty"`
	NetworkBindings   []NetworkBinding   `json:"networkBindings"`
	NetworkInterfaces []NetworkInterface `json:"networkInterfaces"`
	HealthStatus      string             `json:"healthStatus,omitempty"`
	CPU               string             `json:"cpu,omitempty"`
	Memory            string             `json:"memory,omitempty"`
	MemoryReservation string             `json:"memoryReservation,omitempty"`
	// RuntimeState is the runtime's opaque handle for re-adoption after a restart.
	RuntimeState json.RawMessage `json:"runtimeState,omitempty"`
}

// NetworkBinding is a container port bound on the host.
type NetworkBinding struct {
	BindIP        string `json:"bindIP"`
	ContainerPort int    `json:"containerPort"`
	HostPort      int    `json:"hostPort"`
	Protocol      string `json:"protocol"`
}

// IsStopped reports whether the task has reached STOPPED.
func (t *Task) IsStopped() bool { return t.LastStatus == TaskStopped }

// Container returns the named container, or nil.
func (t *Task) Container(name string) *Container {
	for i := range t.Containers {
		if t.Containers[i].Name == name {
			return &t.Containers[i]
		}
	}
	return nil
}

// HostPort returns the host port bound to a container port, or 0.
func (t *Task) HostPort(container string, containerPort int) int {
	c := t.Container(container)
	if c == nil {
		return 0
	}
	for _, b := range c.NetworkBindings {
		if b.ContainerPort == containerPort {
			return b.HostPort
		}
	}
	return 0
}

// Reservation is what a task holds on its container instance while it is not
// STOPPED: CPU units, MiB and fixed host ports.
type Reservation struct {
	CPU       int   `json:"cpu,omitempty"`
	Memory    int   `json:"memory,omitempty"`
	HostPorts []int `json:"hostPorts,omitempty"`
}
