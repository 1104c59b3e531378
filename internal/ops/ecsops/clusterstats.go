package ecsops

import (
	"slices"
	"strconv"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/scheduler"
)

// IncludeStatistics is the DescribeClusters include value asking for the
// cluster's statistics by launch type.
const IncludeStatistics = "STATISTICS"

// clusterStatistics are the statistics ECS lists for a cluster with
// include STATISTICS, by launch type: tasks running and pending, services
// active and draining, each for EC2 and for Fargate, as decimal strings
// in ECS's order. EXTERNAL tasks and services are in none of them, as in
// ECS; a service or task without a launch type counts by its capacity
// provider strategy's main provider (strategyLaunchType).
func clusterStatistics(tasks []model.Task, services []model.Service) []model.KeyValuePair {
	var runEC2, runFG, pendEC2, pendFG, actEC2, actFG, drainEC2, drainFG int
	for _, t := range tasks {
		fargate, counted := launchKind(t.LaunchType, nil)
		if !counted {
			continue
		}
		switch t.LastStatus {
		case model.TaskRunning:
			bump(fargate, &runFG, &runEC2)
		case model.TaskProvisioning, model.TaskPending, model.TaskActivating:
			bump(fargate, &pendFG, &pendEC2)
		}
	}
	for _, s := range services {
		fargate, counted := launchKind(s.LaunchType, s.CapacityProviderStrategy)
		if !counted {
			continue
		}
		switch s.Status {
		case model.ServiceActive:
			bump(fargate, &actFG, &actEC2)
		case model.ServiceDraining:
			bump(fargate, &drainFG, &drainEC2)
		}
	}
	kv := func(name string, n int) model.KeyValuePair {
		return model.KeyValuePair{Name: name, Value: strconv.Itoa(n)}
	}
	return []model.KeyValuePair{
		kv("runningEC2TasksCount", runEC2), kv("runningFargateTasksCount", runFG),
		kv("pendingEC2TasksCount", pendEC2), kv("pendingFargateTasksCount", pendFG),
		kv("activeEC2ServiceCount", actEC2), kv("activeFargateServiceCount", actFG),
		kv("drainingEC2ServiceCount", drainEC2), kv("drainingFargateServiceCount", drainFG),
	}
}

// launchKind tells Fargate from EC2; counted is false for EXTERNAL.
func launchKind(launchType string, strategy []byte) (fargate, counted bool) {
	switch launchType {
	case model.LaunchTypeFargate:
		return true, true
	case model.LaunchTypeExternal:
		return false, false
	case "":
		return strategyLaunchType(strategy) == model.LaunchTypeFargate, true
	}
	return false, true
}

// strategyLaunchType is the launch type of a capacity provider strategy's
// main provider: the one with a base, else the first with a weight, else
// the first (FARGATE and FARGATE_SPOT are Fargate, any other EC2; no
// strategy is EC2).
func strategyLaunchType(raw []byte) string {
	items := scheduler.StrategyOf(raw)
	if len(items) == 0 {
		return model.LaunchTypeEC2
	}
	main := items[0]
	if i := slices.IndexFunc(items, func(it scheduler.StrategyItem) bool { return it.Base > 0 }); i >= 0 {
		main = items[i]
	} else if i := slices.IndexFunc(items, func(it scheduler.StrategyItem) bool { return it.Weight > 0 }); i >= 0 {
		main = items[i]
	}
	return model.ProviderLaunchType(main.Provider)
}

func bump(fargate bool, fg, ec2 *int) {
	if fargate {
		*fg++
	} else {
		*ec2++
	}
}
