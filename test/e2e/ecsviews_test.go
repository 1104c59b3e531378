package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The parts of the CLI's ECS output the tests check. The CLI prints the
// API's JSON with its own member names, which for ECS are the wire names.

type ecsService struct {
	ServiceName    string
	Status         string
	DesiredCount   int
	RunningCount   int
	PendingCount   int
	TaskDefinition string
	Deployments    []ecsDeployment
	Events         []ecsEvent
	LoadBalancers  []map[string]any
}

type ecsDeployment struct {
	ID             string
	Status         string
	TaskDefinition string
	DesiredCount   int
	RunningCount   int
	RolloutState   string
}

type ecsEvent struct {
	ID        string
	CreatedAt cliTime
	Message   string
}

type ecsTask struct {
	TaskArn           string
	TaskDefinitionArn string
	LastStatus        string
	DesiredStatus     string
	StopCode          string
	StoppedReason     string
	Containers        []struct {
		Name            string
		ExitCode        *int
		Reason          string
		NetworkBindings []struct {
			ContainerPort int
			HostPort      int
		}
	}
}

// hostPort is the task's first container's first host port (0 if none).
func (t ecsTask) hostPort() int {
	if len(t.Containers) == 0 || len(t.Containers[0].NetworkBindings) == 0 {
		return 0
	}
	return t.Containers[0].NetworkBindings[0].HostPort
}

// id is the last part of the task's ARN.
func (t ecsTask) id() string { return t.TaskArn[strings.LastIndex(t.TaskArn, "/")+1:] }

// describeService returns the service, failing the test on an error or a
// "failures" answer.
func (c *awsCLI) describeService(t *testing.T, name string) ecsService {
	t.Helper()
	svc, err := c.tryDescribeService(name)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func (c *awsCLI) tryDescribeService(name string) (ecsService, error) {
	var out struct {
		Services []ecsService
		Failures []map[string]any
	}
	if err := c.call(&out, "ecs", "describe-services", "--services", name); err != nil {
		return ecsService{}, err
	}
	if len(out.Services) != 1 {
		return ecsService{}, fmt.Errorf("describe-services %s: services %v, failures %v", name, out.Services, out.Failures)
	}
	return out.Services[0], nil
}

// runningTasks lists the tasks of a service whose desired status is RUNNING
// (list-tasks' default) and describes them.
func (c *awsCLI) serviceTasks(t *testing.T, service string) []ecsTask {
	t.Helper()
	var list struct{ TaskArns []string }
	c.must(t, &list, "ecs", "list-tasks", "--service-name", service)
	return c.describeTasks(t, list.TaskArns...)
}

func (c *awsCLI) describeTasks(t *testing.T, arns ...string) []ecsTask {
	t.Helper()
	if len(arns) == 0 {
		return nil
	}
	var out struct{ Tasks []ecsTask }
	c.must(t, &out, append([]string{"ecs", "describe-tasks", "--tasks"}, arns...)...)
	return out.Tasks
}

// waitService polls describe-services until cond holds or timeout passes.
// The CLI takes a few hundred milliseconds per call, which paces the loop.
func (c *awsCLI) waitService(t *testing.T, name string, timeout time.Duration, cond func(ecsService) (bool, string)) ecsService {
	t.Helper()
	var svc ecsService
	waitFor(t, timeout, func() (bool, string) {
		var err error
		if svc, err = c.tryDescribeService(name); err != nil {
			return false, err.Error()
		}
		return cond(svc)
	})
	return svc
}

// steadyOn is the condition of a service that finished deploying taskDef:
// one PRIMARY deployment, COMPLETED, with every desired task running.
func steadyOn(taskDef string, count int) func(ecsService) (bool, string) {
	return func(s ecsService) (bool, string) {
		ok := s.RunningCount == count && s.DesiredCount == count && len(s.Deployments) == 1 &&
			s.Deployments[0].Status == "PRIMARY" && s.Deployments[0].RolloutState == "COMPLETED" &&
			s.Deployments[0].TaskDefinition == taskDef
		return ok, fmt.Sprintf("running %d/%d, deployments %+v, latest events %v",
			s.RunningCount, s.DesiredCount, s.Deployments, latestEvents(s, 3))
	}
}

// hasEvent reports whether an event's message contains every part, in order.
func hasEvent(s ecsService, parts ...string) bool {
	for _, e := range s.Events {
		if containsInOrder(e.Message, parts...) {
			return true
		}
	}
	return false
}

func containsInOrder(s string, parts ...string) bool {
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

func latestEvents(s ecsService, n int) []string {
	var msgs []string
	for _, e := range s.Events[:min(n, len(s.Events))] {
		msgs = append(msgs, e.Message)
	}
	return msgs
}

// waitFor polls cond every 200 ms until it holds or timeout passes, then
// fails the test with cond's last message.
func waitFor(t *testing.T, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, msg := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not reached within %s: %s", timeout, msg)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
