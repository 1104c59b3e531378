package ecs

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/scheduler"
	"github.com/slipway-dev/slipway/internal/state"
)

// taskOut is the ECS Task shape: the record without Slipway's bookkeeping.
type taskOut struct {
	model.Task
	Internal   *struct{}      `json:"internal,omitempty"`
	Containers []containerOut `json:"containers"`
	Tags       []model.Tag    `json:"tags,omitempty"`
}

type containerOut struct {
	model.Container
	RuntimeState *struct{} `json:"runtimeState,omitempty"`
}

// taskView is the ECS shape of a task. Its lists are never null (records
// written before attachments existed have none). An awsvpc task's
// containers show their task's network interface and no network bindings,
// as ECS shows them: their ports are on the task's own address.
func taskView(t model.Task, tags []model.Tag) taskOut {
	out := taskOut{Task: t, Tags: tags, Containers: make([]containerOut, 0, len(t.Containers))}
	if out.Attachments == nil {
		out.Attachments = []model.Attachment{}
	}
	awsvpc := t.ENI() != nil
	for _, c := range t.Containers {
		if c.NetworkInterfaces == nil {
			c.NetworkInterfaces = []model.NetworkInterface{}
		}
		if awsvpc {
			c.NetworkBindings = []model.NetworkBinding{}
		}
		out.Containers = append(out.Containers, containerOut{Container: c})
	}
	return out
}

type runTaskIn struct {
	Cluster              string          `json:"cluster"`
	TaskDefinition       string          `json:"taskDefinition"`
	Count                *int            `json:"count"`
	StartedBy            string          `json:"startedBy"`
	Group                string          `json:"group"`
	Overrides            json.RawMessage `json:"overrides"`
	LaunchType           string          `json:"launchType"`
	Tags                 []model.Tag     `json:"tags"`
	EnableExecuteCommand bool            `json:"enableExecuteCommand"`
	// NetworkConfiguration is required for awsvpc tasks (their attachment
	// echoes it); placement is accepted and stored nowhere: placement is by
	// spread on this platform.
	NetworkConfiguration json.RawMessage `json:"networkConfiguration"`
	PlacementConstraints json.RawMessage `json:"placementConstraints"`
	PlacementStrategy    json.RawMessage `json:"placementStrategy"`
}

// startedByPattern is ECS's rule for startedBy.
var startedByPattern = regexp.MustCompile(`^[A-Za-z0-9/_-]{0,128}$`)

type runTaskOut struct {
	Tasks    []taskOut `json:"tasks"`
	Failures []failure `json:"failures"`
}

type overridesIn struct {
	ContainerOverrides []struct {
		Name string `json:"name"`
	} `json:"containerOverrides"`
}

func (h *Handler) runTask(ctx context.Context, in *runTaskIn) (*runTaskOut, error) {
	count := 1
	if in.Count != nil {
		count = *in.Count
	}
	if err := validateRunTask(in, count); err != nil {
		return nil, err
	}
	out := &runTaskOut{Tasks: []taskOut{}, Failures: []failure{}}
	err := h.st.Update(ctx, func(tx state.Tx) error {
		out.Tasks, out.Failures = out.Tasks[:0], out.Failures[:0]
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		td, err := activeTaskDefinition(tx, in.TaskDefinition)
		if err != nil {
			return err
		}
		if err := checkOverrides(td, in.Overrides); err != nil {
			return err
		}
		network, err := awsvpcConfigurationFor(td, in.NetworkConfiguration)
		if err != nil {
			return err
		}
		placed, fail, err := placeTasks(tx, cluster.Name, td, count)
		if err != nil {
			return err
		}
		if fail != nil {
			out.Failures = append(out.Failures, failure{ARN: fail.NodeARN, Reason: fail.Reason})
		}
		if len(placed) > 0 {
			// The service controller places outside its write transaction
			// and checks this version before it commits.
			if err := tx.BumpPlacementVersion(cluster.Name); err != nil {
				return err
			}
		}
		group := in.Group
		if group == "" {
			group = "family:" + td.Family
		}
		for _, inst := range placed {
			t := model.NewTask(tx.Partition, model.NewTaskInput{
				Cluster: cluster.Name, ClusterARN: cluster.ARN, Definition: td, InstanceARN: inst,
				Group: group, StartedBy: in.StartedBy, LaunchType: in.LaunchType, Overrides: in.Overrides, Network: network, Now: h.st.Now(),
			})
			t.EnableExecuteCommand = in.EnableExecuteCommand
			if err := tx.PutTask(t); err != nil {
				return err
			}
			if err := tx.PutTags(t.ARN, in.Tags); err != nil {
				return err
			}
			t.Version++ // as stored
			out.Tasks = append(out.Tasks, taskView(t, in.Tags))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func validateRunTask(in *runTaskIn, count int) error {
	if in.TaskDefinition == "" {
		return invalidParam("TaskDefinition must be specified.")
	}
	if count < 1 || count > model.MaxRunTaskCount {
		return invalidParam("count must be between 1 and %d.", model.MaxRunTaskCount)
	}
	if !startedByPattern.MatchString(in.StartedBy) {
		return invalidParam("startedBy may contain up to 128 letters (uppercase and lowercase), numbers, hyphens (-), forward slashes (/) and underscores (_).")
	}
	if len(in.Group) > 255 || !model.ValidTagText(in.Group) {
		return invalidParam("group must be at most 255 letters, numbers, spaces and the characters _ . : / = + - @.")
	}
	if err := validateLaunchType(in.LaunchType); err != nil {
		return err
	}
	if err := model.ValidateOverrides(in.Overrides); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{{"networkConfiguration", in.NetworkConfiguration}, {"placementConstraints", in.PlacementConstraints}, {"placementStrategy", in.PlacementStrategy}} {
		if err := model.ValidateEchoed(f.name, f.raw); err != nil {
			return err
		}
	}
	return model.ValidateTags(in.Tags)
}

// checkOverrides follows ECS: every container override must name a container
// of the task definition.
func checkOverrides(td model.TaskDefinition, raw json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	var ov overridesIn
	if err := json.Unmarshal(raw, &ov); err != nil {
		return invalidParam("overrides is not valid: %v", err)
	}
	for _, co := range ov.ContainerOverrides {
		found := slices.ContainsFunc(td.Spec.ContainerDefinitions, func(c model.ContainerDefinition) bool { return c.Name == co.Name })
		if !found {
			return invalidParam("Override for container named %s is not a container in the TaskDefinition.", co.Name)
		}
	}
	return nil
}

// placeTasks runs placement over the cluster's current snapshot.
func placeTasks(tx state.Tx, cluster string, td model.TaskDefinition, count int) ([]string, *scheduler.Failure, error) {
	instances, err := tx.Instances(cluster)
	if err != nil {
		return nil, nil, err
	}
	if len(instances) == 0 {
		return nil, nil, invalidParam("No Container Instances were found in your cluster.")
	}
	tasks, err := tx.Tasks(cluster)
	if err != nil {
		return nil, nil, err
	}
	placed, fail := scheduler.Place(scheduler.Nodes(instances, tasks), scheduler.DemandOf(td), count)
	return placed, fail, nil
}

type stopTaskIn struct {
	Cluster string `json:"cluster"`
	Task    string `json:"task"`
	Reason  string `json:"reason"`
}

type taskResult struct {
	Task taskOut `json:"task"`
}

// stopTask sets the desired status; the service controller drains the task's
// targets first (if any) and the agent then stops its containers.
func (h *Handler) stopTask(ctx context.Context, in *stopTaskIn) (*taskResult, error) {
	if in.Task == "" {
		return nil, invalidParam("task must be specified.")
	}
	if len(in.Reason) > 255 {
		return nil, invalidParam("reason must be at most 255 characters.")
	}
	var out taskOut
	err := h.st.Update(ctx, func(tx state.Tx) error {
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		t, err := tx.Task(cluster.Name, taskID(in.Task))
		if err != nil {
			return err
		}
		if t.DesiredStatus != model.TaskStopped {
			model.RequestStop(&t, model.StopUserInitiated, stopReason(in.Reason), h.st.Now())
			if err := tx.PutTask(t); err != nil {
				return err
			}
			t.Version++
		}
		out = taskView(t, nil)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &taskResult{Task: out}, nil
}

func stopReason(r string) string {
	if r == "" {
		return "Task stopped by user"
	}
	return r
}

type listTasksIn struct {
	Cluster           string `json:"cluster"`
	ContainerInstance string `json:"containerInstance"`
	Family            string `json:"family"`
	StartedBy         string `json:"startedBy"`
	ServiceName       string `json:"serviceName"`
	DesiredStatus     string `json:"desiredStatus"`
	LaunchType        string `json:"launchType"`
	NextToken         string `json:"nextToken"`
	MaxResults        *int   `json:"maxResults"`
}

type listTasksOut struct {
	TaskArns  []string `json:"taskArns"`
	NextToken string   `json:"nextToken,omitempty"`
}

func (h *Handler) listTasks(ctx context.Context, in *listTasksIn) (*listTasksOut, error) {
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 100, 100)
	if err != nil {
		return nil, err
	}
	desired, err := enumParam("desiredStatus", in.DesiredStatus, model.TaskRunning, model.TaskPending, model.TaskStopped)
	if err != nil {
		return nil, err
	}
	match := taskFilter(in, desired)
	out := &listTasksOut{TaskArns: []string{}}
	err = h.st.View(ctx, func(tx state.Tx) error {
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		return tx.ScanTasks(cluster.Name, after, func(key string, t model.Task) bool {
			if !match(t) {
				return true
			}
			if len(out.TaskArns) == limit {
				out.NextToken = state.EncodeToken(after)
				return false
			}
			out.TaskArns = append(out.TaskArns, t.ARN)
			after = key
			return true
		})
	})
	return out, err
}

// taskFilter builds ListTasks's filter. A desired status of PENDING matches
// tasks that want to run but have not started, as in ECS.
func taskFilter(in *listTasksIn, desired string) func(model.Task) bool {
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

type describeTasksIn struct {
	Cluster string   `json:"cluster"`
	Tasks   []string `json:"tasks"`
	Include []string `json:"include"`
}

type describeTasksOut struct {
	Tasks    []taskOut `json:"tasks"`
	Failures []failure `json:"failures"`
}

func (h *Handler) describeTasks(ctx context.Context, in *describeTasksIn) (*describeTasksOut, error) {
	if len(in.Tasks) == 0 || len(in.Tasks) > 100 {
		return nil, invalidParam("tasks must have between 1 and 100 items.")
	}
	withTags := slices.Contains(in.Include, "TAGS")
	out := &describeTasksOut{Tasks: []taskOut{}, Failures: []failure{}}
	err := h.st.View(ctx, func(tx state.Tx) error {
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		for _, ref := range in.Tasks {
			t, err := tx.Task(cluster.Name, taskID(ref))
			if errors.Is(err, state.ErrTaskNotFound) {
				out.Failures = append(out.Failures, failure{ARN: tx.Partition.TaskARN(cluster.Name, taskID(ref)), Reason: "MISSING"})
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
			out.Tasks = append(out.Tasks, taskView(t, tags))
		}
		return nil
	})
	return out, err
}
