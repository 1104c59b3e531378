package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/lbnode"
	"github.com/slipway-dev/slipway/internal/runtime/process"
	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

var talkBinary string

func TestMain(m *testing.M) {
	// The test binary also serves as its servers' children: the process
	// runtime's shim, the data plane and the reaper.
	if code, ok := testutil.RunAsChild(testutil.Children{ShimArg: process.ShimArg, Shim: process.ShimMain,
		DataPlaneArg: lbnode.Arg, DataPlane: lbnode.Main}); ok {
		os.Exit(code)
	}
	dir, err := os.MkdirTemp("", "deploy-test-bin")
	if err != nil {
		panic(err)
	}
	if talkBinary, err = testutil.BuildTalkService(dir); err != nil {
		panic(err)
	}
	testutil.OwnChildren()
	code := testutil.RunWithReaper(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// harness is one embedded server with a load-balanced talk service.
type harness struct {
	t        testing.TB
	v        variant
	cfg      server.Config
	srv      *server.Server
	ecs      *awsecs.Client
	elb      *elb.Client
	tg       string
	lbARN    string
	listener string // the production listener
	url      string // the listener, e.g. http://127.0.0.1:PORT
	service  string
	revision int
	// For traffic-shifting strategies: the alternate target group, the
	// production listener's default rule and the test listener's rule.
	altTG, prodRule, testRule, testURL string
}

type serviceConfig struct {
	desired, minPct, maxPct int
	// shift, when set, is a BLUE_GREEN, CANARY or LINEAR configuration:
	// the service gets an alternate target group and a test listener.
	shift *ecstypes.DeploymentConfiguration
	// timeScale runs bake times this many times faster (--time-scale).
	timeScale float64
	// tags are the service's tags (slipway:analysis).
	tags []ecstypes.Tag
}

func newHarness(t testing.TB, v variant, cfg serviceConfig) *harness {
	t.Helper()
	ctx := context.Background()
	shim, shimEnv := testutil.ShimCommand()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slogLevel()})).With("variant", v.name)
	h := &harness{t: t, v: v, service: "talk", cfg: server.Config{APIAddr: "127.0.0.1:0", DataDir: t.TempDir(), LBHost: "127.0.0.1",
		ShimCommand: shim, ShimEnv: shimEnv, Runtime: v.runtime, HolderBinary: holderBinary, Logger: logger,
		TimeScale: cfg.timeScale}}
	h.start()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := h.srv.StopAllTasks(sctx); err != nil {
			t.Errorf("stopping tasks: %v", err)
		}
		if err := h.srv.StopDataPlane(sctx); err != nil {
			t.Errorf("stopping the data plane: %v", err)
		}
		h.srv.Close()
		testutil.KillLeftovers(t, h.cfg.DataDir)
	})
	h.setUpLoadBalancer(ctx)
	lb := ecstypes.LoadBalancer{TargetGroupArn: aws.String(h.tg), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}
	dc := &ecstypes.DeploymentConfiguration{
		MinimumHealthyPercent: aws.Int32(int32(cfg.minPct)), MaximumPercent: aws.Int32(int32(cfg.maxPct)),
		DeploymentCircuitBreaker: &ecstypes.DeploymentCircuitBreaker{Enable: true, Rollback: true},
	}
	if cfg.shift != nil {
		h.setUpShifting(ctx)
		lb.AdvancedConfiguration = &ecstypes.AdvancedConfiguration{AlternateTargetGroupArn: aws.String(h.altTG),
			ProductionListenerRule: aws.String(h.prodRule), TestListenerRule: aws.String(h.testRule),
			RoleArn: aws.String("arn:aws:iam::000000000000:role/ecsInfrastructure")}
		dc.Strategy, dc.BakeTimeInMinutes = cfg.shift.Strategy, cfg.shift.BakeTimeInMinutes
		dc.CanaryConfiguration, dc.LinearConfiguration = cfg.shift.CanaryConfiguration, cfg.shift.LinearConfiguration
		dc.Alarms, dc.LifecycleHooks = cfg.shift.Alarms, cfg.shift.LifecycleHooks
	}
	td := h.register(map[string]string{"TALK_VERSION": "v1"})
	_, err := h.ecs.CreateService(ctx, &awsecs.CreateServiceInput{
		ServiceName: aws.String(h.service), TaskDefinition: aws.String(td), DesiredCount: aws.Int32(int32(cfg.desired)),
		NetworkConfiguration:    h.networkConfiguration(),
		LoadBalancers:           []ecstypes.LoadBalancer{lb},
		DeploymentConfiguration: dc,
		Tags:                    cfg.tags,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.waitSteady(td, cfg.desired, 60*time.Second)
	return h
}

// start starts the server on the harness's data directory and points the
// clients at it.
func (h *harness) start() {
	h.t.Helper()
	srv, err := server.Start(context.Background(), h.cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.srv = srv
	creds := credentials.NewStaticCredentialsProvider("x", "x", "")
	h.ecs = awsecs.New(awsecs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds})
	h.elb = elb.New(elb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds})
}

// restart stops the server as a crash would leave things (tasks keep
// running, nothing is cleaned up) and starts a new one on the same data.
func (h *harness) restart() {
	h.t.Helper()
	if err := h.srv.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.start()
}

func (h *harness) setUpLoadBalancer(ctx context.Context) {
	t := h.t
	targetType := elbtypes.TargetTypeEnumInstance
	if h.v.awsvpc {
		targetType = elbtypes.TargetTypeEnumIp
	}
	h.tg = h.createTargetGroup(ctx, "talk", targetType)
	lb, err := h.elb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("talk"), Subnets: []string{"subnet-a", "subnet-b"}})
	if err != nil {
		t.Fatal(err)
	}
	h.lbARN = aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	port := testutil.FreePort(t)
	listener, err := h.elb.CreateListener(ctx, &elb.CreateListenerInput{
		LoadBalancerArn: aws.String(h.lbARN), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(int32(port)),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(h.tg)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.listener = aws.ToString(listener.Listeners[0].ListenerArn)
	h.url = "http://127.0.0.1:" + strconv.Itoa(port)
}

func (h *harness) createTargetGroup(ctx context.Context, name string, targetType elbtypes.TargetTypeEnum) string {
	t := h.t
	tg, err := h.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{
		Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(8080), VpcId: aws.String("vpc-local"),
		TargetType:      targetType,
		HealthCheckPath: aws.String("/health"), HealthCheckIntervalSeconds: aws.Int32(5), HealthCheckTimeoutSeconds: aws.Int32(2),
		HealthyThresholdCount: aws.Int32(2), UnhealthyThresholdCount: aws.Int32(2),
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	_, err = h.elb.ModifyTargetGroupAttributes(ctx, &elb.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(arn),
		Attributes: []elbtypes.TargetGroupAttribute{{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("5")}}})
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

// register registers a new revision of family talk with the given
// talk-service settings and returns its ARN.
func (h *harness) register(env map[string]string) string {
	h.t.Helper()
	var kv []ecstypes.KeyValuePair
	for k, v := range env {
		kv = append(kv, ecstypes.KeyValuePair{Name: aws.String(k), Value: aws.String(v)})
	}
	in := &awsecs.RegisterTaskDefinitionInput{
		Family: aws.String("talk"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String(h.v.image()), MemoryReservation: aws.Int32(32),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}}, Environment: kv,
			StopTimeout: aws.Int32(10),
		}},
	}
	if h.v.awsvpc {
		in.NetworkMode = ecstypes.NetworkModeAwsvpc
	}
	out, err := h.ecs.RegisterTaskDefinition(context.Background(), in)
	if err != nil {
		h.t.Fatal(err)
	}
	h.revision = int(out.TaskDefinition.Revision)
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

// deploy updates the service to td and returns the new deployment's id.
func (h *harness) deploy(td string) string {
	h.t.Helper()
	out, err := h.ecs.UpdateService(context.Background(), &awsecs.UpdateServiceInput{Service: aws.String(h.service), TaskDefinition: aws.String(td)})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, d := range out.Service.Deployments {
		if aws.ToString(d.Status) == "PRIMARY" {
			return aws.ToString(d.Id)
		}
	}
	h.t.Fatal("no PRIMARY deployment after UpdateService")
	return ""
}

func (h *harness) describe() ecstypes.Service {
	h.t.Helper()
	out, err := h.ecs.DescribeServices(context.Background(), &awsecs.DescribeServicesInput{Services: []string{h.service}})
	if err != nil || len(out.Services) != 1 {
		h.t.Fatalf("describe: %v %v", out, err)
	}
	return out.Services[0]
}

// waitSteady waits until the only deployment is td, COMPLETED, with desired tasks running.
func (h *harness) waitSteady(td string, desired int, timeout time.Duration) ecstypes.Service {
	h.t.Helper()
	var s ecstypes.Service
	testutil.Eventually(h.t, timeout, func() (bool, string) {
		s = h.describe()
		ok := len(s.Deployments) == 1 && aws.ToString(s.Deployments[0].TaskDefinition) == td &&
			s.Deployments[0].RolloutState == ecstypes.DeploymentRolloutStateCompleted && int(s.RunningCount) == desired
		return ok, h.summary(s)
	})
	return s
}

// waitRollout waits for a deployment to reach COMPLETED or FAILED. A
// deployment that finished and was retired before a poll saw it (a fast
// rollback) is read back from the service deployments.
func (h *harness) waitRollout(id string, timeout time.Duration) ecstypes.Deployment {
	h.t.Helper()
	var found ecstypes.Deployment
	testutil.Eventually(h.t, timeout, func() (bool, string) {
		s := h.describe()
		for _, d := range s.Deployments {
			if aws.ToString(d.Id) == id {
				found = d
				return d.RolloutState != ecstypes.DeploymentRolloutStateInProgress, h.summary(s)
			}
		}
		if d, ok := h.retired(id); ok {
			found = d
			return true, ""
		}
		return false, "deployment " + id + " gone: " + h.summary(s)
	})
	return found
}

// retired finds a deployment that left DescribeServices among the service
// deployments and reports it in the Deployment shape.
func (h *harness) retired(id string) (ecstypes.Deployment, bool) {
	ctx := context.Background()
	seq := strings.TrimLeft(strings.TrimPrefix(id, "ecs-svc/"), "0")
	list, err := h.ecs.ListServiceDeployments(ctx, &awsecs.ListServiceDeploymentsInput{Service: aws.String(h.service)})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, b := range list.ServiceDeployments {
		if !strings.HasSuffix(aws.ToString(b.ServiceDeploymentArn), "/"+seq) {
			continue
		}
		d := ecstypes.Deployment{Id: aws.String(id), RolloutStateReason: b.StatusReason}
		switch b.Status {
		case ecstypes.ServiceDeploymentStatusSuccessful:
			d.RolloutState = ecstypes.DeploymentRolloutStateCompleted
		case ecstypes.ServiceDeploymentStatusInProgress:
			return d, false
		default:
			d.RolloutState = ecstypes.DeploymentRolloutStateFailed
		}
		return d, true
	}
	return ecstypes.Deployment{}, false
}

func (h *harness) summary(s ecstypes.Service) string {
	b, _ := json.Marshal(struct {
		Deployments []ecstypes.Deployment
		Events      []ecstypes.ServiceEvent
	}{s.Deployments, s.Events[:min(len(s.Events), 8)]})
	return fmt.Sprintf("running %d: %s", s.RunningCount, b)
}
