package ecs

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

// The container instances' JSON shapes, member for member as ECS sends them.

// instanceOut is the ECS ContainerInstance shape: the record without
// Slipway's bookkeeping, with the derived counts and remaining resources.
type instanceOut struct {
	model.ContainerInstance
	Internal           *struct{}        `json:"internal,omitempty"`
	RemainingResources []model.Resource `json:"remainingResources"`
	RunningTasksCount  int              `json:"runningTasksCount"`
	PendingTasksCount  int              `json:"pendingTasksCount"`
}

type listInstancesResp struct {
	ContainerInstanceArns []string `json:"containerInstanceArns"`
	NextToken             string   `json:"nextToken,omitempty"`
}

func listInstancesOut(o *ecsops.ListContainerInstancesOutput) any {
	return listInstancesResp{ContainerInstanceArns: o.ContainerInstanceARNs, NextToken: o.NextToken}
}

type describeInstancesResp struct {
	ContainerInstances []instanceOut `json:"containerInstances"`
	Failures           []failure     `json:"failures"`
}

func describeInstancesOut(o *ecsops.DescribeContainerInstancesOutput) any {
	resp := describeInstancesResp{ContainerInstances: make([]instanceOut, 0, len(o.ContainerInstances)), Failures: failuresWire(o.Failures)}
	for _, ci := range o.ContainerInstances {
		resp.ContainerInstances = append(resp.ContainerInstances, instanceOut{ContainerInstance: ci.ContainerInstance,
			RemainingResources: ci.RemainingResources, RunningTasksCount: ci.RunningTasksCount, PendingTasksCount: ci.PendingTasksCount})
	}
	return resp
}
