package model

import (
	"encoding/json"
	"math"
)

// Deployment controller types (deploymentController.type).
const (
	ControllerECS        = "ECS"
	ControllerCodeDeploy = "CODE_DEPLOY"
	ControllerExternal   = "EXTERNAL"
)

// Task set statuses: PRIMARY serves production traffic, ACTIVE does not,
// DRAINING is being deleted (its tasks stop, its targets deregister).
const (
	TaskSetPrimary  = "PRIMARY"
	TaskSetActive   = "ACTIVE"
	TaskSetDraining = "DRAINING"
)

// Task set stability statuses.
const (
	StabilitySteadyState = "STEADY_STATE"
	StabilityStabilizing = "STABILIZING"
)

// ScaleUnitPercent is the only unit of a task set's scale.
const ScaleUnitPercent = "PERCENT"

// MaxTaskSetsPerService is ECS's limit on a service's task sets (ECS counts
// them as the service's deployments).
const MaxTaskSetsPerService = 5

// Scale is a task set's share of its service's desired count.
type Scale struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

// TaskSet is one set of tasks of a service deployed by an EXTERNAL (or
// CODE_DEPLOY) deployment controller: its own task definition, load
// balancers and network, scaled as a percentage of the service's desired
// count. Task sets live in their service's record (Service.TaskSets), so a
// service and its task sets change in one write and the controller's
// conflict check covers both. Every member but Internal is ECS's; tags are
// in the tags bucket under the task set's ARN.
type TaskSet struct {
	ID                       string          `json:"id"`
	ARN                      string          `json:"taskSetArn"`
	ServiceARN               string          `json:"serviceArn"`
	ClusterARN               string          `json:"clusterArn"`
	StartedBy                string          `json:"startedBy,omitempty"`
	ExternalID               string          `json:"externalId,omitempty"`
	Status                   string          `json:"status"`
	TaskDefinition           string          `json:"taskDefinition"`
	ComputedDesiredCount     int             `json:"computedDesiredCount"`
	PendingCount             int             `json:"pendingCount"`
	RunningCount             int             `json:"runningCount"`
	CreatedAt                Time            `json:"createdAt"`
	UpdatedAt                Time            `json:"updatedAt"`
	LaunchType               string          `json:"launchType,omitempty"`
	CapacityProviderStrategy json.RawMessage `json:"capacityProviderStrategy,omitempty"`
	PlatformVersion          string          `json:"platformVersion,omitempty"`
	PlatformFamily           string          `json:"platformFamily,omitempty"`
	NetworkConfiguration     json.RawMessage `json:"networkConfiguration,omitempty"`
	LoadBalancers            []LoadBalancer  `json:"loadBalancers"`
	ServiceRegistries        json.RawMessage `json:"serviceRegistries"`
	Scale                    Scale           `json:"scale"`
	StabilityStatus          string          `json:"stabilityStatus"`
	StabilityStatusAt        Time            `json:"stabilityStatusAt"`
	Internal                 TaskSetInternal `json:"internal"`
}

// TaskSetInternal is Slipway's bookkeeping on a task set; never sent to
// clients.
type TaskSetInternal struct {
	// ClientToken is CreateTaskSet's idempotency token.
	ClientToken string `json:"clientToken,omitempty"`
}

// TaskSetARN is a task set's ARN: task-set/CLUSTER/SERVICE/ID, where the id
// is ecs-svc/<19 digits>.
func (p Partition) TaskSetARN(cluster, service, id string) string {
	return p.ecs("task-set/" + cluster + "/" + service + "/" + id)
}

// ComputedDesiredCount is ECS's computedDesiredCount: the service's desired
// count times the scale percentage, rounded up (1.2 tasks are 2).
func ComputedDesiredCount(desired int, percent float64) int {
	// The epsilon keeps 3 x 33.333...% at 1 and not 2 after rounding.
	return int(math.Ceil(float64(desired)*percent/100 - 1e-9))
}

// UsesTaskSets reports whether the service is deployed through task sets
// (EXTERNAL or CODE_DEPLOY deployment controller), not deployments.
func (s *Service) UsesTaskSets() bool {
	if s.DeploymentController == nil {
		return false
	}
	return s.DeploymentController.Type == ControllerExternal || s.DeploymentController.Type == ControllerCodeDeploy
}

// TaskSet returns the task set with the given id or ARN, or nil. An ARN
// must be the task set's own: one naming another cluster or service does
// not find it by its id.
func (s *Service) TaskSet(ref string) *TaskSet {
	for i := range s.TaskSets {
		ts := &s.TaskSets[i]
		if ts.ID == ref || ts.ARN == ref {
			return ts
		}
	}
	return nil
}

// PrimaryTaskSet returns the PRIMARY task set, or nil.
func (s *Service) PrimaryTaskSet() *TaskSet {
	for i := range s.TaskSets {
		if s.TaskSets[i].Status == TaskSetPrimary {
			return &s.TaskSets[i]
		}
	}
	return nil
}

// RescaleTaskSets sets every task set's computed desired count from the
// service's desired count and its scale; a DRAINING one (or any of a
// service being deleted) wants none.
func (s *Service) RescaleTaskSets(now Time) {
	for i := range s.TaskSets {
		ts := &s.TaskSets[i]
		want := ComputedDesiredCount(s.DesiredCount, ts.Scale.Value)
		if ts.Status == TaskSetDraining || s.Status != ServiceActive {
			want = 0
		}
		if want != ts.ComputedDesiredCount {
			ts.ComputedDesiredCount = want
			ts.UpdatedAt = now
		}
	}
}

// AdoptPrimary makes the service show its primary task set's settings, as
// ECS does when UpdateServicePrimaryTaskSet names a new primary.
func (s *Service) AdoptPrimary(ts *TaskSet) {
	s.TaskDefinition = ts.TaskDefinition
	s.LoadBalancers = ts.LoadBalancers
	s.LaunchType = ts.LaunchType
	s.CapacityProviderStrategy = ts.CapacityProviderStrategy
	s.PlatformVersion = ts.PlatformVersion
	s.NetworkConfiguration = ts.NetworkConfiguration
	s.ServiceRegistries = ts.ServiceRegistries
}

// AwsvpcConfiguration is the task set's awsvpc network configuration, or
// nil.
func (ts *TaskSet) AwsvpcConfiguration() *AwsvpcConfiguration {
	var nc NetworkConfiguration
	if len(ts.NetworkConfiguration) == 0 || json.Unmarshal(ts.NetworkConfiguration, &nc) != nil {
		return nil
	}
	return nc.AwsvpcConfiguration
}
