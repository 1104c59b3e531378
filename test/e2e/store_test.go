package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDamagedStoreStopsNoTask runs a service of two tasks, stops the server
// (its tasks keep running) and starts it again over an emptied, a deleted
// and a truncated slipway.db. Each start fails with one line that names the
// file and the way back, and no task stops: they answer throughout. With the
// file restored from a copy, the server adopts them again.
func TestDamagedStoreStopsNoTask(t *testing.T) {
	site, first, taskDef, tasks := runTalkService(t)
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(site.dataDir, "slipway.db")
	backup, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	damages := []struct {
		name   string
		damage func() error
		want   string
	}{
		{"emptied", func() error { return os.Truncate(db, 0) }, db + " is empty"},
		{"deleted", func() error { return os.Remove(db) }, db + " is missing"},
		// Three pages: the metas and the first page after them. Half the file
		// is not enough, as bbolt grows the file ahead of the pages it uses, so
		// half of it can still hold every page the last transaction counts.
		{"truncated", func() error { return os.WriteFile(db, backup[:min(len(backup)/2, 3*os.Getpagesize())], 0o600) }, db + " is truncated"},
	}
	for _, d := range damages {
		if err := d.damage(); err != nil {
			t.Fatal(err)
		}
		out, err := runToExit(t, []string{"server", "--api-addr", "127.0.0.1:0", "--data-dir", site.dataDir, "--lb-host", "127.0.0.1"})
		if err == nil {
			t.Fatalf("%s: the server started: %s", d.name, out)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		last := lines[len(lines)-1]
		if !strings.HasPrefix(last, "slipway: ") || !strings.Contains(last, d.want) || !strings.Contains(last, "from a backup") {
			t.Fatalf("%s: the server's last words are %q; want one line saying %q and how to recover (all output: %s)", d.name, last, d.want, out)
		}
		for _, task := range tasks {
			waitTalk(t, task.hostPort(), task.TaskArn, "v1")
		}
		if err := os.WriteFile(db, backup, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cli := site.startServer(t).cli
	cli.waitService(t, "talk", 60*time.Second, steadyOn(taskDef, 2))
	after := checkTasksAnswer(t, cli, taskDef, "v1", 2)
	checkSurvivorsKept(t, tasks, after)
	checkOneProcessPerTask(t, site, after)
}

// runTalkService starts a site's first server and service talk of two tasks
// of talk-service v1, and returns them once both answer.
func runTalkService(t *testing.T) (*site, *server, string, []ecsTask) {
	t.Helper()
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	srv := site.startServer(t)
	taskDef := site.registerTalk(t, srv.cli, "v1")["taskDefinitionArn"].(string)
	srv.cli.must(t, nil, "ecs", "create-service", "--service-name", "talk", "--task-definition", "talk", "--desired-count", "2")
	srv.cli.waitService(t, "talk", 60*time.Second, steadyOn(taskDef, 2))
	return site, srv, taskDef, checkTasksAnswer(t, srv.cli, taskDef, "v1", 2)
}
