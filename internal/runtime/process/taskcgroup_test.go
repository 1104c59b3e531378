package process_test

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// cgroupOf reads the cgroup path of a running container's application for
// a controller ("memory", "cpu"; "" for cgroup v2).
func cgroupOf(t *testing.T, h runtime.Handle, ctrl string) string {
	t.Helper()
	app := stateMap(t, h.State())["app"].(map[string]any)
	b, err := os.ReadFile("/proc/" + strconv.Itoa(int(app["pid"].(float64))) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 && (parts[1] == ctrl || strings.Contains(","+parts[1]+",", ","+ctrl+",") && ctrl != "") {
			return parts[2]
		}
	}
	return ""
}

// TestTaskLimitsHoldTheWholeTask: the containers of a task with task-level
// memory and cpu run below the task's cgroup, which holds its limits for
// all of them, each with its cpu as a weight; one that allocates past the
// task's memory is killed as ECS records it while the other runs on.
func TestTaskLimitsHoldTheWholeTask(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	if ok, why := rt.Limits().Applied(); !ok {
		t.Skip("no cgroups can be created here:", why)
	}
	task := "limits" + strconv.FormatInt(time.Now().UnixNano(), 36)
	res := runtime.Resources{CPUUnits: 512, TaskMemoryMiB: 48, TaskCPUUnits: 1024}
	idle := shSpec(t, "sleep 600")
	idle.TaskID, idle.ContainerName, idle.Resources = task, "idle", res
	hog := shSpec(t, `x=$(head -c 200000000 /dev/zero | tr "\0" a); echo survived`)
	hog.TaskID, hog.ContainerName, hog.Resources = task, "hog", res
	i := start(t, rt, idle)
	ctrl := "memory"
	if cgroupOf(t, i, "memory") == "" {
		ctrl = "" // cgroup v2
	}
	mem := cgroupOf(t, i, ctrl)
	if !strings.Contains(mem, "/slipway/task-"+task+"/") {
		t.Fatalf("idle container's cgroup %q is not below its task's", mem)
	}
	cpuFile, want := "/sys/fs/cgroup/cpu"+cgroupOf(t, i, "cpu")+"/cpu.shares", "512"
	if ctrl == "" {
		cpuFile, want = "/sys/fs/cgroup"+mem+"/cpu.weight", "20"
	}
	if b, err := os.ReadFile(cpuFile); err != nil || strings.TrimSpace(string(b)) != want {
		t.Errorf("%s = %q %v, want %s", cpuFile, b, err, want)
	}
	if u, err := i.(runtime.UsageSampler).Usage(t.Context()); err != nil || u.MemoryLimitBytes != 48<<20 || u.ContainerName != "idle" || u.MemoryBytes == 0 {
		t.Errorf("idle's usage %+v, %v: want the task's 48 MiB as its limit", u, err)
	}
	h := start(t, rt, hog)
	st := waitExit(t, h)
	if code(t, st) != 137 || st.Reason != "OutOfMemoryError: Container killed due to memory usage" {
		t.Errorf("hog exit %+v, want 137 and ECS's OutOfMemoryError", st)
	}
	select {
	case <-i.Done():
		t.Errorf("the idle container of the task was ended too: %+v", i.Exit())
	default:
	}
	if err := rt.Remove(h.State()); err != nil {
		t.Fatal(err)
	}
	killAndWait(t, i)
	if err := rt.Remove(i.State()); err != nil {
		t.Fatal(err)
	}
	root := "/sys/fs/cgroup/memory"
	if ctrl == "" {
		root = "/sys/fs/cgroup"
	}
	taskDir := root + mem[:strings.Index(mem, "/task-")] + "/task-" + task
	if _, err := os.Stat(taskDir); !os.IsNotExist(err) {
		t.Errorf("the task's cgroup %s is left after its last container: %v", taskDir, err)
	}
}
