package model

import (
	"encoding/json"
	"strings"
)

// Capacity provider statuses, types and update statuses used by Slipway.
const (
	CapacityProviderActive   = "ACTIVE"
	CapacityProviderInactive = "INACTIVE"

	CapacityFargate        = "FARGATE"
	CapacityFargateSpot    = "FARGATE_SPOT"
	CapacityEC2AutoScaling = "EC2_AUTOSCALING"
	CapacityManaged        = "MANAGED_INSTANCES"

	CapacityCreateComplete = "CREATE_COMPLETE"
	CapacityUpdateComplete = "UPDATE_COMPLETE"
	CapacityDeleteComplete = "DELETE_COMPLETE"
)

// CapacityProvider is an ECS capacity provider. Its Auto Scaling group or
// managed-instances configuration is stored and echoed: Slipway's capacity
// is the container instances its agents register, not EC2 instances.
type CapacityProvider struct {
	Name                     string          `json:"name"`
	ARN                      string          `json:"capacityProviderArn"`
	Status                   string          `json:"status"`
	Type                     string          `json:"type"`
	Cluster                  string          `json:"cluster,omitempty"`
	UpdateStatus             string          `json:"updateStatus,omitempty"`
	AutoScalingGroupProvider json.RawMessage `json:"autoScalingGroupProvider,omitempty"`
	ManagedInstancesProvider json.RawMessage `json:"managedInstancesProvider,omitempty"`
}

// BuiltinCapacityProvider returns FARGATE or FARGATE_SPOT, which every
// account has and nobody creates or deletes.
func (p Partition) BuiltinCapacityProvider(name string) (CapacityProvider, bool) {
	if name != CapacityFargate && name != CapacityFargateSpot {
		return CapacityProvider{}, false
	}
	return CapacityProvider{Name: name, ARN: p.CapacityProviderARN(name), Status: CapacityProviderActive, Type: name}, true
}

// CapacityProviderARN returns arn:aws:ecs:REGION:ACCOUNT:capacity-provider/NAME.
func (p Partition) CapacityProviderARN(name string) string { return p.ecs("capacity-provider/" + name) }

// ValidCapacityProviderName applies ECS's rule for a new provider's name:
// 1-255 letters, numbers, hyphens and underscores, not prefixed with aws,
// ecs or fargate.
func ValidCapacityProviderName(name string) bool {
	lower := strings.ToLower(name)
	for _, p := range []string{"aws", "ecs", "fargate"} {
		if strings.HasPrefix(lower, p) {
			return false
		}
	}
	return ValidName(name)
}

// CapacityProviderStrategyItem is one provider of a capacity provider strategy.
type CapacityProviderStrategyItem struct {
	CapacityProvider string `json:"capacityProvider"`
	Weight           *int   `json:"weight,omitempty"`
	Base             *int   `json:"base,omitempty"`
}

// ValidateCapacityProviderStrategy applies ECS's bounds: base 0-100,000 on
// at most one provider, weight 0-1,000, each provider once, at most
// MaxCapacityProviders of them.
func ValidateCapacityProviderStrategy(items []CapacityProviderStrategyItem) error {
	if err := MaxItems("capacityProviderStrategy", len(items), MaxCapacityProviders); err != nil {
		return err
	}
	seen, bases := map[string]bool{}, 0
	for _, it := range items {
		switch {
		case it.CapacityProvider == "":
			return paramErr("capacityProvider must be specified in each capacity provider strategy item.")
		case seen[it.CapacityProvider]:
			return paramErr("The capacity provider strategy names %s more than once.", it.CapacityProvider)
		case it.Weight != nil && (*it.Weight < 0 || *it.Weight > 1000):
			return paramErr("The weight of a capacity provider strategy item must be between 0 and 1000.")
		case it.Base != nil && (*it.Base < 0 || *it.Base > 100000):
			return paramErr("The base of a capacity provider strategy item must be between 0 and 100000.")
		}
		if it.Base != nil && *it.Base > 0 {
			bases++
		}
		seen[it.CapacityProvider] = true
	}
	if bases > 1 {
		return paramErr("Only one capacity provider in a capacity provider strategy can have a base defined.")
	}
	return nil
}

// Launch types.
const (
	LaunchTypeFargate  = "FARGATE"
	LaunchTypeEC2      = "EC2"
	LaunchTypeExternal = "EXTERNAL"
)

// ProviderLaunchType is the launch type of a task placed by a capacity
// provider: FARGATE for FARGATE and FARGATE_SPOT, EC2 for the cluster's
// own providers (Auto Scaling group and managed-instances providers alike
// run on the cluster's container instances here).
func ProviderLaunchType(provider string) string {
	if provider == CapacityFargate || provider == CapacityFargateSpot {
		return LaunchTypeFargate
	}
	return LaunchTypeEC2
}
