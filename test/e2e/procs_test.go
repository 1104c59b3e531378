package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// appProcess is a running talk-service process of a site.
type appProcess struct {
	pid int
	// taskID is the task whose shim is the process's parent ("" when the
	// parent is not a shim of this site: a stray).
	taskID string
}

func (a appProcess) String() string { return fmt.Sprintf("pid %d (task %q)", a.pid, a.taskID) }

// processes are a site's task processes, found by walking /proc: an
// application is a process running the site's own copy of talk-service, and
// a shim is `slipway __shim DIR` with DIR under the site's containers
// directory, named "<task id>.<container>-<n>". No pid file or server answer
// is trusted, so a process the server lost track of is still counted.
type processes struct {
	apps  []appProcess
	shims map[string]int // task id -> shim pid
}

func siteProcesses(s *site) (processes, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return processes{}, err
	}
	containers := filepath.Join(s.dataDir, "containers") + "/"
	shimTask := map[int]string{}
	parents := map[int]int{}
	var apps []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && exe == s.talk {
			apps = append(apps, pid)
			parents[pid] = parentPID(pid)
			continue
		}
		args := cmdline(pid)
		if len(args) >= 3 && args[1] == "__shim" && strings.HasPrefix(args[2], containers) {
			shimTask[pid], _, _ = strings.Cut(strings.TrimPrefix(args[2], containers), ".")
		}
	}
	p := processes{shims: map[string]int{}}
	for pid, task := range shimTask {
		p.shims[task] = pid
	}
	for _, pid := range apps {
		p.apps = append(p.apps, appProcess{pid: pid, taskID: shimTask[parents[pid]]})
	}
	return p, nil
}

// byTask maps task ids to their application processes.
func (p processes) byTask() map[string][]int {
	m := map[string][]int{}
	for _, a := range p.apps {
		m[a.taskID] = append(m[a.taskID], a.pid)
	}
	return m
}

func cmdline(pid int) []string { return testutil.Cmdline(pid) }

// parentPID reads field 4 of /proc/PID/stat (after the parenthesised name,
// which may itself contain spaces or parentheses).
func parentPID(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	rest := b[bytes.LastIndexByte(b, ')')+1:]
	f := strings.Fields(string(rest))
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// waitNoTaskProcesses polls until the site has no application process.
func waitNoTaskProcesses(s *site, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		p, err := siteProcesses(s)
		if err != nil {
			return err
		}
		if len(p.apps) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("task processes still running after %s: %v", timeout, p.apps)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
