package cli

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// logsFixture is a server with service "talk" of 2 tasks whose container uses the
// awslogs driver (group talk, prefix talk).
type logsFixture struct {
	t   *testing.T
	srv *server.Server
	ecs *awsecs.Client
}

func newLogsFixture(t *testing.T) *logsFixture {
	t.Helper()
	srv := startEmbedded(t, "")
	g := &globals{endpoint: srv.URL(), region: "us-east-1", cluster: "default"}
	cfg, err := g.awsConfig(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cwl.NewFromConfig(cfg).CreateLogGroup(t.Context(), &cwl.CreateLogGroupInput{LogGroupName: aws.String("talk")}); err != nil {
		t.Fatal(err)
	}
	f := &logsFixture{t: t, srv: srv, ecs: awsecs.NewFromConfig(cfg)}
	td := f.register("v1")
	if _, err := f.ecs.CreateService(t.Context(), &awsecs.CreateServiceInput{ServiceName: aws.String("talk"),
		TaskDefinition: aws.String(td), DesiredCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *logsFixture) register(version string) string {
	f.t.Helper()
	out, err := f.ecs.RegisterTaskDefinition(f.t.Context(), &awsecs.RegisterTaskDefinitionInput{
		Family: aws.String("talk"),
		ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String(talkBinary), Essential: aws.Bool(true), Memory: aws.Int32(64),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(8080)}},
			Environment:  []types.KeyValuePair{{Name: aws.String("TALK_VERSION"), Value: aws.String(version)}},
			LogConfiguration: &types.LogConfiguration{LogDriver: types.LogDriverAwslogs,
				Options: map[string]string{"awslogs-group": "talk", "awslogs-stream-prefix": "talk", "awslogs-region": "us-east-1"}},
		}},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

// started matches a task's start line as `slipway logs` prints it.
var started = regexp.MustCompile(`(?m)^\S+Z \[(talk:\d) ([0-9a-f]{8}) web\] .*talk-service started.*version=(v\d)`)

func TestLogsInterleavesAServicesTasks(t *testing.T) {
	f := newLogsFixture(t)
	var out string
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		out, _, _ = runCLI(t, "--endpoint-url", f.srv.URL(), "logs", "talk")
		return len(started.FindAllString(out, -1)) == 2, out
	})
	m := started.FindAllStringSubmatch(out, -1)
	if m[0][2] == m[1][2] || m[0][1] != "talk:1" || m[0][3] != "v1" {
		t.Fatalf("two tasks' start lines expected: %q", out)
	}
	// One task by its id; a filter pattern.
	tasks, err := f.ecs.ListTasks(t.Context(), &awsecs.ListTasksInput{ServiceName: aws.String("talk")})
	if err != nil {
		t.Fatal(err)
	}
	id := shortARN(tasks.TaskArns[0])
	one, _, code := runCLI(t, "--endpoint-url", f.srv.URL(), "logs", id)
	if code != 0 || len(started.FindAllString(one, -1)) != 1 || !strings.Contains(one, "["+"talk:1 "+id[:8]+" web]") {
		t.Fatalf("logs %s: exit %d %q", id, code, one)
	}
	none, _, _ := runCLI(t, "--endpoint-url", f.srv.URL(), "logs", "talk", "--filter", `"version=v9"`)
	if none != "" {
		t.Fatalf("filter matched: %q", none)
	}
	_, stderr, code := runCLI(t, "--endpoint-url", f.srv.URL(), "logs", "nothing-by-that-name")
	if code != 2 || !strings.Contains(stderr, "no service or task") {
		t.Fatalf("unknown target: exit %d %q", code, stderr)
	}
}

// TestLogsFollowsADeployment follows the service while it deploys talk:2: the new
// revision's tasks join the output, marked talk:2, and the old ones' stop lines
// come too.
func TestLogsFollowsADeployment(t *testing.T) {
	f := newLogsFixture(t)
	var stdout, stderr testutil.LogBuffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		root := newRoot(&stdout, &stderr)
		root.SetArgs([]string{"--endpoint-url", f.srv.URL(), "logs", "talk", "-f", "--since", "1h"})
		done <- root.ExecuteContext(ctx)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("logs -f: %v", err)
		}
	}()
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		return len(started.FindAllString(stdout.String(), -1)) == 2, stdout.String()
	})
	td := f.register("v2")
	if _, err := f.ecs.UpdateService(t.Context(), &awsecs.UpdateServiceInput{Service: aws.String("talk"), TaskDefinition: aws.String(td)}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 60*time.Second, func() (bool, string) {
		out := stdout.String()
		v2 := 0
		for _, m := range started.FindAllStringSubmatch(out, -1) {
			if m[1] == "talk:2" && m[3] == "v2" {
				v2++
			}
		}
		return v2 == 2 && strings.Count(out, "talk-service stopped") >= 2, fmt.Sprintf("%d talk:2 starts in\n%s%s", v2, out, stderr.String())
	})
}
