package process

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// TestLimitsWriteTheControllersFiles checks the files written for both
// cgroup versions, on directories that stand in for the cgroup file system.
func TestLimitsWriteTheControllersFiles(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"memory/srv", "cpu"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	l := detectLimits(root, "5:memory:/srv\n3:cpu,cpuacct:/\n0::/\n")
	if ok, why := l.Applied(); !ok || l.version != 1 {
		t.Fatalf("v1 not detected: %s", why)
	}
	res := runtime.Resources{CPUUnits: 256, MemoryMiB: 64, MemoryReservationMiB: 32, TaskCPUUnits: 512, TaskMemoryMiB: 48}
	dirs, err := l.create("/state/task.web-123", res)
	if err != nil || len(dirs) != 2 {
		t.Fatalf("create: %v %v", dirs, err)
	}
	for file, want := range map[string]string{
		"memory/srv/slipway/task.web-123/memory.limit_in_bytes":      "50331648", // the task's 48 MiB caps the container's 64
		"memory/srv/slipway/task.web-123/memory.soft_limit_in_bytes": "33554432",
		"cpu/slipway/task.web-123/cpu.cfs_quota_us":                  "50000",
	} {
		if b, err := os.ReadFile(filepath.Join(root, file)); err != nil || string(b) != want {
			t.Errorf("%s = %q %v, want %q", file, b, err, want)
		}
	}
	if d, _ := l.create("/state/none", runtime.Resources{CPUUnits: 512}); d != nil {
		t.Errorf("a container without limits got cgroups %v", d)
	}

	v2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(v2, "cgroup.controllers"), []byte("cpuset cpu io memory pids"), 0o644); err != nil {
		t.Fatal(err)
	}
	l = detectLimits(v2, "0::/\n")
	if ok, why := l.Applied(); !ok || l.version != 2 {
		t.Fatalf("v2 not detected: %s", why)
	}
	dirs, err = l.create("/state/c", runtime.Resources{CPUUnits: 1024, MemoryMiB: 16, TaskCPUUnits: 256})
	if err != nil || len(dirs) != 1 {
		t.Fatalf("create: %v %v", dirs, err)
	}
	for file, want := range map[string]string{"memory.max": "16777216", "cpu.max": "25000 100000"} {
		if b, _ := os.ReadFile(filepath.Join(dirs[0], file)); string(b) != want {
			t.Errorf("%s = %q, want %q", file, b, want)
		}
	}
	if err := os.WriteFile(filepath.Join(dirs[0], "memory.events"), []byte("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code := 137
	if rec := withOOMVerdict(dirs, exitRecord{ExitCode: &code, Reason: "signal: killed"}); rec.Reason != oomReason {
		t.Errorf("OOM kill reads %q", rec.Reason)
	}
	if none := detectLimits(t.TempDir(), "0::/\n"); none.version != 0 {
		t.Errorf("limits detected without controllers")
	}
}
