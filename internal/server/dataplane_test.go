package server

import (
	"context"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestRestartedServerAdoptsTheDataPlane: the data plane runs in a process of
// its own, which a restarted server adopts (same pid) with its version, and
// which StopDataPlane ends.
func TestRestartedServerAdoptsTheDataPlane(t *testing.T) {
	dir := t.TempDir()
	first := start(t, Config{DataDir: dir})
	pid := first.DataPlanePID()
	if pid == 0 || pid == os.Getpid() {
		t.Fatalf("data plane pid %d, server %d: not a process of its own", pid, os.Getpid())
	}
	version := first.DataPlane().AppliedVersion()
	first.Close()
	again := start(t, Config{DataDir: dir})
	if got := again.DataPlanePID(); got != pid {
		t.Fatalf("the restarted server runs data plane %d, want %d", got, pid)
	}
	if got := again.DataPlane().AppliedVersion(); got < version {
		t.Fatalf("adopted data plane at version %d, was %d", got, version)
	}
	resp, err := http.Get(again.MetricsURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"go_goroutines", "slipway_lb_applied_version", "slipway_lb_data_plane_connected 1"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if err := again.StopDataPlane(context.Background()); err != nil {
		t.Fatal(err)
	}
	if syscall.Kill(pid, 0) == nil && !exited(pid) {
		t.Fatalf("data plane %d still runs after StopDataPlane", pid)
	}
	resp, err = http.Get(again.MetricsURL() + "/slipway/lb/stats")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/slipway/lb/stats with the data plane stopped: %s", resp.Status)
	}
}

// exited reports whether pid is a zombie (exited, not yet reaped).
func exited(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] == "Z"
}
