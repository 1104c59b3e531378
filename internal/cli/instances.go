package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/cobra"
)

func newInstancesCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "instances",
		Short: "List container instances with their runtime (docker or process) and why it was chosen",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := g.ecsClient(ctx)
			if err != nil {
				return err
			}
			pages := awsecs.NewListContainerInstancesPaginator(c, &awsecs.ListContainerInstancesInput{Cluster: aws.String(g.cluster)})
			instances, err := listThenDescribe(ctx, pages, func(o *awsecs.ListContainerInstancesOutput) []string { return o.ContainerInstanceArns }, 100,
				func(batch []string) ([]types.ContainerInstance, error) {
					out, err := c.DescribeContainerInstances(ctx, &awsecs.DescribeContainerInstancesInput{Cluster: aws.String(g.cluster), ContainerInstances: batch})
					if err != nil {
						return nil, err
					}
					return out.ContainerInstances, nil
				})
			if err != nil {
				return g.explain(err)
			}
			return g.render(listJSON("containerInstances", instances, ecsMembers), func() error { return g.instancesTable(instances) })
		},
	}
}

func (g *globals) instancesTable(instances []types.ContainerInstance) error {
	w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "INSTANCE\tSTATUS\tRUNNING\tRUNTIME\tWHY")
	for _, ci := range instances {
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", shortARN(aws.ToString(ci.ContainerInstanceArn)), aws.ToString(ci.Status),
			ci.RunningTasksCount, attribute(ci, "slipway.runtime"), attribute(ci, "slipway.runtime-reason"))
	}
	if len(instances) == 0 {
		fmt.Fprintln(w, "(no container instances)")
	}
	return w.Flush()
}

func attribute(ci types.ContainerInstance, name string) string {
	for _, a := range ci.Attributes {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}
