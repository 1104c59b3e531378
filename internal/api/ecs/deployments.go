package ecs

import (
	"encoding/json"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

// The service deployments' and revisions' JSON shapes, member for member as
// ECS sends them.

type revisionOut struct {
	ARN                string `json:"arn"`
	RequestedTaskCount int    `json:"requestedTaskCount"`
	RunningTaskCount   int    `json:"runningTaskCount"`
	PendingTaskCount   int    `json:"pendingTaskCount"`
}

type breakerOut struct {
	Status       string `json:"status"`
	FailureCount int    `json:"failureCount"`
	Threshold    int    `json:"threshold"`
}

type rollbackOut struct {
	Reason             string      `json:"reason"`
	StartedAt          *model.Time `json:"startedAt,omitempty"`
	ServiceRevisionARN string      `json:"serviceRevisionArn"`
}

type serviceDeploymentOut struct {
	ServiceDeploymentARN     string                        `json:"serviceDeploymentArn"`
	ServiceARN               string                        `json:"serviceArn"`
	ClusterARN               string                        `json:"clusterArn"`
	CreatedAt                model.Time                    `json:"createdAt"`
	StartedAt                model.Time                    `json:"startedAt"`
	FinishedAt               *model.Time                   `json:"finishedAt,omitempty"`
	UpdatedAt                model.Time                    `json:"updatedAt"`
	SourceServiceRevisions   []revisionOut                 `json:"sourceServiceRevisions"`
	TargetServiceRevision    revisionOut                   `json:"targetServiceRevision"`
	Status                   string                        `json:"status"`
	StatusReason             string                        `json:"statusReason,omitempty"`
	LifecycleStage           string                        `json:"lifecycleStage,omitempty"`
	LifecycleHookDetails     []hookDetailOut               `json:"lifecycleHookDetails,omitempty"`
	DeploymentConfiguration  model.DeploymentConfiguration `json:"deploymentConfiguration"`
	Rollback                 *rollbackOut                  `json:"rollback,omitempty"`
	DeploymentCircuitBreaker breakerOut                    `json:"deploymentCircuitBreaker"`
	Alarms                   alarmsOut                     `json:"alarms"`
}

type hookDetailOut struct {
	HookID        string     `json:"hookId"`
	TargetType    string     `json:"targetType"`
	TargetARN     string     `json:"targetArn,omitempty"`
	Status        string     `json:"status"`
	ExpiresAt     model.Time `json:"expiresAt"`
	TimeoutAction string     `json:"timeoutAction"`
}

type alarmsOut struct {
	Status              string   `json:"status"`
	AlarmNames          []string `json:"alarmNames"`
	TriggeredAlarmNames []string `json:"triggeredAlarmNames"`
}

func revisionWire(r ecsops.ServiceRevisionSummary) revisionOut {
	return revisionOut{ARN: r.ARN, RequestedTaskCount: r.RequestedTaskCount, RunningTaskCount: r.RunningTaskCount, PendingTaskCount: r.PendingTaskCount}
}

func serviceDeploymentWire(d ecsops.ServiceDeployment) serviceDeploymentOut {
	out := serviceDeploymentOut{ServiceDeploymentARN: d.ServiceDeploymentARN, ServiceARN: d.ServiceARN, ClusterARN: d.ClusterARN,
		CreatedAt: d.CreatedAt, StartedAt: d.StartedAt, FinishedAt: d.FinishedAt, UpdatedAt: d.UpdatedAt,
		SourceServiceRevisions: make([]revisionOut, 0, len(d.SourceServiceRevisions)), TargetServiceRevision: revisionWire(d.TargetServiceRevision),
		Status: d.Status, StatusReason: d.StatusReason, LifecycleStage: d.LifecycleStage, DeploymentConfiguration: d.DeploymentConfiguration,
		DeploymentCircuitBreaker: breakerOut{Status: d.DeploymentCircuitBreaker.Status,
			FailureCount: d.DeploymentCircuitBreaker.FailureCount, Threshold: d.DeploymentCircuitBreaker.Threshold},
		Alarms: alarmsOut{Status: d.Alarms.Status, AlarmNames: d.Alarms.AlarmNames, TriggeredAlarmNames: d.Alarms.TriggeredAlarmNames}}
	for _, h := range d.LifecycleHookDetails {
		out.LifecycleHookDetails = append(out.LifecycleHookDetails, hookDetailOut{HookID: h.HookID, TargetType: h.TargetType,
			TargetARN: h.TargetARN, Status: h.Status, ExpiresAt: h.ExpiresAt, TimeoutAction: h.TimeoutAction})
	}
	for _, r := range d.SourceServiceRevisions {
		out.SourceServiceRevisions = append(out.SourceServiceRevisions, revisionWire(r))
	}
	if r := d.Rollback; r != nil {
		out.Rollback = &rollbackOut{Reason: r.Reason, StartedAt: r.StartedAt, ServiceRevisionARN: r.ServiceRevisionARN}
	}
	return out
}

type describeServiceDeploymentsResp struct {
	ServiceDeployments []serviceDeploymentOut `json:"serviceDeployments"`
	Failures           []failure              `json:"failures"`
}

func describeServiceDeploymentsOut(o *ecsops.DescribeServiceDeploymentsOutput) any {
	resp := describeServiceDeploymentsResp{ServiceDeployments: make([]serviceDeploymentOut, 0, len(o.ServiceDeployments)),
		Failures: failuresWire(o.Failures)}
	for _, d := range o.ServiceDeployments {
		resp.ServiceDeployments = append(resp.ServiceDeployments, serviceDeploymentWire(d))
	}
	return resp
}

type briefOut struct {
	ServiceDeploymentARN     string      `json:"serviceDeploymentArn"`
	ServiceARN               string      `json:"serviceArn"`
	ClusterARN               string      `json:"clusterArn"`
	CreatedAt                model.Time  `json:"createdAt"`
	StartedAt                model.Time  `json:"startedAt"`
	FinishedAt               *model.Time `json:"finishedAt,omitempty"`
	TargetServiceRevisionARN string      `json:"targetServiceRevisionArn"`
	Status                   string      `json:"status"`
	StatusReason             string      `json:"statusReason,omitempty"`
}

type listServiceDeploymentsResp struct {
	ServiceDeployments []briefOut `json:"serviceDeployments"`
	NextToken          string     `json:"nextToken,omitempty"`
}

func listServiceDeploymentsOut(o *ecsops.ListServiceDeploymentsOutput) any {
	resp := listServiceDeploymentsResp{NextToken: o.NextToken}
	for _, b := range o.ServiceDeployments {
		resp.ServiceDeployments = append(resp.ServiceDeployments, briefOut{ServiceDeploymentARN: b.ServiceDeploymentARN,
			ServiceARN: b.ServiceARN, ClusterARN: b.ClusterARN, CreatedAt: b.CreatedAt, StartedAt: b.StartedAt,
			FinishedAt: b.FinishedAt, TargetServiceRevisionARN: b.TargetServiceRevisionARN, Status: b.Status, StatusReason: b.StatusReason})
	}
	if o.ServiceDeployments != nil && resp.ServiceDeployments == nil {
		resp.ServiceDeployments = []briefOut{}
	}
	return resp
}

type containerImageOut struct {
	ContainerName string `json:"containerName"`
	Image         string `json:"image"`
}

type serviceRevisionOut struct {
	ServiceRevisionARN string               `json:"serviceRevisionArn"`
	ServiceARN         string               `json:"serviceArn"`
	ClusterARN         string               `json:"clusterArn"`
	TaskDefinition     string               `json:"taskDefinition"`
	LaunchType         string               `json:"launchType,omitempty"`
	LoadBalancers      []model.LoadBalancer `json:"loadBalancers"`
	ContainerImages    []containerImageOut  `json:"containerImages"`
	CreatedAt          model.Time           `json:"createdAt"`
	// Stored and echoed; no meaning here.
	VolumeConfigurations     json.RawMessage `json:"volumeConfigurations,omitempty"`
	VpcLatticeConfigurations json.RawMessage `json:"vpcLatticeConfigurations,omitempty"`
	// As on the revision's deployment (deploymentWire).
	NetworkConfiguration json.RawMessage `json:"networkConfiguration,omitempty"`
	PlatformVersion      string          `json:"platformVersion,omitempty"`
	PlatformFamily       string          `json:"platformFamily,omitempty"`
	// GuardDutyEnabled: no GuardDuty runtime monitoring here.
	GuardDutyEnabled bool `json:"guardDutyEnabled"`
}

type describeServiceRevisionsResp struct {
	ServiceRevisions []serviceRevisionOut `json:"serviceRevisions"`
	Failures         []failure            `json:"failures"`
}

func describeServiceRevisionsOut(o *ecsops.DescribeServiceRevisionsOutput) any {
	resp := describeServiceRevisionsResp{ServiceRevisions: make([]serviceRevisionOut, 0, len(o.ServiceRevisions)),
		Failures: failuresWire(o.Failures)}
	for _, r := range o.ServiceRevisions {
		rev := serviceRevisionOut{ServiceRevisionARN: r.ServiceRevisionARN, ServiceARN: r.ServiceARN, ClusterARN: r.ClusterARN,
			TaskDefinition: r.TaskDefinition, LaunchType: r.LaunchType, LoadBalancers: r.LoadBalancers,
			ContainerImages: make([]containerImageOut, 0, len(r.ContainerImages)), CreatedAt: r.CreatedAt,
			VolumeConfigurations: r.VolumeConfigurations, VpcLatticeConfigurations: r.VpcLatticeConfigurations,
			NetworkConfiguration: networkConfigurationWire(r.NetworkConfiguration), PlatformVersion: r.PlatformVersion}
		if r.LaunchType == model.LaunchTypeFargate {
			rev.PlatformVersion, rev.PlatformFamily = resolvedPlatform(r.PlatformVersion), fargateFamily
		}
		for _, c := range r.ContainerImages {
			rev.ContainerImages = append(rev.ContainerImages, containerImageOut{ContainerName: c.ContainerName, Image: c.Image})
		}
		resp.ServiceRevisions = append(resp.ServiceRevisions, rev)
	}
	return resp
}
