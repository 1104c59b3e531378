package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
)

// ecsReader is what following a deployment reads from the ECS API.
type ecsReader interface {
	DescribeServices(context.Context, *awsecs.DescribeServicesInput, ...func(*awsecs.Options)) (*awsecs.DescribeServicesOutput, error)
	ListTasks(context.Context, *awsecs.ListTasksInput, ...func(*awsecs.Options)) (*awsecs.ListTasksOutput, error)
	DescribeTasks(context.Context, *awsecs.DescribeTasksInput, ...func(*awsecs.Options)) (*awsecs.DescribeTasksOutput, error)
	DescribeTaskDefinition(context.Context, *awsecs.DescribeTaskDefinitionInput, ...func(*awsecs.Options)) (*awsecs.DescribeTaskDefinitionOutput, error)
}

// targetHealthReader is what following a deployment reads from ELBv2.
type targetHealthReader interface {
	DescribeTargetHealth(context.Context, *elb.DescribeTargetHealthInput, ...func(*elb.Options)) (*elb.DescribeTargetHealthOutput, error)
}

// pollTimeout bounds one API call of a poll, so a hung server shows as a
// failed poll rather than a frozen display.
const pollTimeout = 5 * time.Second

// followAPI is the ECS API a follower reads: the service and its tasks, and
// the deployment history for a deployment that left the service's list.
type followAPI interface {
	ecsReader
	deploymentAPI
}

// snapshotSource reads one picture of a service per poll: the service with
// its deployments and events, its tasks, its targets' health and the load
// balancer's counters.
type snapshotSource struct {
	ecs     followAPI
	elb     targetHealthReader // nil: no target health
	stats   *statsClient       // nil: no traffic figures
	cluster string
	// stopped remembers tasks seen STOPPED so they are not described again
	// on every poll.
	stopped map[string]bool
	// checked caches, per task definition ARN, whether an essential
	// container has a health check: then a task is healthy only once the
	// check passes, as the controller judges it.
	checked map[string]bool
}

func newSnapshotSource(e followAPI, t targetHealthReader, stats *statsClient, cluster string) *snapshotSource {
	return &snapshotSource{ecs: e, elb: t, stats: stats, cluster: cluster, stopped: map[string]bool{}, checked: map[string]bool{}}
}

// snapshot is one poll's picture of a service.
type snapshot struct {
	service types.Service
	tasks   []types.Task
	hasLB   bool
	health  map[int32]string // target health state by host port
	checked map[string]bool  // task definition ARN -> has a container health check
	stats   *statsSample     // nil when not behind a Slipway listener
	// past is the history record of the followed deployment once it is no
	// longer among the service's deployments (nil while it is, or unknown).
	past *types.ServiceDeployment
	// stage is a traffic-shifting deployment's lifecycle stage ("" else).
	stage string
}

// stage reads the lifecycle stage of a traffic-shifting deployment of svc;
// "" for a rolling one or when it cannot be read (it is shown, not judged).
func (s *snapshotSource) stage(ctx context.Context, svc types.Service, id string) string {
	if dc := svc.DeploymentConfiguration; dc == nil || dc.Strategy == "" || dc.Strategy == types.DeploymentStrategyRolling {
		return ""
	}
	seq := strings.TrimLeft(strings.TrimPrefix(id, "ecs-svc/"), "0")
	arn := strings.Replace(aws.ToString(svc.ServiceArn), ":service/", ":service-deployment/", 1) + "/" + seq
	cctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	out, err := s.ecs.DescribeServiceDeployments(cctx, &awsecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{arn}})
	if err != nil || len(out.ServiceDeployments) != 1 {
		return ""
	}
	return string(out.ServiceDeployments[0].LifecycleStage)
}

func (s *snapshotSource) snapshot(ctx context.Context, service string) (*snapshot, error) {
	svc, err := s.describeService(ctx, service)
	if err != nil {
		return nil, err
	}
	tasks, err := s.tasks(ctx, service)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{service: svc, tasks: tasks, hasLB: len(svc.LoadBalancers) > 0, health: s.targetHealth(ctx, svc), checked: s.checked}
	for _, t := range tasks {
		s.learnHealthCheck(ctx, aws.ToString(t.TaskDefinitionArn))
	}
	snap.stats = s.sampleStats(ctx, svc)
	return snap, nil
}

func (s *snapshotSource) describeService(ctx context.Context, service string) (types.Service, error) {
	cctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	out, err := s.ecs.DescribeServices(cctx, &awsecs.DescribeServicesInput{Cluster: aws.String(s.cluster), Services: []string{service}})
	if err != nil {
		return types.Service{}, err
	}
	if len(out.Services) == 0 {
		return types.Service{}, fmt.Errorf("%w: %q in cluster %s (see `slipway services`)", errNoService, service, s.cluster)
	}
	return out.Services[0], nil
}

// tasks lists the service's tasks that want to run and those stopping or
// stopped; tasks already seen STOPPED are not described again.
func (s *snapshotSource) tasks(ctx context.Context, service string) ([]types.Task, error) {
	var arns []string
	listed := map[string]bool{} // a task whose desired status changes between the two lists is in both
	for _, desired := range []types.DesiredStatus{types.DesiredStatusRunning, types.DesiredStatusStopped} {
		p := awsecs.NewListTasksPaginator(s.ecs, &awsecs.ListTasksInput{Cluster: aws.String(s.cluster),
			ServiceName: aws.String(service), DesiredStatus: desired})
		for p.HasMorePages() {
			cctx, cancel := context.WithTimeout(ctx, pollTimeout)
			page, err := p.NextPage(cctx)
			cancel()
			if err != nil {
				return nil, err
			}
			for _, a := range page.TaskArns {
				if !s.stopped[a] && !listed[a] {
					listed[a] = true
					arns = append(arns, a)
				}
			}
		}
	}
	described, err := inBatches(arns, 100, func(batch []string) ([]types.Task, error) {
		cctx, cancel := context.WithTimeout(ctx, pollTimeout)
		defer cancel()
		out, err := s.ecs.DescribeTasks(cctx, &awsecs.DescribeTasksInput{Cluster: aws.String(s.cluster), Tasks: batch})
		if err != nil {
			return nil, err
		}
		return out.Tasks, nil
	})
	if err != nil {
		return nil, err
	}
	var tasks []types.Task
	for _, t := range described {
		if aws.ToString(t.LastStatus) == "STOPPED" {
			s.stopped[aws.ToString(t.TaskArn)] = true
			continue
		}
		tasks = append(tasks, t)
	}
	return tasks, nil
}

// learnHealthCheck records whether a task definition has a container
// health check on an essential container; a failed lookup is retried on the
// next poll.
func (s *snapshotSource) learnHealthCheck(ctx context.Context, arn string) {
	if _, ok := s.checked[arn]; ok || arn == "" {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	out, err := s.ecs.DescribeTaskDefinition(cctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
	if err != nil || out.TaskDefinition == nil {
		return
	}
	has := false
	for _, c := range out.TaskDefinition.ContainerDefinitions {
		hc := c.HealthCheck
		essential := c.Essential == nil || *c.Essential // ECS's default
		has = has || essential && hc != nil && len(hc.Command) > 0 && hc.Command[0] != "NONE"
	}
	s.checked[arn] = has
}

// targetHealth maps host ports to their target state across the service's
// target groups; a port unhealthy in any group counts as that. Errors leave
// the map empty: health is shown, not decided, here.
func (s *snapshotSource) targetHealth(ctx context.Context, svc types.Service) map[int32]string {
	health := map[int32]string{}
	if s.elb == nil {
		return health
	}
	var groups []*string
	for _, l := range svc.LoadBalancers {
		groups = append(groups, l.TargetGroupArn)
		if ac := l.AdvancedConfiguration; ac != nil {
			groups = append(groups, ac.AlternateTargetGroupArn) // green registers there
		}
	}
	for _, tg := range groups {
		if tg == nil {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, pollTimeout)
		out, err := s.elb.DescribeTargetHealth(cctx, &elb.DescribeTargetHealthInput{TargetGroupArn: tg})
		cancel()
		if err != nil {
			continue
		}
		for _, d := range out.TargetHealthDescriptions {
			if d.Target == nil || d.TargetHealth == nil {
				continue
			}
			port := aws.ToInt32(d.Target.Port)
			if prev, ok := health[port]; !ok || prev == "healthy" {
				health[port] = string(d.TargetHealth.State)
			}
		}
	}
	return health
}

func (s *snapshotSource) sampleStats(ctx context.Context, svc types.Service) *statsSample {
	if s.stats == nil || len(svc.LoadBalancers) == 0 {
		return nil
	}
	st, err := s.stats.get(ctx)
	if err != nil {
		return nil
	}
	return sampleOf(st, svc)
}

// pastDeployment looks up a deployment that left the service's list (a
// failed one is retired as soon as its tasks are gone, often before the
// next poll) in the service's deployment history. nil when not found.
func (s *snapshotSource) pastDeployment(ctx context.Context, svc types.Service, id string) (*types.ServiceDeployment, error) {
	cctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	list, err := s.ecs.ListServiceDeployments(cctx, &awsecs.ListServiceDeploymentsInput{Cluster: aws.String(s.cluster), Service: svc.ServiceArn})
	if err != nil {
		return nil, err
	}
	for _, b := range list.ServiceDeployments {
		if !sameDeployment(id, aws.ToString(b.ServiceDeploymentArn)) {
			continue
		}
		out, err := s.ecs.DescribeServiceDeployments(cctx, &awsecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{aws.ToString(b.ServiceDeploymentArn)}})
		if err != nil || len(out.ServiceDeployments) == 0 {
			return nil, err
		}
		return &out.ServiceDeployments[0], nil
	}
	return nil, nil
}

// sameDeployment tells whether a deployment id (ecs-svc/0000000000000000007)
// and a service deployment ARN (.../service-deployment/CLUSTER/SERVICE/7)
// name the same deployment: Slipway numbers both from one sequence.
func sameDeployment(id, arn string) bool {
	a := strings.TrimLeft(id[strings.LastIndex(id, "/")+1:], "0")
	b := strings.TrimLeft(arn[strings.LastIndex(arn, "/")+1:], "0")
	return a != "" && a == b
}

// deployment returns the live deployment with this id, or nil.
func (s *snapshot) deployment(id string) *types.Deployment {
	for i := range s.service.Deployments {
		if aws.ToString(s.service.Deployments[i].Id) == id {
			return &s.service.Deployments[i]
		}
	}
	return nil
}

// primary returns the PRIMARY deployment, or nil.
func (s *snapshot) primary() *types.Deployment {
	for i := range s.service.Deployments {
		if aws.ToString(s.service.Deployments[i].Status) == "PRIMARY" {
			return &s.service.Deployments[i]
		}
	}
	return nil
}

// revisionRow is one deployment's tasks as the progress display shows them.
type revisionRow struct {
	Deployment string `json:"deployment"`
	Revision   string `json:"revision"`
	// Role is "new" (the deployment we started), "rollback" (the circuit
	// breaker's) or "old" (being replaced).
	Role     string `json:"role"`
	Rollout  string `json:"rolloutState,omitempty"`
	Desired  int    `json:"desired"`
	Running  int    `json:"running"`
	Pending  int    `json:"pending"`
	Healthy  int    `json:"healthy"`
	Draining int    `json:"draining"`
	Failed   int    `json:"failed"`
}

// counts formats the row's task counts, leaving out zeros that say nothing:
// a deployment being replaced shows what it still runs and drains.
func (r revisionRow) counts() string {
	var parts []string
	if r.Desired > 0 || r.Role != "old" {
		parts = append(parts, fmt.Sprintf("%d/%d running", r.Running, r.Desired), fmt.Sprintf("%d healthy", r.Healthy))
	} else if r.Running > 0 {
		parts = append(parts, fmt.Sprintf("%d running", r.Running), fmt.Sprintf("%d healthy", r.Healthy))
	}
	for _, c := range []struct {
		n    int
		what string
	}{{r.Pending, "starting"}, {r.Draining, "draining"}, {r.Failed, "failed"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	if len(parts) == 0 {
		return "no tasks"
	}
	return strings.Join(parts, ", ")
}

// rows groups the tasks by the deployment that started them, deployments in
// the service's order (PRIMARY first), then tasks of deployments no longer
// listed (still draining).
func (s *snapshot) rows(ours, following string) []revisionRow {
	var rows []revisionRow
	index := map[string]int{}
	for _, d := range s.service.Deployments {
		id := aws.ToString(d.Id)
		role := "old"
		switch {
		case id == ours:
			role = "new"
		case id == following:
			role = "rollback"
		}
		index[id] = len(rows)
		rows = append(rows, revisionRow{Deployment: id, Revision: shortARN(aws.ToString(d.TaskDefinition)), Role: role,
			Rollout: string(d.RolloutState), Desired: int(d.DesiredCount), Failed: int(d.FailedTasks)})
	}
	for _, t := range s.tasks {
		id := aws.ToString(t.StartedBy)
		i, ok := index[id]
		if !ok {
			index[id] = len(rows)
			i = len(rows)
			rows = append(rows, revisionRow{Deployment: id, Revision: shortARN(aws.ToString(t.TaskDefinitionArn)), Role: "old"})
		}
		s.count(&rows[i], t)
	}
	return rows
}

// count adds one task to a row. Healthy means the load balancer reports
// every target of the task healthy, or, without a load balancer, that the
// task runs and no container health check fails.
func (s *snapshot) count(r *revisionRow, t types.Task) {
	last := aws.ToString(t.LastStatus)
	switch {
	case aws.ToString(t.DesiredStatus) == "STOPPED":
		r.Draining++
	case last == "RUNNING":
		r.Running++
		if s.taskHealthy(t) {
			r.Healthy++
		}
	default:
		r.Pending++
	}
}

func (s *snapshot) taskHealthy(t types.Task) bool {
	if s.checked[aws.ToString(t.TaskDefinitionArn)] && t.HealthStatus != types.HealthStatusHealthy {
		return false
	}
	if !s.hasLB {
		return t.HealthStatus != types.HealthStatusUnhealthy
	}
	found := false
	for _, c := range t.Containers {
		for _, b := range c.NetworkBindings {
			st, ok := s.health[aws.ToInt32(b.HostPort)]
			if ok && st != "healthy" {
				return false
			}
			found = found || ok
		}
	}
	return found
}
