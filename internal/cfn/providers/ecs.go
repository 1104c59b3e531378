package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/state"
)

// notFound classifies the operations' "does not exist" errors for the
// engine, which takes deleting what is gone as done.
func notFound(err error, sentinels ...error) error {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return fmt.Errorf("%w: %w", stack.ErrNotFound, err)
		}
	}
	return err
}

// ECSClusters provides AWS::ECS::Cluster.
type ECSClusters struct{ Ops *ecsops.Ops }

// Create implements stack.Provider. ECS's CreateCluster returns an ACTIVE
// cluster of the name as it is; CloudFormation refuses to take one over.
func (p ECSClusters) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	var in ecsops.CreateClusterInput
	if err := decodeAPI(apiDocument(req.Properties).(map[string]any), &in, true); err != nil {
		return nil, err
	}
	out, err := p.Ops.DescribeClusters(ctx, &ecsops.DescribeClustersInput{Clusters: []string{in.ClusterName}})
	if err != nil {
		return nil, err
	}
	if len(out.Clusters) > 0 && out.Clusters[0].Status == model.ClusterActive {
		return nil, awserr.New("AlreadyExists", "Cluster %s already exists", in.ClusterName)
	}
	in.SystemTags = systemTags(req)
	c, err := p.Ops.CreateCluster(ctx, &in)
	if err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: c.Name, Attributes: map[string]any{"Arn": c.ARN}}, nil
}

// Update implements stack.Provider. ClusterSettings, Configuration and
// ServiceConnectDefaults update with no interruption (UpdateCluster), as
// CloudFormation's resource reference lists them; a setting the template no
// longer names is not reset (ECS has no call that removes one), and a change
// of the name or the capacity providers is refused.
func (p ECSClusters) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	var in, old ecsops.CreateClusterInput
	if err := decodeAPI(apiDocument(req.Properties).(map[string]any), &in, true); err != nil {
		return nil, err
	}
	if err := decodeAPI(apiDocument(req.Previous).(map[string]any), &old, true); err != nil {
		return nil, err
	}
	if !sameJSON(in.CapacityProviders, old.CapacityProviders) || !sameJSON(in.DefaultCapacityProviderStrategy, old.DefaultCapacityProviderStrategy) || in.ClusterName != old.ClusterName {
		return nil, fmt.Errorf("%w: Slipway cannot change an ECS cluster's name or capacity providers in place", stack.ErrUnsupported)
	}
	if !sameJSON(in.Settings, old.Settings) || !sameJSON(in.Configuration, old.Configuration) || !sameJSON(in.ServiceConnectDefaults, old.ServiceConnectDefaults) {
		if _, err := p.Ops.UpdateCluster(ctx, &ecsops.UpdateClusterInput{Cluster: req.PhysicalID, Settings: in.Settings,
			Configuration: in.Configuration, ServiceConnectDefaults: in.ServiceConnectDefaults}); err != nil {
			return nil, err
		}
	}
	arn, _ := req.Attributes["Arn"].(string)
	if err := retag(ctx, p.Ops, arn, req.Previous, req.Properties); err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

// sameJSON reports whether a and b encode alike.
func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// Delete implements stack.Provider.
func (p ECSClusters) Delete(ctx context.Context, req *stack.Request) error {
	_, err := p.Ops.DeleteCluster(ctx, &ecsops.DeleteClusterInput{Cluster: req.PhysicalID})
	return notFound(err, state.ErrClusterNotFound)
}

// retag applies a change of a resource's Tags property with TagResource
// and UntagResource.
func retag(ctx context.Context, ops *ecsops.Ops, arn string, before, after map[string]any) error {
	var a, b struct {
		Tags []model.Tag `json:"tags"`
	}
	_ = decodeAPI(map[string]any{"tags": apiDocument(before["Tags"])}, &a, false)
	_ = decodeAPI(map[string]any{"tags": apiDocument(after["Tags"])}, &b, false)
	set, remove := tagDiff(ecsTags(a.Tags), ecsTags(b.Tags))
	if len(set) > 0 {
		var tags []model.Tag
		for k, v := range set {
			tags = append(tags, model.Tag{Key: k, Value: v})
		}
		if err := ops.TagResource(ctx, &ecsops.TagResourceInput{ResourceARN: arn, Tags: tags}); err != nil {
			return err
		}
	}
	if len(remove) > 0 {
		return ops.UntagResource(ctx, &ecsops.UntagResourceInput{ResourceARN: arn, TagKeys: remove})
	}
	return nil
}

func ecsTags(tags []model.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// ECSTaskDefinitions provides AWS::ECS::TaskDefinition. Every property but
// Tags requires replacement: a change registers a new revision and, at
// cleanup, deregisters the old one, as CloudFormation does.
type ECSTaskDefinitions struct{ Ops *ecsops.Ops }

// Create implements stack.Provider.
func (p ECSTaskDefinitions) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	doc := apiDocument(req.Properties).(map[string]any)
	var spec model.TaskSpec
	if err := decodeAPI(doc, &spec, false); err != nil {
		return nil, err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	td, err := p.Ops.RegisterTaskDefinition(ctx, &ecsops.RegisterTaskDefinitionInput{Request: body, SystemTags: systemTags(req)})
	if err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: td.ARN, Attributes: map[string]any{"TaskDefinitionArn": td.ARN}}, nil
}

// NamesShared implements stack.SharedNames: a replacement is the family's
// next revision.
func (ECSTaskDefinitions) NamesShared() bool { return true }

// Update implements stack.Provider: only tags change in place.
func (p ECSTaskDefinitions) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	if err := retag(ctx, p.Ops, req.PhysicalID, req.Previous, req.Properties); err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

// Delete implements stack.Provider: the revision is deregistered (INACTIVE).
func (p ECSTaskDefinitions) Delete(ctx context.Context, req *stack.Request) error {
	_, err := p.Ops.DeregisterTaskDefinition(ctx, &ecsops.DeregisterTaskDefinitionInput{TaskDefinition: req.PhysicalID})
	return notFound(err, state.ErrTaskDefinitionNotFound)
}

// ECSServices provides AWS::ECS::Service. Like CloudFormation, it waits for
// the service to be stable (its deployment COMPLETED with every task
// running) before the resource is complete, and fails it when the deployment
// fails (circuit breaker, alarms), with ECS's reason.
type ECSServices struct {
	Ops *ecsops.Ops
	// Poll is how often the service is looked at while waiting (200 ms when 0).
	Poll time.Duration
}

func (p ECSServices) input(props map[string]any) (*ecsops.CreateServiceInput, error) {
	doc := apiDocument(props).(map[string]any)
	var in ecsops.CreateServiceInput
	if err := decodeAPI(doc, &in, true); err != nil {
		return nil, err
	}
	if in.DesiredCount == nil && in.SchedulingStrategy != model.SchedulingDaemon {
		one := 1 // CloudFormation's default
		in.DesiredCount = &one
	}
	return &in, nil
}

// Create implements stack.Provider.
func (p ECSServices) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	in, err := p.input(req.Properties)
	if err != nil {
		return nil, err
	}
	in.SystemTags = systemTags(req)
	svc, err := p.Ops.CreateService(ctx, in)
	if err != nil {
		return nil, err
	}
	if req.Initiated != nil {
		req.Initiated(svc.ARN)
	}
	if !svc.UsesTaskSets() { // an EXTERNAL service's tasks are its task sets'
		if err := p.stable(ctx, in.Cluster, svc.ARN, primary(svc)); err != nil {
			return nil, err
		}
	}
	return &stack.Result{PhysicalID: svc.ARN, Attributes: map[string]any{"ServiceArn": svc.ARN, "Name": svc.Name}}, nil
}

// controllerType is a DeploymentController's type, ECS when none is given.
func controllerType(c *model.DeploymentController) string {
	if c == nil || c.Type == "" {
		return model.ControllerECS
	}
	return c.Type
}

// primary is the id of a service's PRIMARY deployment.
func primary(svc *ecsops.Service) string {
	for _, d := range svc.Deployments {
		if d.Status == model.DeploymentPrimary {
			return d.ID
		}
	}
	return ""
}

// Update implements stack.Provider: UpdateService with the new values (a
// new task definition or load balancers start a deployment with the
// service's own strategy), then the wait for it.
func (p ECSServices) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	in, err := p.input(req.Properties)
	if err != nil {
		return nil, err
	}
	old, err := p.input(req.Previous)
	if err != nil {
		return nil, err
	}
	if controllerType(in.DeploymentController) != controllerType(old.DeploymentController) {
		return nil, fmt.Errorf("%w: Slipway cannot change a service's deployment controller in place", stack.ErrUnsupported)
	}
	up := &ecsops.UpdateServiceInput{Cluster: in.Cluster, Service: req.PhysicalID, DesiredCount: in.DesiredCount,
		DeploymentConfiguration: &in.DeploymentConfiguration, HealthCheckGracePeriodSeconds: in.HealthCheckGracePeriodSeconds,
		EnableExecuteCommand: &in.EnableExecuteCommand, EnableECSManagedTags: &in.EnableECSManagedTags, PropagateTags: in.PropagateTags}
	external := controllerType(in.DeploymentController) != model.ControllerECS
	// What the tasks run: a service deployed through task sets changes it
	// with new task sets, and UpdateService refuses it (sent only when it
	// changes, so that ECS's refusal fails the resource in its words).
	if !external || in.TaskDefinition != old.TaskDefinition || !sameJSON(in.LoadBalancers, old.LoadBalancers) ||
		!sameJSON(in.ServiceEchoedInput, old.ServiceEchoedInput) {
		lbs := in.LoadBalancers
		if lbs == nil {
			lbs = []model.LoadBalancer{}
		}
		up.TaskDefinition, up.LoadBalancers, up.ServiceEchoedInput = in.TaskDefinition, &lbs, in.ServiceEchoedInput
	}
	svc, err := p.Ops.UpdateService(ctx, up)
	if err != nil {
		return nil, err
	}
	if err := retag(ctx, p.Ops, svc.ARN, req.Previous, req.Properties); err != nil {
		return nil, err
	}
	if !external {
		if err := p.stable(ctx, in.Cluster, svc.ARN, primary(svc)); err != nil {
			return nil, err
		}
	}
	return &stack.Result{PhysicalID: svc.ARN, Attributes: map[string]any{"ServiceArn": svc.ARN, "Name": svc.Name}}, nil
}

func (p ECSServices) describe(ctx context.Context, cluster, arn string) (*ecsops.Service, error) {
	out, err := p.Ops.DescribeServices(ctx, &ecsops.DescribeServicesInput{Cluster: cluster, Services: []string{arn}})
	if err != nil {
		return nil, err
	}
	if len(out.Services) == 0 {
		return nil, fmt.Errorf("%w: service %s", stack.ErrNotFound, arn)
	}
	return &out.Services[0], nil
}

// stable waits until the deployment id (the one the call started, or the
// service's current one) is COMPLETED with every task running, as
// CloudFormation waits for a service to be stable. The deployment failing
// (the circuit breaker, an alarm) or being replaced by a rollback fails the
// wait with ECS's reason.
func (p ECSServices) stable(ctx context.Context, cluster, arn, id string) error {
	return p.poll(ctx, func() (bool, error) {
		svc, err := p.describe(ctx, cluster, arn)
		if err != nil {
			return false, err
		}
		var d *model.Deployment
		for i := range svc.Deployments {
			if svc.Deployments[i].ID == id {
				d = &svc.Deployments[i]
			}
		}
		switch {
		case d == nil:
			return false, deploymentFailed(p.replacedReason(ctx, cluster, arn, id))
		case d.RolloutState == model.RolloutFailed:
			return false, deploymentFailed(d.RolloutStateReason)
		}
		return d.RolloutState == model.RolloutCompleted && len(svc.Deployments) == 1 && svc.RunningCount == svc.DesiredCount, nil
	})
}

// poll calls done every Poll (200 ms when 0) until it reports true or an
// error, or ctx ends.
func (p ECSServices) poll(ctx context.Context, done func() (bool, error)) error {
	every := p.Poll
	if every == 0 {
		every = 200 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if ok, err := done(); ok || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// replacedReason is why a deployment that is no longer the service's was
// ended (a rollback replaced it), from the service deployment ECS records.
func (p ECSServices) replacedReason(ctx context.Context, cluster, arn, id string) string {
	reason := "ECS deployment " + id + " was replaced before it completed"
	seq := strings.TrimLeft(strings.TrimPrefix(id, "ecs-svc/"), "0")
	out, err := p.Ops.ListServiceDeployments(ctx, &ecsops.ListServiceDeploymentsInput{Cluster: cluster, Service: arn})
	if err != nil {
		return reason
	}
	for _, b := range out.ServiceDeployments {
		if strings.HasSuffix(b.ServiceDeploymentARN, "/"+seq) && b.StatusReason != "" {
			return b.StatusReason
		}
	}
	return reason
}

// deploymentFailed is a failed deployment as CloudFormation's ECS handler
// reports it.
func deploymentFailed(reason string) error {
	return awserr.Status(http.StatusInternalServerError, "GeneralServiceException", "Error occurred during operation '%s'.", reason)
}

// Delete implements stack.Provider: the service is deleted (its tasks are
// drained and stopped) and waited for until INACTIVE.
func (p ECSServices) Delete(ctx context.Context, req *stack.Request) error {
	var in struct {
		Cluster string `json:"cluster"`
	}
	_ = decodeAPI(map[string]any{"cluster": req.Properties["Cluster"]}, &in, false)
	if _, err := p.Ops.DeleteService(ctx, &ecsops.DeleteServiceInput{Cluster: in.Cluster, Service: req.PhysicalID, Force: true}); err != nil {
		return notFound(err, state.ErrServiceNotFound, state.ErrClusterNotFound)
	}
	return p.poll(ctx, func() (bool, error) {
		svc, err := p.describe(ctx, in.Cluster, req.PhysicalID)
		if errors.Is(err, stack.ErrNotFound) {
			return true, nil
		}
		if err != nil {
			return false, notFound(err, state.ErrClusterNotFound)
		}
		return svc.Status == model.ServiceInactive, nil
	})
}

// Read implements stack.Reader: the task definition and desired count the
// service has now (what UpdateService outside the stack changes).
func (p ECSServices) Read(ctx context.Context, req *stack.Request) (map[string]any, error) {
	var in struct {
		Cluster string `json:"cluster"`
	}
	_ = decodeAPI(map[string]any{"cluster": req.Properties["Cluster"]}, &in, false)
	svc, err := p.describe(ctx, in.Cluster, req.PhysicalID)
	if err != nil {
		return nil, notFound(err, state.ErrClusterNotFound)
	}
	if svc.Status == model.ServiceInactive {
		return nil, fmt.Errorf("%w: service %s is INACTIVE", stack.ErrNotFound, req.PhysicalID)
	}
	return map[string]any{"TaskDefinition": svc.TaskDefinition, "DesiredCount": svc.DesiredCount}, nil
}

// Read implements stack.Reader: a revision is immutable, so only its
// deregistration (outside the stack) is drift.
func (p ECSTaskDefinitions) Read(ctx context.Context, req *stack.Request) (map[string]any, error) {
	td, err := p.Ops.DescribeTaskDefinition(ctx, &ecsops.DescribeTaskDefinitionInput{TaskDefinition: req.PhysicalID})
	if err != nil {
		return nil, notFound(err, state.ErrTaskDefinitionNotFound)
	}
	if td.Status != "ACTIVE" {
		return nil, fmt.Errorf("%w: task definition %s is %s", stack.ErrNotFound, req.PhysicalID, td.Status)
	}
	return map[string]any{}, nil
}
