package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// awsCLIv2 is the AWS CLI v2 of Debian's awscli package, called by its path:
// another `aws` (the CLI v1) may come first on PATH.
const awsCLIv2 = "/usr/bin/aws"

func requireAWSCLIv2(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(awsCLIv2); err != nil {
		testutil.RequireInCI(t, "the AWS CLI v2 ("+awsCLIv2+", Debian's awscli package)")
	}
}

type logEvent struct {
	LogStreamName string
	Timestamp     int64
	IngestionTime int64
	Message       string
	EventID       string `json:"eventId"`
}

// runService creates a service of n talk tasks (no load balancer) and returns its
// tasks once they run.
func runService(t *testing.T, cli *awsCLI, name string, n int) []ecsTask {
	t.Helper()
	cli.must(t, nil, "ecs", "create-service", "--service-name", name, "--task-definition", "talk", "--desired-count", fmt.Sprint(n))
	var tasks []ecsTask
	waitFor(t, 60*time.Second, func() (bool, string) {
		tasks = cli.serviceTasks(t, name)
		running := 0
		for _, tk := range tasks {
			if tk.LastStatus == "RUNNING" {
				running++
			}
		}
		return running == n, fmt.Sprintf("%d of %d tasks running: %+v", running, n, tasks)
	})
	return tasks
}

// TestCLIAwslogsGetAndFilterLogEvents runs a service whose task definition uses
// the awslogs driver (as the seeds' do) and reads what its task wrote with the
// CLI on PATH (v1): get-log-events on the stream ECS names prefix/container/task,
// filter-log-events with a pattern, describe-log-streams.
func TestCLIAwslogsGetAndFilterLogEvents(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	cli := site.startServer(t).cli
	site.registerTalk(t, cli, "v1")
	task := runService(t, cli, "talk", 1)[0]
	stream := "talk/web/" + task.id()

	var got struct{ Events []logEvent }
	waitFor(t, 30*time.Second, func() (bool, string) {
		if err := cli.call(&got, "logs", "get-log-events", "--log-group-name", "talk", "--log-stream-name", stream, "--start-from-head"); err != nil {
			return false, err.Error()
		}
		for _, e := range got.Events {
			if strings.Contains(e.Message, "talk-service started") && strings.Contains(e.Message, "version=v1") {
				return true, ""
			}
		}
		return false, fmt.Sprintf("events of %s: %+v", stream, got.Events)
	})
	start := time.Now().Add(-time.Minute).UnixMilli()
	if e := got.Events[0]; e.Timestamp < start || e.IngestionTime < e.Timestamp {
		t.Fatalf("event times: %+v", e)
	}

	var filtered struct{ Events []logEvent }
	cli.must(t, &filtered, "logs", "filter-log-events", "--log-group-name", "talk", "--filter-pattern", `"talk-service started"`)
	if len(filtered.Events) != 1 || filtered.Events[0].LogStreamName != stream || len(filtered.Events[0].EventID) != 56 {
		t.Fatalf("filter-log-events: %+v", filtered.Events)
	}
	cli.must(t, &filtered, "logs", "filter-log-events", "--log-group-name", "talk", "--filter-pattern=-started")
	for _, e := range filtered.Events {
		if strings.Contains(e.Message, "started") {
			t.Fatalf("an excluded term matched: %+v", e)
		}
	}
	var streams struct {
		LogStreams []struct{ LogStreamName, Arn string }
	}
	cli.must(t, &streams, "logs", "describe-log-streams", "--log-group-name", "talk")
	if len(streams.LogStreams) != 1 || streams.LogStreams[0].LogStreamName != stream {
		t.Fatalf("describe-log-streams: %+v", streams.LogStreams)
	}

	// The task's last words, written as it stops, are shipped before it is gone.
	cli.must(t, nil, "ecs", "update-service", "--service", "talk", "--desired-count", "0")
	waitFor(t, 60*time.Second, func() (bool, string) {
		cli.must(t, &filtered, "logs", "filter-log-events", "--log-group-name", "talk", "--log-stream-names", stream,
			"--filter-pattern", `"talk-service stopped"`)
		return len(filtered.Events) == 1, fmt.Sprintf("stop line: %+v", filtered.Events)
	})
}

// TestAWSCLIv2TailFollow follows a running service's log group with
// `aws logs tail --follow` of the AWS CLI v2, which polls FilterLogEvents: it
// prints the first task's start, then that of a task added while it follows.
func TestAWSCLIv2TailFollow(t *testing.T) {
	requireAWSCLI(t)
	requireAWSCLIv2(t)
	t.Parallel()
	site := newSite(t)
	srv := site.startServer(t)
	cli := srv.cli
	site.registerTalk(t, cli, "v1")
	first := runService(t, cli, "talk", 1)[0]

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	tail := exec.CommandContext(ctx, awsCLIv2, "--endpoint-url", srv.url, "--region", "us-east-1",
		"logs", "tail", "talk", "--follow", "--since", "10m", "--format", "detailed")
	tail.Env = cli.env
	out, err := tail.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	tail.Stderr = &stderr
	if err := tail.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = tail.Wait() }()
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	expect := func(stream string) {
		t.Helper()
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("aws logs tail ended: %s", stderr.String())
				}
				// detailed: TIMESTAMP STREAM MESSAGE
				if strings.Contains(l, " "+stream+" ") && strings.Contains(l, "talk-service started") {
					return
				}
			case <-ctx.Done():
				t.Fatalf("aws logs tail never printed the start of %s: %s", stream, stderr.String())
			}
		}
	}
	expect("talk/web/" + first.id())
	cli.must(t, nil, "ecs", "update-service", "--service", "talk", "--desired-count", "2")
	var second ecsTask
	waitFor(t, 60*time.Second, func() (bool, string) {
		for _, tk := range cli.serviceTasks(t, "talk") {
			if tk.TaskArn != first.TaskArn && tk.LastStatus == "RUNNING" {
				second = tk
				return true, ""
			}
		}
		return false, "no second task yet"
	})
	expect("talk/web/" + second.id())
}

// seed002TaskDefinition is seed 002's talk-service definition with the awslogs
// block, verbatim but for its image: the process runtime pulls no images, so
// the image names the local talk-service executable, found on the server's PATH
// with its tag dropped (README: Process runtime).
const seed002TaskDefinition = `{
  "family": "talk-service",
  "containerDefinitions": [
    {
      "name": "web",
      "image": "talk-service:latest",
      "cpu": 128,
      "memoryReservation": 128,
      "portMappings": [
        {
          "containerPort": 8080,
          "protocol": "tcp"
        }
      ],
      "logConfiguration": {
        "logDriver": "awslogs",
        "options": {
          "awslogs-group": %q,
          "awslogs-region": "eu-west-1",
          "awslogs-stream-prefix": "aws-talk-service-cloudwatch"%s
        }
      },
      "command": [],
      "essential": true
    }
  ]
}`

// TestSeed002CloudWatchLogs follows seed 002: `aws logs create-log-group
// --log-group-name talk-service-cloudwatch --region eu-west-1`, then its task
// definition with the awslogs block; the task's output lands in the stream ECS
// names. The same definition naming a group that does not exist fails its task as
// ECS does, unless awslogs-create-group is set.
func TestSeed002CloudWatchLogs(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	site.env = append(site.env, "PATH="+filepath.Dir(site.talk)+string(os.PathListSeparator)+os.Getenv("PATH"))
	cli := site.startServer(t).cli
	cli.must(t, nil, "logs", "create-log-group", "--log-group-name", "talk-service-cloudwatch", "--region", "eu-west-1")
	register := func(name, group, extra string) {
		t.Helper()
		def := strings.Replace(fmt.Sprintf(seed002TaskDefinition, group, extra), `"talk-service"`, fmt.Sprintf("%q", name), 1)
		cli.must(t, nil, "ecs", "register-task-definition", "--cli-input-json", "file://"+site.writeFile(t, name+".json", def))
	}
	run := func(family string) ecsTask {
		t.Helper()
		var out struct{ Tasks []ecsTask }
		cli.must(t, &out, "ecs", "run-task", "--task-definition", family)
		return out.Tasks[0]
	}
	register("talk-service", "talk-service-cloudwatch", "")
	task := run("talk-service")
	stream := "aws-talk-service-cloudwatch/web/" + task.id()
	waitFor(t, 60*time.Second, func() (bool, string) {
		var got struct{ Events []logEvent }
		if err := cli.call(&got, "logs", "get-log-events", "--log-group-name", "talk-service-cloudwatch", "--log-stream-name", stream); err != nil {
			return false, err.Error()
		}
		return len(got.Events) > 0 && strings.Contains(got.Events[0].Message, "talk-service started"), fmt.Sprintf("%+v", got.Events)
	})

	register("talk-missing", "no-such-group", "")
	failed := run("talk-missing")
	waitFor(t, 60*time.Second, func() (bool, string) {
		tk := cli.describeTasks(t, failed.TaskArn)[0]
		want := "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: " +
			"failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist."
		return tk.LastStatus == "STOPPED" && tk.StopCode == "TaskFailedToStart" && strings.HasPrefix(tk.StoppedReason, want),
			fmt.Sprintf("task %s %s %q", tk.LastStatus, tk.StopCode, tk.StoppedReason)
	})

	register("talk-create", "created-by-the-task", `,
          "awslogs-create-group": "true"`)
	run("talk-create")
	waitFor(t, 60*time.Second, func() (bool, string) {
		var groups struct {
			LogGroups []struct{ LogGroupName string }
		}
		cli.must(t, &groups, "logs", "describe-log-groups", "--log-group-name-prefix", "created-by")
		return len(groups.LogGroups) == 1, fmt.Sprintf("%+v", groups.LogGroups)
	})
}
