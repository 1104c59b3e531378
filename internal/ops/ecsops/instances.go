package ecsops

import (
	"context"
	"errors"
	"slices"
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
	// Tags are the instance's tags, when asked for (include TAGS).
	Tags []model.Tag
	// Health is the instance's health, when asked for (include
	// CONTAINER_INSTANCE_HEALTH).
	Health *InstanceHealth
}

// InstanceHealth is ECS's ContainerInstanceHealthStatus. Slipway's one
// check is its agent's connection to the container runtime it drives
// (CONTAINER_RUNTIME): OK while the agent is connected, IMPAIRED otherwise.
type InstanceHealth struct {
	OverallStatus string
	Details       []InstanceHealthCheck
}

// InstanceHealthCheck is one check of an InstanceHealth.
type InstanceHealthCheck struct {
	Type             string
	Status           string
	LastUpdated      model.Time
	LastStatusChange model.Time
}

// Include values of DescribeContainerInstances besides IncludeTags.
const IncludeInstanceHealth = "CONTAINER_INSTANCE_HEALTH"

// instanceHealth derives the health of ci at now. Slipway does not record
// when the connection last changed; the registration time stands for it.
func instanceHealth(ci model.ContainerInstance, now model.Time) *InstanceHealth {
	status := "OK"
	if !ci.AgentConnected {
		status = "IMPAIRED"
	}
	return &InstanceHealth{OverallStatus: status, Details: []InstanceHealthCheck{{
		Type: "CONTAINER_RUNTIME", Status: status, LastUpdated: now, LastStatusChange: ci.RegisteredAt}}}
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
	// Filter, when given, is a cluster query language expression the
	// instances must match (see parseInstanceQuery).
	Filter string `json:"filter"`
	// Status, when given, lists only instances in that status (one of
	// ECS's ContainerInstanceStatus values).
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
	if _, err := enumParam("status", in.Status, model.InstanceActive, model.InstanceDraining,
		"REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED"); err != nil {
		return nil, err
	}
	var query instanceQuery
	if in.Filter != "" {
		if query, err = parseInstanceQuery(in.Filter); err != nil {
			return nil, err
		}
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
		var tasks []model.Task
		if query != nil {
			if tasks, err = tx.Tasks(cluster.Name); err != nil {
				return err
			}
		}
		keys, arns := []string{}, []string{}
		for _, ci := range instances {
			if in.Status != "" && ci.Status != in.Status || query != nil && !query.match(queryInstanceOf(ci, tasks)) {
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

// queryInstanceOf is what a filter sees of ci: its running tasks and the
// groups of its tasks that have not stopped.
func queryInstanceOf(ci model.ContainerInstance, tasks []model.Task) queryInstance {
	q := queryInstance{ci: ci}
	for _, t := range tasks {
		if t.ContainerInstanceARN != ci.ARN || t.LastStatus == model.TaskStopped {
			continue
		}
		if t.LastStatus == model.TaskRunning {
			q.running++
		}
		q.groups = append(q.groups, t.Group)
	}
	return q
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
	// Include may hold IncludeTags and IncludeInstanceHealth.
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
	for _, inc := range in.Include {
		if inc != IncludeTags && inc != IncludeInstanceHealth {
			return nil, invalidParam("include must contain only %s or %s.", IncludeTags, IncludeInstanceHealth)
		}
	}
	withTags, withHealth := slices.Contains(in.Include, IncludeTags), slices.Contains(in.Include, IncludeInstanceHealth)
	now := s.st.NowTime()
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
			view := containerInstanceOf(ci, tasks)
			if withTags {
				if view.Tags, err = tx.Tags(ci.ARN); err != nil {
					return err
				}
			}
			if withHealth {
				view.Health = instanceHealth(ci, now)
			}
			out.ContainerInstances = append(out.ContainerInstances, view)
		}
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}
