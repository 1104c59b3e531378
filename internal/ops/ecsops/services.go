package ecsops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/slipway-dev/slipway/internal/analysis"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// Service is a service as ECS describes it: the stored record, whose
// Deployments hold only its live deployments (INACTIVE ones are left out, as
// ECS leaves them out) and whose Events are never nil, with the task counts
// summed over those deployments (or, for a service deployed through task
// sets, over its task sets).
type Service struct {
	model.Service
	RunningCount int
	PendingCount int
	// Tags are the service's tags, when they were asked for (always on
	// CreateService, UpdateService and DeleteService).
	Tags []model.Tag
}

// serviceOf renders a service. Counts are the sums over its live
// deployments, which the service controller keeps current.
func serviceOf(s model.Service, tags []model.Tag) Service {
	out := Service{Service: s, Tags: tags}
	out.Deployments = make([]model.Deployment, 0, len(s.Deployments))
	for _, d := range s.Deployments {
		if d.Status == model.DeploymentInactive {
			continue
		}
		out.Deployments = append(out.Deployments, d)
		out.RunningCount += d.RunningCount
		out.PendingCount += d.PendingCount
	}
	for _, ts := range s.TaskSets {
		out.RunningCount += ts.RunningCount
		out.PendingCount += ts.PendingCount
	}
	if out.Events == nil {
		out.Events = []model.ServiceEvent{}
	}
	return out
}

// ServiceEchoedInput are the members of CreateService and UpdateService that
// are stored and returned as given: they have no effect on one local node
// (except networkConfiguration, which an awsvpc task definition requires).
// Empty members leave the service's values unchanged on UpdateService.
type ServiceEchoedInput struct {
	PlatformVersion             string          `json:"platformVersion"`
	NetworkConfiguration        json.RawMessage `json:"networkConfiguration"`
	PlacementConstraints        json.RawMessage `json:"placementConstraints"`
	PlacementStrategy           json.RawMessage `json:"placementStrategy"`
	CapacityProviderStrategy    json.RawMessage `json:"capacityProviderStrategy"`
	ServiceRegistries           json.RawMessage `json:"serviceRegistries"`
	ServiceConnectConfiguration json.RawMessage `json:"serviceConnectConfiguration"`
	AvailabilityZoneRebalancing string          `json:"availabilityZoneRebalancing"`
	// VolumeConfigurations and VpcLatticeConfigurations are stored and
	// echoed on the deployments they start with (no meaning here).
	VolumeConfigurations     json.RawMessage `json:"volumeConfigurations"`
	VpcLatticeConfigurations json.RawMessage `json:"vpcLatticeConfigurations"`
}

// validate bounds the echoed fields as ECS bounds them (subnets, security
// groups, placement lists) and in size, since they are stored in the
// service record that every controller pass reads.
func (e ServiceEchoedInput) validate() error {
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
func (e ServiceEchoedInput) apply(s *model.ServiceEchoedFields) {
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
	set(&s.VolumeConfigurations, e.VolumeConfigurations)
	set(&s.VpcLatticeConfigurations, e.VpcLatticeConfigurations)
}

// CreateServiceInput is CreateService's input. Role is stored and echoed as
// roleArn (a bare name is expanded to the account's role ARN); IAM has no
// meaning here.
type CreateServiceInput struct {
	// Cluster is a name or ARN; empty means the default cluster.
	Cluster     string `json:"cluster"`
	ServiceName string `json:"serviceName"`
	// TaskDefinition is family, family:revision or an ARN of an ACTIVE revision.
	TaskDefinition string               `json:"taskDefinition"`
	LoadBalancers  []model.LoadBalancer `json:"loadBalancers"`
	// DesiredCount is required for the REPLICA scheduling strategy and
	// refused for DAEMON.
	DesiredCount            *int                          `json:"desiredCount"`
	ClientToken             string                        `json:"clientToken"`
	LaunchType              string                        `json:"launchType"`
	Role                    string                        `json:"role"`
	DeploymentConfiguration model.DeploymentConfiguration `json:"deploymentConfiguration"`
	// DeploymentController defaults to type ECS.
	DeploymentController          *model.DeploymentController `json:"deploymentController"`
	HealthCheckGracePeriodSeconds *int                        `json:"healthCheckGracePeriodSeconds"`
	// SchedulingStrategy is REPLICA (the default) or DAEMON.
	SchedulingStrategy string      `json:"schedulingStrategy"`
	Tags               []model.Tag `json:"tags"`
	// SystemTags are tags with the reserved aws: prefix that an in-process
	// caller sets (CloudFormation's; model.ValidateSystemTags), never the wire.
	SystemTags           []model.Tag `json:"-"`
	EnableECSManagedTags bool        `json:"enableECSManagedTags"`
	PropagateTags        string      `json:"propagateTags"`
	EnableExecuteCommand bool        `json:"enableExecuteCommand"`
	ServiceEchoedInput
}

// CreateService creates an ACTIVE service and starts its first (PRIMARY)
// deployment; the service controller then places its tasks. A name held by
// an INACTIVE service is reused.
func (s *Ops) CreateService(ctx context.Context, in *CreateServiceInput) (*Service, error) {
	if err := validateCreateService(in); err != nil {
		return nil, apiErr(err)
	}
	var out Service
	err := s.st.Update(ctx, func(tx state.Tx) error {
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		if err := checkServiceNameFree(tx, cluster.Name, in.ServiceName); err != nil {
			return err
		}
		td, err := serviceTaskDefinition(tx, in)
		if err != nil {
			return err
		}
		if err := s.validateLoadBalancers(ctx, td, in.LoadBalancers); err != nil {
			return err
		}
		if err := validateStrategy(tx, in.DeploymentConfiguration, in.DeploymentController, in.LoadBalancers); err != nil {
			return err
		}
		if err := checkServiceNetwork(tx, td, in.NetworkConfiguration, in.LoadBalancers); err != nil {
			return err
		}
		if err := checkCapacityStrategy(cluster, in.CapacityProviderStrategy, in.LaunchType); err != nil {
			return err
		}
		svc := newService(tx, cluster, in, s.st.NowTime())
		if err := checkDaemonCapacity(&svc); err != nil {
			return err
		}
		seq, err := tx.NextDeploymentSeq()
		if err != nil {
			return err
		}
		if svc.UsesTaskSets() {
			startTaskSets(tx, cluster, &svc, seq, td, s.st.NowTime())
		} else {
			svc.StartDeployment(seq, td.ARN, s.st.Now())
		}
		svc.Internal.Incarnation = seq
		if err := tx.PutService(cluster.Name, svc); err != nil {
			return err
		}
		tags := withSystemTags(in.Tags, in.SystemTags)
		if err := tx.PutTags(svc.ARN, tags); err != nil {
			return err
		}
		out = serviceOf(svc, tags)
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	s.log.Info("service created", "service", out.ARN, "task_definition", out.TaskDefinition, "desired", out.DesiredCount)
	return &out, nil
}

func validateCreateService(in *CreateServiceInput) error {
	if in.ServiceName == "" {
		return invalidParam("serviceName must be specified.")
	}
	if !model.ValidName(in.ServiceName) {
		return invalidParam("Service name must be 1-255 letters, numbers, hyphens and underscores.")
	}
	if err := validateDeploymentController(in); err != nil {
		return err
	}
	switch in.SchedulingStrategy {
	case "", model.SchedulingReplica:
		if in.DesiredCount == nil {
			return invalidParam("desiredCount must be specified for the REPLICA scheduling strategy.")
		}
	case model.SchedulingDaemon:
		if in.DesiredCount != nil {
			return invalidParam("The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again")
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
	if err := in.ServiceEchoedInput.validate(); err != nil {
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
	if err := model.ValidateSystemTags(in.SystemTags); err != nil {
		return err
	}
	if err := analysis.CheckTags(in.Tags); err != nil {
		return invalidParam("%v", err)
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

func newService(tx state.Tx, cluster model.Cluster, in *CreateServiceInput, now model.Time) model.Service {
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
		// ECS: neither given means the cluster's default strategy, if any.
		svc.LaunchType = "EC2"
		if len(cluster.DefaultCapacityProviderStrategy) > 0 {
			svc.LaunchType, svc.CapacityProviderStrategy = "", cluster.DefaultCapacityProviderStrategy
		}
	}
	if svc.SchedulingStrategy == "" {
		svc.SchedulingStrategy = model.SchedulingReplica
	}
	if in.AvailabilityZoneRebalancing == "" {
		// ECS's default for a new service (an update without one keeps it).
		svc.AvailabilityZoneRebalancing = "ENABLED"
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
	in.ServiceEchoedInput.apply(&svc.ServiceEchoedFields)
	if svc.SchedulingStrategy == model.SchedulingDaemon {
		daemonDeploymentDefaults(&svc.DeploymentConfiguration)
	}
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

// daemonDeploymentDefaults are ECS's defaults for a DAEMON service: a
// deployment stops a task before it starts its replacement on the same
// instance (maximumPercent 100, minimumHealthyPercent 0).
func daemonDeploymentDefaults(c *model.DeploymentConfiguration) {
	if c.MaximumPercent == nil {
		c.MaximumPercent = new(100)
	}
	if c.MinimumHealthyPercent == nil {
		c.MinimumHealthyPercent = new(0)
	}
}
