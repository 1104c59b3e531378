package ecsops

import (
	"context"
	"encoding/json"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// Service revisions: each Slipway deployment deploys one service revision,
// numbered like the deployment, that records what it ran.

// ContainerImage is one container of a revision and the image it runs.
type ContainerImage struct {
	ContainerName string
	Image         string
}

// ServiceRevision is a service revision as DescribeServiceRevisions shows it.
type ServiceRevision struct {
	ServiceRevisionARN string
	ServiceARN         string
	ClusterARN         string
	TaskDefinition     string
	LaunchType         string
	// LoadBalancers are those the revision's deployment registered with;
	// never nil.
	LoadBalancers []model.LoadBalancer
	// ContainerImages are the task definition's containers; never nil
	// (empty when the definition is no longer stored).
	ContainerImages []ContainerImage
	CreatedAt       model.Time
	// VolumeConfigurations and VpcLatticeConfigurations are the
	// deployment's, stored and echoed.
	VolumeConfigurations     json.RawMessage
	VpcLatticeConfigurations json.RawMessage
	// NetworkConfiguration and PlatformVersion are the service's when the
	// deployment started.
	NetworkConfiguration json.RawMessage
	PlatformVersion      string
}

// DescribeServiceRevisionsInput is DescribeServiceRevisions' input.
type DescribeServiceRevisionsInput struct {
	ServiceRevisionARNs []string `json:"serviceRevisionArns"`
}

// DescribeServiceRevisionsOutput is DescribeServiceRevisions' output.
type DescribeServiceRevisionsOutput struct {
	ServiceRevisions []ServiceRevision
	Failures         []Failure
}

// DescribeServiceRevisions describes revisions by ARN; a MISSING failure
// answers for each one that does not exist.
func (s *Ops) DescribeServiceRevisions(ctx context.Context, in *DescribeServiceRevisionsInput) (*DescribeServiceRevisionsOutput, error) {
	if len(in.ServiceRevisionARNs) == 0 || len(in.ServiceRevisionARNs) > MaxDescribeServiceDeployments {
		return nil, invalidParam("serviceRevisionArns must have between 1 and %d items.", MaxDescribeServiceDeployments)
	}
	out := &DescribeServiceRevisionsOutput{}
	err := s.st.View(ctx, func(tx state.Tx) (err error) {
		out.ServiceRevisions, out.Failures, err = describeByARN(tx, in.ServiceRevisionARNs, findServiceRevision)
		return err
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}

func findServiceRevision(tx state.Tx, arn string) (ServiceRevision, error) {
	svc, _, seq, err := serviceOfARN(tx, arn, "service-revision")
	if err != nil {
		return ServiceRevision{}, err
	}
	for _, d := range allDeployments(svc) {
		if seqString(d) != seq {
			continue
		}
		out := ServiceRevision{ServiceRevisionARN: arn, ServiceARN: svc.ARN, ClusterARN: svc.ClusterARN,
			TaskDefinition: d.TaskDefinition, LaunchType: d.LaunchType, LoadBalancers: d.Internal.LoadBalancers,
			ContainerImages: []ContainerImage{}, CreatedAt: d.CreatedAt,
			VolumeConfigurations: d.VolumeConfigurations, VpcLatticeConfigurations: d.VpcLatticeConfigurations,
			NetworkConfiguration: d.NetworkConfiguration, PlatformVersion: d.PlatformVersion}
		if out.LoadBalancers == nil {
			out.LoadBalancers = []model.LoadBalancer{}
		}
		if td, err := tx.ResolveTaskDefinition(d.TaskDefinition); err == nil {
			for _, c := range td.Spec.ContainerDefinitions {
				out.ContainerImages = append(out.ContainerImages, ContainerImage{ContainerName: c.Name, Image: c.Image})
			}
		}
		return out, nil
	}
	return ServiceRevision{}, errMissing
}
