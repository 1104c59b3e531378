package testutil

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// ReaperEnv names the temporary root a reaper (see StartReaper) cleans.
const ReaperEnv = "SLIPWAY_TEST_REAPER"

// reaperWait bounds how long a test binary waits for its reaper at the end.
const reaperWait = 30 * time.Second

// StartReaper puts every temporary directory of this test binary (t.TempDir,
// os.MkdirTemp) under a root of its own, through TMPDIR, and starts a copy of
// the binary, in a session of its own, that waits for this process to end,
// however it ends, and then kills every process that belongs to the root
// (see KillLeftovers: servers, data planes, shims and tasks of the tests'
// data directories) and removes the root.
//
// A binary that go test kills on -timeout, or that panics, runs no t.Cleanup;
// the reaper is what still ends the processes its tests started. TestMain
// calls StartReaper before m.Run and the returned stop after it; a TestMain
// started with ReaperEnv set must run Reap instead (see IsReaper).
func StartReaper() (stop func(), err error) {
	root, err := newRoot()
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), ReaperEnv+"="+root)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r, os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // a Ctrl-C of the test's group must not reach it first
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("starting the reaper: %w", err)
	}
	r.Close()
	if err := os.Setenv("TMPDIR", root); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }() //nolint:errcheck // how it ended is on stderr
	return func() {
		w.Close() // the reaper's cue; the kernel gives the same one when this process dies
		select {
		case <-done:
		case <-time.After(reaperWait):
		}
	}, nil
}

// newRoot makes the reaper's root, with a short name: tests' data
// directories hold unix sockets, whose paths must stay under 108 bytes.
func newRoot() (string, error) {
	root := filepath.Join(os.TempDir(), "t"+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(root, 0o700); err == nil {
		return root, nil
	}
	return os.MkdirTemp("", "t")
}

// IsReaper reports whether this test binary was started as a reaper.
func IsReaper() bool { return os.Getenv(ReaperEnv) != "" }

// Reap is a reaper's whole life: it waits until its test binary closes the
// pipe on standard input or dies, kills what belongs to the root, removes it
// and returns the exit code.
func Reap() int {
	root := os.Getenv(ReaperEnv)
	io.Copy(io.Discard, os.Stdin) //nolint:errcheck // any end of the pipe is the cue
	// Killed processes can have started others just before: a few rounds.
	var killed []leftover
	for range 5 {
		left := processesUnder(root)
		if len(left) == 0 {
			break
		}
		kill(left)
		killed = append(killed, left...)
		time.Sleep(200 * time.Millisecond)
	}
	if len(killed) > 0 {
		fmt.Fprintf(os.Stderr, "test reaper: killed %d processes its tests left under %s: %v\n", len(killed), root, killed)
	}
	if err := os.RemoveAll(root); err != nil {
		fmt.Fprintf(os.Stderr, "test reaper: %v\n", err)
		return 1
	}
	return 0
}

// RunWithReaper runs the tests of m between StartReaper and its stop and
// returns m.Run's exit code (1 when the reaper cannot start).
func RunWithReaper(m interface{ Run() int }) int {
	stop, err := StartReaper()
	if err != nil {
		fmt.Fprintln(os.Stderr, "test reaper:", err)
		return 1
	}
	defer stop()
	return m.Run()
}
