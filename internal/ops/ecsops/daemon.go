package ecsops

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/scheduler"
)

// checkDaemonCapacity refuses a DAEMON service whose tasks would be
// Fargate's, as ECS does ("Fargate tasks don't support the DAEMON
// scheduling strategy"): a DAEMON task belongs to a container instance,
// which a Fargate task has none of. svc is the service as it will be
// stored, so a strategy taken from the cluster's default is checked too.
func checkDaemonCapacity(svc *model.Service) error {
	if svc.SchedulingStrategy != model.SchedulingDaemon {
		return nil
	}
	if svc.LaunchType == model.LaunchTypeFargate {
		return invalidParam("The DAEMON scheduling strategy is not supported for the FARGATE launch type.")
	}
	for _, it := range scheduler.StrategyOf(svc.CapacityProviderStrategy) {
		if it.Provider == model.CapacityFargate || it.Provider == model.CapacityFargateSpot {
			return invalidParam("The DAEMON scheduling strategy is not supported for the %s capacity provider: Fargate tasks do not run on container instances.", it.Provider)
		}
	}
	return nil
}
