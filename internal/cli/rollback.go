package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/cobra"
)

// errNothingToRollBack reports a service with no earlier completed
// deployment of another task definition.
var errNothingToRollBack = errors.New("nothing to roll back to")

func newRollbackCmd(g *globals) *cobra.Command {
	var ff followFlags
	cmd := &cobra.Command{
		Use:   "rollback SERVICE",
		Short: "Return a service to the task definition of its previous completed deployment",
		Long: `Finds the most recent deployment of the service that COMPLETED with a task
definition other than the current one, updates the service to that task
definition and follows the deployment like ` + "`slipway deploy`" + `, ending with one line.
Exit code 0 only when the rollback deployment COMPLETED.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return g.rollback(cmd.Context(), args[0], ff) },
	}
	ff.register(cmd)
	return cmd
}

func (g *globals) rollback(ctx context.Context, service string, ff followFlags) error {
	c, err := g.deployClients(ctx)
	if err != nil {
		return err
	}
	svc, err := g.describeService(ctx, c.ecs, service)
	if err != nil {
		return err
	}
	prev, err := previousCompleted(ctx, c.ecs, g.cluster, svc)
	if err != nil {
		return g.explain(err)
	}
	g.note("Rolling back %s from %s to %s, which deployment %s completed%s.", service,
		shortARN(aws.ToString(svc.TaskDefinition)), shortARN(prev.taskDef), deploymentLabel(prev.id), agoPhrase(prev.finished))
	return g.rollout(ctx, c, svc, prev.taskDef, ff)
}

// deploymentLabel shortens a service deployment ARN to its id (the part
// after "service-deployment/CLUSTER/SERVICE/"); deployment ids stay.
func deploymentLabel(id string) string {
	if strings.HasPrefix(id, "arn:") {
		return shortARN(id)
	}
	return id
}

func agoPhrase(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " " + ago(&t) + " ago"
}

// deploymentAPI is what finding the previous deployment reads from ECS.
type deploymentAPI interface {
	ListServiceDeployments(context.Context, *awsecs.ListServiceDeploymentsInput, ...func(*awsecs.Options)) (*awsecs.ListServiceDeploymentsOutput, error)
	DescribeServiceDeployments(context.Context, *awsecs.DescribeServiceDeploymentsInput, ...func(*awsecs.Options)) (*awsecs.DescribeServiceDeploymentsOutput, error)
	DescribeServiceRevisions(context.Context, *awsecs.DescribeServiceRevisionsInput, ...func(*awsecs.Options)) (*awsecs.DescribeServiceRevisionsOutput, error)
}

// pastDeployment is one deployment of a service, newest first in lists.
type pastDeployment struct {
	id        string // service deployment ARN, or the deployment id
	completed bool
	taskDef   string // "" when the API does not say
	created   time.Time
	finished  time.Time
}

// previousCompleted picks the newest COMPLETED deployment whose task
// definition differs from the service's current one, from the live
// deployments and the service deployment history.
func previousCompleted(ctx context.Context, c deploymentAPI, cluster string, svc types.Service) (pastDeployment, error) {
	history, err := deploymentHistory(ctx, c, cluster, aws.ToString(svc.ServiceArn))
	if err != nil {
		return pastDeployment{}, err
	}
	all := append(liveDeployments(svc), history...)
	slices.SortStableFunc(all, func(a, b pastDeployment) int { return b.created.Compare(a.created) })
	current := aws.ToString(svc.TaskDefinition)
	for _, d := range all {
		if d.completed && d.taskDef != "" && d.taskDef != current {
			return d, nil
		}
	}
	return pastDeployment{}, fmt.Errorf("%w: service %s has no earlier COMPLETED deployment of a task definition other than %s; deploy one with `slipway deploy %s --image ...`",
		errNothingToRollBack, aws.ToString(svc.ServiceName), shortARN(current), aws.ToString(svc.ServiceName))
}

// liveDeployments are the deployments DescribeServices lists, which name
// their task definitions.
func liveDeployments(svc types.Service) []pastDeployment {
	var out []pastDeployment
	for _, d := range svc.Deployments {
		out = append(out, pastDeployment{id: aws.ToString(d.Id), taskDef: aws.ToString(d.TaskDefinition),
			completed: d.RolloutState == types.DeploymentRolloutStateCompleted, created: aws.ToTime(d.CreatedAt),
			finished: aws.ToTime(d.UpdatedAt)})
	}
	return out
}

// deploymentHistory reads the service deployments, newest first, with the
// task definition of each one's target service revision.
func deploymentHistory(ctx context.Context, c deploymentAPI, cluster, serviceARN string) ([]pastDeployment, error) {
	full, err := serviceDeployments(ctx, c, cluster, serviceARN)
	if err != nil {
		return nil, err
	}
	var revARNs []string
	for _, d := range full {
		if t := d.TargetServiceRevision; t != nil {
			revARNs = append(revARNs, aws.ToString(t.Arn))
		}
	}
	taskDefs, err := revisionTaskDefinitions(ctx, c, revARNs)
	if err != nil {
		return nil, err
	}
	out := make([]pastDeployment, len(full))
	for i, d := range full {
		out[i] = pastDeployment{id: aws.ToString(d.ServiceDeploymentArn), completed: d.Status == types.ServiceDeploymentStatusSuccessful,
			created: aws.ToTime(d.CreatedAt), finished: aws.ToTime(d.FinishedAt)}
		if t := d.TargetServiceRevision; t != nil {
			out[i].taskDef = taskDefs[aws.ToString(t.Arn)]
		}
	}
	return out, nil
}

// serviceDeployments lists and describes every deployment of a service,
// newest first.
func serviceDeployments(ctx context.Context, c deploymentAPI, cluster, serviceARN string) ([]types.ServiceDeployment, error) {
	var arns []string
	in := &awsecs.ListServiceDeploymentsInput{Cluster: aws.String(cluster), Service: aws.String(serviceARN)}
	for {
		page, err := c.ListServiceDeployments(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("listing the service's deployments: %w", err)
		}
		for _, b := range page.ServiceDeployments {
			arns = append(arns, aws.ToString(b.ServiceDeploymentArn))
		}
		if aws.ToString(page.NextToken) == "" {
			break
		}
		in.NextToken = page.NextToken
	}
	full, err := inBatches(arns, 20, func(batch []string) ([]types.ServiceDeployment, error) {
		out, err := c.DescribeServiceDeployments(ctx, &awsecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: batch})
		if err != nil {
			return nil, err
		}
		return out.ServiceDeployments, nil
	})
	if err != nil {
		return nil, fmt.Errorf("describing the service's deployments: %w", err)
	}
	slices.SortStableFunc(full, func(a, b types.ServiceDeployment) int {
		return aws.ToTime(b.CreatedAt).Compare(aws.ToTime(a.CreatedAt))
	})
	return full, nil
}

// revisionTaskDefinitions maps service revision ARNs to the task
// definitions they deploy (DescribeServiceRevisions, 20 at a time).
func revisionTaskDefinitions(ctx context.Context, c deploymentAPI, arns []string) (map[string]string, error) {
	revs, err := inBatches(arns, 20, func(batch []string) ([]types.ServiceRevision, error) {
		out, err := c.DescribeServiceRevisions(ctx, &awsecs.DescribeServiceRevisionsInput{ServiceRevisionArns: batch})
		if err != nil {
			return nil, err
		}
		return out.ServiceRevisions, nil
	})
	if err != nil {
		return nil, fmt.Errorf("describing the service's revisions: %w", err)
	}
	out := map[string]string{}
	for _, r := range revs {
		out[aws.ToString(r.ServiceRevisionArn)] = aws.ToString(r.TaskDefinition)
	}
	return out, nil
}
