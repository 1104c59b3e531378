package model

import (
	"encoding/json"
	"fmt"
	"time"
)

// Task definition statuses.
const (
	TaskDefinitionActive   = "ACTIVE"
	TaskDefinitionInactive = "INACTIVE"
	// TaskDefinitionDeleteInProgress is a deleted revision (DeleteTaskDefinitions).
	TaskDefinitionDeleteInProgress = "DELETE_IN_PROGRESS"
)

// TaskDefinition is one immutable revision of a family. Document holds the
// definition exactly as it is echoed to clients (the registered fields after
// ECS's normalisation); the typed fields are what Slipway acts on.
type TaskDefinition struct {
	ARN            string `json:"arn"`
	Family         string `json:"family"`
	Revision       int    `json:"revision"`
	Status         string `json:"status"`
	RegisteredAt   Time   `json:"registeredAt"`
	DeregisteredAt *Time  `json:"deregisteredAt,omitempty"`
	// DeleteRequestedAt is when DeleteTaskDefinitions deleted it.
	DeleteRequestedAt *Time           `json:"deleteRequestedAt,omitempty"`
	Document          json.RawMessage `json:"document"`
	Spec              TaskSpec        `json:"-"`
}

// Name returns "family:revision".
func (td *TaskDefinition) Name() string { return fmt.Sprintf("%s:%d", td.Family, td.Revision) }

// DecodeSpec fills Spec from Document. Stored definitions were validated when
// registered, so an error here means a corrupt record.
func (td *TaskDefinition) DecodeSpec() error {
	if err := json.Unmarshal(td.Document, &td.Spec); err != nil {
		return fmt.Errorf("task definition %s: %w", td.ARN, err)
	}
	return nil
}

// TaskSpec is the typed subset of a task definition that Slipway honours.
type TaskSpec struct {
	Family                  string                `json:"family"`
	RequiresCompatibilities []string              `json:"requiresCompatibilities,omitempty"`
	NetworkMode             string                `json:"networkMode"`
	CPU                     string                `json:"cpu"`
	Memory                  string                `json:"memory"`
	ContainerDefinitions    []ContainerDefinition `json:"containerDefinitions"`
	Volumes                 []Volume              `json:"volumes,omitempty"`
	// EphemeralStorage sizes nothing here; Fargate tasks report it as ECS
	// does (FargateEphemeralStorageGiB without one).
	EphemeralStorage *EphemeralStorage `json:"ephemeralStorage,omitempty"`
}

// EphemeralStorage is a Fargate task's ephemeral storage.
type EphemeralStorage struct {
	SizeInGiB int `json:"sizeInGiB"`
}

// FargateEphemeralStorageGiB is the ephemeral storage of a Fargate task
// whose definition names none.
const FargateEphemeralStorageGiB = 20

// ContainerDefinition is the typed subset of one container definition.
type ContainerDefinition struct {
	Name              string                `json:"name"`
	Image             string                `json:"image"`
	EntryPoint        []string              `json:"entryPoint,omitempty"`
	Command           []string              `json:"command,omitempty"`
	Environment       []KeyValuePair        `json:"environment,omitempty"`
	WorkingDirectory  string                `json:"workingDirectory,omitempty"`
	PortMappings      []PortMapping         `json:"portMappings,omitempty"`
	Essential         *bool                 `json:"essential,omitempty"`
	HealthCheck       *HealthCheck          `json:"healthCheck,omitempty"`
	StopTimeout       *int                  `json:"stopTimeout,omitempty"`
	StartTimeout      *int                  `json:"startTimeout,omitempty"`
	DependsOn         []ContainerDependency `json:"dependsOn,omitempty"`
	CPU               int                   `json:"cpu,omitempty"`
	Memory            *int                  `json:"memory,omitempty"`
	MemoryReservation *int                  `json:"memoryReservation,omitempty"`
	LogConfiguration  *LogConfiguration     `json:"logConfiguration,omitempty"`
	ContainerRunSettings
}

// IsEssential reports whether the container is essential (ECS's default is true).
func (c *ContainerDefinition) IsEssential() bool { return c.Essential == nil || *c.Essential }

// StopTimeoutOrDefault returns stopTimeout, or ECS's default of 30 seconds.
func (c *ContainerDefinition) StopTimeoutOrDefault() time.Duration {
	if c.StopTimeout == nil {
		return 30 * time.Second
	}
	return time.Duration(*c.StopTimeout) * time.Second
}

// KeyValuePair is ECS's name/value pair (environment variables).
type KeyValuePair struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// PortMapping is one container port mapping. HostPort 0 means dynamic.
type PortMapping struct {
	ContainerPort int    `json:"containerPort,omitempty"`
	HostPort      int    `json:"hostPort,omitempty"`
	Protocol      string `json:"protocol,omitempty"`
	Name          string `json:"name,omitempty"`
}

// HealthCheck is a container health check; durations are in seconds.
type HealthCheck struct {
	Command     []string `json:"command"`
	Interval    int      `json:"interval"`
	Timeout     int      `json:"timeout"`
	Retries     int      `json:"retries"`
	StartPeriod int      `json:"startPeriod,omitempty"`
}

// ContainerDependency is one dependsOn entry.
type ContainerDependency struct {
	ContainerName string `json:"containerName"`
	Condition     string `json:"condition"`
}
