// Package docker tests tasks on the Docker runtime end to end: a server in
// process driven with aws-sdk-go-v2, tasks run as containers of images built
// FROM scratch from static Go binaries.
package docker

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/lbnode"
	"github.com/slipway-dev/slipway/internal/runtime/process"
	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// Images the tests run.
const (
	talkImage  = "slipway-test/talk-service:docker"
	probeImage = "slipway-test/probe:docker"
)

// Binaries TestMain builds: talk-service and probe (for images and the
// process runtime), and a static slipway for awsvpc network holders.
var (
	talkBinary, probeBinary, holderBinary string
	buildErr                              error
)

func TestMain(m *testing.M) {
	if testutil.IsShim() {
		os.Exit(process.ShimMain(os.Args[1:]))
	}
	if len(os.Args) > 1 && os.Args[1] == lbnode.Arg { // the default data plane command
		os.Exit(lbnode.Main(os.Args[1:]))
	}
	dir, err := os.MkdirTemp("", "docker-e2e-")
	if err != nil {
		panic(err)
	}
	talkBinary, buildErr = testutil.BuildTalkService(dir)
	if buildErr == nil {
		probeBinary, buildErr = testutil.BuildPackage(dir, "./internal/testutil/probe", "probe")
	}
	if buildErr == nil {
		holderBinary, buildErr = testutil.BuildPackage(dir, "./cmd/slipway", "slipway")
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var imagesOnce sync.Once

// site is one server with ECS clients.
type site struct {
	t   *testing.T
	cfg server.Config
	srv *server.Server
	ecs *awsecs.Client
}

// newSite starts a server on runtime (server.RuntimeDocker or
// RuntimeProcess), its configuration changed by each option; a Docker one
// needs the engine and the test images.
func newSite(t *testing.T, runtime string, options ...func(*server.Config)) *site {
	t.Helper()
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	if runtime == server.RuntimeDocker {
		cli := testutil.RequireDocker(t)
		var err error
		imagesOnce.Do(func() {
			if err = testutil.BuildImage(context.Background(), cli, talkImage, talkBinary); err == nil {
				err = testutil.BuildImage(context.Background(), cli, probeImage, probeBinary)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	shim, shimEnv := testutil.ShimCommand()
	s := &site{t: t, cfg: server.Config{
		APIAddr: "127.0.0.1:0", DataDir: t.TempDir(), LBHost: "127.0.0.1",
		ShimCommand: shim, ShimEnv: shimEnv, Runtime: runtime, HolderBinary: holderBinary,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("test", t.Name()),
	}}
	for _, o := range options {
		o(&s.cfg)
	}
	s.start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.srv.StopAllTasks(ctx); err != nil {
			t.Errorf("stopping tasks: %v", err)
		}
		s.srv.Close()
	})
	return s
}

func (s *site) start() {
	s.t.Helper()
	srv, err := server.Start(context.Background(), s.cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	s.srv = srv
	s.ecs = awsecs.New(awsecs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", "")})
}

// register registers a task definition and returns its ARN.
func (s *site) register(in *awsecs.RegisterTaskDefinitionInput) string {
	s.t.Helper()
	out, err := s.ecs.RegisterTaskDefinition(context.Background(), in)
	if err != nil {
		s.t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

// run runs count tasks of td and returns their ARNs.
func (s *site) run(td string, count int, network *ecstypes.NetworkConfiguration) []string {
	s.t.Helper()
	out, err := s.ecs.RunTask(context.Background(), &awsecs.RunTaskInput{TaskDefinition: aws.String(td),
		Count: aws.Int32(int32(count)), NetworkConfiguration: network})
	if err != nil {
		s.t.Fatal(err)
	}
	if len(out.Failures) > 0 || len(out.Tasks) != count {
		s.t.Fatalf("run: %d tasks, failures %+v", len(out.Tasks), out.Failures)
	}
	var arns []string
	for _, t := range out.Tasks {
		arns = append(arns, aws.ToString(t.TaskArn))
	}
	return arns
}

func (s *site) describe(arns []string) []ecstypes.Task {
	s.t.Helper()
	out, err := s.ecs.DescribeTasks(context.Background(), &awsecs.DescribeTasksInput{Tasks: arns})
	if err != nil {
		s.t.Fatal(err)
	}
	return out.Tasks
}

// waitStatus waits until every task reached status and returns them.
func (s *site) waitStatus(arns []string, status string, timeout time.Duration) []ecstypes.Task {
	s.t.Helper()
	var tasks []ecstypes.Task
	testutil.Eventually(s.t, timeout, func() (bool, string) {
		tasks = s.describe(arns)
		var states []string
		done := true
		for _, t := range tasks {
			states = append(states, aws.ToString(t.LastStatus)+" "+aws.ToString(t.StoppedReason))
			done = done && aws.ToString(t.LastStatus) == status
		}
		return done, strings.Join(states, "; ")
	})
	return tasks
}

// awsvpc is a networkConfiguration for awsvpc tasks.
func awsvpc() *ecstypes.NetworkConfiguration {
	return &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
		Subnets: []string{"subnet-0a1b2c"}, SecurityGroups: []string{"sg-0d1e2f"}}}
}

// get fetches url until it answers 200.
func get(t *testing.T, url string) string {
	t.Helper()
	return testutil.GetOK(t, url, 15*time.Second)
}

// detail returns an attachment detail.
func detail(a ecstypes.Attachment, name string) string {
	for _, d := range a.Details {
		if aws.ToString(d.Name) == name {
			return aws.ToString(d.Value)
		}
	}
	return ""
}
