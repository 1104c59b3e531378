package model

import (
	"encoding/json"
	"fmt"
)

// Deployment statuses, as ECS reports them in DescribeServices.
const (
	DeploymentPrimary  = "PRIMARY"
	DeploymentActive   = "ACTIVE"
	DeploymentInactive = "INACTIVE"
)

// Rollout states of a deployment.
const (
	RolloutInProgress = "IN_PROGRESS"
	RolloutCompleted  = "COMPLETED"
	RolloutFailed     = "FAILED"
)

// Outcomes of a deployment (DeploymentInternal.Outcome), from which the
// ServiceDeployment status is derived.
const (
	OutcomeInProgress         = "IN_PROGRESS"
	OutcomeSuccessful         = "SUCCESSFUL"
	OutcomeStopped            = "STOPPED"
	OutcomeFailed             = "FAILED"
	OutcomeRollbackInProgress = "ROLLBACK_IN_PROGRESS"
	OutcomeRollbackSuccessful = "ROLLBACK_SUCCESSFUL"
	OutcomeRollbackFailed     = "ROLLBACK_FAILED"
	// OutcomeRollbackRequested: StopServiceDeployment asked for a rollback
	// that the controller has not started yet.
	OutcomeRollbackRequested = "ROLLBACK_REQUESTED"
)

// IsRollback reports whether an outcome is one of a rolled-back deployment.
func IsRollback(outcome string) bool {
	return outcome == OutcomeRollbackInProgress || outcome == OutcomeRollbackSuccessful || outcome == OutcomeRollbackFailed
}

// Deployment is one ECS service deployment: a task definition and a desired
// count that the service is moving to (PRIMARY) or moving away from (ACTIVE).
type Deployment struct {
	ID                 string `json:"id"`
	Status             string `json:"status"`
	TaskDefinition     string `json:"taskDefinition"`
	DesiredCount       int    `json:"desiredCount"`
	PendingCount       int    `json:"pendingCount"`
	RunningCount       int    `json:"runningCount"`
	FailedTasks        int    `json:"failedTasks"`
	CreatedAt          Time   `json:"createdAt"`
	UpdatedAt          Time   `json:"updatedAt"`
	LaunchType         string `json:"launchType,omitempty"`
	RolloutState       string `json:"rolloutState,omitempty"`
	RolloutStateReason string `json:"rolloutStateReason,omitempty"`
	// NetworkConfiguration and PlatformVersion are the service's when the
	// deployment started, as ECS shows them on each deployment.
	NetworkConfiguration json.RawMessage `json:"networkConfiguration,omitempty"`
	PlatformVersion      string          `json:"platformVersion,omitempty"`
	// VolumeConfigurations and VpcLatticeConfigurations are the service's
	// when the deployment started, stored and echoed (no meaning here).
	VolumeConfigurations     json.RawMessage `json:"volumeConfigurations,omitempty"`
	VpcLatticeConfigurations json.RawMessage `json:"vpcLatticeConfigurations,omitempty"`
	// ServiceConnectConfiguration is the service's when the deployment
	// started: ECS shows it here, not on the service.
	ServiceConnectConfiguration json.RawMessage    `json:"serviceConnectConfiguration,omitempty"`
	Internal                    DeploymentInternal `json:"internal"`
}

// DeploymentInternal is Slipway's bookkeeping on a deployment.
type DeploymentInternal struct {
	// Seq is the number in the deployment id, also used for the service
	// deployment and service revision ARNs.
	Seq uint64 `json:"seq"`
	// Config is the deployment configuration the deployment started with.
	Config DeploymentConfiguration `json:"config"`
	// RollbackOf names the deployment whose failure this one rolls back.
	RollbackOf string `json:"rollbackOf,omitempty"`
	// Sources are the sequence numbers of the deployments it replaces (their
	// service revisions).
	Sources []uint64 `json:"sources,omitempty"`
	// LoadBalancers are the service's load balancers when it started: part
	// of its service revision.
	LoadBalancers []LoadBalancer `json:"loadBalancers,omitempty"`
	// StartedAt, FinishedAt bound the rollout; FinishedAt is zero while it runs.
	StartedAt  Time `json:"startedAt"`
	FinishedAt Time `json:"finishedAt"`
	// Outcome is how the deployment ended (Outcome* constants).
	Outcome string `json:"outcome,omitempty"`
	// Traffic is a BLUE_GREEN, CANARY or LINEAR deployment's progress,
	// persisted so that a restarted server resumes at the same stage and
	// weights; nil for rolling deployments.
	Traffic *TrafficShift `json:"traffic,omitempty"`
	// TriggeredAlarms are the deploymentConfiguration.alarms that failed it.
	TriggeredAlarms []string `json:"triggeredAlarms,omitempty"`
	// Detail is the actionable explanation of a failure: exit code,
	// health-check response and the failing task's log tail.
	Detail string `json:"detail,omitempty"`
}

// DeploymentID formats ECS's deployment id for a sequence number.
func DeploymentID(seq uint64) string { return fmt.Sprintf("ecs-svc/%019d", seq) }

// ECS's lifecycle stages of a service deployment (ServiceDeployment.lifecycleStage).
const (
	StageScaleUp                    = "SCALE_UP"
	StageTestTrafficShift           = "TEST_TRAFFIC_SHIFT"
	StagePostTestTrafficShift       = "POST_TEST_TRAFFIC_SHIFT"
	StageProductionTrafficShift     = "PRODUCTION_TRAFFIC_SHIFT"
	StagePostProductionTrafficShift = "POST_PRODUCTION_TRAFFIC_SHIFT"
	StageBakeTime                   = "BAKE_TIME"
	StageCleanUp                    = "CLEAN_UP"
)

// TrafficShift is where a traffic-shifting deployment stands: its stage,
// the share of production traffic green should have and whether every data
// plane has acknowledged the weights that give it.
type TrafficShift struct {
	Stage string `json:"stage"`
	// Blue is the id of the deployment whose tasks carried production
	// traffic when this one started ("" for none); a rollback returns to it.
	Blue string `json:"blue,omitempty"`
	// GreenTargetGroups maps each load balancer's targetGroupArn to the
	// target group this deployment's tasks register in; the other of the
	// pair is blue, the live one when the deployment started.
	GreenTargetGroups map[string]string `json:"greenTargetGroups,omitempty"`
	// GreenPercent is green's share of production traffic; TestToGreen
	// sends the test listener rule's traffic to green.
	GreenPercent float64 `json:"greenPercent"`
	TestToGreen  bool    `json:"testToGreen,omitempty"`
	// Generation numbers each weight change written to the rules; Acked
	// says every data plane applied generation Generation, at AckedAt,
	// from which the current step's bake time counts.
	Generation uint64 `json:"generation"`
	Acked      bool   `json:"acked,omitempty"`
	AckedAt    Time   `json:"ackedAt"`
	// RollingBack: traffic returns to blue, then green scales in.
	RollingBack    bool   `json:"rollingBack,omitempty"`
	RollbackReason string `json:"rollbackReason,omitempty"`
	RollbackAt     Time   `json:"rollbackAt"`
	// HooksPassed are the lifecycle-hook gates passed: "GATE#i" for each
	// hook i that succeeded there, and "GATE" once all of them did (a gate
	// is a stage, with "@percent" for the per-step production stages).
	HooksPassed []string `json:"hooksPassed,omitempty"`
	// Hook is the hook run the deployment waits on; Hooks are the
	// finished ones, newest last (bounded by MaxHookRuns).
	Hook  *HookRun  `json:"hook,omitempty"`
	Hooks []HookRun `json:"hooks,omitempty"`
}

// MaxHookRuns bounds TrafficShift.Hooks.
const MaxHookRuns = 50

// Lifecycle hook statuses (ECS's DeploymentLifecycleHookStatus).
const (
	HookAwaitingAction = "AWAITING_ACTION"
	HookInProgress     = "IN_PROGRESS"
	HookSucceeded      = "SUCCEEDED"
	HookFailed         = "FAILED"
	HookTimedOut       = "TIMED_OUT"
)

// HookRun is one run of a lifecycle hook at a gate.
type HookRun struct {
	ID            string `json:"id"`
	Gate          string `json:"gate"`
	Stage         string `json:"stage"`
	Index         int    `json:"index"` // into the deployment's lifecycleHooks
	TargetType    string `json:"targetType"`
	TargetARN     string `json:"targetArn,omitempty"`
	Status        string `json:"status"`
	StartedAt     Time   `json:"startedAt"`
	ExpiresAt     Time   `json:"expiresAt"`
	TimeoutAction string `json:"timeoutAction"`
	// Result is CONTINUE or ROLLBACK once the target (or
	// ContinueServiceDeployment) answered; the controller acts on it.
	Result string `json:"result,omitempty"`
	Reason string `json:"reason,omitempty"`
}
