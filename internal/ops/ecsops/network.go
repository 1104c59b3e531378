package ecsops

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// ECS's bounds on an awsvpcConfiguration.
const (
	maxSubnets        = 16
	maxSecurityGroups = 5
)

// awsvpcConfigurationFor checks a request's networkConfiguration against the
// task definition's network mode as ECS does (required for awsvpc, refused
// for the other modes) and returns an awsvpc task's configuration.
func awsvpcConfigurationFor(td model.TaskDefinition, raw json.RawMessage) (*model.AwsvpcConfiguration, error) {
	var nc model.NetworkConfiguration
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &nc); err != nil {
			return nil, invalidParam("networkConfiguration is not valid: %v", err)
		}
	}
	awsvpc := td.Spec.NetworkMode == model.NetworkModeAwsvpc
	c := nc.AwsvpcConfiguration
	switch {
	case awsvpc && c == nil:
		return nil, invalidParam("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
	case !awsvpc && c != nil:
		return nil, invalidParam("Network Configuration is not valid for the given networkMode of this task definition.")
	case !awsvpc:
		return nil, nil
	case len(c.Subnets) == 0:
		return nil, invalidParam("subnets can not be empty.")
	case len(c.Subnets) > maxSubnets:
		return nil, invalidParam("subnets can have at most %d items.", maxSubnets)
	case len(c.SecurityGroups) > maxSecurityGroups:
		return nil, invalidParam("securityGroups can have at most %d items.", maxSecurityGroups)
	case c.AssignPublicIP != "" && c.AssignPublicIP != "ENABLED" && c.AssignPublicIP != "DISABLED":
		return nil, invalidParam("assignPublicIp must be ENABLED or DISABLED.")
	}
	return c, nil
}

// checkTargetTypes follows ECS: an awsvpc task is registered by its address,
// so its target groups must be of target type ip; the other modes are
// registered by instance and need instance target groups. Target groups
// not in the store are left to validateLoadBalancers.
func checkTargetTypes(tx state.Tx, td model.TaskDefinition, lbs []model.LoadBalancer) error {
	mode := td.Spec.NetworkMode
	if mode == "" {
		mode = "bridge"
	}
	for _, lb := range lbs {
		tg, err := tx.TargetGroup(lb.TargetGroupARN)
		if errors.Is(err, state.ErrTargetGroupNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		want := model.TargetTypeInstance
		if mode == model.NetworkModeAwsvpc {
			want = model.TargetTypeIP
		}
		if tg.TargetType != "" && tg.TargetType != want {
			return invalidParam("The provided target group %s has target type %s, which is incompatible with the %s network mode specified in the task definition.",
				lb.TargetGroupARN, tg.TargetType, mode)
		}
	}
	return nil
}

// checkServiceNetwork validates a service's network configuration and its
// target groups' target types against its task definition.
func checkServiceNetwork(tx state.Tx, td model.TaskDefinition, network json.RawMessage, lbs []model.LoadBalancer) error {
	if _, err := awsvpcConfigurationFor(td, network); err != nil {
		return err
	}
	return checkTargetTypes(tx, td, lbs)
}

// jsonEqual reports whether two JSON documents hold the same value.
func jsonEqual(a, b json.RawMessage) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb)
}

// validateLoadBalancers checks each target group exists and is attached to a
// load balancer, and that the container and port exist in the task definition.
func (s *Ops) validateLoadBalancers(ctx context.Context, td model.TaskDefinition, lbs []model.LoadBalancer) error {
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
		if s.tgs == nil {
			return invalidParam("Unable to validate the specified targetGroupArn %s: no load balancer is configured.", lb.TargetGroupARN)
		}
		exists, attached, err := s.tgs.TargetGroupInUse(ctx, lb.TargetGroupARN)
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

// validateLaunchType follows ECS's LaunchType enum.
func validateLaunchType(lt string) error {
	switch lt {
	case "", "EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES":
		return nil
	}
	return invalidParam("launchType must be one of EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES.")
}
