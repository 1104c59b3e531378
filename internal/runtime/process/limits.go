package process

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// Limits applies ECS's cpu and memory to containers with Linux control
// groups, as the Docker Engine does, where the server may create them:
//
//   - cgroup v1 (the memory and cpu hierarchies): memory.limit_in_bytes is
//     the hard limit (memory), memory.soft_limit_in_bytes the soft one
//     (memoryReservation), cpu.cfs_quota_us the task's cpu as a quota;
//   - cgroup v2: memory.max, memory.low and cpu.max, the same.
//
// A container's cpu, a relative weight in ECS, is not applied: the
// processes share the machine's scheduler with everything else on it, and a
// cgroup of their own would take them out of the kernel's fairness between
// sessions (autogroup) and weigh them against whole sessions instead. With
// the Docker runtime, whose containers all sit in the engine's cgroup, it
// is the weight among containers that ECS applies.
//
// A container's cgroup is created in a cgroup "slipway" under the server's
// own cgroup of each controller, named after its container directory, so
// that whatever limits and accounts the server's cgroup still covers its
// containers; the cpu one only for a task with a cpu quota. The shim
// moves the application into it right after starting it, before reporting
// the start, and the runtime removes it with the container (Remove). When
// the kernel's OOM killer ended the application (the cgroup's oom_kill
// count), the exit reads as ECS records it: code 137 and
// "OutOfMemoryError: Container killed due to memory usage".
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
// for no limit or limits cannot be applied.
func (l Limits) create(cdir string, r runtime.Resources) ([]string, error) {
	if l.version == 0 {
		return nil, nil
	}
	memory := int64(r.MemoryMiB) << 20
	if task := int64(r.TaskMemoryMiB) << 20; task > 0 && (memory == 0 || memory > task) {
		memory = task
	}
	name := filepath.Base(cdir)
	files := map[string]map[string]string{}
	if l.version == 1 {
		mem := map[string]string{}
		if memory > 0 {
			mem["memory.limit_in_bytes"] = strconv.FormatInt(memory, 10)
		}
		if r.MemoryReservationMiB > 0 {
			mem["memory.soft_limit_in_bytes"] = strconv.FormatInt(int64(r.MemoryReservationMiB)<<20, 10)
		}
		if len(mem) > 0 {
			files[filepath.Join(l.memory, name)] = mem
		}
		if r.TaskCPUUnits > 0 {
			files[filepath.Join(l.cpu, name)] = map[string]string{
				"cpu.cfs_period_us": strconv.Itoa(cfsPeriod), "cpu.cfs_quota_us": strconv.Itoa(r.TaskCPUUnits * cfsPeriod / 1024)}
		}
	} else {
		f := map[string]string{}
		if memory > 0 {
			f["memory.max"] = strconv.FormatInt(memory, 10)
		}
		if r.MemoryReservationMiB > 0 {
			f["memory.low"] = strconv.FormatInt(int64(r.MemoryReservationMiB)<<20, 10)
		}
		if r.TaskCPUUnits > 0 {
			f["cpu.max"] = fmt.Sprintf("%d %d", r.TaskCPUUnits*cfsPeriod/1024, cfsPeriod)
		}
		if len(f) > 0 {
			files[filepath.Join(l.memory, name)] = f
		}
	}
	var dirs []string
	for dir, values := range files {
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			removeCgroups(dirs)
			return nil, fmt.Errorf("%w: creating cgroup %s: %w", runtime.ErrCannotStart, dir, err)
		}
		dirs = append(dirs, dir)
		for file, v := range values {
			if err := os.WriteFile(filepath.Join(dir, file), []byte(v), 0); err != nil {
				removeCgroups(dirs)
				return nil, fmt.Errorf("%w: setting %s of cgroup %s: %w", runtime.ErrCannotStart, file, dir, err)
			}
		}
	}
	return dirs, nil
}

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

// removeCgroups removes a container's cgroups once its processes are gone.
func removeCgroups(dirs []string) {
	for _, d := range dirs {
		_ = os.Remove(d) // a cgroup is removed with rmdir; the kernel empties its files
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
			if oomKills(filepath.Join(d, file)) > 0 {
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
