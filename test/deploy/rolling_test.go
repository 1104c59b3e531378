package deploy

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/testutil"
)

const rolloutTimeout = 90 * time.Second

func TestRollingDeployDropsNothing(t *testing.T) {
	for _, cfg := range []serviceConfig{{desired: 4, minPct: 100, maxPct: 200}, {desired: 4, minPct: 50, maxPct: 100}} {
		t.Run(configName(cfg), func(t *testing.T) {
			forEachVariant(t, func(t *testing.T, v variant) {
				h := newHarness(t, v, cfg)
				l := startLoad(h.url)
				td := h.register(map[string]string{"TALK_VERSION": "v2"})
				d := h.waitRollout(h.deploy(td), rolloutTimeout)
				if d.RolloutState != ecstypes.DeploymentRolloutStateCompleted {
					t.Fatalf("deployment %s: %s", d.RolloutState, aws.ToString(d.RolloutStateReason))
				}
				h.waitSteady(td, cfg.desired, rolloutTimeout)
				l.stop(t)
				h.expectVersion(t, "v2")
			})
		})
	}
}

func configName(c serviceConfig) string {
	return "min" + itoa(c.minPct) + "_max" + itoa(c.maxPct)
}

func TestBackToBackDeploysDropNothing(t *testing.T) {
	h := newHarness(t, variants[0], serviceConfig{desired: 4, minPct: 100, maxPct: 200})
	l := startLoad(h.url)
	for i := 2; i <= 6; i++ {
		td := h.register(map[string]string{"TALK_VERSION": "v" + itoa(i)})
		d := h.waitRollout(h.deploy(td), rolloutTimeout)
		if d.RolloutState != ecstypes.DeploymentRolloutStateCompleted {
			t.Fatalf("deploy %d: %s %s", i, d.RolloutState, aws.ToString(d.RolloutStateReason))
		}
	}
	h.waitSteady(h.currentTD(), 4, rolloutTimeout)
	l.stop(t)
	h.expectVersion(t, "v6")
}

func TestBrokenVersionsRollBack(t *testing.T) {
	cases := []struct {
		name, setting, value, reason string
	}{
		{"crash at start", "TALK_CRASH_AT_START", "true", "exit code 1"},
		{"never healthy", "TALK_FAIL_HEALTH", "true", "ELB health checks"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forEachVariant(t, func(t *testing.T, v variant) {
				h := newHarness(t, v, serviceConfig{desired: 4, minPct: 100, maxPct: 200})
				good := h.currentTD()
				l := startLoad(h.url)
				bad := h.register(map[string]string{"TALK_VERSION": "bad", c.setting: c.value})
				d := h.waitRollout(h.deploy(bad), rolloutTimeout)
				if d.RolloutState != ecstypes.DeploymentRolloutStateFailed || !strings.Contains(aws.ToString(d.RolloutStateReason), c.reason) {
					t.Fatalf("broken deployment: %s %q", d.RolloutState, aws.ToString(d.RolloutStateReason))
				}
				s := h.waitSteady(good, 4, rolloutTimeout)
				l.stop(t)
				if !hasEvent(s, "deployment failed: tasks failed to start.") || !hasEvent(s, "rolling back to deployment") {
					t.Errorf("events: %s", h.summary(s))
				}
				h.expectVersion(t, "v1")
			})
		})
	}
}

func TestOldTaskKilledDuringDeployDropsNothing(t *testing.T) {
	forEachVariant(t, func(t *testing.T, v variant) {
		h := newHarness(t, v, serviceConfig{desired: 4, minPct: 100, maxPct: 200})
		old := h.runningTasks()
		l := startLoad(h.url)
		td := h.register(map[string]string{"TALK_VERSION": "v2", "TALK_STARTUP_DELAY": "2s"})
		id := h.deploy(td)
		h.killTask(old[0])
		d := h.waitRollout(id, rolloutTimeout)
		if d.RolloutState != ecstypes.DeploymentRolloutStateCompleted {
			t.Fatalf("deployment: %s %s", d.RolloutState, aws.ToString(d.RolloutStateReason))
		}
		h.waitSteady(td, 4, rolloutTimeout)
		l.stop(t)
	})
}

func hasEvent(s ecstypes.Service, part string) bool {
	for _, e := range s.Events {
		if strings.Contains(aws.ToString(e.Message), part) {
			return true
		}
	}
	return false
}

func (h *harness) currentTD() string {
	return aws.ToString(h.describe().TaskDefinition)
}

func (h *harness) runningTasks() []ecstypes.Task {
	h.t.Helper()
	ctx := context.Background()
	list, err := h.ecs.ListTasks(ctx, &awsecs.ListTasksInput{ServiceName: aws.String(h.service)})
	if err != nil {
		h.t.Fatal(err)
	}
	out, err := h.ecs.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: list.TaskArns})
	if err != nil {
		h.t.Fatal(err)
	}
	return out.Tasks
}

// killTask sends SIGKILL to the application process of a task, found as the
// process listening on the task's host port.
func (h *harness) killTask(task ecstypes.Task) {
	h.t.Helper()
	if h.v.docker() {
		killContainer(h.t, task)
		return
	}
	port := int(aws.ToInt32(task.Containers[0].NetworkBindings[0].HostPort))
	pid, err := testutil.PidListeningOn(port)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		h.t.Fatal(err)
	}
}

// expectVersion checks a few responses through the listener name version.
func (h *harness) expectVersion(t *testing.T, version string) {
	t.Helper()
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		got := getVersion(h.url)
		return got == version, "version " + got
	})
}

// TestDeploymentResumesAfterServerRestart: a server that stops in the middle
// of a rolling deploy resumes it when it starts again: the deployment
// completes with exactly the desired tasks, none started twice.
func TestDeploymentResumesAfterServerRestart(t *testing.T) {
	h := newHarness(t, variants[0], serviceConfig{desired: 4, minPct: 100, maxPct: 200})
	td := h.register(map[string]string{"TALK_VERSION": "v2", "TALK_STARTUP_DELAY": "1s"})
	id := h.deploy(td)
	testutil.Eventually(t, 20*time.Second, func() (bool, string) {
		s := h.describe()
		return len(s.Deployments) == 2 && s.Deployments[0].RunningCount > 0, h.summary(s)
	})
	h.restart()
	d := h.waitRollout(id, rolloutTimeout)
	if d.RolloutState != ecstypes.DeploymentRolloutStateCompleted {
		t.Fatalf("deployment after restart: %s %s", d.RolloutState, aws.ToString(d.RolloutStateReason))
	}
	s := h.waitSteady(td, 4, rolloutTimeout)
	if got := len(h.runningTasks()); got != 4 || s.RunningCount != 4 {
		t.Fatalf("after the restart %d tasks run (service says %d), want 4", got, s.RunningCount)
	}
	h.expectVersion(t, "v2")
}
