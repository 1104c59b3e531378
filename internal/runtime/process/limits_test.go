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
	dirs, err := l.create("/state/task.web-123", "t1", res)
	if err != nil || len(dirs) != 2 {
		t.Fatalf("create: %v %v", dirs, err)
	}
	for file, want := range map[string]string{
		// The task's cgroup holds the task's limits for all its containers,
		// each container's below it its own.
		"memory/srv/slipway/task-t1/memory.limit_in_bytes":                   "50331648",
		"cpu/slipway/task-t1/cpu.cfs_quota_us":                               "50000",
		"memory/srv/slipway/task-t1/task.web-123/memory.limit_in_bytes":      "67108864",
		"memory/srv/slipway/task-t1/task.web-123/memory.soft_limit_in_bytes": "33554432",
		"cpu/slipway/task-t1/task.web-123/cpu.shares":                        "256",
	} {
		if b, err := os.ReadFile(filepath.Join(root, file)); err != nil || string(b) != want {
			t.Errorf("%s = %q %v, want %q", file, b, err, want)
		}
	}
	if d, _ := l.create("/state/none", "t2", runtime.Resources{}); d != nil {
		t.Errorf("a container without limits got cgroups %v", d)
	}
	if d, _ := l.create("/state/weighed", "t2", runtime.Resources{CPUUnits: 1}); len(d) != 1 || !hasFile(d[0], "cpu.shares", "2") {
		t.Errorf("a container's cpu of 1 unit: cgroups %v, want cpu.shares 2 (the kernel's least)", d)
	}

	v2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(v2, "cgroup.controllers"), []byte("cpuset cpu io memory pids"), 0o644); err != nil {
		t.Fatal(err)
	}
	l = detectLimits(v2, "0::/\n")
	if ok, why := l.Applied(); !ok || l.version != 2 {
		t.Fatalf("v2 not detected: %s", why)
	}
	dirs, err = l.create("/state/c", "t3", runtime.Resources{CPUUnits: 1024, MemoryMiB: 16, TaskCPUUnits: 256})
	if err != nil || len(dirs) != 1 || filepath.Base(filepath.Dir(dirs[0])) != "task-t3" {
		t.Fatalf("create: %v %v", dirs, err)
	}
	for file, want := range map[string]string{"memory.max": "16777216", "cpu.weight": "39", "../cpu.max": "25000 100000", "../cgroup.subtree_control": "+memory +cpu"} {
		if !hasFile(dirs[0], file, want) {
			t.Errorf("%s is not %q", file, want)
		}
	}
	code := 137
	if err := os.WriteFile(filepath.Join(filepath.Dir(dirs[0]), "memory.events"), []byte("oom 1\noom_kill 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if rec := withOOMVerdict(dirs, exitRecord{ExitCode: &code, Reason: "signal: killed"}); rec.Reason != oomReason {
		t.Errorf("an OOM kill in the task's cgroup reads %q", rec.Reason)
	}
	dirs, _ = l.create("/state/d", "t4", runtime.Resources{MemoryMiB: 16})
	if rec := withOOMVerdict(dirs, exitRecord{ExitCode: &code, Reason: "signal: killed"}); rec.Reason == oomReason {
		t.Error("a SIGKILL without an OOM kill reads as one")
	}
	if err := os.WriteFile(filepath.Join(dirs[0], "memory.events"), []byte("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if rec := withOOMVerdict(dirs, exitRecord{ExitCode: &code, Reason: "signal: killed"}); rec.Reason != oomReason {
		t.Errorf("OOM kill reads %q", rec.Reason)
	}
	if none := detectLimits(t.TempDir(), "0::/\n"); none.version != 0 {
		t.Errorf("limits detected without controllers")
	}
}

// hasFile reports whether dir/file holds want.
func hasFile(dir, file, want string) bool {
	b, err := os.ReadFile(filepath.Join(dir, file))
	return err == nil && string(b) == want
}
