package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// teardown runs at cleanup. A running server deletes every service and stops
// every task through the API; once no task process of the site is left, the
// server gets SIGTERM. Task processes that outlive this are reported and
// killed: stopping through the API must leave nothing behind.
func (srv *server) teardown(t *testing.T) {
	if srv.running() {
		if err := srv.stopAllTasks(45 * time.Second); err != nil {
			t.Errorf("teardown: %v", err)
		}
		if err := srv.stop(); err != nil {
			t.Errorf("teardown: %v", err)
		}
	}
	if t.Failed() {
		t.Log(srv.logTail(80))
	}
	if srv.site.serverRunning() {
		return // a later server of this site owns the tasks
	}
	procs, err := siteProcesses(srv.site)
	if err != nil {
		t.Errorf("teardown: %v", err)
		return
	}
	if len(procs.apps) > 0 {
		t.Errorf("teardown: %d task processes outlived their server: %v", len(procs.apps), procs.apps)
	}
	procs.killAll()
	// The data plane outlives its server by design (the next one adopts it);
	// with no server of the site left, nothing will.
	testutil.KillUnder(srv.site.dataDir)
}

// stopAllTasks deletes the services of the default cluster, stops its tasks
// and waits until the site has no task process.
func (srv *server) stopAllTasks(timeout time.Duration) error {
	var services struct{ ServiceArns []string }
	if err := srv.cli.call(&services, "ecs", "list-services"); err != nil {
		return err
	}
	for _, arn := range services.ServiceArns {
		if err := srv.cli.call(nil, "ecs", "delete-service", "--service", arn, "--force"); err != nil {
			return err
		}
	}
	var tasks struct{ TaskArns []string }
	if err := srv.cli.call(&tasks, "ecs", "list-tasks"); err != nil {
		return err
	}
	for _, arn := range tasks.TaskArns {
		if err := srv.cli.call(nil, "ecs", "stop-task", "--task", arn, "--reason", "e2e teardown"); err != nil &&
			!strings.Contains(err.Error(), "not found") {
			return err
		}
	}
	return waitNoTaskProcesses(srv.site, timeout)
}

// serverRunning reports whether some server of the site still runs.
func (s *site) serverRunning() bool {
	for _, srv := range s.servers {
		if srv.running() {
			return true
		}
	}
	return false
}

func (p processes) killAll() {
	for _, pid := range p.shims {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, a := range p.apps {
		_ = syscall.Kill(a.pid, syscall.SIGKILL)
	}
}
