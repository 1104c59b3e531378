package ecs

import (
	"encoding/json"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

// The clusters' JSON shapes, member for member as ECS sends them.

type clusterOut struct {
	model.Cluster
	// CreatedAt hides the record's creation time: ECS's Cluster has none.
	CreatedAt                         *struct{}              `json:"createdAt,omitempty"`
	RegisteredContainerInstancesCount int                    `json:"registeredContainerInstancesCount"`
	RunningTasksCount                 int                    `json:"runningTasksCount"`
	PendingTasksCount                 int                    `json:"pendingTasksCount"`
	ActiveServicesCount               int                    `json:"activeServicesCount"`
	Statistics                        []model.KeyValuePair   `json:"statistics"`
	Tags                              []model.Tag            `json:"tags"`
	Settings                          []model.ClusterSetting `json:"settings"`
	// CapacityProviders and DefaultCapacityProviderStrategy shadow the
	// record's to be sent as [] where ECS sends empty lists.
	CapacityProviders               []string        `json:"capacityProviders,omitempty"`
	DefaultCapacityProviderStrategy json.RawMessage `json:"defaultCapacityProviderStrategy,omitempty"`
}

// clusterWire is the cluster as ECS sends it: statistics, tags and
// settings always, as empty lists when there are none (or they were not
// asked for).
func clusterWire(c ecsops.Cluster) clusterOut {
	return clusterOut{Cluster: c.Cluster, RegisteredContainerInstancesCount: c.RegisteredContainerInstancesCount,
		RunningTasksCount: c.RunningTasksCount, PendingTasksCount: c.PendingTasksCount,
		ActiveServicesCount: c.ActiveServicesCount, Statistics: orEmpty(c.Statistics), Tags: orEmpty(c.Tags),
		Settings: orEmpty(c.Settings), CapacityProviders: c.CapacityProviders,
		DefaultCapacityProviderStrategy: c.DefaultCapacityProviderStrategy}
}

// describedClusterWire is clusterWire as DescribeClusters sends it, which
// also lists the capacity providers and default strategy when empty.
func describedClusterWire(c ecsops.Cluster) clusterOut {
	out := clusterWire(c)
	out.CapacityProviders = orEmpty(out.CapacityProviders)
	if len(out.DefaultCapacityProviderStrategy) == 0 {
		out.DefaultCapacityProviderStrategy = json.RawMessage("[]")
	}
	return out
}

// orEmpty is s, or an empty list where s is nil (encoded [], not null).
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type clusterResult struct {
	Cluster clusterOut `json:"cluster"`
}

func clusterResultOut(c *ecsops.Cluster) any { return clusterResult{Cluster: clusterWire(*c)} }

type failure struct {
	ARN    string `json:"arn,omitempty"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

func failuresWire(fs []ecsops.Failure) []failure {
	out := make([]failure, 0, len(fs))
	for _, f := range fs {
		out = append(out, failure{ARN: f.ARN, Reason: f.Reason, Detail: f.Detail})
	}
	return out
}

type describeClustersResp struct {
	Clusters []clusterOut `json:"clusters"`
	Failures []failure    `json:"failures"`
}

func describeClustersOut(o *ecsops.DescribeClustersOutput) any {
	resp := describeClustersResp{Clusters: make([]clusterOut, 0, len(o.Clusters)), Failures: failuresWire(o.Failures)}
	for _, c := range o.Clusters {
		resp.Clusters = append(resp.Clusters, describedClusterWire(c))
	}
	return resp
}

type listClustersResp struct {
	ClusterArns []string `json:"clusterArns"`
	NextToken   string   `json:"nextToken,omitempty"`
}

func listClustersOut(o *ecsops.ListClustersOutput) any {
	return listClustersResp{ClusterArns: o.ClusterARNs, NextToken: o.NextToken}
}
