package e2e

import (
	"fmt"
	"slices"
	"sort"
	"syscall"
	"testing"
	"time"
)

// TestKillNineRestart crashes the server with SIGKILL while a service of 3
// tasks runs, kills one task's application meanwhile, and starts a new
// server on the same data directory: nothing is lost, the live tasks are
// adopted with their ids and ports, the dead one is replaced, and no task
// runs twice.
func TestKillNineRestart(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	first := site.startServer(t)
	taskDef := site.registerTalk(t, first.cli, "v1")["taskDefinitionArn"].(string)
	first.cli.must(t, nil, "ecs", "create-service", "--service-name", "talk", "--task-definition", "talk", "--desired-count", "3")
	first.cli.waitService(t, "talk", 60*time.Second, steadyOn(taskDef, 3))
	before := checkTasksAnswer(t, first.cli, taskDef, "v1", 3)
	victim, survivors := before[0], before[1:]
	victimPID := appPID(t, site, victim.id())

	first.kill9(t)
	if err := syscall.Kill(victimPID, syscall.SIGKILL); err != nil {
		t.Fatalf("kill task process %d: %v", victimPID, err)
	}
	restartedAt := float64(time.Now().UnixMilli()) / 1000
	cli := site.startServer(t).cli

	svc := cli.describeService(t, "talk")
	if svc.Status != "ACTIVE" || svc.TaskDefinition != taskDef || svc.DesiredCount != 3 {
		t.Fatalf("after restart the service is %s on %s with desired %d", svc.Status, svc.TaskDefinition, svc.DesiredCount)
	}
	for _, s := range survivors {
		waitTalk(t, s.hostPort(), s.TaskArn, "v1")
	}
	checkVictimReplaced(t, cli, victim)
	cli.waitService(t, "talk", 60*time.Second, func(s ecsService) (bool, string) {
		ok, msg := steadyOn(taskDef, 3)(s)
		return ok && steadyAfter(s, restartedAt), msg
	})
	after := checkTasksAnswer(t, cli, taskDef, "v1", 3)
	if slices.ContainsFunc(after, func(a ecsTask) bool { return a.TaskArn == victim.TaskArn }) {
		t.Fatalf("killed task %s is still listed as running", victim.TaskArn)
	}
	checkSurvivorsKept(t, survivors, after)
	checkOneProcessPerTask(t, site, after)
}

// appPID returns the pid of the application process of a task.
func appPID(t *testing.T, site *site, taskID string) int {
	t.Helper()
	procs, err := siteProcesses(site)
	if err != nil {
		t.Fatal(err)
	}
	pids := procs.byTask()[taskID]
	if len(pids) != 1 {
		t.Fatalf("task %s has application processes %v; want exactly one (all: %v)", taskID, pids, procs.apps)
	}
	return pids[0]
}

// checkVictimReplaced waits until the killed task is STOPPED with a reason.
func checkVictimReplaced(t *testing.T, cli *awsCLI, victim ecsTask) {
	t.Helper()
	waitFor(t, 60*time.Second, func() (bool, string) {
		got := cli.describeTasks(t, victim.TaskArn)[0]
		return got.LastStatus == "STOPPED" && got.StoppedReason != "",
			fmt.Sprintf("killed task %s is %s (reason %q)", victim.TaskArn, got.LastStatus, got.StoppedReason)
	})
}

// steadyAfter reports whether a steady-state event was recorded after t
// (epoch seconds): the restarted controller must reach it anew.
func steadyAfter(s ecsService, t float64) bool {
	for _, e := range s.Events {
		if float64(e.CreatedAt) >= t && e.Message == "(service "+s.ServiceName+") has reached a steady state." {
			return true
		}
	}
	return false
}

// checkSurvivorsKept asserts that the tasks that lived through the crash run
// on with their ids and host ports.
func checkSurvivorsKept(t *testing.T, survivors, after []ecsTask) {
	t.Helper()
	for _, s := range survivors {
		i := slices.IndexFunc(after, func(a ecsTask) bool { return a.TaskArn == s.TaskArn })
		if i < 0 {
			t.Fatalf("task %s survived the crash but is not running after the restart", s.TaskArn)
		}
		if after[i].hostPort() != s.hostPort() {
			t.Fatalf("task %s moved from port %d to %d", s.TaskArn, s.hostPort(), after[i].hostPort())
		}
	}
}

// checkOneProcessPerTask asserts that exactly one application process runs
// per RUNNING task and no other (no duplicate started beside an adopted one).
func checkOneProcessPerTask(t *testing.T, site *site, running []ecsTask) {
	t.Helper()
	procs, err := siteProcesses(site)
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, task := range running {
		want = append(want, task.id())
	}
	for _, a := range procs.apps {
		got = append(got, a.taskID)
	}
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(want, got) {
		t.Fatalf("application processes by task %v, want one for each running task %v", got, want)
	}
}
