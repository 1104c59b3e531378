package ecsops

import (
	"context"
	"reflect"
	"time"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// UpdateServiceInput is UpdateService's input. Every member but Service is
// optional: nil pointers, empty strings and empty documents leave the
// service's value unchanged.
//
// To scale a service (what Application Auto Scaling does), set only Cluster,
// Service and DesiredCount: the current deployments are rescaled and no new
// deployment starts.
type UpdateServiceInput struct {
	// Cluster is a name or ARN; empty means the default cluster.
	Cluster string `json:"cluster"`
	// Service is a name or ARN; it must be given.
	Service      string `json:"service"`
	DesiredCount *int   `json:"desiredCount"`
	// TaskDefinition, when it names another revision than the service's,
	// starts a new deployment of it.
	TaskDefinition string `json:"taskDefinition"`
	// DeploymentConfiguration is merged onto the current one member by member.
	DeploymentConfiguration       *model.DeploymentConfiguration `json:"deploymentConfiguration"`
	ForceNewDeployment            bool                           `json:"forceNewDeployment"`
	HealthCheckGracePeriodSeconds *int                           `json:"healthCheckGracePeriodSeconds"`
	EnableExecuteCommand          *bool                          `json:"enableExecuteCommand"`
	EnableECSManagedTags          *bool                          `json:"enableECSManagedTags"`
	// LoadBalancers, when given (even empty), replaces the service's; a change
	// starts a new deployment.
	LoadBalancers *[]model.LoadBalancer `json:"loadBalancers"`
	PropagateTags string                `json:"propagateTags"`
	ServiceEchoedInput
}

// UpdateService follows ECS: a new task definition, changed load balancers,
// a changed network configuration or forceNewDeployment start a new PRIMARY
// deployment; a desired count alone rescales the current deployments without
// starting one. A DAEMON service's desired count (one task per container
// instance) cannot be set.
func (s *Ops) UpdateService(ctx context.Context, in *UpdateServiceInput) (*Service, error) {
	if err := validateUpdateService(in); err != nil {
		return nil, apiErr(err)
	}
	var out Service
	redeployed := false
	err := s.st.Update(ctx, func(tx state.Tx) error {
		cluster, svc, err := activeService(tx, in.Cluster, in.Service)
		if err != nil {
			return err
		}
		if svc.UsesTaskSets() {
			if err := applyTaskSetServiceUpdate(&svc, in, s.st.NowTime()); err != nil {
				return err
			}
			out, err = putAndView(tx, cluster.Name, svc)
			return err
		}
		if err := checkCapacityStrategy(cluster, in.CapacityProviderStrategy, ""); err != nil {
			return err
		}
		redeploy, err := s.applyServiceUpdate(ctx, tx, &svc, in)
		if err != nil {
			return err
		}
		if err := checkDaemonCapacity(&svc); err != nil {
			return err
		}
		redeployed = redeploy != ""
		if redeployed {
			seq, err := tx.NextDeploymentSeq()
			if err != nil {
				return err
			}
			svc.StartDeployment(seq, redeploy, s.st.Now())
		}
		out, err = putAndView(tx, cluster.Name, svc)
		return err
	})
	if err != nil {
		return nil, apiErr(err)
	}
	s.log.Info("service updated", "service", out.ARN, "desired", out.DesiredCount, "new_deployment", redeployed)
	return &out, nil
}

func validateUpdateService(in *UpdateServiceInput) error {
	if in.Service == "" {
		return invalidParam("service must be specified.")
	}
	if in.DesiredCount != nil {
		if err := model.ValidateDesiredCount(*in.DesiredCount); err != nil {
			return err
		}
	}
	if err := in.ServiceEchoedInput.validate(); err != nil {
		return err
	}
	if in.HealthCheckGracePeriodSeconds != nil && *in.HealthCheckGracePeriodSeconds < 0 {
		return invalidParam("healthCheckGracePeriodSeconds must be at least 0.")
	}
	return nil
}

// applyServiceUpdate changes svc as asked and returns the task definition ARN
// to deploy, or "" when no new deployment is needed.
func (s *Ops) applyServiceUpdate(ctx context.Context, tx state.Tx, svc *model.Service, in *UpdateServiceInput) (string, error) {
	redeploy, td, err := s.deploymentChange(ctx, tx, svc, in)
	if err != nil {
		return "", err
	}
	if in.ForceNewDeployment {
		redeploy = td.ARN
	}
	if in.DesiredCount != nil && svc.SchedulingStrategy == model.SchedulingDaemon {
		return "", invalidParam("The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again")
	}
	if in.DesiredCount != nil {
		svc.DesiredCount = *in.DesiredCount
		if p := svc.Primary(); p != nil {
			p.DesiredCount = *in.DesiredCount
		}
		svc.Internal.SteadySince = time.Time{}
	}
	if in.DeploymentConfiguration != nil {
		merged := mergeDeploymentConfig(svc.DeploymentConfiguration, *in.DeploymentConfiguration)
		// Validated merged: a canaryConfiguration alone updates a CANARY service.
		if err := model.ValidateDeploymentConfiguration(merged, svc.SchedulingStrategy); err != nil {
			return "", err
		}
		svc.DeploymentConfiguration = merged
	}
	if in.DeploymentConfiguration != nil || in.LoadBalancers != nil {
		if err := validateStrategy(tx, svc.DeploymentConfiguration, svc.DeploymentController, svc.LoadBalancers); err != nil {
			return "", err
		}
	}
	if in.HealthCheckGracePeriodSeconds != nil {
		if len(svc.LoadBalancers) == 0 {
			return "", invalidParam("Health check grace period is only valid for services configured to use load balancers")
		}
		svc.HealthCheckGracePeriodSeconds = in.HealthCheckGracePeriodSeconds
	}
	applyServiceSwitches(svc, in)
	return redeploy, nil
}

// applyServiceSwitches applies the members of an update that start nothing:
// execute command, managed tags, tag propagation and the echoed fields.
func applyServiceSwitches(svc *model.Service, in *UpdateServiceInput) {
	if in.EnableExecuteCommand != nil {
		svc.EnableExecuteCommand = *in.EnableExecuteCommand
	}
	if in.EnableECSManagedTags != nil {
		svc.EnableECSManagedTags = *in.EnableECSManagedTags
	}
	if in.PropagateTags != "" {
		svc.PropagateTags = in.PropagateTags
	}
	in.ServiceEchoedInput.apply(&svc.ServiceEchoedFields)
}

// deploymentChange applies the members of an update that decide what the
// service runs (task definition, load balancers, network) and validates the
// result; it returns the task definition to deploy if they changed, and the
// one the service will run.
func (s *Ops) deploymentChange(ctx context.Context, tx state.Tx, svc *model.Service, in *UpdateServiceInput) (string, model.TaskDefinition, error) {
	redeploy := ""
	td, err := tx.ResolveTaskDefinition(svc.TaskDefinition)
	if err != nil {
		return "", td, err
	}
	if in.TaskDefinition != "" {
		if td, err = activeTaskDefinition(tx, in.TaskDefinition); err != nil {
			return "", td, err
		}
		if td.ARN != svc.TaskDefinition {
			redeploy = td.ARN
		}
	}
	if in.LoadBalancers != nil && !reflect.DeepEqual(*in.LoadBalancers, svc.LoadBalancers) {
		svc.LoadBalancers = *in.LoadBalancers
		redeploy = td.ARN
	}
	if redeploy != "" || in.LoadBalancers != nil {
		if err := s.validateLoadBalancers(ctx, td, svc.LoadBalancers); err != nil {
			return "", td, err
		}
	}
	if len(in.NetworkConfiguration) > 0 && !jsonEqual(in.NetworkConfiguration, svc.NetworkConfiguration) {
		redeploy = td.ARN // ECS deploys a changed network configuration
	}
	network := svc.NetworkConfiguration
	if len(in.NetworkConfiguration) > 0 {
		network = in.NetworkConfiguration
	}
	if err := checkServiceNetwork(tx, td, network, svc.LoadBalancers); err != nil {
		return "", td, err
	}
	return redeploy, td, nil
}

// mergeDeploymentConfig applies the fields of an update onto the current
// configuration; fields the update leaves out keep their values, as in ECS.
func mergeDeploymentConfig(cur, upd model.DeploymentConfiguration) model.DeploymentConfiguration {
	if upd.MaximumPercent != nil {
		cur.MaximumPercent = upd.MaximumPercent
	}
	if upd.MinimumHealthyPercent != nil {
		cur.MinimumHealthyPercent = upd.MinimumHealthyPercent
	}
	if upd.DeploymentCircuitBreaker != nil {
		cur.DeploymentCircuitBreaker = upd.DeploymentCircuitBreaker
	}
	if upd.Alarms != nil {
		cur.Alarms = upd.Alarms
	}
	if upd.Strategy != "" && upd.Strategy != cur.Strategy {
		// The previous strategy's own settings do not carry over to another.
		cur.Strategy, cur.CanaryConfiguration, cur.LinearConfiguration = upd.Strategy, nil, nil
		if !cur.ShiftsTraffic() {
			cur.BakeTimeInMinutes = nil
		}
	}
	if upd.BakeTimeInMinutes != nil {
		cur.BakeTimeInMinutes = upd.BakeTimeInMinutes
	}
	if upd.LifecycleHooks != nil {
		cur.LifecycleHooks = upd.LifecycleHooks
	}
	if upd.CanaryConfiguration != nil {
		cur.CanaryConfiguration = upd.CanaryConfiguration
	}
	if upd.LinearConfiguration != nil {
		cur.LinearConfiguration = upd.LinearConfiguration
	}
	return cur
}

// DeleteServiceInput is DeleteService's input.
type DeleteServiceInput struct {
	// Cluster is a name or ARN; empty means the default cluster.
	Cluster string `json:"cluster"`
	// Service is a name or ARN; it must be given.
	Service string `json:"service"`
	// Force deletes a service that is not scaled to 0.
	Force bool `json:"force"`
}

// DeleteService follows ECS: without Force a service must be scaled to 0
// first; the service becomes DRAINING while its tasks stop, then INACTIVE.
func (s *Ops) DeleteService(ctx context.Context, in *DeleteServiceInput) (*Service, error) {
	if in.Service == "" {
		return nil, invalidParam("service must be specified.")
	}
	var out Service
	err := s.st.Update(ctx, func(tx state.Tx) error {
		cluster, svc, err := activeService(tx, in.Cluster, in.Service)
		if err != nil {
			return err
		}
		if svc.DesiredCount > 0 && !in.Force {
			return invalidParam("The service cannot be stopped while it is scaled above 0.")
		}
		svc.BeginDeletion()
		out, err = putAndView(tx, cluster.Name, svc)
		return err
	})
	if err != nil {
		return nil, apiErr(err)
	}
	s.log.Info("service deleted", "service", out.ARN)
	return &out, nil
}

// activeService loads a service that UpdateService or DeleteService may
// change: its cluster must be ACTIVE and the service ACTIVE, else ECS's
// ServiceNotActiveException.
func activeService(tx state.Tx, clusterRef, serviceRef string) (model.Cluster, model.Service, error) {
	cluster, err := tx.ActiveCluster(clusterName(clusterRef))
	if err != nil {
		return cluster, model.Service{}, err
	}
	svc, err := tx.Service(cluster.Name, serviceName(serviceRef))
	if err == nil && svc.Status != model.ServiceActive {
		err = awserr.New(CodeServiceNotActive, "Service was not ACTIVE.")
	}
	return cluster, svc, err
}

// putAndView stores a changed service and renders it, with its tags, for
// the operation's answer.
func putAndView(tx state.Tx, cluster string, svc model.Service) (Service, error) {
	if err := tx.PutService(cluster, svc); err != nil {
		return Service{}, err
	}
	tags, err := tx.Tags(svc.ARN)
	return serviceOf(svc, tags), err
}
