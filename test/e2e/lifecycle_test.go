package e2e

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestCLIServiceLifecycle drives a service through its whole life with the
// AWS CLI: register, create, deploy a second revision, replace a stopped
// task, scale to zero and delete.
func TestCLIServiceLifecycle(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	cli := site.startServer(t).cli

	checkCLIErrors(t, site, cli)
	td := site.registerTalk(t, cli, "v1")
	checkEchoed(t, td, site.talkTaskDef("v1"))
	rev1 := td["taskDefinitionArn"].(string)

	cli.must(t, nil, "ecs", "create-service", "--service-name", "talk", "--task-definition", "talk", "--desired-count", "2")
	svc := cli.waitService(t, "talk", 60*time.Second, steadyOn(rev1, 2))
	if !hasEvent(svc, "(service talk) has reached a steady state.") {
		t.Fatalf("no steady-state event: %v", latestEvents(svc, 10))
	}
	checkTasksAnswer(t, cli, rev1, "v1", 2)

	rev2 := site.registerTalk(t, cli, "v2")["taskDefinitionArn"].(string)
	cli.must(t, nil, "ecs", "update-service", "--service", "talk", "--task-definition", rev2)
	cli.waitService(t, "talk", 60*time.Second, steadyOn(rev2, 2))
	tasks := checkTasksAnswer(t, cli, rev2, "v2", 2)

	checkStopReplaced(t, cli, tasks)
	checkScaleDownAndDelete(t, site, cli)
}

// checkCLIErrors asserts the error codes the CLI prints for requests ECS
// refuses.
func checkCLIErrors(t *testing.T, site *site, cli *awsCLI) {
	t.Helper()
	cli.mustFail(t, "ClusterNotFoundException", "ecs", "describe-services", "--cluster", "nowhere", "--services", "talk")
	cli.mustFail(t, "ServiceNotFoundException", "ecs", "update-service", "--service", "ghost", "--desired-count", "1")
	cli.mustFail(t, "ServiceNotFoundException", "ecs", "delete-service", "--service", "ghost")
	cli.mustFail(t, "InvalidParameterException", "ecs", "stop-task", "--task", "0123456789abcdef0123456789abcdef")
	// ECS answers an unknown task definition with ClientException when it
	// is described and with InvalidParameterException when a service names it.
	cli.mustFail(t, "ClientException", "ecs", "describe-task-definition", "--task-definition", "ghost:7")
	cli.mustFail(t, "InvalidParameterException", "ecs", "create-service", "--service-name", "ghost",
		"--task-definition", "ghost:7", "--desired-count", "1")
	noImage := site.writeFile(t, "invalid.json", `{"family": "talk", "containerDefinitions": [{"name": "web"}]}`)
	cli.mustFail(t, "ClientException", "ecs", "register-task-definition", "--cli-input-json", "file://"+noImage)
	var families struct{ Families []string }
	cli.must(t, &families, "ecs", "list-task-definition-families")
	if len(families.Families) != 0 {
		t.Fatalf("a refused registration left families %v", families.Families)
	}
}

// checkEchoed asserts that register-task-definition echoed every field of
// the input, including those Slipway stores but cannot honour.
func checkEchoed(t *testing.T, got map[string]any, input string) {
	t.Helper()
	var in map[string]any
	if err := json.Unmarshal([]byte(input), &in); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"family", "executionRoleArn", "networkMode"} {
		if !reflect.DeepEqual(got[k], in[k]) {
			t.Errorf("%s echoed as %v, want %v", k, got[k], in[k])
		}
	}
	if got["revision"] != float64(1) || got["status"] != "ACTIVE" {
		t.Errorf("revision %v status %v, want 1 ACTIVE", got["revision"], got["status"])
	}
	gotC := got["containerDefinitions"].([]any)[0].(map[string]any)
	inC := in["containerDefinitions"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "image", "memoryReservation", "environment", "logConfiguration"} {
		if !reflect.DeepEqual(gotC[k], inC[k]) {
			t.Errorf("container %s echoed as %v, want %v", k, gotC[k], inC[k])
		}
	}
}

// checkTasksAnswer asserts that the service runs n RUNNING tasks of taskDef,
// each with a host port on which talk-service answers with the task's ARN.
func checkTasksAnswer(t *testing.T, cli *awsCLI, taskDef, version string, n int) []ecsTask {
	t.Helper()
	tasks := cli.serviceTasks(t, "talk")
	if len(tasks) != n {
		t.Fatalf("%d tasks, want %d: %+v", len(tasks), n, tasks)
	}
	for _, task := range tasks {
		if task.LastStatus != "RUNNING" || task.TaskDefinitionArn != taskDef || task.hostPort() == 0 {
			t.Fatalf("task %s: status %s, definition %s, host port %d; want RUNNING, %s, a port",
				task.TaskArn, task.LastStatus, task.TaskDefinitionArn, task.hostPort(), taskDef)
		}
		waitTalk(t, task.hostPort(), task.TaskArn, version)
	}
	return tasks
}

// checkStopReplaced stops one task and waits until it is STOPPED with ECS's
// stop code and reason and a new task has taken its place.
func checkStopReplaced(t *testing.T, cli *awsCLI, tasks []ecsTask) {
	t.Helper()
	victim := tasks[0].TaskArn
	cli.must(t, nil, "ecs", "stop-task", "--task", victim, "--reason", "e2e: replace me")
	waitFor(t, 60*time.Second, func() (bool, string) {
		stopped := cli.describeTasks(t, victim)[0]
		running := cli.serviceTasks(t, "talk")
		arns := make([]string, 0, len(running))
		for _, r := range running {
			if r.LastStatus == "RUNNING" {
				arns = append(arns, r.TaskArn)
			}
		}
		replaced := len(arns) == 2 && !slices.Contains(arns, victim)
		return stopped.LastStatus == "STOPPED" && replaced, "stopped task " + stopped.LastStatus +
			"; running " + jsonString(arns)
	})
	stopped := cli.describeTasks(t, victim)[0]
	if stopped.StopCode != "UserInitiated" || stopped.StoppedReason != "e2e: replace me" {
		t.Fatalf("stopped task: stopCode %q stoppedReason %q", stopped.StopCode, stopped.StoppedReason)
	}
}

// checkScaleDownAndDelete scales the service to zero, deletes it and waits
// for INACTIVE, with no task process left.
func checkScaleDownAndDelete(t *testing.T, site *site, cli *awsCLI) {
	t.Helper()
	cli.must(t, nil, "ecs", "update-service", "--service", "talk", "--desired-count", "0")
	cli.waitService(t, "talk", 60*time.Second, func(s ecsService) (bool, string) {
		return s.RunningCount == 0 && s.PendingCount == 0, "running " + jsonString(s.RunningCount)
	})
	if err := waitNoTaskProcesses(site, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	var del struct{ Service ecsService }
	cli.must(t, &del, "ecs", "delete-service", "--service", "talk")
	if del.Service.Status != "DRAINING" && del.Service.Status != "INACTIVE" {
		t.Fatalf("deleted service is %s, want DRAINING or INACTIVE", del.Service.Status)
	}
	cli.waitService(t, "talk", 30*time.Second, func(s ecsService) (bool, string) {
		return s.Status == "INACTIVE", "status " + s.Status
	})
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
