package ecsops

import (
	"context"
	"errors"
	"slices"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// MaxDescribeServices is how many services one DescribeServices names at most.
const MaxDescribeServices = 10

// DescribeServicesInput is DescribeServices' input.
type DescribeServicesInput struct {
	// Cluster is a name or ARN; empty means the default cluster.
	Cluster string `json:"cluster"`
	// Services are names or ARNs, 1 to MaxDescribeServices of them.
	Services []string `json:"services"`
	// Include may hold IncludeTags.
	Include []string `json:"include"`
}

// DescribeServicesOutput is DescribeServices' output: the services found, in
// the order asked, and a MISSING failure for each one that does not exist.
type DescribeServicesOutput struct {
	Services []Service
	Failures []Failure
}

// DescribeServices describes services of an ACTIVE cluster, DRAINING and
// INACTIVE ones included.
func (s *Ops) DescribeServices(ctx context.Context, in *DescribeServicesInput) (*DescribeServicesOutput, error) {
	if len(in.Services) == 0 {
		return nil, invalidParam("services must contain at least one service.")
	}
	if len(in.Services) > MaxDescribeServices {
		return nil, invalidParam("services can have at most %d items.", MaxDescribeServices)
	}
	withTags := slices.Contains(in.Include, IncludeTags)
	out := &DescribeServicesOutput{}
	err := s.st.View(ctx, func(tx state.Tx) error {
		out.Services, out.Failures = make([]Service, 0, len(in.Services)), []Failure{}
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		for _, ref := range in.Services {
			svc, err := tx.Service(cluster.Name, serviceName(ref))
			if errors.Is(err, state.ErrServiceNotFound) {
				out.Failures = append(out.Failures, Failure{
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
			out.Services = append(out.Services, serviceOf(svc, tags))
		}
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}

// ListServicesInput is ListServices' input.
type ListServicesInput struct {
	// Cluster is a name or ARN; empty means the default cluster.
	Cluster            string `json:"cluster"`
	LaunchType         string `json:"launchType"`
	SchedulingStrategy string `json:"schedulingStrategy"`
	NextToken          string `json:"nextToken"`
	// MaxResults defaults to 10, at most 100.
	MaxResults *int `json:"maxResults"`
}

// ListServicesOutput is ListServices' output.
type ListServicesOutput struct {
	ServiceARNs []string
	NextToken   string
}

// ListServices lists ACTIVE and DRAINING services, as ECS does; INACTIVE
// services are only visible to DescribeServices.
func (s *Ops) ListServices(ctx context.Context, in *ListServicesInput) (*ListServicesOutput, error) {
	limit, start, err := pageParams(in.MaxResults, in.NextToken, 10, 100)
	if err != nil {
		return nil, apiErr(err)
	}
	out := &ListServicesOutput{}
	err = s.st.View(ctx, func(tx state.Tx) error {
		out.ServiceARNs, out.NextToken = []string{}, ""
		after := start
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
			if len(out.ServiceARNs) == limit {
				out.NextToken = state.EncodeToken(after)
				return false
			}
			out.ServiceARNs = append(out.ServiceARNs, s.ARN)
			after = key
			return true
		})
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}
