package ecs

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

// The capacity providers' JSON shapes, member for member as ECS sends them.

type capacityProviderOut struct {
	model.CapacityProvider
	Tags []model.Tag `json:"tags"` // always, [] without include TAGS
}

type capacityProviderResult struct {
	CapacityProvider capacityProviderOut `json:"capacityProvider"`
}

func capacityProviderResultOut(cp *ecsops.CapacityProvider) any {
	return capacityProviderResult{CapacityProvider: capacityProviderOut{CapacityProvider: cp.CapacityProvider, Tags: orEmpty(cp.Tags)}}
}

type describeCapacityProvidersResp struct {
	CapacityProviders []capacityProviderOut `json:"capacityProviders"`
	Failures          []failure             `json:"failures"`
	NextToken         string                `json:"nextToken,omitempty"`
}

func describeCapacityProvidersOut(o *ecsops.DescribeCapacityProvidersOutput) any {
	resp := describeCapacityProvidersResp{CapacityProviders: make([]capacityProviderOut, 0, len(o.CapacityProviders)),
		Failures: failuresWire(o.Failures), NextToken: o.NextToken}
	for _, cp := range o.CapacityProviders {
		resp.CapacityProviders = append(resp.CapacityProviders, capacityProviderOut{CapacityProvider: cp.CapacityProvider, Tags: orEmpty(cp.Tags)})
	}
	return resp
}
