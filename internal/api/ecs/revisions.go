package ecs

import (
	"context"
	"errors"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// Service revisions: each Slipway deployment deploys one service revision,
// numbered like the deployment, that records what it ran.

type containerImageOut struct {
	ContainerName string `json:"containerName"`
	Image         string `json:"image"`
}

type serviceRevisionOut struct {
	ServiceRevisionARN string               `json:"serviceRevisionArn"`
	ServiceARN         string               `json:"serviceArn"`
	ClusterARN         string               `json:"clusterArn"`
	TaskDefinition     string               `json:"taskDefinition"`
	LaunchType         string               `json:"launchType,omitempty"`
	LoadBalancers      []model.LoadBalancer `json:"loadBalancers"`
	ContainerImages    []containerImageOut  `json:"containerImages"`
	CreatedAt          model.Time           `json:"createdAt"`
}

type describeServiceRevisionsIn struct {
	ServiceRevisionARNs []string `json:"serviceRevisionArns"`
}

type describeServiceRevisionsOut struct {
	ServiceRevisions []serviceRevisionOut `json:"serviceRevisions"`
	Failures         []failure            `json:"failures"`
}

func (h *Handler) describeServiceRevisions(ctx context.Context, in *describeServiceRevisionsIn) (*describeServiceRevisionsOut, error) {
	if len(in.ServiceRevisionARNs) == 0 || len(in.ServiceRevisionARNs) > 20 {
		return nil, invalidParam("serviceRevisionArns must have between 1 and 20 items.")
	}
	out := &describeServiceRevisionsOut{ServiceRevisions: []serviceRevisionOut{}, Failures: []failure{}}
	err := h.st.View(ctx, func(tx state.Tx) error {
		for _, arn := range in.ServiceRevisionARNs {
			rev, err := findServiceRevision(tx, arn)
			if errors.Is(err, errMissing) {
				out.Failures = append(out.Failures, failure{ARN: arn, Reason: "MISSING"})
				continue
			} else if err != nil {
				return err
			}
			out.ServiceRevisions = append(out.ServiceRevisions, rev)
		}
		return nil
	})
	return out, err
}

func findServiceRevision(tx state.Tx, arn string) (serviceRevisionOut, error) {
	a, ok := model.ParseARN(arn)
	parts := strings.Split(a.Resource, "/")
	if !ok || len(parts) != 4 || parts[0] != "service-revision" {
		return serviceRevisionOut{}, errMissing
	}
	svc, err := tx.Service(parts[1], parts[2])
	if errors.Is(err, state.ErrServiceNotFound) {
		return serviceRevisionOut{}, errMissing
	} else if err != nil {
		return serviceRevisionOut{}, err
	}
	for _, d := range allDeployments(svc) {
		if seqString(d) != parts[3] {
			continue
		}
		out := serviceRevisionOut{ServiceRevisionARN: arn, ServiceARN: svc.ARN, ClusterARN: svc.ClusterARN,
			TaskDefinition: d.TaskDefinition, LaunchType: d.LaunchType, LoadBalancers: d.Internal.LoadBalancers,
			ContainerImages: []containerImageOut{}, CreatedAt: d.CreatedAt}
		if out.LoadBalancers == nil {
			out.LoadBalancers = []model.LoadBalancer{}
		}
		if td, err := tx.ResolveTaskDefinition(d.TaskDefinition); err == nil {
			for _, c := range td.Spec.ContainerDefinitions {
				out.ContainerImages = append(out.ContainerImages, containerImageOut{ContainerName: c.Name, Image: c.Image})
			}
		}
		return out, nil
	}
	return serviceRevisionOut{}, errMissing
}
