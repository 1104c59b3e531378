package cli

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/cobra"
)

func newTasksCmd(g *globals) *cobra.Command {
	var service string
	var stopped bool
	cmd := &cobra.Command{
		Use:   "tasks",
		Short: "List tasks with their status, health, ports and stop reasons",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := g.ecsClient(ctx)
			if err != nil {
				return err
			}
			in := &awsecs.ListTasksInput{Cluster: aws.String(g.cluster)}
			if service != "" {
				in.ServiceName = aws.String(service)
			}
			if stopped {
				in.DesiredStatus = types.DesiredStatusStopped
			}
			arns, err := allPages(ctx, awsecs.NewListTasksPaginator(c, in), taskARNs)
			if err != nil {
				return g.explain(err)
			}
			tasks, err := describeTasks(ctx, c, aws.String(g.cluster), arns)
			if err != nil {
				return g.explain(err)
			}
			return g.render(listJSON("tasks", tasks, ecsMembers), func() error { return g.tasksTable(tasks) })
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "only tasks of this service")
	cmd.Flags().BoolVar(&stopped, "stopped", false, "list stopped tasks instead of running ones")
	return cmd
}

func (g *globals) tasksTable(tasks []types.Task) error {
	w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TASK\tTASK DEFINITION\tLAST STATUS\tDESIRED\tHEALTH\tPORTS\tSTARTED\tSTOPPED REASON")
	for _, t := range tasks {
		var ports []string
		for _, c := range t.Containers {
			for _, b := range c.NetworkBindings {
				ports = append(ports, fmt.Sprintf("%d->%d", aws.ToInt32(b.HostPort), aws.ToInt32(b.ContainerPort)))
			}
			for _, ni := range c.NetworkInterfaces { // awsvpc: the container ports are on the task's address
				if addr := aws.ToString(ni.PrivateIpv4Address); addr != "" && !slices.Contains(ports, addr) {
					ports = append(ports, addr)
				}
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", shortARN(aws.ToString(t.TaskArn)), shortARN(aws.ToString(t.TaskDefinitionArn)),
			aws.ToString(t.LastStatus), aws.ToString(t.DesiredStatus), t.HealthStatus, strings.Join(ports, ","),
			ago(t.StartedAt), aws.ToString(t.StoppedReason))
	}
	if len(tasks) == 0 {
		fmt.Fprintln(w, "(no tasks)")
	}
	return w.Flush()
}
