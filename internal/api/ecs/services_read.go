package ecs

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// serviceOut is the ECS Service shape: the record without Slipway's
// bookkeeping (the outer Internal field hides the embedded one and is
// omitted), with deployments as ECS shows them and the derived counts.
type serviceOut struct {
	model.Service
	Internal     *struct{}       `json:"internal,omitempty"`
	Deployments  []deploymentOut `json:"deployments"`
	RunningCount int             `json:"runningCount"`
	PendingCount int             `json:"pendingCount"`
	Tags         []model.Tag     `json:"tags,omitempty"`
}

type deploymentOut struct {
	model.Deployment
	Internal *struct{} `json:"internal,omitempty"`
}

// serviceView renders a service. Counts are the sums over its live
// deployments, which the service controller keeps current.
func serviceView(s model.Service, tags []model.Tag) serviceOut {
	out := serviceOut{Service: s, Deployments: []deploymentOut{}, Tags: tags}
	for _, d := range s.Deployments {
		if d.Status == model.DeploymentInactive {
			continue
		}
		out.Deployments = append(out.Deployments, deploymentOut{Deployment: d})
		out.RunningCount += d.RunningCount
		out.PendingCount += d.PendingCount
	}
	if out.Events == nil {
		out.Events = []model.ServiceEvent{}
	}
	return out
}

type describeServicesIn struct {
	Cluster  string   `json:"cluster"`
	Services []string `json:"services"`
	Include  []string `json:"include"`
}

type describeServicesOut struct {
	Services []json.RawMessage `json:"services"`
	Failures []failure         `json:"failures"`
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

// encode returns the JSON view of s (with tags when withTags), from the
// cache when this very service has not changed since it was encoded.
func (c *viewCache) encode(s model.Service, tags []model.Tag, withTags bool) (json.RawMessage, error) {
	if withTags {
		return json.Marshal(serviceView(s, tags))
	}
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
	b, err := json.Marshal(serviceView(s, nil))
	if err != nil || s.Status == model.ServiceInactive {
		return b, err
	}
	c.mu.Lock()
	c.m[s.ARN] = cachedView{incarnation: in.Incarnation, revision: in.Revision, json: b}
	c.mu.Unlock()
	return b, nil
}

func (h *Handler) describeServices(ctx context.Context, in *describeServicesIn) (*describeServicesOut, error) {
	if len(in.Services) == 0 {
		return nil, invalidParam("services must contain at least one service.")
	}
	if len(in.Services) > 10 {
		return nil, invalidParam("services can have at most 10 items.")
	}
	withTags := slices.Contains(in.Include, "TAGS")
	out := &describeServicesOut{Services: []json.RawMessage{}, Failures: []failure{}}
	err := h.st.View(ctx, func(tx state.Tx) error {
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		for _, ref := range in.Services {
			svc, err := tx.Service(cluster.Name, serviceName(ref))
			if errors.Is(err, state.ErrServiceNotFound) {
				out.Failures = append(out.Failures, failure{
					ARN: tx.Partition.ServiceARN(cluster.Name, serviceName(ref)), Reason: "MISSING"})
				continue
			} else if err != nil {
				return err
			}
			var tags []model.Tag
			if withTags {
				if tags, err = tx.Tags(svc.ARN); err != nil {
					return err
				}
			}
			view, err := h.views.encode(svc, tags, withTags)
			if err != nil {
				return err
			}
			out.Services = append(out.Services, view)
		}
		return nil
	})
	return out, err
}

type listServicesIn struct {
	Cluster            string `json:"cluster"`
	LaunchType         string `json:"launchType"`
	SchedulingStrategy string `json:"schedulingStrategy"`
	NextToken          string `json:"nextToken"`
	MaxResults         *int   `json:"maxResults"`
}

type listServicesOut struct {
	ServiceArns []string `json:"serviceArns"`
	NextToken   string   `json:"nextToken,omitempty"`
}

// listServices lists ACTIVE and DRAINING services, as ECS does; INACTIVE
// services are only visible to DescribeServices.
func (h *Handler) listServices(ctx context.Context, in *listServicesIn) (*listServicesOut, error) {
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 10, 100)
	if err != nil {
		return nil, err
	}
	out := &listServicesOut{ServiceArns: []string{}}
	err = h.st.View(ctx, func(tx state.Tx) error {
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		return tx.ScanServices(cluster.Name, after, func(key string, s model.Service) bool {
			if s.Status == model.ServiceInactive ||
				in.LaunchType != "" && s.LaunchType != in.LaunchType ||
				in.SchedulingStrategy != "" && s.SchedulingStrategy != in.SchedulingStrategy {
				return true
			}
			if len(out.ServiceArns) == limit {
				out.NextToken = state.EncodeToken(after)
				return false
			}
			out.ServiceArns = append(out.ServiceArns, s.ARN)
			after = key
			return true
		})
	})
	return out, err
}
