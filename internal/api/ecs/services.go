package ecs

import (
	"encoding/json"
	"sync"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

// serviceOut is the ECS Service shape: the record without Slipway's
// bookkeeping (the outer Internal field hides the embedded one and is
// omitted), with deployments as ECS shows them and the derived counts.
type serviceOut struct {
	model.Service
	Internal *struct{} `json:"internal,omitempty"`
	// ECS shows these on deployments and revisions only.
	VolumeConfigurations     *struct{}       `json:"volumeConfigurations,omitempty"`
	VpcLatticeConfigurations *struct{}       `json:"vpcLatticeConfigurations,omitempty"`
	ServiceConnectConfig     *struct{}       `json:"serviceConnectConfiguration,omitempty"`
	Deployments              []deploymentOut `json:"deployments"`
	TaskSets                 *[]taskSetOut   `json:"taskSets,omitempty"`
	RunningCount             int             `json:"runningCount"`
	PendingCount             int             `json:"pendingCount"`
	// Tags are []model.Tag, sent (as [] when none) where ECS sends them.
	Tags any `json:"tags,omitempty"`
	// ECS sends these when empty or unset too: lists as [], propagateTags
	// NONE, and DISABLED for a service that never had a rebalancing value.
	ServiceRegistries           json.RawMessage `json:"serviceRegistries"`
	PlacementConstraints        json.RawMessage `json:"placementConstraints"`
	PlacementStrategy           json.RawMessage `json:"placementStrategy"`
	PropagateTags               string          `json:"propagateTags"`
	AvailabilityZoneRebalancing string          `json:"availabilityZoneRebalancing"`
	NetworkConfiguration        json.RawMessage `json:"networkConfiguration,omitempty"`
	PlatformVersion             string          `json:"platformVersion,omitempty"`
}

// Defaults of the service members ECS always sends.
const (
	propagateTagsNone   = "NONE"
	rebalancingNeverSet = "DISABLED"
)

// rawOrEmpty is raw, or an empty JSON list.
func rawOrEmpty(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("[]")
	}
	return raw
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

type deploymentOut struct {
	model.Deployment
	Internal             *struct{}       `json:"internal,omitempty"`
	NetworkConfiguration json.RawMessage `json:"networkConfiguration,omitempty"`
	PlatformVersion      string          `json:"platformVersion,omitempty"`
}

// deploymentWire is a deployment as ECS shows it: its network
// configuration with assignPublicIp, a Fargate one's platform resolved.
func deploymentWire(d model.Deployment) deploymentOut {
	out := deploymentOut{Deployment: d, NetworkConfiguration: networkConfigurationWire(d.NetworkConfiguration), PlatformVersion: d.PlatformVersion}
	if d.LaunchType == model.LaunchTypeFargate {
		out.PlatformVersion = resolvedPlatform(d.PlatformVersion)
	}
	return out
}

func serviceWire(s ecsops.Service) serviceOut {
	out := serviceOut{Service: s.Service, Deployments: make([]deploymentOut, 0, len(s.Deployments)),
		RunningCount: s.RunningCount, PendingCount: s.PendingCount, TaskSets: serviceTaskSets(s.Service),
		ServiceRegistries: rawOrEmpty(s.ServiceRegistries), PlacementConstraints: rawOrEmpty(s.PlacementConstraints),
		PlacementStrategy: rawOrEmpty(s.PlacementStrategy), PropagateTags: orDefault(s.PropagateTags, propagateTagsNone),
		AvailabilityZoneRebalancing: orDefault(s.AvailabilityZoneRebalancing, rebalancingNeverSet),
		NetworkConfiguration:        networkConfigurationWire(s.NetworkConfiguration), PlatformVersion: s.PlatformVersion}
	if s.LaunchType == model.LaunchTypeFargate {
		out.PlatformVersion = orDefault(s.PlatformVersion, platformLatest)
	}
	for _, d := range s.Deployments {
		out.Deployments = append(out.Deployments, deploymentWire(d))
	}
	return out
}

type serviceResult struct {
	Service serviceOut `json:"service"`
}

// serviceResultOut is CreateService's, UpdateService's and DeleteService's
// answer, which ECS always sends with the service's tags.
func serviceResultOut(s *ecsops.Service) any {
	out := serviceWire(*s)
	out.Tags = orEmpty(s.Tags)
	return serviceResult{Service: out}
}

type describeServicesResp struct {
	Services []json.RawMessage `json:"services"`
	Failures []failure         `json:"failures"`
}

// describeServicesOut encodes each service through the view cache.
func (h *Handler) describeServicesOut(o *ecsops.DescribeServicesOutput, withTags bool) (any, error) {
	resp := describeServicesResp{Services: make([]json.RawMessage, 0, len(o.Services)), Failures: failuresWire(o.Failures)}
	for _, s := range o.Services {
		view, err := h.views.encode(s, withTags)
		if err != nil {
			return nil, err
		}
		resp.Services = append(resp.Services, view)
	}
	return resp, nil
}

type listServicesResp struct {
	ServiceArns []string `json:"serviceArns"`
	NextToken   string   `json:"nextToken,omitempty"`
}

func listServicesOut(o *ecsops.ListServicesOutput) any {
	return listServicesResp{ServiceArns: o.ServiceARNs, NextToken: o.NextToken}
}

// viewCache keeps the encoded DescribeServices view of each service at the
// revision it was encoded from, so that repeated describes of an unchanged
// service (the common case: dashboards, deploy followers) encode nothing.
// An entry is one service's: a service of the same name created later has
// another incarnation and replaces it, and an INACTIVE service's entry is
// evicted (it is described rarely and never changes again).
type viewCache struct {
	mu sync.Mutex // protects m
	m  map[string]cachedView
}

type cachedView struct {
	incarnation, revision uint64
	json                  json.RawMessage
}

func newViewCache() *viewCache { return &viewCache{m: map[string]cachedView{}} }

// encode returns the JSON view of s (with its tags when withTags), from the
// cache when this very service has not changed since it was encoded.
func (c *viewCache) encode(s ecsops.Service, withTags bool) (json.RawMessage, error) {
	if withTags {
		out := serviceWire(s)
		out.Tags = orEmpty(s.Tags)
		return json.Marshal(out)
	}
	s.Tags = nil
	in := s.Internal
	c.mu.Lock()
	e, ok := c.m[s.ARN]
	if s.Status == model.ServiceInactive {
		delete(c.m, s.ARN)
	}
	c.mu.Unlock()
	if ok && e.incarnation == in.Incarnation && e.revision == in.Revision && in.Revision != 0 {
		return e.json, nil
	}
	b, err := json.Marshal(serviceWire(s))
	if err != nil || s.Status == model.ServiceInactive {
		return b, err
	}
	c.mu.Lock()
	c.m[s.ARN] = cachedView{incarnation: in.Incarnation, revision: in.Revision, json: b}
	c.mu.Unlock()
	return b, nil
}
