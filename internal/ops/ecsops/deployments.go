package ecsops

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// Service deployments as ECS's ServiceDeployment APIs show them. Each
// Slipway deployment (ecs-svc/<n>) is service deployment <n>, and deploys
// service revision <n>.

// ServiceRevisionSummary is a service revision a deployment deploys or
// replaces, with its task counts (0 for a revision no longer running).
type ServiceRevisionSummary struct {
	ARN                string
	RequestedTaskCount int
	RunningTaskCount   int
	PendingTaskCount   int
}

// CircuitBreakerState is a deployment's circuit breaker: DISABLED,
// MONITORING, TRIGGERED or MONITORING_COMPLETE, with its failure count and
// threshold.
type CircuitBreakerState struct {
	Status       string
	FailureCount int
	Threshold    int
}

// DeploymentRollback is the rollback a failed deployment started.
type DeploymentRollback struct {
	Reason             string
	StartedAt          *model.Time
	ServiceRevisionARN string
}

// ServiceDeployment is one deployment as DescribeServiceDeployments shows it.
type ServiceDeployment struct {
	ServiceDeploymentARN   string
	ServiceARN             string
	ClusterARN             string
	CreatedAt              model.Time
	StartedAt              model.Time
	FinishedAt             *model.Time
	UpdatedAt              model.Time
	SourceServiceRevisions []ServiceRevisionSummary
	TargetServiceRevision  ServiceRevisionSummary
	Status                 string
	StatusReason           string
	// LifecycleStage is a traffic-shifting deployment's stage (ECS's
	// ServiceDeploymentLifecycleStage); "" for rolling ones.
	LifecycleStage string
	// LifecycleHookDetails are the deployment's hook runs, the one it waits
	// on last.
	LifecycleHookDetails     []HookDetail
	DeploymentConfiguration  model.DeploymentConfiguration
	Rollback                 *DeploymentRollback
	DeploymentCircuitBreaker CircuitBreakerState
	Alarms                   AlarmsState
}

// HookDetail is one lifecycle hook run (ECS's DeploymentLifecycleHookDetail).
type HookDetail struct {
	HookID        string
	TargetType    string
	TargetARN     string
	Status        string
	ExpiresAt     model.Time
	TimeoutAction string
}

func hookDetailsOf(tr *model.TrafficShift) []HookDetail {
	runs := slices.Clone(tr.Hooks)
	if tr.Hook != nil {
		runs = append(runs, *tr.Hook)
	}
	out := make([]HookDetail, 0, len(runs))
	for _, r := range runs {
		out = append(out, HookDetail{HookID: r.ID, TargetType: r.TargetType, TargetARN: r.TargetARN, Status: r.Status,
			ExpiresAt: r.ExpiresAt, TimeoutAction: r.TimeoutAction})
	}
	return out
}

// AlarmsState is a deployment's deploymentConfiguration.alarms as ECS's
// ServiceDeploymentAlarms: DISABLED, MONITORING, TRIGGERED (with the alarms
// that failed it) or MONITORING_COMPLETE.
type AlarmsState struct {
	Status              string
	AlarmNames          []string
	TriggeredAlarmNames []string
}

func alarmsOf(d model.Deployment) AlarmsState {
	a := d.Internal.Config.Alarms
	if a == nil || !a.Enable {
		return AlarmsState{Status: "DISABLED", AlarmNames: []string{}, TriggeredAlarmNames: []string{}}
	}
	out := AlarmsState{Status: "MONITORING", AlarmNames: a.AlarmNames, TriggeredAlarmNames: []string{}}
	switch {
	case len(d.Internal.TriggeredAlarms) > 0:
		out.Status, out.TriggeredAlarmNames = "TRIGGERED", d.Internal.TriggeredAlarms
	case d.RolloutState != model.RolloutInProgress:
		out.Status = "MONITORING_COMPLETE"
	}
	return out
}

// ServiceDeploymentBrief is one deployment as ListServiceDeployments lists it.
type ServiceDeploymentBrief struct {
	ServiceDeploymentARN     string
	ServiceARN               string
	ClusterARN               string
	CreatedAt                model.Time
	StartedAt                model.Time
	FinishedAt               *model.Time
	TargetServiceRevisionARN string
	Status                   string
	StatusReason             string
}

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

// allDeployments returns a service's live deployments and its history,
// newest first.
func allDeployments(s model.Service) []model.Deployment {
	out := append(slices.Clone(s.Deployments), s.Internal.History...)
	slices.SortFunc(out, func(a, b model.Deployment) int { return int(b.Internal.Seq) - int(a.Internal.Seq) })
	return out
}

func seqString(d model.Deployment) string { return strconv.FormatUint(d.Internal.Seq, 10) }

// revisionARN names the service revision a deployment deploys; Slipway's
// revisions are numbered like their deployments.
func revisionARN(p model.Partition, cluster, service string, d model.Deployment) string {
	return strings.Replace(p.ServiceDeploymentARN(cluster, service, seqString(d)), ":service-deployment/", ":service-revision/", 1)
}

func deploymentOf(p model.Partition, cluster string, s model.Service, d model.Deployment) ServiceDeployment {
	out := ServiceDeployment{
		ServiceDeploymentARN: p.ServiceDeploymentARN(cluster, s.Name, seqString(d)),
		ServiceARN:           s.ARN, ClusterARN: s.ClusterARN, CreatedAt: d.CreatedAt, StartedAt: d.Internal.StartedAt,
		UpdatedAt: d.UpdatedAt, Status: serviceDeploymentStatus(d), StatusReason: d.RolloutStateReason,
		DeploymentConfiguration: d.Internal.Config, SourceServiceRevisions: []ServiceRevisionSummary{},
		TargetServiceRevision: ServiceRevisionSummary{ARN: revisionARN(p, cluster, s.Name, d), RequestedTaskCount: d.DesiredCount,
			RunningTaskCount: d.RunningCount, PendingTaskCount: d.PendingCount},
		DeploymentCircuitBreaker: breakerOf(d), Alarms: alarmsOf(d),
	}
	if !d.Internal.FinishedAt.IsZero() {
		f := d.Internal.FinishedAt
		out.FinishedAt = &f
	}
	all := allDeployments(s)
	for _, seq := range d.Internal.Sources {
		src := ServiceRevisionSummary{ARN: revisionARN(p, cluster, s.Name, model.Deployment{Internal: model.DeploymentInternal{Seq: seq}})}
		for _, other := range all {
			if other.Internal.Seq == seq && other.Status != model.DeploymentInactive {
				src.RequestedTaskCount, src.RunningTaskCount, src.PendingTaskCount = other.DesiredCount, other.RunningCount, other.PendingCount
			}
		}
		out.SourceServiceRevisions = append(out.SourceServiceRevisions, src)
	}
	if tr := d.Internal.Traffic; tr != nil {
		out.LifecycleStage = tr.Stage
		out.LifecycleHookDetails = hookDetailsOf(tr)
		if tr.RollbackReason != "" {
			// A traffic-shifting rollback returns to blue; no new deployment.
			at := tr.RollbackAt
			out.Rollback = &DeploymentRollback{Reason: tr.RollbackReason, StartedAt: &at}
			for _, other := range all {
				if other.ID == tr.Blue {
					out.Rollback.ServiceRevisionARN = revisionARN(p, cluster, s.Name, other)
				}
			}
			return out
		}
	}
	if model.IsRollback(d.Internal.Outcome) {
		reason := "Circuit breaker triggered: " + d.RolloutStateReason
		if len(d.Internal.TriggeredAlarms) > 0 {
			reason = "CloudWatch alarm(s) in ALARM: " + strings.Join(d.Internal.TriggeredAlarms, ", ")
		}
		out.Rollback = &DeploymentRollback{Reason: reason, StartedAt: out.FinishedAt}
		for _, other := range all {
			if other.Internal.RollbackOf == d.ID {
				out.Rollback.ServiceRevisionARN = revisionARN(p, cluster, s.Name, other)
			}
		}
	}
	return out
}

func breakerOf(d model.Deployment) CircuitBreakerState {
	cbs := CircuitBreakerState{Status: "DISABLED", FailureCount: d.FailedTasks,
		Threshold: d.Internal.Config.DeploymentCircuitBreaker.Threshold(d.DesiredCount)}
	if cb := d.Internal.Config.DeploymentCircuitBreaker; cb != nil && cb.Enable {
		cbs.Status = "MONITORING"
		switch {
		case d.RolloutState == model.RolloutFailed:
			cbs.Status = "TRIGGERED"
		case d.RolloutState == model.RolloutCompleted:
			cbs.Status = "MONITORING_COMPLETE"
		}
	}
	return cbs
}

// ListServiceDeploymentsInput is ListServiceDeployments' input.
type ListServiceDeploymentsInput struct {
	// Cluster is a name or ARN; empty means the default cluster.
	Cluster string `json:"cluster"`
	// Service is a name or ARN; it must be given.
	Service string `json:"service"`
	// Status, when given, lists only deployments in these statuses.
	Status []string `json:"status"`
	// CreatedAt, when given, lists only deployments created in its bounds.
	CreatedAt  *CreatedAtFilter `json:"createdAt"`
	NextToken  string           `json:"nextToken"`
	MaxResults *int             `json:"maxResults"`
}

// CreatedAtFilter bounds ListServiceDeployments by creation time; either
// bound may be left out.
type CreatedAtFilter struct {
	Before *model.Time `json:"before"`
	After  *model.Time `json:"after"`
}

// admits reports whether a deployment created at t is within the bounds.
func (f *CreatedAtFilter) admits(t model.Time) bool {
	if f == nil {
		return true
	}
	return (f.Before == nil || t.Before(f.Before.Time)) && (f.After == nil || t.After(f.After.Time))
}

// ListServiceDeploymentsOutput is ListServiceDeployments' output.
type ListServiceDeploymentsOutput struct {
	ServiceDeployments []ServiceDeploymentBrief
	NextToken          string
}

// ListServiceDeployments lists a service's deployments, newest first, 20 a
// page by default.
func (s *Ops) ListServiceDeployments(ctx context.Context, in *ListServiceDeploymentsInput) (*ListServiceDeploymentsOutput, error) {
	if in.Service == "" {
		return nil, invalidParam("service must be specified.")
	}
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 20, 100)
	if err != nil {
		return nil, apiErr(err)
	}
	out := &ListServiceDeploymentsOutput{}
	err = s.st.View(ctx, func(tx state.Tx) error {
		cluster, err := tx.ActiveCluster(clusterName(in.Cluster))
		if err != nil {
			return err
		}
		svc, err := tx.Service(cluster.Name, serviceName(in.Service))
		if err != nil {
			return err
		}
		keys, briefs := []string{}, []ServiceDeploymentBrief{}
		for _, d := range allDeployments(svc) {
			v := deploymentOf(tx.Partition, cluster.Name, svc, d)
			if len(in.Status) > 0 && !slices.Contains(in.Status, v.Status) || !in.CreatedAt.admits(v.CreatedAt) {
				continue
			}
			keys = append(keys, seqString(d))
			briefs = append(briefs, ServiceDeploymentBrief{ServiceDeploymentARN: v.ServiceDeploymentARN, ServiceARN: v.ServiceARN,
				ClusterARN: v.ClusterARN, CreatedAt: v.CreatedAt, StartedAt: v.StartedAt, FinishedAt: v.FinishedAt,
				TargetServiceRevisionARN: v.TargetServiceRevision.ARN, Status: v.Status, StatusReason: v.StatusReason})
		}
		page, next := paginate(keys, after, limit)
		out.ServiceDeployments, out.NextToken = briefs[page.start:page.end], next
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}

// MaxDescribeServiceDeployments is how many deployments (or revisions) one
// DescribeServiceDeployments (or DescribeServiceRevisions) names at most.
const MaxDescribeServiceDeployments = 20

// DescribeServiceDeploymentsInput is DescribeServiceDeployments' input.
type DescribeServiceDeploymentsInput struct {
	ServiceDeploymentARNs []string `json:"serviceDeploymentArns"`
}

// DescribeServiceDeploymentsOutput is DescribeServiceDeployments' output.
type DescribeServiceDeploymentsOutput struct {
	ServiceDeployments []ServiceDeployment
	Failures           []Failure
}

// DescribeServiceDeployments describes deployments by ARN; a MISSING failure
// answers for each one that does not exist.
func (s *Ops) DescribeServiceDeployments(ctx context.Context, in *DescribeServiceDeploymentsInput) (*DescribeServiceDeploymentsOutput, error) {
	if len(in.ServiceDeploymentARNs) == 0 || len(in.ServiceDeploymentARNs) > MaxDescribeServiceDeployments {
		return nil, invalidParam("serviceDeploymentArns must have between 1 and %d items.", MaxDescribeServiceDeployments)
	}
	out := &DescribeServiceDeploymentsOutput{}
	err := s.st.View(ctx, func(tx state.Tx) (err error) {
		out.ServiceDeployments, out.Failures, err = describeByARN(tx, in.ServiceDeploymentARNs, findServiceDeployment)
		return err
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}

// describeByARN finds each ARN's item, in order, with a MISSING failure for
// each ARN find answers errMissing for.
func describeByARN[T any](tx state.Tx, arns []string, find func(state.Tx, string) (T, error)) ([]T, []Failure, error) {
	found, failures := []T{}, []Failure{}
	for _, arn := range arns {
		v, err := find(tx, arn)
		if errors.Is(err, errMissing) {
			failures = append(failures, Failure{ARN: arn, Reason: "MISSING"})
			continue
		} else if err != nil {
			return nil, nil, err
		}
		found = append(found, v)
	}
	return found, failures, nil
}

// errMissing marks an ARN that names no deployment or revision.
var errMissing = errors.New("missing")

// serviceOfARN resolves a service-deployment or service-revision ARN
// (kind/CLUSTER/SERVICE/N) to its service, its cluster and N.
func serviceOfARN(tx state.Tx, arn, kind string) (model.Service, string, string, error) {
	a, ok := model.ParseARN(arn)
	parts := strings.Split(a.Resource, "/")
	if !ok || len(parts) != 4 || parts[0] != kind {
		return model.Service{}, "", "", errMissing
	}
	svc, err := tx.Service(parts[1], parts[2])
	if errors.Is(err, state.ErrServiceNotFound) {
		return svc, "", "", errMissing
	}
	return svc, parts[1], parts[3], err
}

func findServiceDeployment(tx state.Tx, arn string) (ServiceDeployment, error) {
	svc, cluster, seq, err := serviceOfARN(tx, arn, "service-deployment")
	if err != nil {
		return ServiceDeployment{}, err
	}
	for _, d := range allDeployments(svc) {
		if seqString(d) == seq {
			return deploymentOf(tx.Partition, cluster, svc, d), nil
		}
	}
	return ServiceDeployment{}, errMissing
}
