package e2e

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestStopKeepsTasksUnlessAsked drives the real binary through the ways a
// server ends: SIGTERM leaves the tasks running and says so in one line;
// SIGTERM with --stop-tasks-on-exit stops them first; `slipway down` stops
// them and the server. After each stop of the tasks, the next start runs the
// service's tasks again: a down keeps the desired count.
func TestStopKeepsTasksUnlessAsked(t *testing.T) {
	site, first, taskDef, tasks := runTalkService(t)
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	if last := lastLogLine(t, first); !strings.Contains(last, "server stopped; 2 tasks keep running and are adopted at the next start") {
		t.Fatalf("after SIGTERM the server's last line is %q", last)
	}
	for _, task := range tasks {
		waitTalk(t, task.hostPort(), task.TaskArn, "v1")
	}

	second := site.startServer(t, "--stop-tasks-on-exit")
	second.cli.waitService(t, "talk", 60*time.Second, steadyOn(taskDef, 2))
	if err := second.stop(); err != nil {
		t.Fatal(err)
	}
	if err := waitNoTaskProcesses(site, 5*time.Second); err != nil {
		t.Fatalf("after SIGTERM with --stop-tasks-on-exit: %v", err)
	}
	if last := lastLogLine(t, second); !strings.Contains(last, "stopped 2 tasks and the server in ") {
		t.Fatalf("after SIGTERM with --stop-tasks-on-exit the server's last line is %q", last)
	}

	third := site.startServer(t)
	third.cli.waitService(t, "talk", 60*time.Second, steadyOn(taskDef, 2))
	out, err := runToExit(t, []string{"down", "--data-dir", site.dataDir})
	if err != nil || !strings.HasPrefix(lastLine(out), "stopped 2 tasks and the server in ") {
		t.Fatalf("slipway down: %v\n%s", err, out)
	}
	select {
	case <-third.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the server still runs after slipway down")
	}
	if err := waitNoTaskProcesses(site, 5*time.Second); err != nil {
		t.Fatalf("after slipway down: %v", err)
	}
	if out, err := runToExit(t, []string{"down", "--data-dir", site.dataDir}); err != nil || !strings.HasPrefix(out, "nothing to stop") {
		t.Fatalf("slipway down with nothing running: %v\n%s", err, out)
	}

	site.startServer(t).cli.waitService(t, "talk", 60*time.Second, steadyOn(taskDef, 2))
}

func lastLogLine(t *testing.T, srv *server) string {
	t.Helper()
	b, err := os.ReadFile(srv.log)
	if err != nil {
		t.Fatal(err)
	}
	return lastLine(string(b))
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}
