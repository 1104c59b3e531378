package ecs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

type createServiceIn struct {
	Cluster                       string                        `json:"cluster"`
	ServiceName                   string                        `json:"serviceName"`
	TaskDefinition                string                        `json:"taskDefinition"`
	LoadBalancers                 []model.LoadBalancer          `json:"loadBalancers"`
	DesiredCount                  *int                          `json:"desiredCount"`
	ClientToken                   string                        `json:"clientToken"`
	LaunchType                    string                        `json:"launchType"`
	Role                          string                        `json:"role"`
	DeploymentConfiguration       model.DeploymentConfiguration `json:"deploymentConfiguration"`
	DeploymentController          *model.DeploymentController   `json:"deploymentController"`
	HealthCheckGracePeriodSeconds *int                          `json:"healthCheckGracePeriodSeconds"`
	SchedulingStrategy            string                        `json:"schedulingStrategy"`
	Tags                          []model.Tag                   `json:"tags"`
	EnableECSManagedTags          bool                          `json:"enableECSManagedTags"`
	PropagateTags                 string                        `json:"propagateTags"`
	EnableExecuteCommand          bool                          `json:"enableExecuteCommand"`
	echoedIn
}

// echoedIn are request fields stored and returned as given.
type echoedIn struct {
	PlatformVersion             string          `json:"platformVersion"`
	NetworkConfiguration        json.RawMessage `json:"networkConfiguration"`
	PlacementConstraints        json.RawMessage `json:"placementConstraints"`
	PlacementStrategy           json.RawMessage `json:"placementStrategy"`
	CapacityProviderStrategy    json.RawMessage `json:"capacityProviderStrategy"`
	ServiceRegistries           json.RawMessage `json:"serviceRegistries"`
	ServiceConnectConfiguration json.RawMessage `json:"serviceConnectConfiguration"`
	AvailabilityZoneRebalancing string          `json:"availabilityZoneRebalancing"`
	VolumeConfigurations        json.RawMessage `json:"volumeConfigurations"`
	VpcLatticeConfigurations    json.RawMessage `json:"vpcLatticeConfigurations"`
}

// validate bounds the echoed fields as ECS bounds them (subnets, security
// groups, placement lists) and in size, since they are stored in the
// service record that every controller pass reads.
func (e echoedIn) validate() error {
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{
		{"networkConfiguration", e.NetworkConfiguration}, {"placementConstraints", e.PlacementConstraints},
		{"placementStrategy", e.PlacementStrategy}, {"capacityProviderStrategy", e.CapacityProviderStrategy},
		{"serviceRegistries", e.ServiceRegistries}, {"serviceConnectConfiguration", e.ServiceConnectConfiguration},
		{"volumeConfigurations", e.VolumeConfigurations}, {"vpcLatticeConfigurations", e.VpcLatticeConfigurations},
	} {
		if err := model.ValidateEchoed(f.name, f.raw); err != nil {
			return err
		}
	}
	if len(e.PlatformVersion) > 255 || len(e.AvailabilityZoneRebalancing) > 255 {
		return invalidParam("platformVersion and availabilityZoneRebalancing must be at most 255 characters.")
	}
	return nil
}

// apply copies the fields that were given onto the service's echoed fields.
func (e echoedIn) apply(s *model.ServiceEchoedFields) {
	set := func(dst *json.RawMessage, src json.RawMessage) {
		if len(src) > 0 {
			*dst = src
		}
	}
	if e.PlatformVersion != "" {
		s.PlatformVersion = e.PlatformVersion
	}
	if e.AvailabilityZoneRebalancing != "" {
		s.AvailabilityZoneRebalancing = e.AvailabilityZoneRebalancing
	}
	set(&s.NetworkConfiguration, e.NetworkConfiguration)
	set(&s.PlacementConstraints, e.PlacementConstraints)
	set(&s.PlacementStrategy, e.PlacementStrategy)
	set(&s.CapacityProviderStrategy, e.CapacityProviderStrategy)
	set(&s.ServiceRegistries, e.ServiceRegistries)
	set(&s.ServiceConnectConfig, e.ServiceConnectConfiguration)
}

type serviceResult struct {
	Service serviceOut `json:"service"`
}

func (h *Handler) createService(ctx context.Context, in *createServiceIn) (*serviceResult, error) {
	if err := validateCreateService(in); err != nil {
		return nil, err
	}
	var out serviceOut
	err := h.st.Update(ctx, func(tx state.Tx) error {
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		if err := checkServiceNameFree(tx, cluster.Name, in.ServiceName); err != nil {
			return err
		}
		td, err := activeTaskDefinition(tx, in.TaskDefinition)
		if err != nil {
			return err
		}
		if err := h.validateLoadBalancers(ctx, td, in.LoadBalancers); err != nil {
			return err
		}
		if err := checkServiceNetwork(tx, td, in.NetworkConfiguration, in.LoadBalancers); err != nil {
			return err
		}
		svc := newService(tx, cluster, in, h.st.NowTime())
		seq, err := tx.NextDeploymentSeq()
		if err != nil {
			return err
		}
		svc.StartDeployment(seq, td.ARN, h.st.Now())
		svc.Internal.Incarnation = seq
		if err := tx.PutService(cluster.Name, svc); err != nil {
			return err
		}
		if err := tx.PutTags(svc.ARN, in.Tags); err != nil {
			return err
		}
		out = serviceView(svc, in.Tags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &serviceResult{Service: out}, nil
}

func validateCreateService(in *createServiceIn) error {
	if in.ServiceName == "" {
		return invalidParam("serviceName must be specified.")
	}
	if !model.ValidName(in.ServiceName) {
		return invalidParam("Service name must be 1-255 letters, numbers, hyphens and underscores.")
	}
	if in.TaskDefinition == "" {
		return invalidParam("TaskDefinition must be specified.")
	}
	switch in.SchedulingStrategy {
	case "", "REPLICA":
		if in.DesiredCount == nil {
			return invalidParam("desiredCount must be specified for the REPLICA scheduling strategy.")
		}
	case "DAEMON":
		if in.DesiredCount != nil {
			return invalidParam("The daemon scheduling strategy does not support a desired count for services.")
		}
	default:
		return invalidParam("schedulingStrategy must be REPLICA or DAEMON.")
	}
	if in.DesiredCount != nil {
		if err := model.ValidateDesiredCount(*in.DesiredCount); err != nil {
			return err
		}
	}
	if err := validateClientToken(in.ClientToken); err != nil {
		return err
	}
	if err := in.echoedIn.validate(); err != nil {
		return err
	}
	if in.HealthCheckGracePeriodSeconds != nil && (*in.HealthCheckGracePeriodSeconds < 0 || *in.HealthCheckGracePeriodSeconds > 2147483647) {
		return invalidParam("healthCheckGracePeriodSeconds must be at least 0.")
	}
	if in.HealthCheckGracePeriodSeconds != nil && len(in.LoadBalancers) == 0 {
		return invalidParam("Health check grace period is only valid for services configured to use load balancers")
	}
	if err := validateLaunchType(in.LaunchType); err != nil {
		return err
	}
	if err := model.ValidateTags(in.Tags); err != nil {
		return err
	}
	return model.ValidateDeploymentConfiguration(in.DeploymentConfiguration, in.SchedulingStrategy)
}

// validateClientToken applies ECS's rule: up to 36 ASCII characters in the
// range 33-126.
func validateClientToken(tok string) error {
	if len(tok) > 36 {
		return invalidParam("clientToken must be at most 36 characters.")
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < 33 || tok[i] > 126 {
			return invalidParam("clientToken may only contain ASCII characters in the range 33-126.")
		}
	}
	return nil
}

func validateLaunchType(lt string) error {
	switch lt {
	case "", "EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES":
		return nil
	}
	return invalidParam("launchType must be one of EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES.")
}

// checkServiceNameFree follows ECS: a name held by an ACTIVE service is not
// idempotent, one held by a DRAINING service cannot be reused yet, and an
// INACTIVE one is replaced.
func checkServiceNameFree(tx state.Tx, cluster, name string) error {
	existing, err := tx.Service(cluster, name)
	switch {
	case errors.Is(err, state.ErrServiceNotFound):
		return nil
	case err != nil:
		return err
	case existing.Status == model.ServiceActive:
		return invalidParam("Creation of service was not idempotent.")
	case existing.Status == model.ServiceDraining:
		return invalidParam("Unable to Start a service that is still Draining.")
	}
	return nil
}

// activeTaskDefinition resolves a reference for a new service or task: it
// must exist and be ACTIVE, with ECS's messages otherwise.
func activeTaskDefinition(tx state.Tx, ref string) (model.TaskDefinition, error) {
	td, err := tx.ResolveTaskDefinition(ref)
	if errors.Is(err, state.ErrTaskDefinitionNotFound) {
		return td, invalidParam("TaskDefinition not found.")
	}
	if err == nil && td.Status != model.TaskDefinitionActive {
		return td, invalidParam("TaskDefinition is inactive")
	}
	return td, err
}

func newService(tx state.Tx, cluster model.Cluster, in *createServiceIn, now model.Time) model.Service {
	svc := model.Service{
		Name: in.ServiceName, ARN: tx.Partition.ServiceARN(cluster.Name, in.ServiceName), ClusterARN: cluster.ARN,
		Status: model.ServiceActive, LaunchType: in.LaunchType, LoadBalancers: in.LoadBalancers,
		DeploymentConfiguration: in.DeploymentConfiguration, DeploymentController: in.DeploymentController,
		HealthCheckGracePeriodSeconds: in.HealthCheckGracePeriodSeconds, SchedulingStrategy: in.SchedulingStrategy,
		CreatedAt: now, CreatedBy: fmt.Sprintf("arn:aws:iam::%s:root", tx.Partition.Account),
		PropagateTags: in.PropagateTags, EnableECSManagedTags: in.EnableECSManagedTags,
		EnableExecuteCommand: in.EnableExecuteCommand, Events: []model.ServiceEvent{},
	}
	if svc.LaunchType == "" && len(in.CapacityProviderStrategy) == 0 {
		svc.LaunchType = "EC2"
	}
	if svc.SchedulingStrategy == "" {
		svc.SchedulingStrategy = "REPLICA"
	}
	if svc.DeploymentController == nil {
		svc.DeploymentController = &model.DeploymentController{Type: "ECS"}
	}
	if svc.LoadBalancers == nil {
		svc.LoadBalancers = []model.LoadBalancer{}
	}
	if in.DesiredCount != nil {
		svc.DesiredCount = *in.DesiredCount
	}
	if in.Role != "" {
		svc.Role = roleARN(tx.Partition.Account, in.Role)
	}
	in.echoedIn.apply(&svc.ServiceEchoedFields)
	defaultDeploymentConfig(&svc.DeploymentConfiguration)
	return svc
}

// defaultDeploymentConfig fills ECS's defaults so DescribeServices shows them.
func defaultDeploymentConfig(c *model.DeploymentConfiguration) {
	if c.MaximumPercent == nil {
		v := c.MaxPercent()
		c.MaximumPercent = &v
	}
	if c.MinimumHealthyPercent == nil {
		v := c.MinHealthyPercent()
		c.MinimumHealthyPercent = &v
	}
	if c.DeploymentCircuitBreaker == nil {
		c.DeploymentCircuitBreaker = &model.DeploymentCircuitBreaker{}
	}
	if c.Strategy == "" {
		c.Strategy = "ROLLING"
	}
}

// roleARN expands a role name to its ARN, as ECS reports roleArn.
func roleARN(account, role string) string {
	if strings.HasPrefix(role, "arn:") {
		return role
	}
	return fmt.Sprintf("arn:aws:iam::%s:role/%s", account, strings.TrimPrefix(role, "/"))
}

// validateLoadBalancers checks each target group exists and is attached to a
// load balancer, and that the container and port exist in the task definition.
func (h *Handler) validateLoadBalancers(ctx context.Context, td model.TaskDefinition, lbs []model.LoadBalancer) error {
	if len(lbs) > model.MaxLoadBalancersPerService {
		return invalidParam("A service can have at most %d load balancers (target groups).", model.MaxLoadBalancersPerService)
	}
	for _, lb := range lbs {
		if lb.TargetGroupARN == "" {
			return invalidParam("targetGroupArn must be specified: Slipway load balancers are Application Load Balancers.")
		}
		if err := checkContainerPort(td, lb); err != nil {
			return err
		}
		if h.tgs == nil {
			return invalidParam("Unable to validate the specified targetGroupArn %s: no load balancer is configured.", lb.TargetGroupARN)
		}
		exists, attached, err := h.tgs.TargetGroupInUse(ctx, lb.TargetGroupARN)
		switch {
		case err != nil:
			return err
		case !exists:
			return invalidParam("Unable to find target group %s.", lb.TargetGroupARN)
		case !attached:
			return invalidParam("The target group with targetGroupArn %s does not have an associated load balancer.", lb.TargetGroupARN)
		}
	}
	return nil
}

func checkContainerPort(td model.TaskDefinition, lb model.LoadBalancer) error {
	for _, c := range td.Spec.ContainerDefinitions {
		if c.Name != lb.ContainerName {
			continue
		}
		for _, pm := range c.PortMappings {
			if pm.ContainerPort == lb.ContainerPort {
				return nil
			}
		}
		return invalidParam("The container %s did not have a container port %d defined.", lb.ContainerName, lb.ContainerPort)
	}
	return invalidParam("The container %s does not exist in the task definition.", lb.ContainerName)
}
