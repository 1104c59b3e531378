package ecsops

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/scheduler"
	"github.com/slipway-dev/slipway/internal/state"
)

// MaxStartTaskInstances is ECS's bound on StartTask's containerInstances.
const MaxStartTaskInstances = 10

// StartTaskInput is StartTask's input: RunTask's members that apply
// (see RunTaskInput) and the container instances.
type StartTaskInput struct {
	Cluster string `json:"cluster"`
	// ContainerInstances are ids or ARNs, 1 to 10; one task starts on each.
	ContainerInstances   []string        `json:"containerInstances"`
	TaskDefinition       string          `json:"taskDefinition"`
	EnableECSManagedTags bool            `json:"enableECSManagedTags"`
	EnableExecuteCommand bool            `json:"enableExecuteCommand"`
	Group                string          `json:"group"`
	NetworkConfiguration json.RawMessage `json:"networkConfiguration"`
	Overrides            json.RawMessage `json:"overrides"`
	PropagateTags        string          `json:"propagateTags"`
	ReferenceID          string          `json:"referenceId"`
	StartedBy            string          `json:"startedBy"`
	Tags                 []model.Tag     `json:"tags"`
	VolumeConfigurations json.RawMessage `json:"volumeConfigurations"`
}

// StartTask starts one task of a task definition on each named container
// instance, with no placement decision: an instance that does not exist is
// a MISSING failure, one not ACTIVE INACTIVE, one whose agent is not
// connected AGENT, one without room the resource it lacks.
func (s *Ops) StartTask(ctx context.Context, in *StartTaskInput) (*RunTaskOutput, error) {
	switch {
	case len(in.ContainerInstances) == 0:
		return nil, apiErr(invalidParam("containerInstances must contain at least one container instance."))
	case len(in.ContainerInstances) > MaxStartTaskInstances:
		return nil, apiErr(invalidParam("containerInstances can have at most %d items.", MaxStartTaskInstances))
	}
	run := &RunTaskInput{Cluster: in.Cluster, TaskDefinition: in.TaskDefinition, StartedBy: in.StartedBy, Group: in.Group,
		Overrides: in.Overrides, Tags: in.Tags, EnableExecuteCommand: in.EnableExecuteCommand, NetworkConfiguration: in.NetworkConfiguration,
		EnableECSManagedTags: in.EnableECSManagedTags, PropagateTags: in.PropagateTags, ReferenceID: in.ReferenceID,
		VolumeConfigurations: in.VolumeConfigurations}
	if err := validateRunTask(run, 1); err != nil {
		return nil, apiErr(err)
	}
	out := &RunTaskOutput{}
	err := s.st.Update(ctx, func(tx state.Tx) error {
		out.Tasks, out.Failures = []Task{}, []Failure{}
		cluster, td, network, err := launchRefs(tx, run)
		if err != nil {
			return err
		}
		if run.Tags, err = launchTags(tx, td, cluster, run); err != nil {
			return err
		}
		placed, fails, err := placeOnNamed(tx, cluster, td, in.ContainerInstances)
		if err != nil {
			return err
		}
		out.Failures = fails
		if len(placed) > 0 {
			if err := tx.BumpPlacementVersion(cluster.Name); err != nil {
				return err
			}
		}
		out.Tasks, err = s.putRunTasks(tx, cluster, td, network, placed, run)
		return err
	})
	if err != nil {
		return nil, apiErr(err)
	}
	for _, t := range out.Tasks {
		s.log.Info("task started", "task", t.ARN, "task_definition", t.TaskDefinitionARN, "instance", t.ContainerInstanceARN)
	}
	return out, nil
}

// validateLaunchExtras checks RunTask's and StartTask's tag and volume
// members.
func validateLaunchExtras(in *RunTaskInput) error {
	switch {
	case len(in.ReferenceID) > 1024:
		return invalidParam("referenceId must be at most 1024 characters.")
	case len(in.VolumeConfigurations) > 0 && string(in.VolumeConfigurations) != "null" && string(in.VolumeConfigurations) != "[]":
		return awserr.New(CodeUnsupportedFeature, "volumeConfigurations (Amazon EBS volumes configured at launch) are not available in Slipway: use the task definition's volumes.")
	}
	switch in.PropagateTags {
	case "", "NONE", "TASK_DEFINITION":
	case "SERVICE":
		return invalidParam("propagateTags SERVICE is only valid for tasks started by a service.")
	default:
		return invalidParam("propagateTags must be one of TASK_DEFINITION, SERVICE, NONE.")
	}
	return nil
}

// launchTags are the tags of a launched task: the request's, the task
// definition's when propagated (the request's win), and ECS's managed tag
// of the cluster when asked for.
func launchTags(tx state.Tx, td model.TaskDefinition, cluster model.Cluster, in *RunTaskInput) ([]model.Tag, error) {
	tags := in.Tags
	if in.PropagateTags == "TASK_DEFINITION" {
		tdTags, err := tx.Tags(td.ARN)
		if err != nil {
			return nil, err
		}
		tags = model.MergeTags(tdTags, tags)
	}
	if in.EnableECSManagedTags {
		tags = model.MergeTags(tags, []model.Tag{{Key: "aws:ecs:clusterName", Value: cluster.Name}})
	}
	if len(tags) > model.MaxTags {
		return nil, invalidParam("Tags can have a maximum of %d tags.", model.MaxTags)
	}
	return tags, nil
}

// placeOnNamed resolves the named container instances and places one task
// on each that is ACTIVE, connected and has room.
func placeOnNamed(tx state.Tx, cluster model.Cluster, td model.TaskDefinition, refs []string) ([]string, []Failure, error) {
	instances, err := tx.Instances(cluster.Name)
	if err != nil {
		return nil, nil, err
	}
	tasks, err := tx.Tasks(cluster.Name)
	if err != nil {
		return nil, nil, err
	}
	fails := []Failure{}
	var arns []string
	for _, ref := range refs {
		ci, err := tx.Instance(cluster.Name, taskID(ref))
		arn := tx.Partition.ContainerInstanceARN(cluster.Name, taskID(ref))
		switch {
		case errors.Is(err, state.ErrInstanceNotFound):
			fails = append(fails, Failure{ARN: arn, Reason: "MISSING"})
		case err != nil:
			return nil, nil, err
		case ci.Status != model.InstanceActive:
			fails = append(fails, Failure{ARN: ci.ARN, Reason: scheduler.ReasonInactive})
		case !ci.AgentConnected:
			fails = append(fails, Failure{ARN: ci.ARN, Reason: "AGENT"})
		default:
			arns = append(arns, ci.ARN)
		}
	}
	placed, unplaced := scheduler.PlaceOn(scheduler.Nodes(instances, tasks), arns, scheduler.DemandOf(td))
	for _, f := range unplaced {
		fails = append(fails, Failure{ARN: f.NodeARN, Reason: f.Reason})
	}
	return placed, fails, nil
}
