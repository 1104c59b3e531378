package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/runtime/process"
	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// env is an embedded server with a load-balanced service of talk-service
// tasks configured with the benchmark's settings.
type env struct {
	s    settings
	dir  string
	srv  *server.Server
	ecs  *awsecs.Client
	elb  *elb.Client
	talk string
	tg   string
	lb   string
}

func newEnv(ctx context.Context, s settings, logger *slog.Logger) (*env, error) {
	dir, err := os.MkdirTemp("", "slipway-bench-deploy")
	if err != nil {
		return nil, err
	}
	e := &env{s: s, dir: dir}
	if e.talk, err = testutil.BuildTalkService(dir); err != nil {
		return nil, err
	}
	shim, err := process.DefaultShimCommand()
	if err != nil {
		return nil, err
	}
	e.srv, err = server.Start(ctx, server.Config{APIAddr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"),
		LBHost: "127.0.0.1", ShimCommand: shim, Logger: logger})
	if err != nil {
		return nil, err
	}
	creds := credentials.NewStaticCredentialsProvider("x", "x", "")
	e.ecs = awsecs.New(awsecs.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL()), Credentials: creds})
	e.elb = elb.New(elb.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL()), Credentials: creds})
	if err := e.setUp(ctx); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *env) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = e.srv.StopAllTasks(ctx)
	_ = e.srv.StopDataPlane(ctx)
	_ = e.srv.Close()
	_ = os.RemoveAll(e.dir)
}

func (e *env) setUp(ctx context.Context) error {
	tg, err := e.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{
		Name: aws.String("talk"), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(8080), VpcId: aws.String("vpc-local"),
		HealthCheckPath: aws.String("/health"), HealthCheckIntervalSeconds: aws.Int32(int32(e.s.interval / time.Second)),
		HealthCheckTimeoutSeconds: aws.Int32(2), HealthyThresholdCount: aws.Int32(int32(e.s.healthyThreshold)),
	})
	if err != nil {
		return err
	}
	e.tg = aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	_, err = e.elb.ModifyTargetGroupAttributes(ctx, &elb.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(e.tg),
		Attributes: []elbtypes.TargetGroupAttribute{{Key: aws.String("deregistration_delay.timeout_seconds"),
			Value: aws.String(strconv.Itoa(int(e.s.deregistration / time.Second)))}}})
	if err != nil {
		return err
	}
	lb, err := e.elb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("talk"), Subnets: []string{"subnet-a", "subnet-b"}})
	if err != nil {
		return err
	}
	e.lb = aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	if err := e.listen(ctx, e.tg); err != nil {
		return err
	}
	td, err := e.register(ctx, "v1")
	if err != nil {
		return err
	}
	_, err = e.ecs.CreateService(ctx, &awsecs.CreateServiceInput{
		ServiceName: aws.String("talk"), TaskDefinition: aws.String(td), DesiredCount: aws.Int32(int32(e.s.tasks)),
		LoadBalancers:           []ecstypes.LoadBalancer{{TargetGroupArn: aws.String(e.tg), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}},
		DeploymentConfiguration: &ecstypes.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(int32(e.s.minPct)), MaximumPercent: aws.Int32(int32(e.s.maxPct))},
	})
	if err != nil {
		return err
	}
	_, err = e.waitCompleted(ctx, td, 2*time.Minute)
	return err
}

func (e *env) listen(ctx context.Context, tg string) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	_, err = e.elb.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(e.lb), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(int32(port)), DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tg)}}})
	return err
}

func (e *env) register(ctx context.Context, version string) (string, error) {
	out, err := e.ecs.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{
		Family: aws.String("talk"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String(e.talk), MemoryReservation: aws.Int32(16),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}},
			Environment: []ecstypes.KeyValuePair{
				{Name: aws.String("TALK_VERSION"), Value: aws.String(version)},
				{Name: aws.String("TALK_STARTUP_DELAY"), Value: aws.String(e.s.startup.String())},
			},
		}},
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn), nil
}

// deploy times one rolling deploy: from UpdateService until the new
// deployment is the only one, COMPLETED (every old task stopped).
func (e *env) deploy(ctx context.Context, version string) (time.Duration, error) {
	td, err := e.register(ctx, version)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if _, err := e.ecs.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("talk"), TaskDefinition: aws.String(td)}); err != nil {
		return 0, err
	}
	done, err := e.waitCompleted(ctx, td, 2*time.Minute)
	return done.Sub(start), err
}

func (e *env) waitCompleted(ctx context.Context, td string, timeout time.Duration) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		out, err := e.ecs.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{"talk"}})
		if err != nil {
			return time.Time{}, err
		}
		s := out.Services[0]
		if len(s.Deployments) == 1 && aws.ToString(s.Deployments[0].TaskDefinition) == td &&
			s.Deployments[0].RolloutState == ecstypes.DeploymentRolloutStateCompleted {
			return time.Now(), nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("deployment of %s did not complete within %s", td, timeout)
}
