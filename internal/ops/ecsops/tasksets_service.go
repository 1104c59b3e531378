package ecsops

import (
	"encoding/json"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// validateDeploymentController checks CreateService's deploymentController
// as ECS does: ECS, CODE_DEPLOY or EXTERNAL; a task definition for the
// first two; REPLICA scheduling for the last two; and a load balancer for
// CODE_DEPLOY (its deployments shift traffic between two target groups).
func validateDeploymentController(in *CreateServiceInput) error {
	ctrl := model.ControllerECS
	if in.DeploymentController != nil && in.DeploymentController.Type != "" {
		ctrl = in.DeploymentController.Type
	}
	switch ctrl {
	case model.ControllerECS, model.ControllerCodeDeploy, model.ControllerExternal:
	default:
		return invalidParam("deploymentController type must be one of ECS, CODE_DEPLOY, EXTERNAL.")
	}
	if in.TaskDefinition == "" && ctrl != model.ControllerExternal {
		return invalidParam("TaskDefinition must be specified.")
	}
	if ctrl == model.ControllerECS {
		return nil
	}
	if in.SchedulingStrategy == model.SchedulingDaemon {
		return invalidParam("The DAEMON scheduling strategy is not supported for services using the %s deployment controller.", ctrl)
	}
	if err := refuseAdvancedConfiguration(ctrl, in.LoadBalancers); err != nil {
		return err
	}
	if ctrl == model.ControllerCodeDeploy && len(in.LoadBalancers) == 0 {
		return invalidParam("A service using the CODE_DEPLOY deployment controller must use an Application Load Balancer or a Network Load Balancer.")
	}
	if ctrl == model.ControllerExternal && in.TaskDefinition == "" && len(in.LoadBalancers) > 0 {
		return invalidParam("The loadBalancers of an EXTERNAL service without a taskDefinition are given on its task sets (CreateTaskSet).")
	}
	return nil
}

// serviceTaskDefinition resolves CreateService's task definition; an
// EXTERNAL service may have none (its task sets name theirs).
func serviceTaskDefinition(tx state.Tx, in *CreateServiceInput) (model.TaskDefinition, error) {
	if in.TaskDefinition == "" {
		return model.TaskDefinition{}, nil
	}
	return activeTaskDefinition(tx, in.TaskDefinition)
}

// startTaskSets begins a new service deployed through task sets: it has no
// deployments (ECS shows an empty list). A CODE_DEPLOY service starts with
// a PRIMARY task set of its task definition and load balancers at 100%, as
// ECS creates it; later CODE_DEPLOY task sets would be AWS CodeDeploy's.
// An EXTERNAL service starts with none: the external controller creates
// them (CreateTaskSet).
func startTaskSets(tx state.Tx, cluster model.Cluster, svc *model.Service, seq uint64, td model.TaskDefinition, now model.Time) {
	svc.Deployments = []model.Deployment{}
	svc.TaskSets = []model.TaskSet{}
	svc.TaskDefinition = td.ARN
	if svc.DeploymentController.Type != model.ControllerCodeDeploy {
		return
	}
	id := model.DeploymentID(seq)
	ts := model.TaskSet{
		ID: id, ARN: tx.Partition.TaskSetARN(cluster.Name, svc.Name, id), ServiceARN: svc.ARN, ClusterARN: cluster.ARN,
		Status: model.TaskSetPrimary, TaskDefinition: td.ARN,
		ComputedDesiredCount: svc.DesiredCount, CreatedAt: now, UpdatedAt: now, LaunchType: svc.LaunchType,
		CapacityProviderStrategy: svc.CapacityProviderStrategy, PlatformVersion: svc.PlatformVersion,
		NetworkConfiguration: svc.NetworkConfiguration, LoadBalancers: svc.LoadBalancers,
		ServiceRegistries: svc.ServiceRegistries, Scale: model.Scale{Value: 100, Unit: model.ScaleUnitPercent},
		StabilityStatus: model.StabilityStabilizing, StabilityStatusAt: now,
	}
	if len(ts.ServiceRegistries) == 0 {
		ts.ServiceRegistries = json.RawMessage("[]")
	}
	svc.TaskSets = append(svc.TaskSets, ts)
}

// applyTaskSetServiceUpdate is UpdateService for a service deployed through
// task sets: as ECS, only the desired count, health check grace period,
// placement, deployment configuration, managed tags and tag propagation
// change here; what the tasks run changes through new task sets.
func applyTaskSetServiceUpdate(svc *model.Service, in *UpdateServiceInput, now model.Time) error {
	ctrl := svc.DeploymentController.Type
	switch {
	case in.TaskDefinition != "" && in.TaskDefinition != svc.TaskDefinition, in.ForceNewDeployment:
		if ctrl == model.ControllerCodeDeploy {
			return invalidParam("Unable to update task definition on services with a CODE_DEPLOY deployment controller. " +
				"Use AWS CodeDeploy to trigger a new deployment (Slipway has no CodeDeploy: use the EXTERNAL deployment controller and CreateTaskSet).")
		}
		return invalidParam("Unable to update task definition on services with an EXTERNAL deployment controller. Use CreateTaskSet to deploy a new task definition.")
	case in.LoadBalancers != nil, len(in.NetworkConfiguration) > 0, in.PlatformVersion != "", len(in.CapacityProviderStrategy) > 0,
		len(in.ServiceRegistries) > 0, len(in.ServiceConnectConfiguration) > 0, len(in.VolumeConfigurations) > 0:
		return invalidParam("The load balancers, network configuration, platform version, capacity provider strategy and service registries "+
			"of a service using the %s deployment controller change with a new task set.", ctrl)
	}
	if in.DesiredCount != nil {
		svc.DesiredCount = *in.DesiredCount
	}
	if in.DeploymentConfiguration != nil {
		merged := mergeDeploymentConfig(svc.DeploymentConfiguration, *in.DeploymentConfiguration)
		if err := model.ValidateDeploymentConfiguration(merged, svc.SchedulingStrategy); err != nil {
			return err
		}
		if merged.ShiftsTraffic() {
			return invalidParam("The %s deployment strategy is only supported with the ECS deployment controller.", merged.Strategy)
		}
		svc.DeploymentConfiguration = merged
	}
	if in.HealthCheckGracePeriodSeconds != nil {
		svc.HealthCheckGracePeriodSeconds = in.HealthCheckGracePeriodSeconds
	}
	applyServiceSwitches(svc, in)
	svc.RescaleTaskSets(now)
	return nil
}

// refuseAdvancedConfiguration refuses a load balancer's advancedConfiguration
// where nothing would read it: it names what the ECS deployment
// controller's BLUE_GREEN, CANARY and LINEAR deployments shift, while the
// traffic of a service deployed through task sets is its external (or
// CodeDeploy) controller's to move between task sets' target groups.
func refuseAdvancedConfiguration(ctrl string, lbs []model.LoadBalancer) error {
	for _, l := range lbs {
		if l.AdvancedConfiguration != nil {
			return invalidParam("advancedConfiguration is only supported for services using the ECS deployment controller: with the %s deployment controller, "+
				"each task set registers in its own target group and the controller shifts traffic between them.", ctrl)
		}
	}
	return nil
}
