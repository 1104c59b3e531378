package ecs

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// serviceDeploymentStatus maps Slipway's outcome of a deployment to ECS's
// ServiceDeployment status. A deployment the circuit breaker failed without
// rollback is STOPPED, as ECS reports it.
func serviceDeploymentStatus(d model.Deployment) string {
	switch d.Internal.Outcome {
	case "", model.OutcomeInProgress:
		return model.OutcomeInProgress
	case model.OutcomeFailed:
		return model.OutcomeStopped
	}
	return d.Internal.Outcome
}

type revisionOut struct {
	ARN                string `json:"arn"`
	RequestedTaskCount int    `json:"requestedTaskCount"`
	RunningTaskCount   int    `json:"runningTaskCount"`
	PendingTaskCount   int    `json:"pendingTaskCount"`
}

type breakerOut struct {
	Status       string `json:"status"`
	FailureCount int    `json:"failureCount"`
	Threshold    int    `json:"threshold"`
}

type rollbackOut struct {
	Reason             string      `json:"reason"`
	StartedAt          *model.Time `json:"startedAt,omitempty"`
	ServiceRevisionARN string      `json:"serviceRevisionArn"`
}

type serviceDeploymentOut struct {
	ServiceDeploymentARN     string                        `json:"serviceDeploymentArn"`
	ServiceARN               string                        `json:"serviceArn"`
	ClusterARN               string                        `json:"clusterArn"`
	CreatedAt                model.Time                    `json:"createdAt"`
	StartedAt                model.Time                    `json:"startedAt"`
	FinishedAt               *model.Time                   `json:"finishedAt,omitempty"`
	UpdatedAt                model.Time                    `json:"updatedAt"`
	SourceServiceRevisions   []revisionOut                 `json:"sourceServiceRevisions"`
	TargetServiceRevision    revisionOut                   `json:"targetServiceRevision"`
	Status                   string                        `json:"status"`
	StatusReason             string                        `json:"statusReason,omitempty"`
	DeploymentConfiguration  model.DeploymentConfiguration `json:"deploymentConfiguration"`
	Rollback                 *rollbackOut                  `json:"rollback,omitempty"`
	DeploymentCircuitBreaker breakerOut                    `json:"deploymentCircuitBreaker"`
}

type briefOut struct {
	ServiceDeploymentARN     string      `json:"serviceDeploymentArn"`
	ServiceARN               string      `json:"serviceArn"`
	ClusterARN               string      `json:"clusterArn"`
	CreatedAt                model.Time  `json:"createdAt"`
	StartedAt                model.Time  `json:"startedAt"`
	FinishedAt               *model.Time `json:"finishedAt,omitempty"`
	TargetServiceRevisionARN string      `json:"targetServiceRevisionArn"`
	Status                   string      `json:"status"`
	StatusReason             string      `json:"statusReason,omitempty"`
}

// allDeployments returns a service's live deployments and its history,
// newest first.
func allDeployments(s model.Service) []model.Deployment {
	out := append(slices.Clone(s.Deployments), s.Internal.History...)
	slices.SortFunc(out, func(a, b model.Deployment) int { return int(b.Internal.Seq) - int(a.Internal.Seq) })
	return out
}

func seqString(d model.Deployment) string { return strconv.FormatUint(d.Internal.Seq, 10) }

func (h *Handler) deploymentView(p model.Partition, cluster string, s model.Service, d model.Deployment) serviceDeploymentOut {
	out := serviceDeploymentOut{
		ServiceDeploymentARN: p.ServiceDeploymentARN(cluster, s.Name, seqString(d)),
		ServiceARN:           s.ARN, ClusterARN: s.ClusterARN, CreatedAt: d.CreatedAt, StartedAt: d.Internal.StartedAt,
		UpdatedAt: d.UpdatedAt, Status: serviceDeploymentStatus(d), StatusReason: d.RolloutStateReason,
		DeploymentConfiguration: d.Internal.Config, SourceServiceRevisions: []revisionOut{},
		TargetServiceRevision: revisionOut{ARN: revisionARN(p, cluster, s.Name, d), RequestedTaskCount: d.DesiredCount,
			RunningTaskCount: d.RunningCount, PendingTaskCount: d.PendingCount},
		DeploymentCircuitBreaker: breakerOut{Status: "DISABLED", FailureCount: d.FailedTasks, Threshold: d.Internal.Config.DeploymentCircuitBreaker.Threshold(d.DesiredCount)},
	}
	if !d.Internal.FinishedAt.IsZero() {
		f := d.Internal.FinishedAt
		out.FinishedAt = &f
	}
	if cb := d.Internal.Config.DeploymentCircuitBreaker; cb != nil && cb.Enable {
		out.DeploymentCircuitBreaker.Status = "MONITORING"
		switch {
		case d.RolloutState == model.RolloutFailed:
			out.DeploymentCircuitBreaker.Status = "TRIGGERED"
		case d.RolloutState == model.RolloutCompleted:
			out.DeploymentCircuitBreaker.Status = "MONITORING_COMPLETE"
		}
	}
	all := allDeployments(s)
	for _, seq := range d.Internal.Sources {
		src := revisionOut{ARN: revisionARN(p, cluster, s.Name, model.Deployment{Internal: model.DeploymentInternal{Seq: seq}})}
		for _, other := range all {
			if other.Internal.Seq == seq && other.Status != model.DeploymentInactive {
				src.RequestedTaskCount, src.RunningTaskCount, src.PendingTaskCount = other.DesiredCount, other.RunningCount, other.PendingCount
			}
		}
		out.SourceServiceRevisions = append(out.SourceServiceRevisions, src)
	}
	if model.IsRollback(d.Internal.Outcome) {
		out.Rollback = &rollbackOut{Reason: "Circuit breaker triggered: " + d.RolloutStateReason, StartedAt: out.FinishedAt}
		for _, other := range all {
			if other.Internal.RollbackOf == d.ID {
				out.Rollback.ServiceRevisionARN = revisionARN(p, cluster, s.Name, other)
			}
		}
	}
	return out
}

// revisionARN names the service revision a deployment deploys; Slipway's
// revisions are numbered like their deployments.
func revisionARN(p model.Partition, cluster, service string, d model.Deployment) string {
	return strings.Replace(p.ServiceDeploymentARN(cluster, service, seqString(d)), ":service-deployment/", ":service-revision/", 1)
}

type listServiceDeploymentsIn struct {
	Cluster    string   `json:"cluster"`
	Service    string   `json:"service"`
	Status     []string `json:"status"`
	NextToken  string   `json:"nextToken"`
	MaxResults *int     `json:"maxResults"`
}

type listServiceDeploymentsOut struct {
	ServiceDeployments []briefOut `json:"serviceDeployments"`
	NextToken          string     `json:"nextToken,omitempty"`
}

func (h *Handler) listServiceDeployments(ctx context.Context, in *listServiceDeploymentsIn) (*listServiceDeploymentsOut, error) {
	if in.Service == "" {
		return nil, invalidParam("service must be specified.")
	}
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 20, 100)
	if err != nil {
		return nil, err
	}
	out := &listServiceDeploymentsOut{ServiceDeployments: []briefOut{}}
	err = h.st.View(ctx, func(tx state.Tx) error {
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		svc, err := tx.Service(cluster.Name, serviceName(in.Service))
		if err != nil {
			return err
		}
		var keys []string
		var briefs []briefOut
		for _, d := range allDeployments(svc) {
			v := h.deploymentView(tx.Partition, cluster.Name, svc, d)
			if len(in.Status) > 0 && !slices.Contains(in.Status, v.Status) {
				continue
			}
			keys = append(keys, seqString(d))
			briefs = append(briefs, briefOut{ServiceDeploymentARN: v.ServiceDeploymentARN, ServiceARN: v.ServiceARN,
				ClusterARN: v.ClusterARN, CreatedAt: v.CreatedAt, StartedAt: v.StartedAt, FinishedAt: v.FinishedAt,
				TargetServiceRevisionARN: v.TargetServiceRevision.ARN, Status: v.Status, StatusReason: v.StatusReason})
		}
		page, next := paginate(keys, after, limit)
		out.ServiceDeployments, out.NextToken = briefs[page.start:page.end], next
		return nil
	})
	return out, err
}

type describeServiceDeploymentsIn struct {
	ServiceDeploymentARNs []string `json:"serviceDeploymentArns"`
}

type describeServiceDeploymentsOut struct {
	ServiceDeployments []serviceDeploymentOut `json:"serviceDeployments"`
	Failures           []failure              `json:"failures"`
}

func (h *Handler) describeServiceDeployments(ctx context.Context, in *describeServiceDeploymentsIn) (*describeServiceDeploymentsOut, error) {
	if len(in.ServiceDeploymentARNs) == 0 || len(in.ServiceDeploymentARNs) > 20 {
		return nil, invalidParam("serviceDeploymentArns must have between 1 and 20 items.")
	}
	out := &describeServiceDeploymentsOut{ServiceDeployments: []serviceDeploymentOut{}, Failures: []failure{}}
	err := h.st.View(ctx, func(tx state.Tx) error {
		for _, arn := range in.ServiceDeploymentARNs {
			v, err := h.findServiceDeployment(tx, arn)
			if errors.Is(err, errMissing) {
				out.Failures = append(out.Failures, failure{ARN: arn, Reason: "MISSING"})
				continue
			} else if err != nil {
				return err
			}
			out.ServiceDeployments = append(out.ServiceDeployments, v)
		}
		return nil
	})
	return out, err
}

var errMissing = errors.New("missing")

func (h *Handler) findServiceDeployment(tx state.Tx, arn string) (serviceDeploymentOut, error) {
	a, ok := model.ParseARN(arn)
	parts := strings.Split(a.Resource, "/")
	if !ok || len(parts) != 4 || parts[0] != "service-deployment" {
		return serviceDeploymentOut{}, errMissing
	}
	svc, err := tx.Service(parts[1], parts[2])
	if errors.Is(err, state.ErrServiceNotFound) {
		return serviceDeploymentOut{}, errMissing
	} else if err != nil {
		return serviceDeploymentOut{}, err
	}
	for _, d := range allDeployments(svc) {
		if seqString(d) == parts[3] {
			return h.deploymentView(tx.Partition, parts[1], svc, d), nil
		}
	}
	return serviceDeploymentOut{}, errMissing
}
