package process

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// Limits applies ECS's cpu and memory to containers with Linux control
// groups, as the Docker Engine does, where the server may create them:
//
//   - cgroup v1 (the memory and cpu hierarchies): memory.limit_in_bytes is
//     the hard limit (memory), memory.soft_limit_in_bytes the soft one
//     (memoryReservation), cpu.shares the container's cpu as a weight (2 to
//     262144, as Docker passes it), and a task's cpu.cfs_quota_us its cpu;
//   - cgroup v2: memory.max, memory.low, cpu.weight (converted from shares
//     as runc and systemd convert them: 1024 units are weight 39) and
//     cpu.max, the same.
//
// Cgroups are made in a cgroup "slipway" under the server's own cgroup of
// each controller, so that whatever limits and accounts the server's
// cgroup still covers its containers. A container's is named after its
// container directory; one of a task with task-level cpu or memory lies in
// the task's cgroup, slipway/task-TASKID, which holds the task's CPU quota
// and memory limit for all its containers together, as ECS applies them
// (every container of such a task gets cgroups, with limits of its own or
// none, so that it is below its task's). The shim moves the application
// into them right after starting it, before reporting the start, and the
// runtime removes them with the container (Remove), the task's with its
// last container. When the kernel's OOM killer ended the application (the
// oom_kill count of its cgroup or its task's), the exit reads as ECS
// records it: code 137 and "OutOfMemoryError: Container killed due to
// memory usage".
//
// What a host process cannot be given as a container is: a container's cpu
// weighs it only against the other containers in "slipway" (and that
// cgroup as a whole against the server's other processes, at the default
// weight), not against every process of the machine; and a process in a
// cpu cgroup of its own leaves the kernel's fairness between sessions
// (autogroup). A container without cpu and outside a task with limits gets
// no cpu cgroup and keeps it.
//
// Where no cgroup can be made (cgroup v2 whose server cgroup holds processes
// and so cannot delegate controllers, no permission, no cgroup file system),
// containers run without limits: cpu and memory then only reserve capacity
// for placement. New logs which of the two holds, and Limits.Applied says it.
type Limits struct {
	// version is 1 or 2; 0 when limits cannot be applied.
	version int
	// memory and cpu are the parent directories of containers' cgroups (the
	// same directory with cgroup v2).
	memory, cpu string
	// why says why limits are not applied.
	why string
}

// oomReason is ECS's reason for a container the kernel killed for memory.
const oomReason = "OutOfMemoryError: Container killed due to memory usage"

// cfsPeriod is the CPU quota's period in microseconds (the kernel's default).
const cfsPeriod = 100000

// detectLimits finds where container cgroups can be made: root is the
// cgroup file system's mount point (/sys/fs/cgroup), selfCgroup the content
// of /proc/self/cgroup.
func detectLimits(root, selfCgroup string) Limits {
	paths := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(selfCgroup), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, ctrl := range strings.Split(parts[1], ",") {
			paths[ctrl] = parts[2]
		}
	}
	if mem, ok := paths["memory"]; ok {
		l := Limits{version: 1, memory: filepath.Join(root, "memory", mem, parentCgroup), cpu: filepath.Join(root, "cpu", paths["cpu"], parentCgroup)}
		if err := makeParents(l.memory, l.cpu); err != nil {
			return Limits{why: "cgroup v1: " + err.Error()}
		}
		return l
	}
	own, ok := paths[""]
	if !ok {
		return Limits{why: "no cgroup file system"}
	}
	dir := filepath.Join(root, own)
	ctrls, err := os.ReadFile(filepath.Join(root, "cgroup.controllers"))
	if err != nil || !strings.Contains(string(ctrls), "memory") || !strings.Contains(string(ctrls), "cpu") {
		return Limits{why: "cgroup v2 without the memory and cpu controllers"}
	}
	// Children of the server's cgroup get the controllers only if it holds no
	// process itself, or is the root (the kernel's no-internal-process rule).
	parent := filepath.Join(dir, parentCgroup)
	err = os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("+memory +cpu"), 0)
	if err == nil {
		err = makeParents(parent)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(parent, "cgroup.subtree_control"), []byte("+memory +cpu"), 0)
	}
	if err != nil {
		return Limits{why: fmt.Sprintf("cgroup v2: cannot delegate memory and cpu below %s (%v); run the server in a cgroup of its own", dir, err)}
	}
	return Limits{version: 2, memory: parent, cpu: parent}
}

// parentCgroup holds the containers' cgroups below the server's own.
const parentCgroup = "slipway"

// makeParents creates the parent cgroups (an earlier run may have).
func makeParents(dirs ...string) error {
	for _, d := range dirs {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	}
	return nil
}

// Applied reports whether containers get their limits, and if not why.
func (l Limits) Applied() (bool, string) { return l.version != 0, l.why }

// create makes the cgroups of a container whose directory is cdir and
// writes its limits; it returns their directories, none when the spec asks
// for no limit or limits cannot be applied. A container of a task with
// task-level cpu or memory goes below its task's cgroup (taskCgroup), which
// holds those for all the task's containers.
func (l Limits) create(cdir, taskID string, r runtime.Resources) ([]string, error) {
	if l.version == 0 {
		return nil, nil
	}
	name := filepath.Base(cdir)
	inTask := r.TaskCPUUnits > 0 || r.TaskMemoryMiB > 0
	memParent, cpuParent := l.memory, l.cpu
	if inTask {
		var err error
		if memParent, cpuParent, err = l.taskCgroup(taskID, r); err != nil {
			return nil, err
		}
	}
	files := map[string]map[string]string{}
	memory := int64(r.MemoryMiB) << 20
	if l.version == 1 {
		mem, cpu := map[string]string{}, map[string]string{}
		if memory > 0 {
			mem["memory.limit_in_bytes"] = strconv.FormatInt(memory, 10)
		}
		if r.MemoryReservationMiB > 0 {
			mem["memory.soft_limit_in_bytes"] = strconv.FormatInt(int64(r.MemoryReservationMiB)<<20, 10)
		}
		if r.CPUUnits > 0 {
			cpu["cpu.shares"] = strconv.Itoa(cpuShares(r.CPUUnits))
		}
		// In a task, the container's cgroups are what put it below the
		// task's, so they are made even without limits of their own.
		if len(mem) > 0 || inTask {
			files[filepath.Join(memParent, name)] = mem
		}
		if len(cpu) > 0 || inTask {
			files[filepath.Join(cpuParent, name)] = cpu
		}
	} else {
		f := map[string]string{}
		if memory > 0 {
			f["memory.max"] = strconv.FormatInt(memory, 10)
		}
		if r.MemoryReservationMiB > 0 {
			f["memory.low"] = strconv.FormatInt(int64(r.MemoryReservationMiB)<<20, 10)
		}
		if r.CPUUnits > 0 {
			f["cpu.weight"] = strconv.Itoa(cpuWeight(r.CPUUnits))
		}
		if len(f) > 0 || inTask {
			files[filepath.Join(memParent, name)] = f
		}
	}
	var dirs []string
	for dir, values := range files {
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			removeCgroups(dirs)
			return nil, fmt.Errorf("%w: creating cgroup %s: %w", runtime.ErrCannotStart, dir, err)
		}
		dirs = append(dirs, dir)
		if err := writeCgroupFiles(dir, values); err != nil {
			removeCgroups(dirs)
			return nil, err
		}
	}
	return dirs, nil
}

// memoryLimit is the hard memory limit of a container with these
// resources: its own or its task's, the lower; 0 when neither is set.
func memoryLimit(r runtime.Resources) int64 {
	own, task := int64(r.MemoryMiB)<<20, int64(r.TaskMemoryMiB)<<20
	if own == 0 || task > 0 && task < own {
		return task
	}
	return own
}

// taskCgroupPrefix names a task's cgroup: task-TASKID below "slipway".
const taskCgroupPrefix = "task-"

// taskCgroup creates the task's cgroups (an earlier container of the task
// may have) with the task's cpu as a quota and its memory as a limit that
// its containers share, as ECS applies task-level resources, and returns
// the parents of its containers' memory and cpu cgroups.
func (l Limits) taskCgroup(taskID string, r runtime.Resources) (memory, cpu string, err error) {
	name := taskCgroupPrefix + strings.Map(func(c rune) rune {
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' {
			return c
		}
		return '_'
	}, taskID)
	memory, cpu = filepath.Join(l.memory, name), filepath.Join(l.cpu, name)
	mem, cpuFiles := map[string]string{}, map[string]string{}
	if l.version == 1 {
		if r.TaskMemoryMiB > 0 {
			mem["memory.limit_in_bytes"] = strconv.FormatInt(int64(r.TaskMemoryMiB)<<20, 10)
		}
		if r.TaskCPUUnits > 0 {
			cpuFiles["cpu.cfs_period_us"] = strconv.Itoa(cfsPeriod)
			cpuFiles["cpu.cfs_quota_us"] = strconv.Itoa(r.TaskCPUUnits * cfsPeriod / 1024)
		}
	} else {
		mem[subtreeControl] = "+memory +cpu" // its containers need the controllers
		if r.TaskMemoryMiB > 0 {
			mem["memory.max"] = strconv.FormatInt(int64(r.TaskMemoryMiB)<<20, 10)
		}
		if r.TaskCPUUnits > 0 {
			mem["cpu.max"] = fmt.Sprintf("%d %d", r.TaskCPUUnits*cfsPeriod/1024, cfsPeriod)
		}
	}
	todo := map[string]map[string]string{memory: mem}
	if cpu != memory { // cgroup v1: the cpu hierarchy apart
		todo[cpu] = cpuFiles
	}
	for dir, values := range todo {
		if err := makeParents(dir); err != nil {
			return "", "", fmt.Errorf("%w: creating the task's cgroup %s: %w", runtime.ErrCannotStart, dir, err)
		}
		if err := writeCgroupFiles(dir, values); err != nil {
			return "", "", err
		}
	}
	return memory, cpu, nil
}

// writeCgroupFiles writes a cgroup's control files; the v2
// cgroup.subtree_control first, as the controllers' files need it.
func writeCgroupFiles(dir string, values map[string]string) error {
	files := slices.Sorted(maps.Keys(values))
	if i := slices.Index(files, subtreeControl); i > 0 {
		files[0], files[i] = files[i], files[0]
	}
	for _, file := range files {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(values[file]), 0); err != nil {
			return fmt.Errorf("%w: setting %s of cgroup %s: %w", runtime.ErrCannotStart, file, dir, err)
		}
	}
	return nil
}

// subtreeControl hands cgroup v2 controllers down to a cgroup's children.
const subtreeControl = "cgroup.subtree_control"

// cpuShares is a container's cpu as cgroup v1 CPU shares, as Docker
// passes ECS's cpu (the kernel takes 2 to 262144).
func cpuShares(units int) int { return min(max(units, 2), 262144) }

// cpuWeight is a container's cpu as a cgroup v2 CPU weight (1 to 10000),
// converted from shares as runc and systemd convert them, so that the
// process and Docker runtimes weigh a cpu alike.
func cpuWeight(units int) int { return 1 + (cpuShares(units)-2)*9999/262142 }

// joinCgroups moves pid into every cgroup (the shim calls it for the
// application it just started).
func joinCgroups(dirs []string, pid int) error {
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
			return fmt.Errorf("moving the application into cgroup %s: %w", d, err)
		}
	}
	return nil
}

// removeCgroups removes a container's cgroups once its processes are gone,
// and its task's when no other container is left in it.
func removeCgroups(dirs []string) {
	for _, d := range dirs {
		_ = os.Remove(d) // a cgroup is removed with rmdir; the kernel empties its files
		if parent := filepath.Dir(d); strings.HasPrefix(filepath.Base(parent), taskCgroupPrefix) {
			_ = os.Remove(parent) // refused while another container of the task is in it
		}
	}
}

// withOOMVerdict turns the exit of an application the OOM killer ended into
// ECS's record of it: the cgroup counted an oom_kill and the application
// died of SIGKILL.
func withOOMVerdict(dirs []string, rec exitRecord) exitRecord {
	if rec.ExitCode == nil || *rec.ExitCode != 137 {
		return rec
	}
	for _, d := range dirs {
		for _, file := range []string{"memory.oom_control", "memory.events"} {
			if oomKills(filepath.Join(d, file)) > 0 || oomKills(filepath.Join(filepath.Dir(d), file)) > 0 && strings.HasPrefix(filepath.Base(filepath.Dir(d)), taskCgroupPrefix) {
				rec.Reason = oomReason
				return rec
			}
		}
	}
	return rec
}

// oomKills reads the oom_kill count of a memory.oom_control (v1) or
// memory.events (v2) file; 0 when it has none.
func oomKills(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "oom_kill "); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// newLimits detects where limits can be applied under root (default
// /sys/fs/cgroup; "none" disables them) and logs the verdict.
func newLimits(root string, log *slog.Logger) Limits {
	if root == "none" {
		return Limits{why: "disabled"}
	}
	if root == "" {
		root = "/sys/fs/cgroup"
	}
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return Limits{why: err.Error()}
	}
	l := detectLimits(root, string(self))
	if ok, why := l.Applied(); ok {
		log.Info("container cpu and memory limits applied with cgroups", "version", l.version, "memory", l.memory, "cpu", l.cpu)
	} else {
		log.Warn("container cpu and memory limits are not applied; they only reserve capacity", "why", why)
	}
	return l
}

// Limits reports how the runtime applies containers' cpu and memory.
func (r *Runtime) Limits() Limits { return r.limits }
