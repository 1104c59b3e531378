package model

import (
	"bytes"
	"encoding/json"
)

// ECS's quotas and request limits, from the ECS service quotas page and the
// API reference. Every input that makes Slipway store, start or read more is
// bounded by one of these, refused with ECS's exception and message.
const (
	// MaxTasksPerService is "Tasks per service": the largest desired count.
	MaxTasksPerService = 5000
	// MaxRunTaskCount is "Tasks launched (count) per run-task".
	MaxRunTaskCount = 10
	// MaxContainersPerTaskDefinition is "Containers per task definition".
	MaxContainersPerTaskDefinition = 10
	// MaxTaskDefinitionBytes is the task definition size limit (64 KiB).
	MaxTaskDefinitionBytes = 64 << 10
	// MaxOverridesChars is RunTask's limit on overrides, JSON formatting
	// characters included.
	MaxOverridesChars = 8192
	// MaxLoadBalancersPerService is "Target groups per service".
	MaxLoadBalancersPerService = 5
	// MaxSubnets and MaxSecurityGroups bound an awsvpcConfiguration.
	MaxSubnets        = 16
	MaxSecurityGroups = 5
	// MaxPlacementConstraints and MaxPlacementStrategies bound a service's
	// or a task's placement settings.
	MaxPlacementConstraints = 10
	MaxPlacementStrategies  = 5
	// MaxCapacityProviders is "Capacity providers per cluster", which also
	// bounds a capacity provider strategy.
	MaxCapacityProviders = 20
	// MaxEchoedBytes bounds each field that is stored and echoed without
	// meaning here (network configuration, service registries, ...): far
	// above what any valid value of those shapes takes, so that a stored
	// record stays small enough to be read on every controller pass.
	MaxEchoedBytes = 16 << 10
)

// ValidateDesiredCount applies the tasks-per-service quota.
func ValidateDesiredCount(n int) error {
	if n < 0 {
		return paramErr("desiredCount must be at least 0.")
	}
	if n > MaxTasksPerService {
		return paramErr("Desired count exceeds limit.")
	}
	return nil
}

// ValidateOverrides applies RunTask's size limit on overrides, measured as
// ECS does on the JSON it was given without insignificant whitespace.
func ValidateOverrides(raw json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return paramErr("overrides is not valid JSON.")
	}
	if compact.Len() > MaxOverridesChars {
		return paramErr("Container Overrides length must be at most %d", MaxOverridesChars)
	}
	return nil
}

// ValidateEchoed bounds a stored-and-echoed JSON field, and the lists ECS
// bounds inside it. name is the request field, for the message.
func ValidateEchoed(name string, raw json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	if len(raw) > MaxEchoedBytes {
		return paramErr("%s must be at most %d bytes.", name, MaxEchoedBytes)
	}
	switch name {
	case "networkConfiguration":
		var nc struct {
			Awsvpc *struct {
				Subnets        []json.RawMessage `json:"subnets"`
				SecurityGroups []json.RawMessage `json:"securityGroups"`
			} `json:"awsvpcConfiguration"`
		}
		if err := json.Unmarshal(raw, &nc); err != nil {
			return paramErr("networkConfiguration is not valid: %v", err)
		}
		if nc.Awsvpc != nil {
			if err := MaxItems("subnets", len(nc.Awsvpc.Subnets), MaxSubnets); err != nil {
				return err
			}
			return MaxItems("securityGroups", len(nc.Awsvpc.SecurityGroups), MaxSecurityGroups)
		}
	case "placementConstraints", "placementStrategy", "capacityProviderStrategy", "defaultCapacityProviderStrategy":
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return paramErr("%s must be a list.", name)
		}
		limit := map[string]int{"placementConstraints": MaxPlacementConstraints, "placementStrategy": MaxPlacementStrategies,
			"capacityProviderStrategy": MaxCapacityProviders, "defaultCapacityProviderStrategy": MaxCapacityProviders}[name]
		return MaxItems(name, len(list), limit)
	}
	return nil
}

// MaxItems words a list limit as ECS does ("services can have at most 10 items.").
func MaxItems(name string, n, limit int) error {
	if n > limit {
		return paramErr("%s can have at most %d items.", name, limit)
	}
	return nil
}

// taskDefinitionTooLarge is ECS's answer to a definition over 64 KiB.
func taskDefinitionTooLarge(n int) error {
	return clientErr("Actual length: '%d'. Max allowed length is '%d' bytes.", n, MaxTaskDefinitionBytes)
}

// maxRegistrationBytes bounds a RegisterTaskDefinition request before it
// is decoded: a definition of at most 64 KiB and 50 tags of at most 384
// characters each fit many times over, even pretty-printed.
const maxRegistrationBytes = 1 << 20

func checkRegistrationSize(raw []byte) error {
	if len(raw) > maxRegistrationBytes {
		return taskDefinitionTooLarge(len(raw))
	}
	return nil
}
