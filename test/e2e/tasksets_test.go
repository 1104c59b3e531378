package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCLIExternalTaskSets deploys an EXTERNAL service through task sets with
// the AWS CLI, as an external deployment controller does: a blue task set at
// 100% and a green one at 50% of a desired count of 2 run 2 and 1 tasks,
// each task set's tasks registered (and healthy) in its own target group
// and in no other; the primary task set's task definition is the service's;
// deleting green deregisters and stops its task.
func TestCLIExternalTaskSets(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	cli := site.startServer(t).cli
	site.registerTalk(t, cli, "blue")
	site.registerTalk(t, cli, "green")
	var lbOut struct {
		LoadBalancers []struct{ LoadBalancerArn string }
	}
	cli.must(t, &lbOut, "elbv2", "create-load-balancer", "--name", "ext", "--subnets", "subnet-a", "subnet-b")
	blueTG, greenTG := createTaskSetGroup(t, cli, "blue"), createTaskSetGroup(t, cli, "green")
	listener := struct {
		Listeners []struct{ ListenerArn string }
	}{}
	cli.must(t, &listener, "elbv2", "create-listener", "--load-balancer-arn", lbOut.LoadBalancers[0].LoadBalancerArn,
		"--protocol", "HTTP", "--port", strconv.Itoa(freePort(t)), "--default-actions", "Type=forward,TargetGroupArn="+blueTG)
	cli.must(t, nil, "elbv2", "create-rule", "--listener-arn", listener.Listeners[0].ListenerArn, "--priority", "1",
		"--conditions", "Field=path-pattern,Values=/green", "--actions", "Type=forward,TargetGroupArn="+greenTG)

	cli.must(t, nil, "ecs", "create-service", "--service-name", "ext", "--desired-count", "2",
		"--deployment-controller", "type=EXTERNAL")
	blue := createTaskSet(t, cli, "talk:1", blueTG, 100)
	green := createTaskSet(t, cli, "talk:2", greenTG, 50)
	cli.must(t, nil, "ecs", "update-service-primary-task-set", "--cluster", "default", "--service", "ext", "--primary-task-set", blue)

	waitHealthyTargets(t, cli, blueTG, 2)
	waitHealthyTargets(t, cli, greenTG, 1)
	for _, c := range []struct {
		set, tg string
		n       int
	}{{blue, blueTG, 2}, {green, greenTG, 1}} {
		var list struct{ TaskArns []string }
		cli.must(t, &list, "ecs", "list-tasks", "--started-by", c.set)
		tasks := cli.describeTasks(t, list.TaskArns...)
		if len(tasks) != c.n {
			t.Fatalf("task set %s runs %d tasks, want %d", c.set, len(tasks), c.n)
		}
		ports := targetPorts(t, cli, c.tg)
		for _, task := range tasks {
			if !ports[task.hostPort()] {
				t.Fatalf("task %s of %s (port %d) is not a target of %s: %v", task.id(), c.set, task.hostPort(), c.tg, ports)
			}
		}
		if len(ports) != c.n {
			t.Fatalf("target group %s has targets %v, want the %d of task set %s only", c.tg, ports, c.n, c.set)
		}
	}
	waitFor(t, 60*time.Second, func() (bool, string) {
		var out struct {
			TaskSets []struct {
				ID              string `json:"id"`
				Status          string
				RunningCount    int
				StabilityStatus string
			}
		}
		cli.must(t, &out, "ecs", "describe-task-sets", "--cluster", "default", "--service", "ext")
		steady := len(out.TaskSets) == 2
		for _, ts := range out.TaskSets {
			steady = steady && ts.StabilityStatus == "STEADY_STATE"
		}
		return steady, fmt.Sprintf("task sets %+v", out.TaskSets)
	})
	svc := cli.describeService(t, "ext")
	if svc.RunningCount != 3 || len(svc.Deployments) != 0 || !strings.HasSuffix(svc.TaskDefinition, "task-definition/talk:1") {
		t.Fatalf("service %+v", svc)
	}

	cli.must(t, nil, "ecs", "delete-task-set", "--cluster", "default", "--service", "ext", "--task-set", green, "--force")
	waitFor(t, 60*time.Second, func() (bool, string) {
		var list struct{ TaskArns []string }
		cli.must(t, &list, "ecs", "list-tasks", "--started-by", green)
		ports := targetPorts(t, cli, greenTG)
		return len(list.TaskArns) == 0 && len(ports) == 0, fmt.Sprintf("green tasks %v, targets %v", list.TaskArns, ports)
	})
	if ports := targetPorts(t, cli, blueTG); len(ports) != 2 {
		t.Fatalf("blue's targets after green's deletion: %v", ports)
	}
}

// createTaskSetGroup creates an HTTP target group with talk's health check.
func createTaskSetGroup(t *testing.T, cli *awsCLI, name string) string {
	t.Helper()
	var out struct {
		TargetGroups []struct{ TargetGroupArn string }
	}
	cli.must(t, &out, "elbv2", "create-target-group", "--name", name, "--protocol", "HTTP", "--port", "8080",
		"--vpc-id", "vpc-e2e", "--health-check-path", "/health", "--health-check-interval-seconds", "5",
		"--health-check-timeout-seconds", "2", "--healthy-threshold-count", "2")
	return out.TargetGroups[0].TargetGroupArn
}

// createTaskSet creates a task set of the EXTERNAL service ext and returns
// its id.
func createTaskSet(t *testing.T, cli *awsCLI, taskDef, tg string, scale int) string {
	t.Helper()
	var out struct {
		TaskSet struct {
			ID                   string `json:"id"`
			ComputedDesiredCount int
		}
	}
	cli.must(t, &out, "ecs", "create-task-set", "--cluster", "default", "--service", "ext", "--task-definition", taskDef,
		"--load-balancers", "targetGroupArn="+tg+",containerName=web,containerPort=8080",
		"--scale", fmt.Sprintf("value=%d,unit=PERCENT", scale))
	return out.TaskSet.ID
}

// targetPorts are the ports of the target group's registered targets.
func targetPorts(t *testing.T, cli *awsCLI, tg string) map[int]bool {
	t.Helper()
	var out struct {
		TargetHealthDescriptions []struct {
			Target struct{ Port int }
		}
	}
	cli.must(t, &out, "elbv2", "describe-target-health", "--target-group-arn", tg)
	ports := map[int]bool{}
	for _, d := range out.TargetHealthDescriptions {
		ports[d.Target.Port] = true
	}
	return ports
}
