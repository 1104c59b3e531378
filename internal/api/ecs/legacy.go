package ecs

import (
	"encoding/json"
	"errors"
	"slices"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// Helpers of the operations not yet moved to package ecsops (tasks,
// container instances, tags, service deployments and revisions). They go
// with those operations.

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

func validateLaunchType(lt string) error {
	switch lt {
	case "", "EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES":
		return nil
	}
	return invalidParam("launchType must be one of EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES.")
}

type pageRange struct{ start, end int }

// paginate finds the page after the key `after` in an ordered key list and
// returns its bounds and the next token.
func paginate(keys []string, after string, limit int) (pageRange, string) {
	start := 0
	if after != "" {
		start = slices.Index(keys, after) + 1
	}
	end := min(start+limit, len(keys))
	next := ""
	if end < len(keys) {
		next = state.EncodeToken(keys[end-1])
	}
	return pageRange{start, end}, next
}
