package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// slipwayModule is the module path the demo looks for to find its sources.
const slipwayModule = "github.com/slipway-dev/slipway"

// errNotCheckout reports that the demo cannot find Slipway's sources.
var errNotCheckout = errors.New("not in a Slipway checkout")

// findModuleRoot walks up from dir to the go.mod of Slipway's module.
func findModuleRoot(dir string) (string, error) {
	start := dir
	for {
		if isSlipwayModule(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: no go.mod of %s in %s or above; `slipway demo` builds examples/talk-service from source, so run it from a Slipway checkout (e.g. `cd slipway && go run ./cmd/slipway demo`)",
				errNotCheckout, slipwayModule, start)
		}
		dir = parent
	}
}

func isSlipwayModule(gomod string) bool {
	f, err := os.Open(gomod)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == slipwayModule
		}
	}
	return false
}

// buildTalkService builds the example service as a static binary (as the
// tests do, so the build cache is shared).
func buildTalkService(ctx context.Context, root, dir string) (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the demo builds examples/talk-service and needs the Go toolchain on PATH: %w", err)
	}
	out := filepath.Join(dir, "talk-service")
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", out, "./examples/talk-service")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./examples/talk-service: %w\n%s", err, b)
	}
	return out, nil
}

// freePort asks the kernel for a free port on 127.0.0.1 for the listener.
func freePort() (int32, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return int32(l.Addr().(*net.TCPAddr).Port), nil
}

// registerTalk registers family "talk" running the built binary.
func registerTalk(ctx context.Context, c *awsecs.Client, binary string) (string, error) {
	out, err := c.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{
		Family: aws.String("talk"),
		ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String(binary), Essential: aws.Bool(true), Cpu: 128, Memory: aws.Int32(256),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(8080), Protocol: types.TransportProtocolTcp}},
			Environment:  []types.KeyValuePair{{Name: aws.String("TALK_VERSION"), Value: aws.String("v1")}},
		}},
	})
	if err != nil {
		return "", fmt.Errorf("registering talk: %w", err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn), nil
}

// demoLB is the demo's load balancing: the live target group, the
// alternate one a canary's green scales into, and the listener's default
// rule that a canary re-weights (its productionListenerRule).
type demoLB struct {
	lb, tg, altTG, prodRule, url string
}

// createTargetGroup creates one of the demo's target groups: fast health
// checks and a short deregistration delay, so the demo is quick.
func createTargetGroup(ctx context.Context, c *elb.Client, name string) (string, error) {
	g, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{
		Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(8080), VpcId: aws.String("vpc-demo"),
		TargetType: elbtypes.TargetTypeEnumInstance, HealthCheckPath: aws.String("/health"),
		HealthCheckIntervalSeconds: aws.Int32(5), HealthCheckTimeoutSeconds: aws.Int32(2),
		HealthyThresholdCount: aws.Int32(2), UnhealthyThresholdCount: aws.Int32(2),
	})
	if err != nil {
		return "", fmt.Errorf("creating target group %s: %w", name, err)
	}
	tg := aws.ToString(g.TargetGroups[0].TargetGroupArn)
	if _, err := c.ModifyTargetGroupAttributes(ctx, &elb.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(tg),
		Attributes: []elbtypes.TargetGroupAttribute{{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("5")}}}); err != nil {
		return "", fmt.Errorf("setting the deregistration delay of %s: %w", name, err)
	}
	return tg, nil
}

// createLoadBalancing creates the target groups talk and talk-green, a load
// balancer and an HTTP listener on a free port forwarding to talk.
func createLoadBalancing(ctx context.Context, c *elb.Client) (demoLB, error) {
	var d demoLB
	var err error
	if d.tg, err = createTargetGroup(ctx, c, "talk"); err != nil {
		return d, err
	}
	if d.altTG, err = createTargetGroup(ctx, c, "talk-green"); err != nil {
		return d, err
	}
	lbOut, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("demo"), Subnets: []string{"subnet-demo"}})
	if err != nil {
		return d, fmt.Errorf("creating the load balancer: %w", err)
	}
	d.lb = aws.ToString(lbOut.LoadBalancers[0].LoadBalancerArn)
	port, err := freePort()
	if err != nil {
		return d, fmt.Errorf("finding a free port for the listener: %w", err)
	}
	l, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(d.lb),
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(port),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(d.tg)}}})
	if err != nil {
		return d, fmt.Errorf("creating the listener on port %d: %w", port, err)
	}
	rules, err := c.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: l.Listeners[0].ListenerArn})
	if err != nil {
		return d, fmt.Errorf("reading the listener's default rule: %w", err)
	}
	for _, r := range rules.Rules {
		if aws.ToBool(r.IsDefault) {
			d.prodRule = aws.ToString(r.RuleArn)
		}
	}
	d.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	return d, nil
}

// createTalkService creates the service of 3 tasks behind the target group
// with the circuit breaker and rollback on. Its load balancer names the
// alternate target group and the production rule from the start: a rolling
// deployment uses only the live group, and the canary act then needs only a
// new strategy.
func createTalkService(ctx context.Context, c *awsecs.Client, taskDef string, lb demoLB) (types.Service, error) {
	out, err := c.CreateService(ctx, &awsecs.CreateServiceInput{
		ServiceName: aws.String("talk"), TaskDefinition: aws.String(taskDef), DesiredCount: aws.Int32(3),
		LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String(lb.tg), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080),
			AdvancedConfiguration: &types.AdvancedConfiguration{AlternateTargetGroupArn: aws.String(lb.altTG), ProductionListenerRule: aws.String(lb.prodRule),
				RoleArn: aws.String("arn:aws:iam::000000000000:role/ecsInfrastructureRole")}}},
		DeploymentConfiguration: &types.DeploymentConfiguration{
			MinimumHealthyPercent:    aws.Int32(100),
			MaximumPercent:           aws.Int32(200),
			DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true},
		},
	})
	if err != nil {
		return types.Service{}, fmt.Errorf("creating service talk: %w", err)
	}
	return *out.Service, nil
}
