package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/runtime/process"
	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// env is an embedded server with service "web" (talk-service) behind a listener
// and service "chatty" whose container uses the awslogs driver (group "bench").
type env struct {
	dir  string
	srv  *server.Server
	ecs  *awsecs.Client
	elb  *elb.Client
	logs *cwl.Client
	url  string // the listener's /talk
	// chatty and chattyFiles are the executables of the chatty containers, with
	// and without the awslogs driver (copies, so that their processes differ).
	chatty, chattyFiles string
}

func newEnv(ctx context.Context, s settings, logger *slog.Logger) (*env, error) {
	dir, err := os.MkdirTemp("", "slipway-bench-logs")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir}
	talk, err := testutil.BuildTalkService(dir)
	if err != nil {
		return nil, err
	}
	chatty, err := testutil.BuildPackage(dir, "./bench/logs/chatty", "chatty")
	if err != nil {
		return nil, err
	}
	e.chatty = chatty
	if e.chattyFiles, err = testutil.BuildPackage(dir, "./bench/logs/chatty", "chatty-files"); err != nil {
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
	e.logs = cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL()), Credentials: creds})
	if err := e.setUp(ctx, s, talk, chatty); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *env) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = e.srv.StopAllTasks(ctx)
	_ = e.srv.Close()
	_ = os.RemoveAll(e.dir)
}

func (e *env) setUp(ctx context.Context, s settings, talk, chatty string) error {
	tg, err := e.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("web"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(8080), VpcId: aws.String("vpc-local"), HealthCheckPath: aws.String("/health"),
		HealthCheckIntervalSeconds: aws.Int32(5), HealthCheckTimeoutSeconds: aws.Int32(2), HealthyThresholdCount: aws.Int32(2)})
	if err != nil {
		return err
	}
	tgARN := aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	lb, err := e.elb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web"), Subnets: []string{"subnet-a", "subnet-b"}})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	if _, err := e.elb.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(int32(port)),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgARN)}}}); err != nil {
		return err
	}
	e.url = fmt.Sprintf("http://127.0.0.1:%d/talk", port)
	if _, err := e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bench")}); err != nil {
		return err
	}
	for _, def := range []ecstypes.ContainerDefinition{
		{Name: aws.String("web"), Image: aws.String(talk), MemoryReservation: aws.Int32(16),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}}},
		chattyDef("chatty", chatty, s, true),
		chattyDef("chatty-files", e.chattyFiles, s, false),
	} {
		if _, err := e.ecs.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: def.Name,
			ContainerDefinitions: []ecstypes.ContainerDefinition{def}}); err != nil {
			return err
		}
	}
	if _, err := e.ecs.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("web"),
		DesiredCount:  aws.Int32(int32(s.backends)),
		LoadBalancers: []ecstypes.LoadBalancer{{TargetGroupArn: aws.String(tgARN), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}}}); err != nil {
		return err
	}
	for _, name := range []string{"chatty", "chatty-files"} {
		if _, err := e.ecs.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String(name), TaskDefinition: aws.String(name),
			DesiredCount: aws.Int32(1)}); err != nil {
			return err
		}
		if err := e.waitRunning(ctx, name); err != nil {
			return err
		}
	}
	return e.waitHealthy(ctx, tgARN, s.backends)
}

func (e *env) waitHealthy(ctx context.Context, tg string, n int) error {
	return poll(ctx, 2*time.Minute, func() (bool, error) {
		out, err := e.elb.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(tg)})
		if err != nil {
			return false, err
		}
		healthy := 0
		for _, d := range out.TargetHealthDescriptions {
			if d.TargetHealth.State == elbtypes.TargetHealthStateEnumHealthy {
				healthy++
			}
		}
		return healthy == n, nil
	})
}

// waitRunning waits until the service's one task runs.
func (e *env) waitRunning(ctx context.Context, service string) error {
	return poll(ctx, time.Minute, func() (bool, error) {
		out, err := e.ecs.ListTasks(ctx, &awsecs.ListTasksInput{ServiceName: aws.String(service)})
		if err != nil || len(out.TaskArns) != 1 {
			return false, err
		}
		d, err := e.ecs.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: out.TaskArns})
		return err == nil && aws.ToString(d.Tasks[0].LastStatus) == "RUNNING", err
	})
}

// chattyStream is the stream of the running chatty task, once it has events.
func (e *env) chattyStream(ctx context.Context) (string, error) {
	out, err := e.ecs.ListTasks(ctx, &awsecs.ListTasksInput{ServiceName: aws.String("chatty")})
	if err != nil || len(out.TaskArns) == 0 {
		return "", fmt.Errorf("no chatty task: %v", err)
	}
	arn := out.TaskArns[0]
	stream := "chatty/chatty/" + arn[strings.LastIndex(arn, "/")+1:]
	err = poll(ctx, 30*time.Second, func() (bool, error) {
		_, _, err := e.newestSeq(ctx, stream)
		return err == nil, nil
	})
	return stream, err
}

// newestSeq reads the number and time of the newest line stored in stream.
func (e *env) newestSeq(ctx context.Context, stream string) (int, time.Time, error) {
	out, err := e.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("bench"), LogStreamName: aws.String(stream),
		Limit: aws.Int32(1)})
	if err != nil {
		return 0, time.Time{}, err
	}
	if len(out.Events) == 0 {
		return 0, time.Time{}, fmt.Errorf("no events in %s yet", stream)
	}
	msg := aws.ToString(out.Events[0].Message)
	num, _, _ := strings.Cut(strings.TrimPrefix(msg, "seq="), " ")
	seq, err := strconv.Atoi(num)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("unexpected line %q", msg)
	}
	return seq, time.UnixMilli(aws.ToInt64(out.Events[0].Timestamp)), nil
}

func poll(ctx context.Context, timeout time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within %s (last error: %v)", timeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// chattyDef is a chatty container, with the awslogs driver when shipped.
func chattyDef(name, exe string, s settings, shipped bool) ecstypes.ContainerDefinition {
	def := ecstypes.ContainerDefinition{Name: aws.String(name), Image: aws.String(exe), MemoryReservation: aws.Int32(16),
		Environment: []ecstypes.KeyValuePair{{Name: aws.String("RATE"), Value: aws.String(strconv.Itoa(s.rate))}}}
	if shipped {
		def.LogConfiguration = &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs,
			Options: map[string]string{"awslogs-group": "bench", "awslogs-stream-prefix": "chatty", "awslogs-region": "us-east-1"}}
	}
	return def
}
