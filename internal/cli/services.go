package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/cobra"
)

func newServicesCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "services",
		Short: "List the cluster's services with their counts and deployments",
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
			return g.render(services, func() error { return g.servicesTable(services) })
		},
	}
}

func (g *globals) servicesTable(services []types.Service) error {
	w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SERVICE\tSTATUS\tDESIRED\tRUNNING\tPENDING\tTASK DEFINITION\tDEPLOYMENTS")
	for _, s := range services {
		deps := ""
		for i, d := range s.Deployments {
			if i > 0 {
				deps += ", "
			}
			deps += fmt.Sprintf("%s %s %d/%d", aws.ToString(d.Status), d.RolloutState, d.RunningCount, d.DesiredCount)
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", aws.ToString(s.ServiceName), aws.ToString(s.Status), s.DesiredCount,
			s.RunningCount, s.PendingCount, shortARN(aws.ToString(s.TaskDefinition)), deps)
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
