package ecsops

import (
	"context"
	"errors"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// ContainerInstance is a container instance as ECS describes it: the stored
// record, with the task counts and the remaining resources derived from the
// tasks placed there.
type ContainerInstance struct {
	model.ContainerInstance
	// RemainingResources are the registered resources less what the
	// instance's tasks that have not stopped reserve; never nil.
	RemainingResources []model.Resource
	RunningTasksCount  int
	PendingTasksCount  int
}

func containerInstanceOf(ci model.ContainerInstance, tasks []model.Task) ContainerInstance {
	out := ContainerInstance{ContainerInstance: ci, RemainingResources: []model.Resource{}}
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
	return out
}

// ListContainerInstancesInput is ListContainerInstances' input.
type ListContainerInstancesInput struct {
	// Cluster is a name or ARN; empty means the default cluster.
	Cluster string `json:"cluster"`
	// Filter (a cluster query language expression) is decoded but not
	// applied: the cluster query language is not implemented.
	Filter string `json:"filter"`
	// Status, when given, lists only instances in that status.
	Status     string `json:"status"`
	NextToken  string `json:"nextToken"`
	MaxResults *int   `json:"maxResults"`
}

// ListContainerInstancesOutput is ListContainerInstances' output.
type ListContainerInstancesOutput struct {
	ContainerInstanceARNs []string
	NextToken             string
}

// ListContainerInstances lists an ACTIVE cluster's instances' ARNs, 100 a page at most.
func (s *Ops) ListContainerInstances(ctx context.Context, in *ListContainerInstancesInput) (*ListContainerInstancesOutput, error) {
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 100, 100)
	if err != nil {
		return nil, apiErr(err)
	}
	out := &ListContainerInstancesOutput{}
	err = s.st.View(ctx, func(tx state.Tx) error {
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
		out.ContainerInstanceARNs, out.NextToken = arns[page.start:page.end], next
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}

// MaxDescribeContainerInstances is how many instances one
// DescribeContainerInstances names at most.
const MaxDescribeContainerInstances = 100

// DescribeContainerInstancesInput is DescribeContainerInstances' input.
type DescribeContainerInstancesInput struct {
	// Cluster is a name or ARN; empty means the default cluster.
	Cluster string `json:"cluster"`
	// ContainerInstances are ids or ARNs, 1 to MaxDescribeContainerInstances.
	ContainerInstances []string `json:"containerInstances"`
	// Include (TAGS, CONTAINER_INSTANCE_HEALTH) is decoded but not applied.
	Include []string `json:"include"`
}

// DescribeContainerInstancesOutput is DescribeContainerInstances' output.
type DescribeContainerInstancesOutput struct {
	ContainerInstances []ContainerInstance
	Failures           []Failure
}

// DescribeContainerInstances describes instances of an ACTIVE cluster.
func (s *Ops) DescribeContainerInstances(ctx context.Context, in *DescribeContainerInstancesInput) (*DescribeContainerInstancesOutput, error) {
	if len(in.ContainerInstances) == 0 || len(in.ContainerInstances) > MaxDescribeContainerInstances {
		return nil, invalidParam("containerInstances must have between 1 and %d items.", MaxDescribeContainerInstances)
	}
	out := &DescribeContainerInstancesOutput{}
	err := s.st.View(ctx, func(tx state.Tx) error {
		out.ContainerInstances, out.Failures = []ContainerInstance{}, []Failure{}
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
				out.Failures = append(out.Failures, Failure{ARN: tx.Partition.ContainerInstanceARN(cluster.Name, id), Reason: "MISSING"})
				continue
			} else if err != nil {
				return err
			}
			out.ContainerInstances = append(out.ContainerInstances, containerInstanceOf(ci, tasks))
		}
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}
