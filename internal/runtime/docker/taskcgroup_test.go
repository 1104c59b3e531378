package docker_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/runtime/docker"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestTaskMemoryCapsTheWholeTask: a task's memory is one limit its
// containers share, in a cgroup of the task that is their cgroup parent.
// A container without a limit of its own that allocates past the task's
// memory is killed by the kernel there, and its exit reads as ECS's OOM
// kill; once the task is released its cgroup is gone.
func TestTaskMemoryCapsTheWholeTask(t *testing.T) {
	e := newEnv(t)
	hog, idle := e.spec("hog", "hog"), e.spec("idle", "sleep")
	idle.TaskARN, idle.TaskID = hog.TaskARN, hog.TaskID
	for _, s := range []*runtime.Spec{&hog, &idle} {
		s.Resources = runtime.Resources{TaskMemoryMiB: 48, TaskCPUUnits: 512}
		s.PortMappings = nil
	}
	parent := docker.TaskCgroupParent(e.rt, hog.TaskID)
	if parent == "" {
		testutil.RequireInCI(t, "a cgroup per task ("+docker.TaskCgroupsWhy(e.rt)+")")
	}
	i := e.start(idle)
	insp := e.inspect(i).Container
	if insp.HostConfig.CgroupParent != parent || insp.HostConfig.Memory != 0 || insp.HostConfig.NanoCPUs != 0 {
		t.Errorf("cgroup parent %q memory %d nanocpus %d; want the task's %q and no limit of the container's own",
			insp.HostConfig.CgroupParent, insp.HostConfig.Memory, insp.HostConfig.NanoCPUs, parent)
	}
	dir := docker.TaskCgroupMemoryDir(e.rt, hog.TaskID)
	limit := readLimit(t, dir)
	if limit != 48<<20 {
		t.Errorf("task cgroup %s memory limit %d, want 48 MiB", dir, limit)
	}
	if u, err := i.(runtime.UsageSampler).Usage(context.Background()); err != nil || u.MemoryLimitBytes != 48<<20 {
		t.Errorf("usage %+v, %v: want the task's limit", u, err)
	}
	h := e.start(hog)
	exit := waitExit(t, h, time.Minute)
	if exit.ExitCode == nil || *exit.ExitCode != 137 || exit.Reason != "OutOfMemoryError: Container killed due to memory usage" {
		t.Errorf("hog exit %+v, want ECS's OOM kill", exit)
	}
	select {
	case <-i.Done():
		t.Error("the idle container of the task was killed too")
	default:
	}
	if err := i.Stop(context.Background(), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, x := range []runtime.Handle{i, h} {
		if err := e.rt.Remove(x.State()); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.rt.ReleaseTask(context.Background(), runtime.TaskSpec{TaskARN: hog.TaskARN, TaskID: hog.TaskID}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("task cgroup %s after ReleaseTask: %v", dir, err)
	}
}

// readLimit reads a memory cgroup's limit (v1 or v2).
func readLimit(t *testing.T, dir string) int64 {
	t.Helper()
	for _, f := range []string{"memory.limit_in_bytes", "memory.max"} {
		if b, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
			var v int64
			for _, c := range strings.TrimSpace(string(b)) {
				v = v*10 + int64(c-'0')
			}
			return v
		}
	}
	t.Fatalf("no memory limit file in %s", dir)
	return 0
}
