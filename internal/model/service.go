package model

import (
	"encoding/json"
	"time"
)

// Service statuses.
const (
	ServiceActive   = "ACTIVE"
	ServiceDraining = "DRAINING"
	ServiceInactive = "INACTIVE"
)

// Scheduling strategies (schedulingStrategy): REPLICA keeps a desired
// count, DAEMON one task on each ACTIVE container instance.
const (
	SchedulingReplica = "REPLICA"
	SchedulingDaemon  = "DAEMON"
)

// MaxServiceEvents is how many events ECS keeps on a service.
const MaxServiceEvents = 100

// Service is an ECS service: a desired count of tasks of one task definition,
// kept running by the service controller and replaced by deployments.
type Service struct {
	Name                          string                  `json:"serviceName"`
	ARN                           string                  `json:"serviceArn"`
	ClusterARN                    string                  `json:"clusterArn"`
	Status                        string                  `json:"status"`
	TaskDefinition                string                  `json:"taskDefinition"`
	DesiredCount                  int                     `json:"desiredCount"`
	LaunchType                    string                  `json:"launchType,omitempty"`
	LoadBalancers                 []LoadBalancer          `json:"loadBalancers"`
	DeploymentConfiguration       DeploymentConfiguration `json:"deploymentConfiguration"`
	DeploymentController          *DeploymentController   `json:"deploymentController,omitempty"`
	HealthCheckGracePeriodSeconds *int                    `json:"healthCheckGracePeriodSeconds,omitempty"`
	SchedulingStrategy            string                  `json:"schedulingStrategy"`
	CreatedAt                     Time                    `json:"createdAt"`
	CreatedBy                     string                  `json:"createdBy,omitempty"`
	PropagateTags                 string                  `json:"propagateTags,omitempty"`
	EnableECSManagedTags          bool                    `json:"enableECSManagedTags"`
	EnableExecuteCommand          bool                    `json:"enableExecuteCommand"`
	Deployments                   []Deployment            `json:"deployments"`
	// TaskSets are an EXTERNAL or CODE_DEPLOY service's task sets (see
	// TaskSet); an ECS service has none.
	TaskSets []TaskSet      `json:"taskSets,omitempty"`
	Events   []ServiceEvent `json:"events"`
	ServiceEchoedFields
	Internal ServiceInternal `json:"internal"`
}

// ServiceEchoedFields are accepted, stored and returned unchanged; they have
// no effect on one local node (IAM roles, subnets, capacity providers, ...).
type ServiceEchoedFields struct {
	Role                        string          `json:"roleArn,omitempty"`
	PlatformVersion             string          `json:"platformVersion,omitempty"`
	PlatformFamily              string          `json:"platformFamily,omitempty"`
	NetworkConfiguration        json.RawMessage `json:"networkConfiguration,omitempty"`
	PlacementConstraints        json.RawMessage `json:"placementConstraints,omitempty"`
	PlacementStrategy           json.RawMessage `json:"placementStrategy,omitempty"`
	CapacityProviderStrategy    json.RawMessage `json:"capacityProviderStrategy,omitempty"`
	ServiceRegistries           json.RawMessage `json:"serviceRegistries,omitempty"`
	ServiceConnectConfig        json.RawMessage `json:"serviceConnectConfiguration,omitempty"`
	AvailabilityZoneRebalancing string          `json:"availabilityZoneRebalancing,omitempty"`
	// VolumeConfigurations (EBS volumes configured at launch) and
	// VpcLatticeConfigurations have no meaning on one local node. ECS
	// shows them on the service's deployments and revisions, not on the
	// service: StartDeployment copies them onto each new deployment.
	VolumeConfigurations     json.RawMessage `json:"volumeConfigurations,omitempty"`
	VpcLatticeConfigurations json.RawMessage `json:"vpcLatticeConfigurations,omitempty"`
}

// ServiceInternal is Slipway's bookkeeping on a service; never sent to clients.
type ServiceInternal struct {
	// NextDeploymentSeq numbers deployments (ecs-svc/<n>).
	NextDeploymentSeq uint64 `json:"nextDeploymentSeq"`
	// LaunchFailures counts consecutive tasks that failed to start or run,
	// for ECS's throttling of services that cannot start tasks.
	LaunchFailures int `json:"launchFailures"`
	// BackoffUntil holds off new launches while the service is throttled.
	BackoffUntil time.Time `json:"backoffUntil"`
	// SteadySince is when the service last reached a steady state; the zero
	// time means it is not steady.
	SteadySince time.Time `json:"steadySince"`
	// LastSteadyEvent is when the steady-state event was last recorded; ECS
	// repeats it at most every six hours.
	LastSteadyEvent time.Time `json:"lastSteadyEvent"`
	// Revision increases with every stored change of the service, so that
	// readers can cache what they derive from it.
	Revision uint64 `json:"revision"`
	// Incarnation is the sequence number of the service's first deployment.
	// Deployment numbers are never reused, so it tells this service from an
	// earlier one of the same name for the store's whole lifetime (0 for
	// services created before it was recorded).
	Incarnation uint64 `json:"incarnation,omitempty"`
	// History keeps finished deployments, newest first, for rollback and
	// ListServiceDeployments.
	History []Deployment `json:"history,omitempty"`
	// LiveTargetGroups maps each load balancer's targetGroupArn to the
	// target group of its pair that carries production traffic, once a
	// traffic-shifting deployment moved it to the alternate; absent means
	// the targetGroupArn itself. Only a finished shift or a rollback's
	// return changes it, so nothing else can flip traffic back.
	LiveTargetGroups map[string]string `json:"liveTargetGroups,omitempty"`
}

// LiveTargetGroup is the target group of l's pair that carries production
// traffic outside a deployment.
func (s *Service) LiveTargetGroup(l LoadBalancer) string {
	if tg, ok := s.Internal.LiveTargetGroups[l.TargetGroupARN]; ok && l.AdvancedConfiguration != nil &&
		(tg == l.TargetGroupARN || tg == l.AdvancedConfiguration.AlternateTargetGroupARN) {
		return tg
	}
	return l.TargetGroupARN
}

// MaxDeploymentHistory bounds ServiceInternal.History.
const MaxDeploymentHistory = 50

// LoadBalancer attaches a service's container port to a target group.
type LoadBalancer struct {
	TargetGroupARN   string `json:"targetGroupArn,omitempty"`
	LoadBalancerName string `json:"loadBalancerName,omitempty"`
	ContainerName    string `json:"containerName"`
	ContainerPort    int    `json:"containerPort"`
	// AdvancedConfiguration names the alternate target group and the
	// listener rules that BLUE_GREEN, CANARY and LINEAR deployments shift.
	AdvancedConfiguration *AdvancedConfiguration `json:"advancedConfiguration,omitempty"`
}

// AdvancedConfiguration is ECS's load-balancer setting for traffic-shifting
// deployments. RoleARN is stored and echoed: Slipway's controller changes
// the rules itself, with no IAM role to assume.
type AdvancedConfiguration struct {
	AlternateTargetGroupARN string `json:"alternateTargetGroupArn,omitempty"`
	ProductionListenerRule  string `json:"productionListenerRule,omitempty"`
	TestListenerRule        string `json:"testListenerRule,omitempty"`
	RoleARN                 string `json:"roleArn,omitempty"`
}

// Alternate returns the other target group of a load balancer's pair: the
// alternate for the primary and the primary for anything else.
func (l LoadBalancer) Alternate(tg string) string {
	if l.AdvancedConfiguration == nil {
		return l.TargetGroupARN
	}
	if tg == l.TargetGroupARN {
		return l.AdvancedConfiguration.AlternateTargetGroupARN
	}
	return l.TargetGroupARN
}

// DeploymentController names who deploys the service (ECS, CODE_DEPLOY, EXTERNAL).
type DeploymentController struct {
	Type string `json:"type"`
}

// DeploymentConfiguration is how ECS replaces a service's tasks.
type DeploymentConfiguration struct {
	MaximumPercent           *int                      `json:"maximumPercent,omitempty"`
	MinimumHealthyPercent    *int                      `json:"minimumHealthyPercent,omitempty"`
	DeploymentCircuitBreaker *DeploymentCircuitBreaker `json:"deploymentCircuitBreaker,omitempty"`
	Alarms                   *DeploymentAlarms         `json:"alarms,omitempty"`
	Strategy                 string                    `json:"strategy,omitempty"`
	// BakeTimeInMinutes is how long blue keeps running once green has all
	// production traffic (BLUE_GREEN, CANARY, LINEAR).
	BakeTimeInMinutes   *int                 `json:"bakeTimeInMinutes,omitempty"`
	LifecycleHooks      []LifecycleHook      `json:"lifecycleHooks,omitempty"`
	CanaryConfiguration *CanaryConfiguration `json:"canaryConfiguration,omitempty"`
	LinearConfiguration *LinearConfiguration `json:"linearConfiguration,omitempty"`
}

// MaxPercent returns maximumPercent, defaulting to 200 as ECS does.
func (c DeploymentConfiguration) MaxPercent() int {
	if c.MaximumPercent == nil {
		return 200
	}
	return *c.MaximumPercent
}

// MinHealthyPercent returns minimumHealthyPercent, defaulting to 100.
func (c DeploymentConfiguration) MinHealthyPercent() int {
	if c.MinimumHealthyPercent == nil {
		return 100
	}
	return *c.MinimumHealthyPercent
}

// CanaryConfiguration is a CANARY deployment's first step: canaryPercent of
// production traffic for canaryBakeTimeInMinutes, then the rest.
type CanaryConfiguration struct {
	CanaryPercent           *float64 `json:"canaryPercent,omitempty"`
	CanaryBakeTimeInMinutes *int     `json:"canaryBakeTimeInMinutes,omitempty"`
}

// LinearConfiguration is a LINEAR deployment's steps: stepPercent more of
// production traffic every stepBakeTimeInMinutes.
type LinearConfiguration struct {
	StepPercent           *float64 `json:"stepPercent,omitempty"`
	StepBakeTimeInMinutes *int     `json:"stepBakeTimeInMinutes,omitempty"`
}

// LifecycleHook runs at deployment lifecycle stages: PAUSE waits for
// ContinueServiceDeployment; AWS_LAMBDA, where ECS would invoke a Lambda
// function, POSTs to the http(s) URL that HookTargetARN names here (see
// ValidateDeploymentConfiguration).
type LifecycleHook struct {
	TargetType           string               `json:"targetType,omitempty"`
	HookTargetARN        string               `json:"hookTargetArn,omitempty"`
	RoleARN              string               `json:"roleArn,omitempty"`
	LifecycleStages      []string             `json:"lifecycleStages,omitempty"`
	HookDetails          json.RawMessage      `json:"hookDetails,omitempty"`
	TimeoutConfiguration *HookTimeoutSettings `json:"timeoutConfiguration,omitempty"`
}

// HookTimeoutSettings is how long a hook may take and what happens then.
type HookTimeoutSettings struct {
	TimeoutInMinutes *int   `json:"timeoutInMinutes,omitempty"`
	Action           string `json:"action,omitempty"`
}

// DeploymentCircuitBreaker stops (and optionally rolls back) a deployment
// whose tasks keep failing.
type DeploymentCircuitBreaker struct {
	Enable   bool `json:"enable"`
	Rollback bool `json:"rollback"`
	// ResetOnHealthyTask (default true): a task that becomes healthy resets
	// the deployment's failure count.
	ResetOnHealthyTask     *bool                   `json:"resetOnHealthyTask,omitempty"`
	ThresholdConfiguration *ThresholdConfiguration `json:"thresholdConfiguration,omitempty"`
}

// ThresholdConfiguration sets how many task failures the circuit breaker
// tolerates: COUNT uses Value as is; BOUNDED_PERCENT (the default, 50) and
// UNBOUNDED_PERCENT take Value percent of the desired count, the former
// clamped to 3..200.
type ThresholdConfiguration struct {
	Type  string `json:"type"`
	Value int    `json:"value"`
}

// Threshold types.
const (
	ThresholdCount            = "COUNT"
	ThresholdBoundedPercent   = "BOUNDED_PERCENT"
	ThresholdUnboundedPercent = "UNBOUNDED_PERCENT"
)

// Threshold is the number of failed tasks at which the breaker trips for a
// deployment of the given desired count.
func (cb *DeploymentCircuitBreaker) Threshold(desired int) int {
	tc := ThresholdConfiguration{Type: ThresholdBoundedPercent, Value: 50}
	if cb != nil && cb.ThresholdConfiguration != nil {
		tc = *cb.ThresholdConfiguration
	}
	switch tc.Type {
	case ThresholdCount:
		return max(tc.Value, 1)
	case ThresholdUnboundedPercent:
		return max((desired*tc.Value+99)/100, 1)
	}
	return min(max((desired*tc.Value+99)/100, 3), 200)
}

// ResetsOnHealthyTask reports whether a healthy task resets the failure count.
func (cb *DeploymentCircuitBreaker) ResetsOnHealthyTask() bool {
	return cb == nil || cb.ResetOnHealthyTask == nil || *cb.ResetOnHealthyTask
}

// DeploymentAlarms rolls back a deployment when CloudWatch alarms fire.
type DeploymentAlarms struct {
	AlarmNames []string `json:"alarmNames"`
	Enable     bool     `json:"enable"`
	Rollback   bool     `json:"rollback"`
}

// ServiceEvent is one entry of a service's event log.
type ServiceEvent struct {
	ID        string `json:"id"`
	CreatedAt Time   `json:"createdAt"`
	Message   string `json:"message"`
}

// AddEvent records an event, newest first, keeping ECS's cap.
func (s *Service) AddEvent(at time.Time, message string) {
	ev := ServiceEvent{ID: NewUUID(), CreatedAt: At(at), Message: message}
	s.Events = append([]ServiceEvent{ev}, s.Events...)
	if len(s.Events) > MaxServiceEvents {
		s.Events = s.Events[:MaxServiceEvents]
	}
}

// Primary returns the PRIMARY deployment, or nil.
func (s *Service) Primary() *Deployment {
	for i := range s.Deployments {
		if s.Deployments[i].Status == DeploymentPrimary {
			return &s.Deployments[i]
		}
	}
	return nil
}

// Deployment returns the deployment with the given id, or nil.
func (s *Service) Deployment(id string) *Deployment {
	for i := range s.Deployments {
		if s.Deployments[i].ID == id {
			return &s.Deployments[i]
		}
	}
	return nil
}
