package ecs

import (
	"context"
	"errors"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// instanceOut is the ECS ContainerInstance shape, with the counts and
// remaining resources derived from the tasks placed there.
type instanceOut struct {
	model.ContainerInstance
	Internal           *struct{}        `json:"internal,omitempty"`
	RemainingResources []model.Resource `json:"remainingResources"`
	RunningTasksCount  int              `json:"runningTasksCount"`
	PendingTasksCount  int              `json:"pendingTasksCount"`
}

func instanceView(ci model.ContainerInstance, tasks []model.Task) instanceOut {
	out := instanceOut{ContainerInstance: ci}
	usedCPU, usedMem := 0, 0
	for _, t := range tasks {
		if t.ContainerInstanceARN != ci.ARN || t.LastStatus == model.TaskStopped {
			continue
		}
		if t.LastStatus == model.TaskRunning {
			out.RunningTasksCount++
		} else if model.TaskStatusRank(t.LastStatus) < model.TaskStatusRank(model.TaskRunning) {
			out.PendingTasksCount++
		}
		usedCPU += t.Internal.Reserved.CPU
		usedMem += t.Internal.Reserved.Memory
	}
	for _, r := range ci.RegisteredResources {
		switch r.Name {
		case "CPU":
			r.IntegerValue -= usedCPU
		case "MEMORY":
			r.IntegerValue -= usedMem
		}
		out.RemainingResources = append(out.RemainingResources, r)
	}
	if out.RemainingResources == nil {
		out.RemainingResources = []model.Resource{}
	}
	return out
}

type listInstancesIn struct {
	Cluster    string `json:"cluster"`
	Filter     string `json:"filter"`
	Status     string `json:"status"`
	NextToken  string `json:"nextToken"`
	MaxResults *int   `json:"maxResults"`
}

type listInstancesOut struct {
	ContainerInstanceArns []string `json:"containerInstanceArns"`
	NextToken             string   `json:"nextToken,omitempty"`
}

func (h *Handler) listContainerInstances(ctx context.Context, in *listInstancesIn) (*listInstancesOut, error) {
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 100, 100)
	if err != nil {
		return nil, err
	}
	out := &listInstancesOut{ContainerInstanceArns: []string{}}
	err = h.st.View(ctx, func(tx state.Tx) error {
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		instances, err := tx.Instances(cluster.Name)
		if err != nil {
			return err
		}
		var keys, arns []string
		for _, ci := range instances {
			if in.Status != "" && ci.Status != in.Status {
				continue
			}
			keys, arns = append(keys, ci.Internal.ID), append(arns, ci.ARN)
		}
		page, next := paginate(keys, after, limit)
		out.ContainerInstanceArns, out.NextToken = arns[page.start:page.end], next
		return nil
	})
	return out, err
}

type describeInstancesIn struct {
	Cluster            string   `json:"cluster"`
	ContainerInstances []string `json:"containerInstances"`
	Include            []string `json:"include"`
}

type describeInstancesOut struct {
	ContainerInstances []instanceOut `json:"containerInstances"`
	Failures           []failure     `json:"failures"`
}

func (h *Handler) describeContainerInstances(ctx context.Context, in *describeInstancesIn) (*describeInstancesOut, error) {
	if len(in.ContainerInstances) == 0 || len(in.ContainerInstances) > 100 {
		return nil, invalidParam("containerInstances must have between 1 and 100 items.")
	}
	out := &describeInstancesOut{ContainerInstances: []instanceOut{}, Failures: []failure{}}
	err := h.st.View(ctx, func(tx state.Tx) error {
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		tasks, err := tx.Tasks(cluster.Name)
		if err != nil {
			return err
		}
		for _, ref := range in.ContainerInstances {
			id := ref[strings.LastIndex(ref, "/")+1:]
			ci, err := tx.Instance(cluster.Name, id)
			if errors.Is(err, state.ErrInstanceNotFound) {
				out.Failures = append(out.Failures, failure{ARN: tx.Partition.ContainerInstanceARN(cluster.Name, id), Reason: "MISSING"})
				continue
			} else if err != nil {
				return err
			}
			out.ContainerInstances = append(out.ContainerInstances, instanceView(ci, tasks))
		}
		return nil
	})
	return out, err
}
