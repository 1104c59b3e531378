package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/spf13/cobra"
)

func newEventsCmd(g *globals) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "events SERVICE",
		Short: "Show a service's events, oldest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := g.ecsClient(ctx)
			if err != nil {
				return err
			}
			out, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(g.cluster), Services: []string{args[0]}})
			if err != nil {
				return g.explain(err)
			}
			if len(out.Services) == 0 {
				return fmt.Errorf("no service %q in cluster %s (see `slipway services`)", args[0], g.cluster)
			}
			events := out.Services[0].Events
			if limit > 0 && len(events) > limit {
				events = events[:limit]
			}
			if g.output == "json" {
				return g.printJSON(listJSON("events", events, ecsMembers))
			}
			w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "TIME\tMESSAGE")
			for i := len(events) - 1; i >= 0; i-- {
				e := events[i]
				fmt.Fprintf(w, "%s\t%s\n", aws.ToTime(e.CreatedAt).Local().Format("15:04:05"), aws.ToString(e.Message))
			}
			return w.Flush()
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 0, "show at most this many of the newest events")
	return cmd
}
