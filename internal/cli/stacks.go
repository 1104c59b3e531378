package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/spf13/cobra"
)

func (g *globals) cfnClient(ctx context.Context) (*awscfn.Client, error) {
	cfg, err := g.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	return awscfn.NewFromConfig(cfg), nil
}

func newStacksCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "stacks",
		Short: "List the CloudFormation stacks with their status",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := g.cfnClient(ctx)
			if err != nil {
				return err
			}
			var stacks []cfntypes.Stack
			pages := awscfn.NewDescribeStacksPaginator(c, &awscfn.DescribeStacksInput{})
			for pages.HasMorePages() {
				out, err := pages.NextPage(ctx)
				if err != nil {
					return g.explain(err)
				}
				stacks = append(stacks, out.Stacks...)
			}
			return g.render(listJSON("Stacks", stacks, queryMembers), func() error {
				w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "STACK\tSTATUS\tUPDATED\tREASON")
				for _, s := range stacks {
					when := aws.ToTime(s.CreationTime)
					if s.LastUpdatedTime != nil {
						when = *s.LastUpdatedTime
					}
					name := aws.ToString(s.StackName)
					if p := stackNameOfID(aws.ToString(s.ParentId)); p != "" {
						name += " (nested in " + p + ")"
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", name, s.StackStatus,
						when.Local().Format("2006-01-02 15:04:05"), aws.ToString(s.StackStatusReason))
				}
				if len(stacks) == 0 {
					fmt.Fprintln(w, "(no stacks: aws cloudformation create-stack --endpoint-url "+g.endpoint+" ...)")
				}
				return w.Flush()
			})
		},
	}
}

// stackNameOfID is the name in a stack id
// (arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID), or "".
func stackNameOfID(id string) string {
	_, rest, ok := strings.Cut(id, ":stack/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

func newStackEventsCmd(g *globals) *cobra.Command {
	var follow bool
	cmd := &cobra.Command{
		Use:   "stack-events STACK",
		Short: "Show a stack's events, oldest first; -f follows an operation until it ends",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := g.cfnClient(ctx)
			if err != nil {
				return err
			}
			return g.stackEvents(ctx, c, args[0], follow)
		},
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "follow the events until the stack's operation ends")
	return cmd
}

// stackEventsPoll is how often -f asks for new events.
const stackEventsPoll = time.Second

func (g *globals) stackEvents(ctx context.Context, c *awscfn.Client, name string, follow bool) error {
	seen := map[string]bool{}
	// Fixed columns, not a tabwriter: followed events come in batches that
	// must line up with the ones before.
	const row = "%-8s  %-32s  %-42s  %-44s  %s\n"
	if g.output != "json" {
		fmt.Fprintf(g.stdout, row, "TIME", "RESOURCE", "TYPE", "STATUS", "REASON")
	}
	var all []cfntypes.StackEvent
	for {
		fresh, err := newStackEvents(ctx, c, name, seen)
		if err != nil {
			return g.explain(err)
		}
		all = append(all, fresh...)
		if g.output != "json" {
			for _, e := range fresh {
				line := fmt.Sprintf(row, aws.ToTime(e.Timestamp).Local().Format("15:04:05"), aws.ToString(e.LogicalResourceId),
					aws.ToString(e.ResourceType), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
				fmt.Fprintln(g.stdout, strings.TrimRight(line, " \n"))
			}
		}
		out, err := c.DescribeStacks(ctx, &awscfn.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil {
			return g.explain(err)
		}
		status := out.Stacks[0].StackStatus
		busy := strings.HasSuffix(string(status), "_IN_PROGRESS") && status != cfntypes.StackStatusReviewInProgress
		if !follow || !busy {
			if g.output == "json" {
				return g.printJSON(listJSON("StackEvents", all, queryMembers))
			}
			fmt.Fprintf(g.stdout, "stack %s: %s\n", aws.ToString(out.Stacks[0].StackName), status)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(stackEventsPoll):
		}
	}
}

// newStackEvents returns the events not in seen, oldest first, and marks
// them seen. DescribeStackEvents answers newest first: pages are read until
// one holds an event already seen.
func newStackEvents(ctx context.Context, c *awscfn.Client, name string, seen map[string]bool) ([]cfntypes.StackEvent, error) {
	var fresh []cfntypes.StackEvent
	pages := awscfn.NewDescribeStackEventsPaginator(c, &awscfn.DescribeStackEventsInput{StackName: aws.String(name)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		done := false
		for _, e := range out.StackEvents {
			if seen[aws.ToString(e.EventId)] {
				done = true
				break
			}
			fresh = append(fresh, e)
		}
		if done {
			break
		}
	}
	for _, e := range fresh {
		seen[aws.ToString(e.EventId)] = true
	}
	slices.Reverse(fresh)
	return fresh, nil
}
