package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/runtime/process"
	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// serviceTemplate is a load-balanced service of talk-service tasks with
// bench/deploy's settings: the app starts in 1 s, health checks every 5 s
// (ELB's minimum), healthy after 2, deregistration delay 5 s, minimum
// healthy 100 %, maximum 200 %.
const serviceTemplate = `
Parameters:
  Name: {Type: String}
  Image: {Type: String}
  Version: {Type: String}
  Port: {Type: Number}
  Tasks: {Type: Number}
Resources:
  TargetGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Name: !Ref Name
      Protocol: HTTP
      Port: 8080
      VpcId: vpc-local
      HealthCheckPath: /health
      HealthCheckIntervalSeconds: 5
      HealthCheckTimeoutSeconds: 2
      HealthyThresholdCount: 2
      TargetGroupAttributes: [{Key: deregistration_delay.timeout_seconds, Value: '5'}]
  LoadBalancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Name: !Ref Name, Subnets: [subnet-a, subnet-b]}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref LoadBalancer
      Port: !Ref Port
      Protocol: HTTP
      DefaultActions: [{Type: forward, TargetGroupArn: !Ref TargetGroup}]
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: !Ref Name
      ContainerDefinitions:
        - Name: web
          Image: !Ref Image
          MemoryReservation: 16
          PortMappings: [{ContainerPort: 8080}]
          Environment:
            - {Name: TALK_VERSION, Value: !Ref Version}
            - {Name: TALK_STARTUP_DELAY, Value: 1s}
  Service:
    Type: AWS::ECS::Service
    DependsOn: Listener
    Properties:
      ServiceName: !Ref Name
      TaskDefinition: !Ref TaskDefinition
      DesiredCount: !Ref Tasks
      LoadBalancers: [{TargetGroupArn: !Ref TargetGroup, ContainerName: web, ContainerPort: 8080}]
      DeploymentConfiguration: {MinimumHealthyPercent: 100, MaximumPercent: 200}
`

// env is an embedded server with two such services, each from a stack of
// serviceTemplate: "viastack" is then deployed by UpdateStack, "viaservice"
// by RegisterTaskDefinition and UpdateService.
type env struct {
	dir    string
	tasks  int
	srv    *server.Server
	cfn    *cfn.Client
	ecs    *awsecs.Client
	images [2]string
}

func newEnv(ctx context.Context, tasks int, logger *slog.Logger) (*env, error) {
	dir, err := os.MkdirTemp("", "slipway-bench-cfndeploy")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir, tasks: tasks}
	talk, err := testutil.BuildTalkService(dir)
	if err != nil {
		return nil, err
	}
	// Two copies of the binary: each deployment alternates the image.
	e.images = [2]string{talk, filepath.Join(dir, "talk-b")}
	if err := copyFile(talk, e.images[1]); err != nil {
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
	e.cfn = cfn.New(cfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL()), Credentials: creds,
		HTTPClient: testutil.SDKHTTPClient()})
	e.ecs = awsecs.New(awsecs.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL()), Credentials: creds,
		HTTPClient: testutil.SDKHTTPClient()})
	for _, name := range []string{"viastack", "viaservice"} {
		if err := e.createStack(ctx, name); err != nil {
			e.close()
			return nil, err
		}
	}
	return e, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func (e *env) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = e.srv.StopAllTasks(ctx)
	_ = e.srv.StopDataPlane(ctx)
	_ = e.srv.Close()
	_ = os.RemoveAll(e.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func param(k, v string) cfntypes.Parameter {
	return cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)}
}

func (e *env) createStack(ctx context.Context, name string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	if _, err := e.cfn.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(serviceTemplate),
		Parameters: []cfntypes.Parameter{param("Name", name), param("Image", e.images[0]), param("Version", "v1"),
			param("Port", strconv.Itoa(port)), param("Tasks", strconv.Itoa(e.tasks))}}); err != nil {
		return err
	}
	return e.waitStack(ctx, name, cfntypes.StackStatusCreateComplete, 3*time.Minute)
}

// updateStack times UpdateStack with a new image and version until the
// stack is UPDATE_COMPLETE.
func (e *env) updateStack(ctx context.Context, n int) (time.Duration, error) {
	start := time.Now()
	if _, err := e.cfn.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("viastack"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Name"), UsePreviousValue: aws.Bool(true)},
			param("Image", e.images[n%2]), param("Version", fmt.Sprintf("v%d", n)),
			{ParameterKey: aws.String("Port"), UsePreviousValue: aws.Bool(true)}, {ParameterKey: aws.String("Tasks"), UsePreviousValue: aws.Bool(true)}}}); err != nil {
		return 0, err
	}
	err := e.waitStack(ctx, "viastack", cfntypes.StackStatusUpdateComplete, 2*time.Minute)
	return time.Since(start), err
}

func (e *env) waitStack(ctx context.Context, name string, want cfntypes.StackStatus, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		out, err := e.cfn.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil {
			return err
		}
		s := out.Stacks[0]
		switch {
		case s.StackStatus == want:
			return nil
		case !inProgress(s.StackStatus):
			return fmt.Errorf("stack %s: %s %s", name, s.StackStatus, aws.ToString(s.StackStatusReason))
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("stack %s not %s within %s", name, want, timeout)
}

func inProgress(s cfntypes.StackStatus) bool {
	return len(s) > len("_IN_PROGRESS") && string(s[len(s)-len("_IN_PROGRESS"):]) == "_IN_PROGRESS"
}

// updateService registers the new revision (not timed, as bench/deploy),
// then times UpdateService until the new deployment is the only one,
// COMPLETED, with every task running: what the stack's service waits for.
func (e *env) updateService(ctx context.Context, n int) (time.Duration, error) {
	out, err := e.ecs.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{
		Family: aws.String("viaservice"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String(e.images[n%2]), MemoryReservation: aws.Int32(16),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}},
			Environment: []ecstypes.KeyValuePair{
				{Name: aws.String("TALK_VERSION"), Value: aws.String(fmt.Sprintf("v%d", n))},
				{Name: aws.String("TALK_STARTUP_DELAY"), Value: aws.String("1s")},
			},
		}},
	})
	if err != nil {
		return 0, err
	}
	td := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	start := time.Now()
	if _, err := e.ecs.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("viaservice"), TaskDefinition: aws.String(td)}); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		out, err := e.ecs.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{"viaservice"}})
		if err != nil {
			return 0, err
		}
		s := out.Services[0]
		if len(s.Deployments) == 1 && aws.ToString(s.Deployments[0].TaskDefinition) == td &&
			s.Deployments[0].RolloutState == ecstypes.DeploymentRolloutStateCompleted && s.RunningCount == s.DesiredCount {
			return time.Since(start), nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, fmt.Errorf("deployment of %s did not complete", td)
}
