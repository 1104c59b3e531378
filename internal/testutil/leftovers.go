package testutil

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// LeftoverGrace is how long KillLeftovers lets processes that are already
// stopping end by themselves, sized for a loaded machine.
const LeftoverGrace = 10 * time.Second

// KillLeftovers is the last step of a harness's cleanup, after it stopped
// its server's tasks and data plane: it waits up to LeftoverGrace for every
// process that belongs to the data directory dir to end, then kills what is
// left with SIGKILL and reports it as a test error, since a clean stop must
// leave nothing. A process belongs to dir when an argument (the shim's
// container directory, the data plane's --dir) or its working directory
// lies under it.
func KillLeftovers(t testing.TB, dir string) {
	t.Helper()
	killLeftovers(t, dir, LeftoverGrace)
}

func killLeftovers(t testing.TB, dir string, grace time.Duration) {
	t.Helper()
	deadline := time.Now().Add(grace)
	left := processesUnder(dir)
	for len(left) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		left = processesUnder(dir)
	}
	if len(left) == 0 {
		return
	}
	kill(left)
	t.Errorf("killed %d processes left running under %s: %v", len(left), dir, left)
}

// KillUnder kills, with SIGKILL, every process that belongs to dir (see
// KillLeftovers) and returns how many there were: for processes that are
// meant to outlive their server, such as the data plane.
func KillUnder(dir string) int {
	left := processesUnder(dir)
	kill(left)
	return len(left)
}

func kill(procs []leftover) {
	for _, p := range procs {
		syscall.Kill(p.pid, syscall.SIGKILL) //nolint:errcheck // it may have ended meanwhile
	}
}

// leftover is a process found by processesUnder.
type leftover struct {
	pid  int
	args []string
}

func (l leftover) String() string { return fmt.Sprintf("%d %s", l.pid, strings.Join(l.args, " ")) }

// processesUnder walks /proc for the processes that belong to dir (see
// KillLeftovers), this one excepted.
func processesUnder(dir string) []leftover {
	dir = filepath.Clean(dir)
	under := func(p string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }
	entries, _ := os.ReadDir("/proc")
	var found []leftover
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		args := Cmdline(pid)
		if args == nil { // gone, or a zombie
			continue
		}
		match := false
		if cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd")); err == nil && under(cwd) {
			match = true
		}
		for _, a := range args {
			if under(a) {
				match = true
			}
		}
		if match {
			found = append(found, leftover{pid, args})
		}
	}
	return found
}

// Cmdline is the argument list of process pid from /proc, nil when the
// process is gone or a zombie.
func Cmdline(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(b) == 0 {
		return nil
	}
	return strings.Split(string(bytes.TrimRight(b, "\x00")), "\x00")
}
