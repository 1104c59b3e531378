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
	Internal            *struct{}         `json:"internal,omitempty"`
	Attributes          []model.Attribute `json:"attributes"`
	RegisteredResources []resourceOut     `json:"registeredResources"`
	RemainingResources  []resourceOut     `json:"remainingResources"`
	RunningTasksCount   int               `json:"runningTasksCount"`
	PendingTasksCount   int               `json:"pendingTasksCount"`
	Tags                []model.Tag       `json:"tags,omitempty"`
	HealthStatus        *healthStatusOut  `json:"healthStatus,omitempty"`
}

// resourceOut is ECS's Resource: its three numbers are always sent, zero
// where the resource is of another type.
type resourceOut struct {
	Name           string   `json:"name"`
	Type           string   `json:"type"`
	DoubleValue    float64  `json:"doubleValue"`
	LongValue      int64    `json:"longValue"`
	IntegerValue   int      `json:"integerValue"`
	StringSetValue []string `json:"stringSetValue,omitempty"`
}

func resourcesWire(rs []model.Resource) []resourceOut {
	out := make([]resourceOut, 0, len(rs))
	for _, r := range rs {
		out = append(out, resourceOut{Name: r.Name, Type: r.Type, IntegerValue: r.IntegerValue, StringSetValue: r.StringSetValue})
	}
	return out
}

type healthStatusOut struct {
	OverallStatus string           `json:"overallStatus"`
	Details       []healthCheckOut `json:"details"`
}

type healthCheckOut struct {
	Type             string     `json:"type"`
	Status           string     `json:"status"`
	LastUpdated      model.Time `json:"lastUpdated"`
	LastStatusChange model.Time `json:"lastStatusChange"`
}

func healthWire(h *ecsops.InstanceHealth) *healthStatusOut {
	if h == nil {
		return nil
	}
	out := &healthStatusOut{OverallStatus: h.OverallStatus, Details: make([]healthCheckOut, 0, len(h.Details))}
	for _, d := range h.Details {
		out.Details = append(out.Details, healthCheckOut{Type: d.Type, Status: d.Status, LastUpdated: d.LastUpdated, LastStatusChange: d.LastStatusChange})
	}
	return out
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
			Attributes: orEmpty(ci.Attributes), RegisteredResources: resourcesWire(ci.RegisteredResources),
			RemainingResources: resourcesWire(ci.RemainingResources), RunningTasksCount: ci.RunningTasksCount, PendingTasksCount: ci.PendingTasksCount,
			Tags: ci.Tags, HealthStatus: healthWire(ci.Health)})
	}
	return resp
}
