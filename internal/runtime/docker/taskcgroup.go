package docker

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/runtime/cgroupstat"
)

// taskCgroupRoot holds the tasks' cgroups below the root of each cgroup
// hierarchy: /slipway-tasks/STORE/TASK, the cgroup parent of the task's
// containers (apart from the process runtime's "slipway" cgroups, which
// lie below the server's own).
const taskCgroupRoot = "/slipway-tasks"

// cfsPeriod is the CPU quota's period in microseconds (the kernel's default,
// as Docker's NanoCPUs use).
const cfsPeriod = 100000

// taskCgroups gives a task with task-level cpu or memory a cgroup of its
// own, the cgroup parent of all its containers, holding the task's CPU quota
// and memory limit: the containers share them, as in ECS, instead of each
// being held to the whole task's figure. The runtime creates it in the
// engine's cgroup file system, which it can only do for an engine on this
// machine whose cgroup driver is cgroupfs (with systemd the parent must be a
// slice that systemd owns); elsewhere why says so and task limits fall back
// to capping each container.
type taskCgroups struct {
	mounts  cgroupstat.Mounts
	version int    // 1 or 2; 0 when disabled
	base    string // /slipway-tasks/STORE
	why     string
}

// newTaskCgroups checks that task cgroups can be made for the engine.
func newTaskCgroups(driver string, mounts cgroupstat.Mounts, mountsErr error, storeID string) taskCgroups {
	tc := taskCgroups{mounts: mounts, base: path.Join(taskCgroupRoot, cgroupName(storeID))}
	switch {
	case mountsErr != nil:
		tc.why = mountsErr.Error()
	case driver != "cgroupfs":
		tc.why = fmt.Sprintf("the engine's cgroup driver is %q; a cgroup parent per task needs cgroupfs", driver)
	case mounts.Version() == 0:
		tc.why = "no cgroup hierarchy with cpu and memory is mounted here"
	default:
		tc.version = mounts.Version()
		if err := tc.makeBase(); err != nil {
			tc.version, tc.why = 0, err.Error()
		}
	}
	return tc
}

// enabled reports whether tasks get cgroups of their own.
func (tc taskCgroups) enabled() bool { return tc.version != 0 }

// uses reports whether the containers of a task with these resources go
// into a task cgroup.
func (tc taskCgroups) uses(res runtime.Resources) bool {
	return tc.enabled() && (res.TaskCPUUnits > 0 || res.TaskMemoryMiB > 0)
}

// parent is the task's cgroup as the engine's cgroup parent names it.
func (tc taskCgroups) parent(taskID string) string { return path.Join(tc.base, cgroupName(taskID)) }

// cgroupName makes a name safe as one cgroup directory.
func cgroupName(s string) string { return strings.ReplaceAll(dockerSafe(s), ".", "_") }

// dirs are the directories of the cgroup at p where limits are written:
// memory and cpu (v1) or the unified one (v2).
func (tc taskCgroups) dirs(p string) (memory, cpu string, err error) {
	if tc.version == 2 {
		d, err := tc.mounts.Dir("", p)
		return d, d, err
	}
	if memory, err = tc.mounts.Dir("memory", p); err == nil {
		cpu, err = tc.mounts.Dir("cpu", p)
	}
	return memory, cpu, err
}

// makeBase creates /slipway-tasks/STORE and, with cgroup v2, hands the cpu and
// memory controllers down to it.
func (tc taskCgroups) makeBase() error {
	if tc.version == 2 {
		for _, p := range []string{"/", taskCgroupRoot, tc.base} {
			d, err := tc.mounts.Dir("", p)
			if err == nil && p != "/" {
				err = mkdir(d)
			}
			if err == nil {
				err = delegate(d)
			}
			if err != nil {
				return fmt.Errorf("cgroup v2 %s: %w", p, err)
			}
		}
		return nil
	}
	for _, p := range []string{taskCgroupRoot, tc.base} {
		memory, cpu, err := tc.dirs(p)
		if err == nil {
			err = errors.Join(mkdir(memory), mkdir(cpu))
		}
		if err != nil {
			return fmt.Errorf("cgroup v1 %s: %w", p, err)
		}
	}
	return nil
}

// ensure creates the task's cgroup (again after a restart: it may exist)
// and writes the task's limits.
func (tc taskCgroups) ensure(taskID string, res runtime.Resources) error {
	memory, cpu, err := tc.dirs(tc.parent(taskID))
	if err != nil {
		return err
	}
	files := map[string]string{}
	memLimit, quota := int64(res.TaskMemoryMiB)<<20, res.TaskCPUUnits*cfsPeriod/cpuUnitsPerCPU
	if tc.version == 2 {
		if res.TaskMemoryMiB > 0 {
			files[filepath.Join(memory, "memory.max")] = strconv.FormatInt(memLimit, 10)
		}
		if res.TaskCPUUnits > 0 {
			files[filepath.Join(cpu, "cpu.max")] = fmt.Sprintf("%d %d", quota, cfsPeriod)
		}
	} else {
		if res.TaskMemoryMiB > 0 {
			files[filepath.Join(memory, "memory.limit_in_bytes")] = strconv.FormatInt(memLimit, 10)
		}
		if res.TaskCPUUnits > 0 {
			files[filepath.Join(cpu, "cpu.cfs_period_us")] = strconv.Itoa(cfsPeriod)
			files[filepath.Join(cpu, "cpu.cfs_quota_us")] = strconv.Itoa(quota)
		}
	}
	if err := tc.makeBase(); err != nil { // again: a Close of another runtime of the store may have removed it
		return fmt.Errorf("creating the task's cgroup: %w", err)
	}
	if err := errors.Join(mkdir(memory), mkdir(cpu)); err != nil {
		return fmt.Errorf("creating the task's cgroup: %w", err)
	}
	if tc.version == 2 {
		if err := delegate(memory); err != nil {
			return fmt.Errorf("the task's cgroup: %w", err)
		}
	}
	for file, v := range files {
		if err := os.WriteFile(file, []byte(v), 0); err != nil {
			return fmt.Errorf("setting %s of the task's cgroup: %w", filepath.Base(file), err)
		}
	}
	return nil
}

// memoryDir is the task cgroup's memory directory ("" when unknown).
func (tc taskCgroups) memoryDir(taskID string) string {
	if !tc.enabled() {
		return ""
	}
	memory, _, err := tc.dirs(tc.parent(taskID))
	if err != nil {
		return ""
	}
	return memory
}

// memoryLimit is the memory limit of the task's cgroup; 0 when it has none
// or it cannot be read.
func (tc taskCgroups) memoryLimit(taskID string) uint64 {
	dir := tc.memoryDir(taskID)
	if dir == "" {
		return 0
	}
	file := "memory.limit_in_bytes"
	if tc.version == 2 {
		file = "memory.max" // "max" when unlimited: no number
	}
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return 0
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || v >= 1<<62 { // cgroup v1's unlimited is a page-rounded maximum
		return 0
	}
	return v
}

// release removes the task's cgroup in every hierarchy (the cgroup driver
// made it in all of them, see allDirs). One still holding a container is left
// (EBUSY): it is removed when the task is released again or swept.
func (tc taskCgroups) release(taskID string) error {
	if !tc.enabled() {
		return nil
	}
	var errs []error
	for _, d := range tc.allDirs(tc.parent(taskID)) {
		if err := os.Remove(d); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("removing the task's cgroup %s: %w", d, err))
		}
	}
	return errors.Join(errs...)
}

// sweep removes the cgroups of tasks that hold no container any more (a
// task's cgroup in use cannot be removed: the kernel refuses), left by a
// server that died before releasing them.
func (tc taskCgroups) sweep() {
	if !tc.enabled() {
		return
	}
	memory, _, err := tc.dirs(tc.base)
	if err != nil {
		return
	}
	entries, err := os.ReadDir(memory)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() { // a task's cgroup, not a control file
			_ = tc.release(e.Name())
		}
	}
}

// removeBase removes /slipway-tasks/STORE where no task's cgroup is left in it
// (the kernel refuses otherwise), at Close.
func (tc taskCgroups) removeBase() {
	if !tc.enabled() {
		return
	}
	for _, d := range tc.allDirs(tc.base) {
		_ = os.Remove(d)
	}
}

// allDirs are the directories of the cgroup at p in every hierarchy, where
// the cgroup driver makes a container's cgroup: each v1 one and the unified
// one (which a v1 machine may mount beside them).
func (tc taskCgroups) allDirs(p string) []string {
	dirs := tc.mounts.V1Dirs(p)
	if d, err := tc.mounts.Dir("", p); err == nil {
		dirs = append(dirs, d)
	}
	return dirs
}

// mkdir creates a cgroup directory that may exist.
func mkdir(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return nil
}

// delegate enables the cpu and memory controllers for a v2 cgroup's
// children (allowed only while it holds no process itself).
func delegate(dir string) error {
	return os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("+cpu +memory"), 0)
}
