package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/spf13/cobra"
)

// errNoService reports a service that does not exist in the cluster.
var errNoService = errors.New("no service")

// defaultDeployTimeout bounds how long deploy and rollback follow a
// deployment.
const defaultDeployTimeout = 15 * time.Minute

// deployFlags are the flags of `slipway deploy`.
type deployFlags struct {
	image, container, taskDefFile string
	env                           []string
	follow                        followFlags
}

// followFlags are what deploy and rollback share.
type followFlags struct {
	timeout time.Duration
	noWait  bool
	// strategy, when set (deploy --strategy), is the deployment strategy
	// the update sets (ROLLING, BLUE_GREEN, CANARY, LINEAR).
	strategy string
}

// strategies maps --strategy's words to ECS's deployment strategies.
var strategies = map[string]types.DeploymentStrategy{
	"rolling": types.DeploymentStrategyRolling, "blue-green": types.DeploymentStrategyBlueGreen,
	"canary": types.DeploymentStrategyCanary, "linear": types.DeploymentStrategyLinear,
}

func (f *followFlags) register(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&f.timeout, "timeout", defaultDeployTimeout, "give up following after this long (exit 1; the deployment goes on)")
	cmd.Flags().BoolVar(&f.noWait, "no-wait", false, "update the service and return without following the deployment")
}

func newDeployCmd(g *globals) *cobra.Command {
	var f deployFlags
	cmd := &cobra.Command{
		Use:   "deploy SERVICE (--image IMAGE | --env KEY=VALUE | --task-definition FILE)",
		Short: "Deploy a new revision of a service and follow it to its outcome",
		Long: `Registers a new task definition revision, updates the service to it and shows
the rollout live: old and new tasks, health, draining and, behind a Slipway
listener, the traffic share of each revision. It ends with one line: the
outcome, the duration and the requests served and failed per revision while it
ran (failed = 5xx sent to clients by a target or by the load balancer).

--image (and --env) copy the service's current task definition and change one
container (--container when it has several); --task-definition registers a
JSON file as "aws ecs register-task-definition --cli-input-json" would.

--strategy canary|linear|blue-green|rolling sets the service's deployment
strategy for this deployment and the next ones (the service's canary, linear,
bake-time and advancedConfiguration settings apply; ECS's defaults otherwise),
and the live view shows the lifecycle stage and the traffic split.

Exit code 0 only when the deployment COMPLETED; a deployment that failed (and
was rolled back by the circuit breaker, an alarm, the built-in analysis or a
lifecycle hook) or timed out exits 1.`,
		Example: `  slipway deploy talk --image registry.example/talk:2.1
  slipway deploy talk --env TALK_VERSION=v2
  slipway deploy talk --task-definition file://taskdef.json
  slipway deploy talk --env TALK_VERSION=v3 --strategy canary`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return g.deploy(cmd.Context(), args[0], f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.image, "image", "", "new image of the container")
	fl.StringVar(&f.container, "container", "", "container to change (needed when the task definition has several)")
	fl.StringArrayVar(&f.env, "env", nil, "set an environment variable of the container, KEY=VALUE (repeatable)")
	fl.StringVar(&f.taskDefFile, "task-definition", "", "register this JSON file (register-task-definition input) instead")
	fl.StringVar(&f.follow.strategy, "strategy", "", "deployment strategy from now on: rolling, blue-green, canary or linear")
	f.follow.register(cmd)
	return cmd
}

// deployClients are the API clients a rollout uses.
type deployClients struct {
	ecs *awsecs.Client
	elb *elb.Client
}

func (g *globals) deployClients(ctx context.Context) (deployClients, error) {
	cfg, err := g.awsConfig(ctx)
	if err != nil {
		return deployClients{}, err
	}
	return deployClients{ecs: awsecs.NewFromConfig(cfg), elb: elb.NewFromConfig(cfg)}, nil
}

func (g *globals) deploy(ctx context.Context, service string, f deployFlags) error {
	changes := f.image != "" || len(f.env) > 0
	switch {
	case f.taskDefFile != "" && (changes || f.container != ""):
		return fmt.Errorf("%w: --task-definition registers the file as it is; it does not combine with --image, --env or --container", ErrUsage)
	case f.taskDefFile == "" && !changes:
		return fmt.Errorf("%w: say what to deploy: --image IMAGE, --env KEY=VALUE or --task-definition FILE", ErrUsage)
	}
	if s := f.follow.strategy; s != "" {
		st, ok := strategies[s]
		if !ok {
			return fmt.Errorf("%w: --strategy %q: use rolling, blue-green, canary or linear", ErrUsage, s)
		}
		f.follow.strategy = string(st)
	}
	c, err := g.deployClients(ctx)
	if err != nil {
		return err
	}
	svc, err := g.describeService(ctx, c.ecs, service)
	if err != nil {
		return err
	}
	var in *awsecs.RegisterTaskDefinitionInput
	if f.taskDefFile != "" {
		var note string
		if in, note, err = loadTaskDefinitionFile(f.taskDefFile); err != nil {
			return err
		}
		if note != "" {
			g.note("%s", note)
		}
	} else if in, err = deriveTaskDefinition(ctx, c.ecs, aws.ToString(svc.TaskDefinition),
		containerChange{container: f.container, image: f.image, env: f.env}); err != nil {
		return g.explain(err)
	}
	reg, err := c.ecs.RegisterTaskDefinition(ctx, in)
	if err != nil {
		return fmt.Errorf("registering the task definition: %w", g.explain(err))
	}
	taskDef := aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	g.note("Registered %s.", shortARN(taskDef))
	return g.rollout(ctx, c, svc, taskDef, f.follow)
}

// describeService returns the service, or an error that says how to find
// the right name.
func (g *globals) describeService(ctx context.Context, c ecsReader, service string) (types.Service, error) {
	out, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(g.cluster), Services: []string{service}})
	if err != nil {
		return types.Service{}, g.explain(err)
	}
	if len(out.Services) == 0 || aws.ToString(out.Services[0].Status) == "INACTIVE" {
		return types.Service{}, fmt.Errorf("%w %q in cluster %s (see `slipway services`)", errNoService, service, g.cluster)
	}
	return out.Services[0], nil
}

// rollout updates the service to taskDef and follows the deployment that
// starts; deploy and rollback end here. The error is an exitCode once the
// verdict was printed.
func (g *globals) rollout(ctx context.Context, c deployClients, svc types.Service, taskDef string, ff followFlags) error {
	o, err := g.updateAndFollow(ctx, c, svc, taskDef, ff)
	if err != nil || ff.noWait {
		return err
	}
	return exitFor(o)
}

// updateAndFollow updates the service to taskDef and, unless ff.noWait,
// follows the deployment to its outcome, which the view has shown.
func (g *globals) updateAndFollow(ctx context.Context, c deployClients, svc types.Service, taskDef string, ff followFlags) (outcome, error) {
	name := aws.ToString(svc.ServiceName)
	fw := g.newFollower(c, name)
	fw.prime(ctx, svc)
	in := &awsecs.UpdateServiceInput{Cluster: aws.String(g.cluster), Service: aws.String(name), TaskDefinition: aws.String(taskDef)}
	if ff.strategy != "" {
		in.DeploymentConfiguration = &types.DeploymentConfiguration{Strategy: types.DeploymentStrategy(ff.strategy)}
	}
	out, err := c.ecs.UpdateService(ctx, in)
	if err != nil {
		return outcome{}, fmt.Errorf("updating service %s: %w", name, g.explain(err))
	}
	id := primaryDeployment(out.Service)
	if id == "" {
		return outcome{}, fmt.Errorf("service %s has no PRIMARY deployment after the update; see `slipway events %s`", name, name)
	}
	g.note("Updated service %s from %s to %s: deployment %s.", name, shortARN(aws.ToString(svc.TaskDefinition)), shortARN(taskDef), id)
	if ff.noWait {
		g.note("Not following it (--no-wait); watch it with `slipway services` and `slipway events %s`.", name)
		return outcome{}, nil
	}
	o, err := fw.follow(ctx, id, taskDef, ff.timeout)
	if err != nil {
		return o, fmt.Errorf("following deployment %s (it goes on on the server; check it with `slipway services`): %w", id, g.explain(err))
	}
	return o, nil
}

// primaryDeployment is the id of a service's PRIMARY deployment.
func primaryDeployment(svc *types.Service) string {
	if svc == nil {
		return ""
	}
	for _, d := range svc.Deployments {
		if aws.ToString(d.Status) == "PRIMARY" {
			return aws.ToString(d.Id)
		}
	}
	return ""
}

// exitFor maps an outcome to the command's result: success only when the
// deployment completed; 130 when the user interrupted the follow.
func exitFor(o outcome) error {
	switch {
	case o.OK():
		return nil
	case o.State == outcomeInterrupted:
		return exitCode(130)
	default:
		return exitCode(1)
	}
}

// note prints an informational line: on stdout for people, on stderr with
// --output json so that stdout stays one JSON object per line.
func (g *globals) note(format string, args ...any) {
	w := g.stdout
	if g.output == "json" {
		w = g.stderr
	}
	fmt.Fprintf(w, format+"\n", args...)
}
