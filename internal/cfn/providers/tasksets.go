package providers

import (
	"context"
	"fmt"
	"strings"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/state"
)

// ECSTaskSets provides AWS::ECS::TaskSet over ecsops' task-set operations.
// As in CloudFormation's resource reference, every property but Scale and
// Tags requires replacement; Scale changes through UpdateTaskSet, Tags
// through TagResource/UntagResource. The physical id (Ref) is the
// registry's primary identifier, cluster ARN, service ARN and task set id
// joined by "|"; Fn::GetAtt Id is the task set's id.
type ECSTaskSets struct{ Ops *ecsops.Ops }

// taskSetID splits a task set's physical id into cluster, service and id.
func taskSetID(physical string) (cluster, service, id string, err error) {
	parts := strings.Split(physical, "|")
	if len(parts) != 3 {
		return "", "", "", fmt.Errorf("%w: task set %q", stack.ErrNotFound, physical)
	}
	return parts[0], parts[1], parts[2], nil
}

// Create implements stack.Provider: CreateTaskSet. The resource completes
// when ECS has the task set; the controller then starts its tasks.
func (p ECSTaskSets) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	var in ecsops.CreateTaskSetInput
	if err := decodeAPI(apiDocument(req.Properties).(map[string]any), &in, true); err != nil {
		return nil, err
	}
	in.SystemTags = systemTags(req)
	ts, err := p.Ops.CreateTaskSet(ctx, &in)
	if err != nil {
		return nil, err
	}
	// The ARN is kept (not a Fn::GetAtt attribute: the catalog lists only
	// Id) so that tagging uses CreateTaskSet's own answer.
	return &stack.Result{PhysicalID: ts.ClusterARN + "|" + ts.ServiceARN + "|" + ts.ID,
		Attributes: map[string]any{"Id": ts.ID, attrTaskSetARN: ts.ARN}}, nil
}

// Update implements stack.Provider: only Scale and Tags change in place.
func (p ECSTaskSets) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	var in, old ecsops.CreateTaskSetInput
	if err := decodeAPI(apiDocument(req.Properties).(map[string]any), &in, true); err != nil {
		return nil, err
	}
	if err := decodeAPI(apiDocument(req.Previous).(map[string]any), &old, true); err != nil {
		return nil, err
	}
	cluster, service, id, err := taskSetID(req.PhysicalID)
	if err != nil {
		return nil, err
	}
	if !sameJSON(in.Scale, old.Scale) {
		scale := in.Scale
		if scale == nil {
			scale = &model.Scale{Value: 0, Unit: model.ScaleUnitPercent} // ECS's default
		}
		if _, err := p.Ops.UpdateTaskSet(ctx, &ecsops.UpdateTaskSetInput{Cluster: cluster, Service: service, TaskSet: id, Scale: scale}); err != nil {
			return nil, notFound(err, state.ErrServiceNotFound, state.ErrClusterNotFound, ecsops.ErrTaskSetNotFound)
		}
	}
	arn, err := p.arn(ctx, req.Attributes, cluster, service, id)
	if err != nil {
		return nil, err
	}
	if err := retag(ctx, p.Ops, arn, req.Previous, req.Properties); err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

// attrTaskSetARN is the resource attribute holding the task set's ARN.
const attrTaskSetARN = "slipway:TaskSetArn"

// arn is the task set's ARN: from the resource's attributes, or, for one
// recorded before they kept it, as DescribeTaskSets names it.
func (p ECSTaskSets) arn(ctx context.Context, attrs map[string]any, cluster, service, id string) (string, error) {
	if arn, ok := attrs[attrTaskSetARN].(string); ok && arn != "" {
		return arn, nil
	}
	out, err := p.Ops.DescribeTaskSets(ctx, &ecsops.DescribeTaskSetsInput{Cluster: cluster, Service: service, TaskSets: []string{id}})
	if err != nil {
		return "", notFound(err, state.ErrServiceNotFound, state.ErrClusterNotFound)
	}
	if len(out.TaskSets) == 0 {
		return "", fmt.Errorf("%w: task set %s", stack.ErrNotFound, id)
	}
	return out.TaskSets[0].ARN, nil
}

// Delete implements stack.Provider: DeleteTaskSet with force, as
// CloudFormation deletes a task set that is still scaled; the task set is
// DRAINING until the controller has stopped its tasks and removed it.
func (p ECSTaskSets) Delete(ctx context.Context, req *stack.Request) error {
	cluster, service, id, err := taskSetID(req.PhysicalID)
	if err != nil {
		return err
	}
	force := true
	_, err = p.Ops.DeleteTaskSet(ctx, &ecsops.DeleteTaskSetInput{Cluster: cluster, Service: service, TaskSet: id, Force: &force})
	return notFound(err, state.ErrServiceNotFound, state.ErrClusterNotFound, ecsops.ErrTaskSetNotFound)
}

// ECSPrimaryTaskSets provides AWS::ECS::PrimaryTaskSet:
// UpdateServicePrimaryTaskSet. Cluster and Service require replacement,
// TaskSetId changes in place (the named task set becomes PRIMARY). Its
// physical id (Ref) is the registry's primary identifier, the cluster and
// service as given joined by "|"; it has no attributes. Deleting it changes
// nothing in ECS, which has no call that unsets a primary task set.
type ECSPrimaryTaskSets struct{ Ops *ecsops.Ops }

type primaryTaskSetProps struct {
	Cluster   string `json:"cluster"`
	Service   string `json:"service"`
	TaskSetID string `json:"taskSetId"`
}

func (p ECSPrimaryTaskSets) apply(ctx context.Context, props map[string]any) (*stack.Result, error) {
	var in primaryTaskSetProps
	if err := decodeAPI(apiDocument(props).(map[string]any), &in, true); err != nil {
		return nil, err
	}
	if _, err := p.Ops.UpdateServicePrimaryTaskSet(ctx, &ecsops.UpdateServicePrimaryTaskSetInput{Cluster: in.Cluster,
		Service: in.Service, PrimaryTaskSet: in.TaskSetID}); err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: in.Cluster + "|" + in.Service, Attributes: map[string]any{}}, nil
}

// Create implements stack.Provider.
func (p ECSPrimaryTaskSets) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	return p.apply(ctx, req.Properties)
}

// Update implements stack.Provider: another TaskSetId becomes PRIMARY.
func (p ECSPrimaryTaskSets) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	return p.apply(ctx, req.Properties)
}

// Delete implements stack.Provider: nothing to undo (see the type).
func (ECSPrimaryTaskSets) Delete(context.Context, *stack.Request) error { return nil }
