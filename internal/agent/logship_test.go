package agent_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/logstore"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/logsops"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// withLogs gives the env's agents a CloudWatch Logs store with group "g".
func withLogs(t *testing.T, svc **logsops.Service) func(*env) {
	return func(e *env) {
		st, err := logstore.Open(t.TempDir(), logstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		*svc = logsops.New(st, logsops.Options{Region: "us-east-1", Account: "000000000000"})
		if err := (*svc).CreateLogGroup(context.Background(), &logsops.CreateLogGroupInput{LogGroupName: "g"}); err != nil {
			t.Fatal(err)
		}
		e.logs = *svc
	}
}

func shellTask(script string, options map[string]any) map[string]any {
	return map[string]any{"entryPoint": []any{"/bin/sh", "-c"}, "command": []any{script},
		"logConfiguration": map[string]any{"logDriver": "awslogs", "options": options}}
}

// messages reads a stream's events from the head.
func messages(t *testing.T, svc *logsops.Service, stream string) []string {
	t.Helper()
	out, err := svc.GetLogEvents(context.Background(), &logsops.GetLogEventsInput{LogGroupName: "g", LogStreamName: stream,
		StartFromHead: aws(true)})
	if err != nil {
		return nil
	}
	var got []string
	for _, e := range out.Events {
		got = append(got, e.Message)
	}
	return got
}

func aws[T any](v T) *T { return &v }

// TestAwslogsShipsEveryLineOnceAcrossAgentRestart closes the agent while a
// container writes; the next agent adopts it and resumes from the cursor stored
// with the last batch: every line arrives once, in order, with no gap (and the
// empty first line as no event, as CloudWatch has none).
func TestAwslogsShipsEveryLineOnceAcrossAgentRestart(t *testing.T) {
	var svc *logsops.Service
	e := newEnv(t, withLogs(t, &svc))
	td := e.register(t, "chatty", shellTask(`echo; i=0; while [ $i -lt 300 ]; do echo line $i; i=$((i+1)); sleep 0.005; done; sleep 60`,
		map[string]any{"awslogs-group": "g", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "p"}))
	tk := e.run(t, td)
	e.waitStatus(t, tk.Internal.ID, model.TaskRunning, 10*time.Second)
	stream := "p/web/" + tk.Internal.ID
	testutil.Eventually(t, 20*time.Second, func() (bool, string) {
		n := len(messages(t, svc, stream))
		return n >= 30, fmt.Sprintf("%d lines shipped", n)
	})
	if err := e.agent.Close(); err != nil {
		t.Fatal(err)
	}
	e.startAgent(t)
	var got []string
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		got = messages(t, svc, stream)
		return len(got) >= 300, fmt.Sprintf("%d lines shipped", len(got))
	})
	if len(got) != 300 {
		t.Fatalf("%d lines shipped, want 300 (a line shipped twice?)", len(got))
	}
	for i, m := range got {
		if m != fmt.Sprintf("line %d", i) {
			t.Fatalf("line %d = %q", i, m)
		}
	}
}

func TestAwslogsMissingGroupFailsTheTask(t *testing.T) {
	var svc *logsops.Service
	e := newEnv(t, withLogs(t, &svc))
	td := e.register(t, "nogroup", shellTask("echo hi", map[string]any{"awslogs-group": "absent", "awslogs-stream-prefix": "p"}))
	tk := e.run(t, td)
	stopped := e.waitStatus(t, tk.Internal.ID, model.TaskStopped, 10*time.Second)
	want := "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: " +
		"failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1"
	if stopped.StopCode != model.StopTaskFailedToStart || stopped.StoppedReason != want {
		t.Fatalf("stopped: %s %q", stopped.StopCode, stopped.StoppedReason)
	}
	td = e.register(t, "creates", shellTask("echo hi; sleep 60", map[string]any{"awslogs-group": "made", "awslogs-create-group": "true"}))
	tk = e.run(t, td)
	running := e.waitStatus(t, tk.Internal.ID, model.TaskRunning, 10*time.Second)
	// Without a prefix the stream is named for the container (its runtime id).
	stream := running.Containers[0].RuntimeID
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		out, err := svc.GetLogEvents(context.Background(), &logsops.GetLogEventsInput{LogGroupName: "made", LogStreamName: stream})
		return err == nil && len(out.Events) == 1 && out.Events[0].Message == "hi", fmt.Sprint(out, err)
	})
}

func TestAwslogsOptionsAreChecked(t *testing.T) {
	var svc *logsops.Service
	e := newEnv(t, withLogs(t, &svc))
	for name, opts := range map[string]map[string]any{
		"unknown log opt 'awslogs-colour'": {"awslogs-group": "g", "awslogs-colour": "red"},
		"awslogs-endpoint":                 {"awslogs-group": "g", "awslogs-endpoint": "http://x"},
		"log opt 'awslogs-group'":          {"awslogs-stream-prefix": "p"},
		"'awslogs-create-group': maybe":    {"awslogs-group": "g", "awslogs-create-group": "maybe"},
	} {
		td := e.register(t, "bad"+fmt.Sprint(len(name)), shellTask("echo hi", opts))
		tk := e.run(t, td)
		stopped := e.waitStatus(t, tk.Internal.ID, model.TaskStopped, 10*time.Second)
		if stopped.StopCode != model.StopTaskFailedToStart || !strings.Contains(stopped.StoppedReason, name) {
			t.Errorf("options %v: stopped %s %q", opts, stopped.StopCode, stopped.StoppedReason)
		}
	}
}

// TestAwslogsMultilineEvents joins the lines between two that start with a
// datetime into one event, and ships the last event when the container exits.
func TestAwslogsMultilineEvents(t *testing.T) {
	var svc *logsops.Service
	e := newEnv(t, withLogs(t, &svc))
	script := `printf '2024-01-01 10:00:00 first\n  at a\n  at b\n2024-01-01 10:00:01 second\n'`
	td := e.register(t, "multi", shellTask(script, map[string]any{"awslogs-group": "g", "awslogs-stream-prefix": "p",
		"awslogs-datetime-format": "%Y-%m-%d %H:%M:%S"}))
	tk := e.run(t, td)
	e.waitStatus(t, tk.Internal.ID, model.TaskStopped, 20*time.Second)
	// The shipper drains the container's output on its own goroutine, so the
	// last event may be stored just after the task is reported STOPPED (as
	// with ECS's awslogs driver, which flushes asynchronously).
	want := []string{"2024-01-01 10:00:00 first\n  at a\n  at b", "2024-01-01 10:00:01 second"}
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		got := messages(t, svc, "p/web/"+tk.Internal.ID)
		return slices.Equal(got, want), fmt.Sprintf("events = %q", got)
	})
}
