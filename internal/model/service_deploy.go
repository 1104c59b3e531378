package model

import (
	"fmt"
	"time"
)

// StartDeployment makes a new PRIMARY deployment of taskDef at the service's
// desired count, as ECS does on CreateService and on UpdateService with a new
// task definition or forceNewDeployment. The previous PRIMARY and any other
// live deployment become ACTIVE: their tasks are drained by the new rollout.
func (s *Service) StartDeployment(seq uint64, taskDef string, now time.Time) *Deployment {
	at := At(now)
	var sources []uint64
	for i := range s.Deployments {
		d := &s.Deployments[i]
		if d.Status == DeploymentPrimary {
			d.Status = DeploymentActive
			d.UpdatedAt = at
		}
		sources = append(sources, d.Internal.Seq)
	}
	id := DeploymentID(seq)
	s.Deployments = append([]Deployment{{
		ID: id, Status: DeploymentPrimary, TaskDefinition: taskDef, DesiredCount: s.DesiredCount,
		CreatedAt: at, UpdatedAt: at, LaunchType: s.LaunchType,
		VolumeConfigurations: s.VolumeConfigurations, VpcLatticeConfigurations: s.VpcLatticeConfigurations,
		ServiceConnectConfiguration: s.ServiceConnectConfig,
		NetworkConfiguration:        s.NetworkConfiguration, PlatformVersion: s.PlatformVersion,
		RolloutState: RolloutInProgress, RolloutStateReason: fmt.Sprintf("ECS deployment %s in progress.", id),
		Internal: DeploymentInternal{Seq: seq, Config: s.DeploymentConfiguration, Sources: sources, StartedAt: at,
			Outcome: OutcomeInProgress, LoadBalancers: s.LoadBalancers},
	}}, s.Deployments...)
	s.TaskDefinition = taskDef
	s.Internal.SteadySince = time.Time{}
	// A new deployment is a new chance: failures of the one it replaces do
	// not throttle its first launches.
	s.Internal.LaunchFailures = 0
	s.Internal.BackoffUntil = time.Time{}
	return &s.Deployments[0]
}

// ValidateDeploymentConfiguration checks the bounds ECS enforces on a
// deployment configuration: the rolling update's percentages, the circuit
// breaker's threshold and the traffic-shifting strategies' settings.
func ValidateDeploymentConfiguration(c DeploymentConfiguration, strategy string) error {
	if c.MinimumHealthyPercent != nil && (*c.MinimumHealthyPercent < 0 || *c.MinimumHealthyPercent > 100) {
		return paramErr("minimumHealthyPercent must be between 0 and 100.")
	}
	if c.MaximumPercent != nil && strategy != SchedulingDaemon && *c.MaximumPercent < 100 {
		return paramErr("maximumPercent must be at least 100.")
	}
	if c.MaximumPercent != nil && *c.MaximumPercent > 2000 {
		return paramErr("maximumPercent must be at most 2000.")
	}
	if cb := c.DeploymentCircuitBreaker; cb != nil && cb.ThresholdConfiguration != nil {
		if err := validateThreshold(*cb.ThresholdConfiguration); err != nil {
			return err
		}
	}
	switch c.Strategy {
	case "", StrategyRolling, StrategyBlueGreen, StrategyLinear, StrategyCanary:
	default:
		return paramErr("Invalid deployment strategy %q. Valid values are ROLLING, BLUE_GREEN, LINEAR and CANARY.", c.Strategy)
	}
	if c.ShiftsTraffic() && strategy == SchedulingDaemon {
		return paramErr("The %s deployment strategy is not supported for services using the DAEMON scheduling strategy.", c.Strategy)
	}
	return validateStrategySettings(c)
}

func validateThreshold(tc ThresholdConfiguration) error {
	switch tc.Type {
	case ThresholdCount, ThresholdUnboundedPercent:
		if tc.Value < 1 {
			return paramErr("thresholdConfiguration value must be at least 1.")
		}
	case ThresholdBoundedPercent:
		if tc.Value < 1 || tc.Value > 100 {
			return paramErr("thresholdConfiguration value must be between 1 and 100 for BOUNDED_PERCENT.")
		}
	default:
		return paramErr("thresholdConfiguration type must be COUNT, BOUNDED_PERCENT or UNBOUNDED_PERCENT.")
	}
	return nil
}

// BeginDeletion marks the service DRAINING at a desired count of 0, as ECS's
// DeleteService does; the controller stops its tasks and then makes it
// INACTIVE.
func (s *Service) BeginDeletion() {
	s.Status = ServiceDraining
	s.DesiredCount = 0
	for i := range s.Deployments {
		s.Deployments[i].DesiredCount = 0
	}
	for i := range s.TaskSets {
		s.TaskSets[i].Status, s.TaskSets[i].ComputedDesiredCount = TaskSetDraining, 0
	}
}
