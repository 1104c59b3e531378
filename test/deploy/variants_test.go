package deploy

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// variant is a runtime and network mode the acceptance runs on.
type variant struct {
	name    string
	runtime string
	awsvpc  bool
}

// variants: the process runtime, and Docker with bridge and with awsvpc
// networking.
var variants = []variant{
	{"process", server.RuntimeProcess, false},
	{"docker_bridge", server.RuntimeDocker, false},
	{"docker_awsvpc", server.RuntimeDocker, true},
}

func (v variant) docker() bool { return v.runtime == server.RuntimeDocker }

// forEachVariant runs f as a subtest per variant. The Docker ones run in
// parallel with each other, after the process one (the suite's time stays
// near one variant's more than three).
func forEachVariant(t *testing.T, f func(t *testing.T, v variant)) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			if v.docker() {
				t.Parallel()
				requireImages(t)
			}
			f(t, v)
		})
	}
}

// talkImage is the talk-service image the Docker variants run, built FROM
// scratch from the static binary TestMain built.
const talkImage = "slipway-test/talk-service:deploy"

var (
	imagesOnce sync.Once
	imagesErr  error
	// holderBinary is a static slipway for the awsvpc network holders.
	holderBinary string
)

func requireImages(t *testing.T) {
	t.Helper()
	cli := testutil.RequireDocker(t)
	imagesOnce.Do(func() {
		if imagesErr = testutil.BuildImage(context.Background(), cli, talkImage, talkBinary); imagesErr != nil {
			return
		}
		dir, err := os.MkdirTemp("", "deploy-test-holder")
		if err != nil {
			imagesErr = err
			return
		}
		holderBinary, imagesErr = testutil.BuildPackage(dir, "./cmd/slipway", "slipway")
	})
	if imagesErr != nil {
		t.Fatal(imagesErr)
	}
}

// image is what a task definition names to run talk-service.
func (v variant) image() string {
	if v.docker() {
		return talkImage
	}
	return talkBinary
}

// killContainer sends SIGKILL to the process of a task's container on the
// Docker runtime, found through the engine by the task id label.
func killContainer(t testing.TB, task ecstypes.Task) {
	t.Helper()
	cli := testutil.RequireDocker(t)
	arn := aws.ToString(task.TaskArn)
	id := arn[strings.LastIndex(arn, "/")+1:]
	f := make(client.Filters).Add("label", "dev.slipway.task-id="+id, "dev.slipway.role=container")
	list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{Filters: f})
	if err != nil || len(list.Items) == 0 {
		t.Fatalf("no running container of task %s: %v", id, err)
	}
	insp, err := cli.ContainerInspect(context.Background(), list.Items[0].ID, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(insp.Container.State.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
}

// networkConfiguration is what awsvpc services need (and the others must
// not have).
func (h *harness) networkConfiguration() *ecstypes.NetworkConfiguration {
	if !h.v.awsvpc {
		return nil
	}
	return &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
		Subnets: []string{"subnet-a", "subnet-b"}, SecurityGroups: []string{"sg-talk"}}}
}

// slogLevel is the servers' log level: warnings, or SLIPWAY_TEST_LOG's.
func slogLevel() slog.Level {
	var l slog.Level
	if l.UnmarshalText([]byte(os.Getenv("SLIPWAY_TEST_LOG"))) != nil {
		return slog.LevelWarn
	}
	return l
}
