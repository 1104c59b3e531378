package ecsops

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/scheduler"
	"github.com/slipway-dev/slipway/internal/state"
)

// Task is a task as ECS describes it: the stored record, with its lists never
// nil (records written before attachments existed have none). An awsvpc
// task's containers show their task's network interface and no network
// bindings, as ECS shows them: their ports are on the task's own address.
type Task struct {
	model.Task
	// Tags are the task's tags, when they were asked for (always on RunTask).
	Tags []model.Tag
}

func taskOf(t model.Task, tags []model.Tag) Task {
	out := Task{Task: t, Tags: tags}
	if out.Attachments == nil {
		out.Attachments = []model.Attachment{}
	}
	awsvpc := t.ENI() != nil
	out.Containers = make([]model.Container, 0, len(t.Containers))
	for _, c := range t.Containers {
		if c.NetworkInterfaces == nil {
			c.NetworkInterfaces = []model.NetworkInterface{}
		}
		if awsvpc {
			c.NetworkBindings = []model.NetworkBinding{}
		}
		out.Containers = append(out.Containers, c)
	}
	return out
}

// RunTaskInput is RunTask's input.
type RunTaskInput struct {
	// Cluster is a name or ARN; empty means the default cluster.
	Cluster string `json:"cluster"`
	// TaskDefinition is family, family:revision or an ARN of an ACTIVE revision.
	TaskDefinition string `json:"taskDefinition"`
	// Count defaults to 1, at most model.MaxRunTaskCount.
	Count     *int   `json:"count"`
	StartedBy string `json:"startedBy"`
	// Group defaults to "family:<family>".
	Group string `json:"group"`
	// Overrides is ECS's TaskOverride document; every container override
	// must name a container of the task definition.
	Overrides  json.RawMessage `json:"overrides"`
	LaunchType string          `json:"launchType"`
	// CapacityProviderStrategy splits the tasks across capacity providers
	// by base and weight (not with LaunchType; without either, the
	// cluster's default strategy). Each task records its provider.
	CapacityProviderStrategy json.RawMessage `json:"capacityProviderStrategy"`
	Tags                     []model.Tag     `json:"tags"`
	EnableExecuteCommand     bool            `json:"enableExecuteCommand"`
	// EnableECSManagedTags adds ECS's aws:ecs:clusterName tag.
	EnableECSManagedTags bool `json:"enableECSManagedTags"`
	// PropagateTags TASK_DEFINITION copies the task definition's tags onto
	// the tasks (the request's win); SERVICE is for service tasks only.
	PropagateTags string `json:"propagateTags"`
	// ReferenceID is ECS's own ("not intended for use by customers"):
	// bounded and otherwise without meaning.
	ReferenceID string `json:"referenceId"`
	// PlatformVersion is stored on the tasks and echoed (there is no
	// Fargate platform here).
	PlatformVersion string `json:"platformVersion"`
	// ClientToken makes RunTask idempotent: a repeated token answers the
	// tasks it started.
	ClientToken string `json:"clientToken"`
	// VolumeConfigurations (EBS volumes configured at launch) are refused:
	// UnsupportedFeatureException.
	VolumeConfigurations json.RawMessage `json:"volumeConfigurations"`
	// NetworkConfiguration is required for awsvpc tasks (their attachment
	// echoes it); placement is bounded in size and stored nowhere:
	// placement is by spread on this platform.
	NetworkConfiguration json.RawMessage `json:"networkConfiguration"`
	PlacementConstraints json.RawMessage `json:"placementConstraints"`
	PlacementStrategy    json.RawMessage `json:"placementStrategy"`
}

// RunTaskOutput is RunTask's output: the tasks placed, and a failure when
// not all of them could be (the reason ECS gives, e.g. RESOURCE:MEMORY).
type RunTaskOutput struct {
	Tasks    []Task
	Failures []Failure
}

// startedByPattern is ECS's rule for startedBy.
var startedByPattern = regexp.MustCompile(`^[A-Za-z0-9/_-]{0,128}$`)

type overridesIn struct {
	ContainerOverrides []struct {
		Name string `json:"name"`
	} `json:"containerOverrides"`
}

// RunTask places and stores new tasks (PROVISIONING, desired RUNNING) on the
// cluster's container instances; the agent then starts them.
func (s *Ops) RunTask(ctx context.Context, in *RunTaskInput) (*RunTaskOutput, error) {
	count := 1
	if in.Count != nil {
		count = *in.Count
	}
	if err := validateRunTask(in, count); err != nil {
		return nil, apiErr(err)
	}
	out := &RunTaskOutput{}
	err := s.st.Update(ctx, func(tx state.Tx) error {
		out.Tasks, out.Failures = []Task{}, []Failure{}
		cluster, td, network, err := launchRefs(tx, in)
		if err != nil {
			return err
		}
		if done, err := tasksOfToken(tx, cluster.Name, in.ClientToken); err != nil || len(done) > 0 {
			out.Tasks = done
			return err
		}
		if in.Tags, err = launchTags(tx, td, cluster, in); err != nil {
			return err
		}
		if err := checkCapacityStrategy(cluster, in.CapacityProviderStrategy, in.LaunchType); err != nil {
			return err
		}
		if len(in.CapacityProviderStrategy) == 0 && in.LaunchType == "" {
			in.CapacityProviderStrategy = cluster.DefaultCapacityProviderStrategy
		}
		placed, fail, err := placeTasks(tx, cluster.Name, td, count)
		if err != nil {
			return err
		}
		if fail != nil {
			out.Failures = append(out.Failures, Failure{ARN: fail.NodeARN, Reason: fail.Reason})
		}
		if len(placed) > 0 {
			// The service controller places outside its write transaction
			// and checks this version before it commits.
			if err := tx.BumpPlacementVersion(cluster.Name); err != nil {
				return err
			}
		}
		out.Tasks, err = s.putRunTasks(tx, cluster, td, network, placed, in)
		return err
	})
	if err != nil {
		return nil, apiErr(err)
	}
	for _, t := range out.Tasks {
		s.log.Info("task placed", "task", t.ARN, "task_definition", t.TaskDefinitionARN)
	}
	return out, nil
}

// launchRefs resolves what RunTask and StartTask launch: the ACTIVE
// cluster, the ACTIVE task definition (overrides naming its containers) and
// an awsvpc task's network configuration.
func launchRefs(tx state.Tx, in *RunTaskInput) (model.Cluster, model.TaskDefinition, *model.AwsvpcConfiguration, error) {
	cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
	if err != nil {
		return cluster, model.TaskDefinition{}, nil, err
	}
	td, err := activeTaskDefinition(tx, in.TaskDefinition)
	if err != nil {
		return cluster, td, nil, err
	}
	if err := checkOverrides(td, in.Overrides); err != nil {
		return cluster, td, nil, err
	}
	network, err := awsvpcConfigurationFor(td, in.NetworkConfiguration)
	return cluster, td, network, err
}

// tasksOfToken returns the tasks a RunTask with this client token started
// (none for an empty token), with their tags, as ECS answers a repeated
// request.
func tasksOfToken(tx state.Tx, cluster, token string) ([]Task, error) {
	if token == "" {
		return nil, nil
	}
	all, err := tx.Tasks(cluster)
	if err != nil {
		return nil, err
	}
	var out []Task
	for _, t := range all {
		if t.Internal.ClientToken != token {
			continue
		}
		tags, err := tx.Tags(t.ARN)
		if err != nil {
			return nil, err
		}
		out = append(out, taskOf(t, tags))
	}
	return out, nil
}

// putRunTasks stores one new task on each placed instance.
func (s *Ops) putRunTasks(tx state.Tx, cluster model.Cluster, td model.TaskDefinition, network *model.AwsvpcConfiguration,
	placed []string, in *RunTaskInput) ([]Task, error) {
	group := in.Group
	if group == "" {
		group = "family:" + td.Family
	}
	tasks := make([]Task, 0, len(placed))
	providers := scheduler.SplitByStrategy(scheduler.StrategyOf(in.CapacityProviderStrategy), nil, len(placed))
	for i, inst := range placed {
		nt := model.NewTaskInput{
			Cluster: cluster.Name, ClusterARN: cluster.ARN, Definition: td, InstanceARN: inst,
			Group: group, StartedBy: in.StartedBy, LaunchType: in.LaunchType, Overrides: in.Overrides, Network: network, Now: s.st.Now(),
		}
		if i < len(providers) {
			nt.CapacityProvider = providers[i]
		}
		t := model.NewTask(tx.Partition, nt)
		t.EnableExecuteCommand, t.PlatformVersion, t.Internal.ClientToken = in.EnableExecuteCommand, in.PlatformVersion, in.ClientToken
		if err := tx.PutTask(t); err != nil {
			return nil, err
		}
		if err := tx.PutTags(t.ARN, in.Tags); err != nil {
			return nil, err
		}
		t.Version++ // as stored
		tasks = append(tasks, taskOf(t, in.Tags))
	}
	return tasks, nil
}

func validateRunTask(in *RunTaskInput, count int) error {
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
	if err := validateLaunchExtras(in); err != nil {
		return err
	}
	if err := validateClientToken(in.ClientToken); err != nil {
		return err
	}
	if len(in.PlatformVersion) > 255 {
		return invalidParam("platformVersion must be at most 255 characters.")
	}
	if err := model.ValidateOverrides(in.Overrides); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{{"networkConfiguration", in.NetworkConfiguration}, {"placementConstraints", in.PlacementConstraints}, {"placementStrategy", in.PlacementStrategy},
		{"capacityProviderStrategy", in.CapacityProviderStrategy}} {
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

// StopTaskInput is StopTask's input.
type StopTaskInput struct {
	// Cluster is a name or ARN; empty means the default cluster.
	Cluster string `json:"cluster"`
	// Task is an id or ARN; it must be given.
	Task string `json:"task"`
	// Reason defaults to "Task stopped by user"; at most 255 characters.
	Reason string `json:"reason"`
}

// StopTask sets the desired status to STOPPED; the service controller
// drains the task's targets first (if any) and the agent then stops its
// containers. Stopping a task already stopping changes nothing.
func (s *Ops) StopTask(ctx context.Context, in *StopTaskInput) (*Task, error) {
	if in.Task == "" {
		return nil, invalidParam("task must be specified.")
	}
	if len(in.Reason) > 255 {
		return nil, invalidParam("reason must be at most 255 characters.")
	}
	var out Task
	stopped := false
	err := s.st.Update(ctx, func(tx state.Tx) error {
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		t, err := tx.Task(cluster.Name, taskID(in.Task))
		if err != nil {
			return err
		}
		stopped = t.DesiredStatus != model.TaskStopped
		if stopped {
			model.RequestStop(&t, model.StopUserInitiated, stopReason(in.Reason), s.st.Now())
			if err := tx.PutTask(t); err != nil {
				return err
			}
			t.Version++
		}
		out = taskOf(t, nil)
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	if stopped {
		s.log.Info("task stop requested", "task", out.ARN, "reason", out.StoppedReason)
	}
	return &out, nil
}

func stopReason(r string) string {
	if r == "" {
		return "Task stopped by user"
	}
	return r
}
