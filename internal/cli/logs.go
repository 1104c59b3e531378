package cli

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/cobra"
)

// logsPollInterval is how often `slipway logs -f` looks for new lines and tasks.
const logsPollInterval = time.Second

// logStreamBatch is how many streams one FilterLogEvents call may name.
const logStreamBatch = 100

func newLogsCmd(g *globals) *cobra.Command {
	var o logsOptions
	cmd := &cobra.Command{
		Use:   "logs SERVICE|TASK",
		Short: "Show the output of a service's tasks (or of one task), each line marked with its task and revision",
		Long: `Reads what containers with the awslogs log driver wrote, from Slipway's CloudWatch
Logs API, and interleaves the lines of a service's tasks by time, each marked
with its task definition revision, task id and container. With -f it follows:
tasks that start later (a deployment's new revision) join as they appear.
Containers with another log driver keep their output in the server's data
directory; they are named on stderr.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			since, err := parseSince(o.since, time.Now())
			if err != nil {
				return fmt.Errorf("%w: --since %q: %v", ErrUsage, o.since, err)
			}
			o.target, o.start = args[0], since
			return g.showLogs(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVarP(&o.follow, "follow", "f", false, "keep printing new lines until interrupted")
	cmd.Flags().StringVar(&o.since, "since", "10m", "how far back to start: a duration (30s, 10m, 2h, 1d, 1w) or an RFC 3339 time")
	cmd.Flags().StringVar(&o.filter, "filter", "", "a CloudWatch Logs filter pattern (ERROR, \"a phrase\", ?a ?b, -x, { $.level = \"error\" })")
	return cmd
}

type logsOptions struct {
	target, since, filter string
	follow                bool
	start                 time.Time
}

var relativeSince = regexp.MustCompile(`^(\d+)([smhdw])$`)

// parseSince reads --since as `aws logs tail` does: an amount and a unit, or a time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if m := relativeSince.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
		return now.Add(-time.Duration(n) * unit), nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Parse(time.RFC3339, s)
}

// logSource is one container's stream and how its lines are marked.
type logSource struct {
	group, stream, mark string
}

// logTail is the state of one `slipway logs` run.
type logTail struct {
	g       *globals
	o       logsOptions
	ecs     *awsecs.Client
	logs    *cwl.Client
	defs    map[string]*types.TaskDefinition
	sources map[string]logSource // by group + "\x00" + stream
	warned  map[string]bool
	isTask  *bool           // whether the target is a task; nil until known
	from    int64           // FilterLogEvents' startTime for the next poll
	seen    map[string]bool // ids of the events printed at timestamp from
}

func (g *globals) showLogs(ctx context.Context, o logsOptions) error {
	cfg, err := g.awsConfig(ctx)
	if err != nil {
		return err
	}
	lt := &logTail{g: g, o: o, ecs: awsecs.NewFromConfig(cfg), logs: cwl.NewFromConfig(cfg),
		defs: map[string]*types.TaskDefinition{}, sources: map[string]logSource{}, warned: map[string]bool{},
		from: o.start.UnixMilli(), seen: map[string]bool{}}
	for {
		if err := lt.poll(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return g.explain(err)
		}
		if !o.follow {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(logsPollInterval):
		}
	}
}

// poll finds the target's tasks (again: a deployment starts new ones), then
// prints their lines since the last poll in time order.
func (lt *logTail) poll(ctx context.Context) error {
	tasks, err := lt.tasks(ctx)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if err := lt.addSources(ctx, t); err != nil {
			return err
		}
	}
	events, err := lt.events(ctx)
	if err != nil {
		return err
	}
	slices.SortStableFunc(events, func(a, b markedEvent) int {
		if a.ts != b.ts {
			return int(a.ts - b.ts)
		}
		return int(a.ingest - b.ingest)
	})
	for _, e := range events {
		if lt.seen[e.id] {
			continue
		}
		if e.ts > lt.from {
			lt.from, lt.seen = e.ts, map[string]bool{}
		}
		lt.seen[e.id] = true
		fmt.Fprintf(lt.g.stdout, "%s %s %s\n", time.UnixMilli(e.ts).UTC().Format("2006-01-02T15:04:05.000Z"), e.mark, strings.TrimRight(e.msg, "\n"))
	}
	return nil
}

// tasks are the service's tasks (running, and stopped ones the ECS API still
// describes), or the one task the target names when it names no service.
func (lt *logTail) tasks(ctx context.Context) ([]types.Task, error) {
	cluster := aws.String(lt.g.cluster)
	if lt.isTask == nil {
		out, err := lt.ecs.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: cluster, Services: []string{lt.o.target}})
		if err != nil {
			return nil, err
		}
		lt.isTask = aws.Bool(len(out.Services) == 0 || aws.ToString(out.Services[0].Status) == "INACTIVE")
	}
	if *lt.isTask {
		return lt.oneTask(ctx)
	}
	var arns []string
	for _, status := range []types.DesiredStatus{types.DesiredStatusRunning, types.DesiredStatusStopped} {
		got, err := allPages(ctx, awsecs.NewListTasksPaginator(lt.ecs,
			&awsecs.ListTasksInput{Cluster: cluster, ServiceName: aws.String(lt.o.target), DesiredStatus: status}), taskARNs)
		if err != nil {
			return nil, err
		}
		arns = append(arns, got...)
	}
	return describeTasks(ctx, lt.ecs, cluster, arns)
}

// oneTask describes the target as a task id or ARN.
func (lt *logTail) oneTask(ctx context.Context) ([]types.Task, error) {
	out, err := lt.ecs.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Cluster: aws.String(lt.g.cluster), Tasks: []string{lt.o.target}})
	if err != nil {
		return nil, err
	}
	if len(out.Tasks) == 0 {
		return nil, fmt.Errorf("%w: no service or task %q in cluster %s (see `slipway services` and `slipway tasks`)", ErrUsage, lt.o.target, lt.g.cluster)
	}
	return out.Tasks, nil
}

// addSources notes the streams of a task's awslogs containers, named as ECS
// names them: prefix/container/task-id, or the container's runtime id.
func (lt *logTail) addSources(ctx context.Context, t types.Task) error {
	arn := aws.ToString(t.TaskDefinitionArn)
	td, ok := lt.defs[arn]
	if !ok {
		out, err := lt.ecs.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
		if err != nil {
			return err
		}
		td, lt.defs[arn] = out.TaskDefinition, out.TaskDefinition
	}
	taskID := shortARN(aws.ToString(t.TaskArn))
	for _, cd := range td.ContainerDefinitions {
		name := aws.ToString(cd.Name)
		lc := cd.LogConfiguration
		if lc == nil || lc.LogDriver != types.LogDriverAwslogs || lc.Options["awslogs-group"] == "" {
			lt.warnOnce(taskID+"/"+name, fmt.Sprintf("task %s container %s does not use the awslogs log driver: its output is not in CloudWatch Logs (it stays in the server's data directory)", taskID, name))
			continue
		}
		stream := lc.Options["awslogs-stream-prefix"] + "/" + name + "/" + taskID
		if lc.Options["awslogs-stream-prefix"] == "" {
			stream = containerRuntimeID(t, name)
		}
		mark := fmt.Sprintf("[%s %s %s]", shortARN(arn), taskID[:min(8, len(taskID))], name)
		lt.sources[lc.Options["awslogs-group"]+"\x00"+stream] = logSource{group: lc.Options["awslogs-group"], stream: stream, mark: mark}
	}
	return nil
}

func containerRuntimeID(t types.Task, name string) string {
	for _, c := range t.Containers {
		if aws.ToString(c.Name) == name {
			return aws.ToString(c.RuntimeId)
		}
	}
	return ""
}

func (lt *logTail) warnOnce(key, msg string) {
	if !lt.warned[key] {
		lt.warned[key] = true
		fmt.Fprintln(lt.g.stderr, "slipway:", msg)
	}
}

// markedEvent is an event with its source's mark.
type markedEvent struct {
	ts, ingest    int64
	id, msg, mark string
}

// events reads every source's events since lt.from, per group, at most
// logStreamBatch streams per call.
func (lt *logTail) events(ctx context.Context) ([]markedEvent, error) {
	byGroup := map[string][]logSource{}
	for _, s := range lt.sources {
		if s.stream != "" {
			byGroup[s.group] = append(byGroup[s.group], s)
		}
	}
	var out []markedEvent
	for group, sources := range byGroup {
		marks := map[string]string{}
		var streams []string
		for _, s := range sources {
			marks[s.stream] = s.mark
			streams = append(streams, s.stream)
		}
		slices.Sort(streams)
		for i := 0; i < len(streams); i += logStreamBatch {
			in := &cwl.FilterLogEventsInput{LogGroupName: aws.String(group), LogStreamNames: streams[i:min(i+logStreamBatch, len(streams))],
				StartTime: aws.Int64(lt.from)}
			if lt.o.filter != "" {
				in.FilterPattern = aws.String(lt.o.filter)
			}
			p := cwl.NewFilterLogEventsPaginator(lt.logs, in)
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				var nf *cwltypes.ResourceNotFoundException
				if errors.As(err, &nf) {
					lt.warnOnce("group "+group, fmt.Sprintf("log group %s does not exist (any more): %s", group, aws.ToString(nf.Message)))
					break
				}
				if err != nil {
					return nil, err
				}
				for _, e := range page.Events {
					out = append(out, markedEvent{ts: aws.ToInt64(e.Timestamp), ingest: aws.ToInt64(e.IngestionTime),
						id: aws.ToString(e.EventId), msg: aws.ToString(e.Message), mark: marks[aws.ToString(e.LogStreamName)]})
				}
			}
		}
	}
	return out, nil
}
