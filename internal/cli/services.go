package cli

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/cobra"
)

func newServicesCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "services",
		Short: "List the cluster's services with their counts, deployments, autoscaling bounds and last scaling activity",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := g.ecsClient(ctx)
			if err != nil {
				return err
			}
			pages := awsecs.NewListServicesPaginator(c, &awsecs.ListServicesInput{Cluster: aws.String(g.cluster)})
			services, err := listThenDescribe(ctx, pages, func(o *awsecs.ListServicesOutput) []string { return o.ServiceArns }, 10,
				func(batch []string) ([]types.Service, error) {
					out, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(g.cluster), Services: batch})
					if err != nil {
						return nil, err
					}
					return out.Services, nil
				})
			if err != nil {
				return g.explain(err)
			}
			sc, err := g.autoscalingClient(ctx)
			if err != nil {
				return err
			}
			rows, err := withScaling(ctx, homeRegionScaling{sc}, g.cluster, services)
			if err != nil {
				return fmt.Errorf("reading autoscaling: %w", g.explain(err))
			}
			return g.render(servicesJSON(rows), func() error { return g.servicesTable(rows) })
		},
	}
}

// activityWidth bounds the LAST SCALING ACTIVITY column: AWS's
// descriptions are long sentences.
const activityWidth = 60

func (g *globals) servicesTable(services []serviceWithScaling) error {
	w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SERVICE\tSTATUS\tDESIRED\tMIN\tMAX\tRUNNING\tPENDING\tTASK DEFINITION\tDEPLOYMENTS\tLAST SCALING ACTIVITY")
	for _, s := range services {
		deps := ""
		for i, d := range s.Deployments {
			if i > 0 {
				deps += ", "
			}
			deps += fmt.Sprintf("%s %s %d/%d", aws.ToString(d.Status), d.RolloutState, d.RunningCount, d.DesiredCount)
		}
		a := s.Autoscaling
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", aws.ToString(s.ServiceName), aws.ToString(s.Status), s.DesiredCount,
			bound(a.MinCapacity), bound(a.MaxCapacity), s.RunningCount, s.PendingCount, shortARN(aws.ToString(s.TaskDefinition)), deps,
			activityColumn(a.LastActivity, activityWidth))
	}
	if len(services) == 0 {
		fmt.Fprintf(w, "(no services in cluster %s)\n", g.cluster)
	}
	return w.Flush()
}

// shortARN returns the part of an ARN after its last "/".
func shortARN(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}

// serviceWithScaling is one service of `slipway services --output json`:
// the ECS service as DescribeServices gives it, plus Slipway's view of its
// Application Auto Scaling state under one extra key.
// servicesJSON is what `aws ecs describe-services` prints for the
// services, each with Slipway's slipwayAutoscaling beside ECS's members.
func servicesJSON(rows []serviceWithScaling) any {
	list := make([]any, 0, len(rows))
	for _, r := range rows {
		m := awsJSON(r.Service, ecsMembers).(map[string]any)
		m["slipwayAutoscaling"] = r.Autoscaling
		list = append(list, m)
	}
	return map[string]any{"services": list}
}

type serviceWithScaling struct {
	types.Service
	Autoscaling serviceScaling `json:"slipwayAutoscaling"`
}

// serviceScaling is a service's scalable target and last scaling activity.
type serviceScaling struct {
	// Registered is false when the service has no scalable target (min and
	// max are then absent).
	Registered   bool                    `json:"registered"`
	MinCapacity  *int32                  `json:"minCapacity,omitempty"`
	MaxCapacity  *int32                  `json:"maxCapacity,omitempty"`
	LastActivity *serviceScalingActivity `json:"lastActivity,omitempty"`
}

// serviceScalingActivity is the newest scaling activity of a service.
type serviceScalingActivity struct {
	StartTime   *time.Time `json:"startTime,omitempty"`
	StatusCode  string     `json:"statusCode"`
	Description string     `json:"description"`
}

// scalingReader is what `slipway services` and `slipway scale` read from
// Application Auto Scaling.
type scalingReader interface {
	DescribeScalableTargets(context.Context, *aas.DescribeScalableTargetsInput, ...func(*aas.Options)) (*aas.DescribeScalableTargetsOutput, error)
	DescribeScalingActivities(context.Context, *aas.DescribeScalingActivitiesInput, ...func(*aas.Options)) (*aas.DescribeScalingActivitiesOutput, error)
}

// scalingResourceID is a service's resource id in Application Auto
// Scaling: service/CLUSTER/SERVICE, the cluster by name.
func scalingResourceID(cluster, service string) string {
	return "service/" + shortARN(cluster) + "/" + service
}

// scalableTargets reads the scalable targets of the services, 50 resource
// ids a call (DescribeScalableTargets' limit), by resource id.
func scalableTargets(ctx context.Context, c scalingReader, cluster string, services []string) (map[string]aastypes.ScalableTarget, error) {
	ids := make([]string, len(services))
	for i, s := range services {
		ids[i] = scalingResourceID(cluster, s)
	}
	targets, err := inBatches(ids, 50, func(batch []string) ([]aastypes.ScalableTarget, error) {
		var out []aastypes.ScalableTarget
		p := aas.NewDescribeScalableTargetsPaginator(c, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
			ResourceIds: batch, ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			out = append(out, page.ScalableTargets...)
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]aastypes.ScalableTarget, len(targets))
	for _, t := range targets {
		byID[aws.ToString(t.ResourceId)] = t
	}
	return byID, nil
}

// lastActivity is the newest scaling activity of a service, nil when it
// has none (activities come newest first, as on AWS).
func lastActivity(ctx context.Context, c scalingReader, resourceID string) (*serviceScalingActivity, error) {
	out, err := c.DescribeScalingActivities(ctx, &aas.DescribeScalingActivitiesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: aws.String(resourceID), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, MaxResults: aws.Int32(1)})
	if err != nil || len(out.ScalingActivities) == 0 {
		return nil, err
	}
	a := out.ScalingActivities[0]
	return &serviceScalingActivity{StartTime: a.StartTime, StatusCode: string(a.StatusCode), Description: aws.ToString(a.Description)}, nil
}

// withScaling pairs each service with its scalable target and last
// scaling activity.
func withScaling(ctx context.Context, c scalingReader, cluster string, services []types.Service) ([]serviceWithScaling, error) {
	names := make([]string, len(services))
	for i, s := range services {
		names[i] = aws.ToString(s.ServiceName)
	}
	targets, err := scalableTargets(ctx, c, cluster, names)
	if err != nil {
		return nil, err
	}
	out := make([]serviceWithScaling, len(services))
	for i, s := range services {
		id := scalingResourceID(cluster, names[i])
		out[i].Service = s
		if t, ok := targets[id]; ok {
			out[i].Autoscaling = serviceScaling{Registered: true, MinCapacity: t.MinCapacity, MaxCapacity: t.MaxCapacity}
		}
		if out[i].Autoscaling.LastActivity, err = lastActivity(ctx, c, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// bound formats a scalable target's capacity: "-" without a target.
func bound(v *int32) string {
	if v == nil {
		return "-"
	}
	return strconv.Itoa(int(*v))
}

// activityColumn is the last activity as the table shows it: its age, then
// its status and description cut to width.
func activityColumn(a *serviceScalingActivity, width int) string {
	if a == nil {
		return "-"
	}
	return fit(ago(a.StartTime)+" ago "+a.StatusCode+": "+a.Description, width)
}
