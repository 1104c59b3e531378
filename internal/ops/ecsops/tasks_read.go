package ecsops

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// ListTasksInput is ListTasks' input. The filters combine.
type ListTasksInput struct {
	// Cluster is a name or ARN; empty means the default cluster.
	Cluster string `json:"cluster"`
	// ContainerInstance is an instance id or ARN.
	ContainerInstance string `json:"containerInstance"`
	Family            string `json:"family"`
	StartedBy         string `json:"startedBy"`
	// ServiceName is a service name or ARN.
	ServiceName string `json:"serviceName"`
	// DesiredStatus is RUNNING (the default), PENDING (tasks that want to run
	// but have not started) or STOPPED.
	DesiredStatus string `json:"desiredStatus"`
	LaunchType    string `json:"launchType"`
	NextToken     string `json:"nextToken"`
	MaxResults    *int   `json:"maxResults"`
}

// ListTasksOutput is ListTasks' output.
type ListTasksOutput struct {
	TaskARNs  []string
	NextToken string
}

// ListTasks lists the ARNs of an ACTIVE cluster's tasks, 100 a page at most.
func (s *Ops) ListTasks(ctx context.Context, in *ListTasksInput) (*ListTasksOutput, error) {
	limit, start, err := pageParams(in.MaxResults, in.NextToken, 100, 100)
	if err != nil {
		return nil, apiErr(err)
	}
	desired, err := enumParam("desiredStatus", in.DesiredStatus, model.TaskRunning, model.TaskPending, model.TaskStopped)
	if err != nil {
		return nil, err
	}
	match := taskFilter(in, desired)
	out := &ListTasksOutput{}
	err = s.st.View(ctx, func(tx state.Tx) error {
		out.TaskARNs, out.NextToken = []string{}, ""
		after := start
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		return tx.ScanTasks(cluster.Name, after, func(key string, t model.Task) bool {
			if !match(t) {
				return true
			}
			if len(out.TaskARNs) == limit {
				out.NextToken = state.EncodeToken(after)
				return false
			}
			out.TaskARNs = append(out.TaskARNs, t.ARN)
			after = key
			return true
		})
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}

// taskFilter builds ListTasks's filter. A desired status of PENDING matches
// tasks that want to run but have not started, as in ECS.
func taskFilter(in *ListTasksInput, desired string) func(model.Task) bool {
	family := in.Family
	instance := in.ContainerInstance
	return func(t model.Task) bool {
		switch {
		case desired == model.TaskPending:
			if t.DesiredStatus != model.TaskRunning || model.TaskStatusRank(t.LastStatus) >= model.TaskStatusRank(model.TaskRunning) {
				return false
			}
		case t.DesiredStatus != desired:
			return false
		}
		if in.ServiceName != "" && t.Internal.Service != serviceName(in.ServiceName) {
			return false
		}
		if family != "" && !strings.Contains(t.TaskDefinitionARN, ":task-definition/"+family+":") {
			return false
		}
		if in.StartedBy != "" && t.StartedBy != in.StartedBy {
			return false
		}
		if in.LaunchType != "" && t.LaunchType != in.LaunchType {
			return false
		}
		return instance == "" || t.ContainerInstanceARN == instance || strings.HasSuffix(t.ContainerInstanceARN, "/"+instance)
	}
}

// MaxDescribeTasks is how many tasks one DescribeTasks names at most.
const MaxDescribeTasks = 100

// DescribeTasksInput is DescribeTasks' input.
type DescribeTasksInput struct {
	// Cluster is a name or ARN; empty means the default cluster.
	Cluster string `json:"cluster"`
	// Tasks are ids or ARNs, 1 to MaxDescribeTasks of them.
	Tasks []string `json:"tasks"`
	// Include may hold IncludeTags.
	Include []string `json:"include"`
}

// DescribeTasksOutput is DescribeTasks' output: the tasks found, in the
// order asked, and a MISSING failure for each one that does not exist.
type DescribeTasksOutput struct {
	Tasks    []Task
	Failures []Failure
}

// DescribeTasks describes tasks of an ACTIVE cluster, stopped ones included
// while their records are kept.
func (s *Ops) DescribeTasks(ctx context.Context, in *DescribeTasksInput) (*DescribeTasksOutput, error) {
	if len(in.Tasks) == 0 || len(in.Tasks) > MaxDescribeTasks {
		return nil, invalidParam("tasks must have between 1 and %d items.", MaxDescribeTasks)
	}
	withTags := slices.Contains(in.Include, IncludeTags)
	out := &DescribeTasksOutput{}
	err := s.st.View(ctx, func(tx state.Tx) error {
		out.Tasks, out.Failures = make([]Task, 0, len(in.Tasks)), []Failure{}
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		for _, ref := range in.Tasks {
			t, err := tx.Task(cluster.Name, taskID(ref))
			if errors.Is(err, state.ErrTaskNotFound) {
				out.Failures = append(out.Failures, Failure{ARN: tx.Partition.TaskARN(cluster.Name, taskID(ref)), Reason: "MISSING"})
				continue
			} else if err != nil {
				return err
			}
			var tags []model.Tag
			if withTags {
				if tags, err = tx.Tags(t.ARN); err != nil {
					return err
				}
			}
			out.Tasks = append(out.Tasks, taskOf(t, tags))
		}
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}
