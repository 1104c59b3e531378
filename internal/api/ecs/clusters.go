package ecs

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

// The clusters' JSON shapes, member for member as ECS sends them.

type clusterOut struct {
	model.Cluster
	RegisteredContainerInstancesCount int         `json:"registeredContainerInstancesCount"`
	RunningTasksCount                 int         `json:"runningTasksCount"`
	PendingTasksCount                 int         `json:"pendingTasksCount"`
	ActiveServicesCount               int         `json:"activeServicesCount"`
	Statistics                        []any       `json:"statistics"`
	Tags                              []model.Tag `json:"tags,omitempty"`
}

func clusterWire(c ecsops.Cluster) clusterOut {
	return clusterOut{Cluster: c.Cluster, RegisteredContainerInstancesCount: c.RegisteredContainerInstancesCount,
		RunningTasksCount: c.RunningTasksCount, PendingTasksCount: c.PendingTasksCount,
		ActiveServicesCount: c.ActiveServicesCount, Statistics: []any{}, Tags: c.Tags}
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
		resp.Clusters = append(resp.Clusters, clusterWire(c))
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
