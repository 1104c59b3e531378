package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/spf13/cobra"
)

func newLoadBalancersCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "load-balancers",
		Aliases: []string{"lbs"},
		Short:   "List the load balancers with their state, address and listeners (--output json: as aws elbv2 describe-load-balancers)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cfg, err := g.awsConfig(ctx)
			if err != nil {
				return err
			}
			c := elb.NewFromConfig(cfg)
			var lbs []elbtypes.LoadBalancer
			pages := elb.NewDescribeLoadBalancersPaginator(c, &elb.DescribeLoadBalancersInput{})
			for pages.HasMorePages() {
				out, err := pages.NextPage(ctx)
				if err != nil {
					return g.explain(err)
				}
				lbs = append(lbs, out.LoadBalancers...)
			}
			return g.render(listJSON("LoadBalancers", lbs, queryMembers), func() error { return g.loadBalancersTable(ctx, c, lbs) })
		},
	}
}

func (g *globals) loadBalancersTable(ctx context.Context, c *elb.Client, lbs []elbtypes.LoadBalancer) error {
	w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "LOAD BALANCER\tTYPE\tSTATE\tLISTENERS\tDNS NAME")
	for _, l := range lbs {
		listeners, err := listenerPorts(ctx, c, aws.ToString(l.LoadBalancerArn))
		if err != nil {
			return g.explain(err)
		}
		state := ""
		if l.State != nil {
			state = string(l.State.Code)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", aws.ToString(l.LoadBalancerName), l.Type, state, listeners, aws.ToString(l.DNSName))
	}
	if len(lbs) == 0 {
		fmt.Fprintln(w, "(no load balancers)")
	}
	return w.Flush()
}

// listenerPorts is "HTTP:80, HTTPS:443": a load balancer's listeners.
func listenerPorts(ctx context.Context, c *elb.Client, lbARN string) (string, error) {
	var ports []string
	pages := elb.NewDescribeListenersPaginator(c, &elb.DescribeListenersInput{LoadBalancerArn: aws.String(lbARN)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, l := range out.Listeners {
			ports = append(ports, fmt.Sprintf("%s:%d", l.Protocol, aws.ToInt32(l.Port)))
		}
	}
	if len(ports) == 0 {
		return "-", nil
	}
	return strings.Join(ports, ", "), nil
}
