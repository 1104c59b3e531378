package ecsops

import (
	"bytes"
	"strconv"

	"github.com/slipway-dev/slipway/internal/model"
)

// IncludeStatistics is the DescribeClusters include value asking for the
// cluster's statistics by launch type.
const IncludeStatistics = "STATISTICS"

// The launch types the statistics tell apart.
const (
	launchFargate  = "FARGATE"
	launchExternal = "EXTERNAL"
)

// clusterStatistics are the statistics ECS lists for a cluster with
// include STATISTICS, by launch type: tasks running and pending, services
// active and draining, each for EC2 and for Fargate, as decimal strings
// in ECS's order. EXTERNAL tasks and services are in none of them, as in
// ECS; a service or task without a launch type counts by its capacity
// provider strategy (FARGATE and FARGATE_SPOT are Fargate, any other EC2).
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
	case launchFargate:
		return true, true
	case launchExternal:
		return false, false
	case "":
		return bytes.Contains(strategy, []byte(`"FARGATE`)), true
	}
	return false, true
}

func bump(fargate bool, fg, ec2 *int) {
	if fargate {
		*fg++
	} else {
		*ec2++
	}
}
