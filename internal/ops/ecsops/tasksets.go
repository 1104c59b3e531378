package ecsops

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// CodeTaskSetNotFound is the exception of a task set that does not exist.
const CodeTaskSetNotFound = "TaskSetNotFoundException"

// ErrTaskSetNotFound classifies TaskSetNotFoundException for in-process
// callers (CloudFormation takes deleting a task set that is gone as done);
// a tagged task set ARN that names none is a ResourceNotFoundException
// wrapping it.
var ErrTaskSetNotFound = errors.New("task set not found")

// TaskSet is a task set as ECS describes it, with its tags when they were
// asked for.
type TaskSet struct {
	model.TaskSet
	Tags []model.Tag
}

// CreateTaskSetInput is CreateTaskSet's input. networkConfiguration and
// platformVersion mean what they mean on a service; serviceRegistries is
// stored and echoed (no Cloud Map here).
type CreateTaskSetInput struct {
	Service                  string               `json:"service"`
	Cluster                  string               `json:"cluster"`
	ExternalID               string               `json:"externalId"`
	TaskDefinition           string               `json:"taskDefinition"`
	NetworkConfiguration     json.RawMessage      `json:"networkConfiguration"`
	LoadBalancers            []model.LoadBalancer `json:"loadBalancers"`
	ServiceRegistries        json.RawMessage      `json:"serviceRegistries"`
	LaunchType               string               `json:"launchType"`
	CapacityProviderStrategy json.RawMessage      `json:"capacityProviderStrategy"`
	PlatformVersion          string               `json:"platformVersion"`
	// Scale defaults to 0 percent, as ECS's does.
	Scale       *model.Scale `json:"scale"`
	ClientToken string       `json:"clientToken"`
	Tags        []model.Tag  `json:"tags"`
	// SystemTags are tags with the reserved aws: prefix that an in-process
	// caller sets (CloudFormation's; model.ValidateSystemTags), never the wire.
	SystemTags []model.Tag `json:"-"`
}

// CreateTaskSet adds an ACTIVE task set to an EXTERNAL service; the
// controller runs ceil(desiredCount x scale) tasks of it, registered in its
// own load balancer's target group. A repeated clientToken answers the task
// set it created.
func (s *Ops) CreateTaskSet(ctx context.Context, in *CreateTaskSetInput) (*TaskSet, error) {
	if err := validateCreateTaskSet(in); err != nil {
		return nil, apiErr(err)
	}
	var out TaskSet
	err := s.st.Update(ctx, func(tx state.Tx) error {
		cluster, svc, err := taskSetService(tx, in.Cluster, in.Service, true)
		if err != nil {
			return err
		}
		if in.ClientToken != "" {
			for _, ts := range svc.TaskSets {
				if ts.Internal.ClientToken == in.ClientToken {
					out, err = taskSetOf(tx, ts, true)
					return err
				}
			}
		}
		if len(svc.TaskSets) >= model.MaxTaskSetsPerService {
			return invalidParam("%d deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum limit.", len(svc.TaskSets))
		}
		ts, err := s.newTaskSet(ctx, tx, cluster, &svc, in)
		if err != nil {
			return err
		}
		svc.TaskSets = append(svc.TaskSets, ts)
		if err := tx.PutService(cluster.Name, svc); err != nil {
			return err
		}
		tags := withSystemTags(in.Tags, in.SystemTags)
		if err := tx.PutTags(ts.ARN, tags); err != nil {
			return err
		}
		out = TaskSet{TaskSet: ts, Tags: tags}
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	s.log.Info("task set created", "task_set", out.ARN, "task_definition", out.TaskDefinition, "scale", out.Scale.Value)
	return &out, nil
}

func validateCreateTaskSet(in *CreateTaskSetInput) error {
	switch {
	case in.Service == "":
		return invalidParam("service must be specified.")
	case in.Cluster == "":
		return invalidParam("cluster must be specified.")
	case in.TaskDefinition == "":
		return invalidParam("taskDefinition must be specified.")
	case len(in.ExternalID) > 255 || len(in.PlatformVersion) > 255:
		return invalidParam("externalId and platformVersion must be at most 255 characters.")
	case len(in.LoadBalancers) > 1:
		return invalidParam("A task set can have at most one load balancer: multiple target groups are not supported for external deployments.")
	}
	if in.Scale != nil {
		if err := validateScale(*in.Scale); err != nil {
			return err
		}
	}
	if err := refuseAdvancedConfiguration(model.ControllerExternal, in.LoadBalancers); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{{"networkConfiguration", in.NetworkConfiguration}, {"serviceRegistries", in.ServiceRegistries}, {"capacityProviderStrategy", in.CapacityProviderStrategy}} {
		if err := model.ValidateEchoed(f.name, f.raw); err != nil {
			return err
		}
	}
	if err := validateClientToken(in.ClientToken); err != nil {
		return err
	}
	if err := validateLaunchType(in.LaunchType); err != nil {
		return err
	}
	if err := model.ValidateTags(in.Tags); err != nil {
		return err
	}
	return model.ValidateSystemTags(in.SystemTags)
}

// validateScale applies ECS's bounds: a percentage from 0 to 100.
func validateScale(sc model.Scale) error {
	if sc.Unit != "" && sc.Unit != model.ScaleUnitPercent {
		return invalidParam("scale unit must be PERCENT.")
	}
	if sc.Value < 0 || sc.Value > 100 {
		return invalidParam("scale value must be between 0 and 100.")
	}
	return nil
}

// newTaskSet checks a new task set's references as CreateService checks a
// service's and builds it. Without launchType or capacityProviderStrategy
// it takes the service's.
func (s *Ops) newTaskSet(ctx context.Context, tx state.Tx, cluster model.Cluster, svc *model.Service, in *CreateTaskSetInput) (model.TaskSet, error) {
	td, err := activeTaskDefinition(tx, in.TaskDefinition)
	if err != nil {
		return model.TaskSet{}, err
	}
	if err := s.validateLoadBalancers(ctx, td, in.LoadBalancers); err != nil {
		return model.TaskSet{}, err
	}
	if err := checkServiceNetwork(tx, td, in.NetworkConfiguration, in.LoadBalancers); err != nil {
		return model.TaskSet{}, err
	}
	if err := checkCapacityStrategy(cluster, in.CapacityProviderStrategy, in.LaunchType); err != nil {
		return model.TaskSet{}, err
	}
	seq, err := tx.NextDeploymentSeq()
	if err != nil {
		return model.TaskSet{}, err
	}
	scale := model.Scale{Unit: model.ScaleUnitPercent}
	if in.Scale != nil {
		scale.Value = in.Scale.Value
	}
	now := s.st.NowTime()
	id := model.DeploymentID(seq)
	ts := model.TaskSet{
		ID: id, ARN: tx.Partition.TaskSetARN(cluster.Name, svc.Name, id), ServiceARN: svc.ARN, ClusterARN: cluster.ARN,
		ExternalID: in.ExternalID, Status: model.TaskSetActive, TaskDefinition: td.ARN,
		ComputedDesiredCount: model.ComputedDesiredCount(svc.DesiredCount, scale.Value),
		CreatedAt:            now, UpdatedAt: now, LaunchType: in.LaunchType,
		CapacityProviderStrategy: in.CapacityProviderStrategy, PlatformVersion: in.PlatformVersion,
		NetworkConfiguration: in.NetworkConfiguration, LoadBalancers: in.LoadBalancers,
		ServiceRegistries: in.ServiceRegistries, Scale: scale,
		StabilityStatus: model.StabilityStabilizing, StabilityStatusAt: now,
		Internal: model.TaskSetInternal{ClientToken: in.ClientToken},
	}
	if ts.LaunchType == "" && len(ts.CapacityProviderStrategy) == 0 {
		ts.LaunchType, ts.CapacityProviderStrategy = svc.LaunchType, svc.CapacityProviderStrategy
		if ts.LaunchType == "" && len(ts.CapacityProviderStrategy) == 0 {
			ts.LaunchType = "EC2"
		}
	}
	if ts.LoadBalancers == nil {
		ts.LoadBalancers = []model.LoadBalancer{}
	}
	if len(ts.ServiceRegistries) == 0 {
		ts.ServiceRegistries = json.RawMessage("[]")
	}
	return ts, nil
}

// taskSetService returns the service a task-set operation acts on. ECS
// serves task-set management only for the EXTERNAL deployment controller;
// a CODE_DEPLOY service's task sets are CodeDeploy's to change, so writes
// (write set) are refused for it too, while it may be described.
func taskSetService(tx state.Tx, clusterRef, serviceRef string, write bool) (model.Cluster, model.Service, error) {
	cluster, svc, err := activeService(tx, clusterRef, serviceRef)
	if err != nil {
		return cluster, svc, err
	}
	ctrl := ""
	if svc.DeploymentController != nil {
		ctrl = svc.DeploymentController.Type
	}
	if ctrl == model.ControllerExternal || ctrl == model.ControllerCodeDeploy && !write {
		return cluster, svc, nil
	}
	msg := "Amazon ECS only supports task set management on services configured to use external deployment controllers."
	if ctrl == model.ControllerCodeDeploy {
		msg += " The task sets of a CODE_DEPLOY service are AWS CodeDeploy's, which Slipway does not have: use the EXTERNAL deployment controller."
	}
	return cluster, svc, invalidParam("%s", msg)
}

// taskSetOf renders a task set, with its tags when withTags.
func taskSetOf(tx state.Tx, ts model.TaskSet, withTags bool) (TaskSet, error) {
	out := TaskSet{TaskSet: ts}
	if !withTags {
		return out, nil
	}
	tags, err := tx.Tags(ts.ARN)
	out.Tags = tags
	return out, err
}

// findTaskSet returns the service's task set ref names (id or ARN), or
// TaskSetNotFoundException.
func findTaskSet(svc *model.Service, ref string) (*model.TaskSet, error) {
	if ref == "" {
		return nil, invalidParam("taskSet must be specified.")
	}
	if ts := svc.TaskSet(ref); ts != nil {
		return ts, nil
	}
	return nil, awserr.Wrap(ErrTaskSetNotFound, CodeTaskSetNotFound, "The specified task set does not exist.")
}

// taskSetExists reports whether the service has the task set (for tags).
func taskSetExists(tx state.Tx, cluster, service, id string) error {
	svc, err := tx.Service(cluster, service)
	if err != nil {
		return err
	}
	if svc.TaskSet(id) == nil {
		return ErrTaskSetNotFound
	}
	return nil
}
