package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

// awsConfig builds the SDK configuration for the Slipway endpoint: the
// usual AWS credential chain, or dummy keys when none is configured (a
// server without credentials accepts any signature).
func (g *globals) awsConfig(ctx context.Context) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{config.WithRegion(g.region), config.WithRetryMaxAttempts(3)}
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" && os.Getenv("AWS_PROFILE") == "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("slipway", "slipway", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, fmt.Errorf("AWS configuration: %w", err)
	}
	cfg.BaseEndpoint = aws.String(g.endpoint)
	return cfg, nil
}

func (g *globals) ecsClient(ctx context.Context) (*awsecs.Client, error) {
	cfg, err := g.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	return awsecs.NewFromConfig(cfg), nil
}

// autoscalingClient is the Application Auto Scaling client, built on the
// same endpoint, credentials and region as the ECS client.
func (g *globals) autoscalingClient(ctx context.Context) (*aas.Client, error) {
	cfg, err := g.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	return aas.NewFromConfig(cfg), nil
}

// explain turns an API or connection error into a message that says what
// to do next.
func (g *globals) explain(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return fmt.Errorf("cannot reach Slipway at %s (is `slipway server` running? set --endpoint-url or SLIPWAY_ENDPOINT): %w", g.endpoint, oe.Err)
	}
	return err
}

func (g *globals) printJSON(v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func ago(t *time.Time) string {
	if t == nil {
		return "-"
	}
	d := time.Since(*t).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	default:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
}

// ecsPager is what the ECS SDK's List* paginators have in common.
type ecsPager[O any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*awsecs.Options)) (O, error)
}

// allPages reads every page of p and concatenates the ARNs each lists.
func allPages[O any](ctx context.Context, p ecsPager[O], arns func(O) []string) ([]string, error) {
	var out []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, arns(page)...)
	}
	return out, nil
}

// listThenDescribe lists every ARN through the paginator, then describes
// them size at a time (the List-then-Describe walk of every listing command).
func listThenDescribe[O, T any](ctx context.Context, p ecsPager[O], arns func(O) []string, size int,
	describe func([]string) ([]T, error)) ([]T, error) {
	ids, err := allPages(ctx, p, arns)
	if err != nil {
		return nil, err
	}
	return inBatches(ids, size, describe)
}

// listJSON is what the AWS CLI prints for a list answer: {member: [items]}
// in the service's member names ([] when there are none).
func listJSON(member string, items any, names memberNames) any {
	list, ok := awsJSON(items, names).([]any)
	if !ok {
		list = []any{}
	}
	return map[string]any{member: list}
}

// render prints v as JSON under --output json, else as table prints it.
func (g *globals) render(v any, table func() error) error {
	if g.output == "json" {
		return g.printJSON(v)
	}
	return table()
}

// describeTasks describes tasks 100 at a time, DescribeTasks' limit.
func describeTasks(ctx context.Context, c *awsecs.Client, cluster *string, arns []string) ([]types.Task, error) {
	return inBatches(arns, 100, func(batch []string) ([]types.Task, error) {
		out, err := c.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Cluster: cluster, Tasks: batch})
		if err != nil {
			return nil, err
		}
		return out.Tasks, nil
	})
}

// taskARNs is the ARNs of a ListTasks page.
func taskARNs(o *awsecs.ListTasksOutput) []string { return o.TaskArns }

// inBatches describes ids at most size at a time, as the Describe*
// operations take bounded lists, and concatenates the answers.
func inBatches[T any](ids []string, size int, describe func([]string) ([]T, error)) ([]T, error) {
	var out []T
	for i := 0; i < len(ids); i += size {
		got, err := describe(ids[i:min(i+size, len(ids))])
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}
