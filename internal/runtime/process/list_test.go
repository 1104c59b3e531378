package process_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/runtime/process"
)

// TestListFindsUnrecordedContainer starts a container and drops its State, as a server
// killed before the agent recorded it would; a new Runtime on the same StateDir finds
// it, holds its port, adopts it and controls it.
func TestListFindsUnrecordedContainer(t *testing.T) {
	sd := stateDir(t)
	spec := appSpec("serve", t.TempDir())
	spec.TaskARN = "arn:aws:ecs:us-east-1:000000000000:task/default/t1"
	spec.Env = append(spec.Env, "GREETING=found")
	spec.PortMappings = []runtime.PortMapping{{ContainerPort: 8080}}
	spec.StoreID = "store-of-t1"
	h1 := start(t, newRuntime(t, sd), spec)
	eventually(t, "first tick", logContains(t, h1, "tick"))

	rt2 := newRuntime(t, sd)
	f := listOne(t, rt2)
	if f.TaskARN != spec.TaskARN || f.TaskID != "t1" || f.ContainerName != "app" || f.StoreID != spec.StoreID || !f.Running {
		t.Errorf("found %+v", f)
	}
	if !bytes.Equal(f.State, h1.State()) {
		t.Errorf("found State\n%s\nwant the one Start returned\n%s", f.State, h1.State())
	}
	port := h1.Bindings()[0].HostPort
	fixed := shSpec(t, "exit 0")
	fixed.PortMappings = []runtime.PortMapping{{ContainerPort: 80, HostPort: port}}
	if _, err := rt2.Start(t.Context(), fixed); !errors.Is(err, runtime.ErrPortInUse) || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("Start on a found container's port before Adopt: err = %v, want it reserved", err)
	}

	h2, err := rt2.Adopt(t.Context(), f.State)
	if err != nil {
		t.Fatalf("Adopt(found.State): %v", err)
	}
	dialHello(t, h2.Bindings()[0].HostPort)
	if code, out, err := h2.Exec(t.Context(), []string{"sh", "-c", "echo $GREETING"}); err != nil || code != 0 || string(out) != "found\n" {
		t.Errorf("Exec = %d, %q, %v", code, out, err)
	}
	if err := h2.Stop(t.Context(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if st := h2.Exit(); code(t, st) != 0 {
		t.Errorf("exit = %+v, want 0", st)
	}
	waitExit(t, h1)
	waitExit(t, start(t, rt2, fixed)) // its port is free again

	if f, ok := listed(t, rt2, "app"); !ok || f.Running {
		t.Errorf("stopped container listed as %+v (found: %v), want not running", f, ok)
	}
	if err := rt2.Remove(f.State); err != nil {
		t.Fatalf("Remove(found.State): %v", err)
	}
	if f, ok := listed(t, rt2, "app"); ok {
		t.Errorf("removed container still listed: %+v", f)
	}
}

// TestListExitedUnwatched lists a container that exited while no server watched: not
// running, its port not held, Adopt reports its exit code, and once Removed it is gone.
func TestListExitedUnwatched(t *testing.T) {
	sd := stateDir(t)
	spec := shSpec(t, "exit 7")
	spec.PortMappings = []runtime.PortMapping{{ContainerPort: 8080}}
	h1 := start(t, newRuntime(t, sd), spec)
	waitExit(t, h1)

	rt2 := newRuntime(t, sd)
	f := listOne(t, rt2)
	if f.Running || f.TaskID != "t1" || f.ContainerName != "sh" {
		t.Errorf("found %+v, want t1/sh not running", f)
	}
	fixed := shSpec(t, "exit 0")
	fixed.PortMappings = []runtime.PortMapping{{ContainerPort: 80, HostPort: h1.Bindings()[0].HostPort}}
	waitExit(t, start(t, rt2, fixed)) // an exited container holds no port
	_, err := rt2.Adopt(t.Context(), f.State)
	var gone *runtime.GoneError
	if !errors.As(err, &gone) || gone.Exit == nil || code(t, *gone.Exit) != 7 {
		t.Fatalf("Adopt(found.State) = %v, want GoneError with exit 7", err)
	}
	if err := rt2.Remove(f.State); err != nil {
		t.Fatal(err)
	}
	for _, f := range list(t, rt2) {
		if bytes.Equal(f.State, h1.State()) {
			t.Errorf("removed container still listed")
		}
	}
}

// TestListSkipsForeignDirectories: a directory without a config (a Start that died
// before writing it), one of an older layout, and a stray file are not containers.
func TestListSkipsForeignDirectories(t *testing.T) {
	sd := stateDir(t)
	rt := newRuntime(t, sd)
	old := filepath.Join(sd, "t0.old-123")
	for _, d := range []string{filepath.Join(sd, "t1.app-456"), old} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(old, "container.json"), []byte(`{"taskId":"t0","path":"/bin/true","args":["true"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sd, "stray"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if found := list(t, rt); len(found) != 0 {
		t.Errorf("List = %+v, want nothing", found)
	}
}

// The next two tests cover a server killed between starting the shim and the shim's
// identity record. The window between the application's exec and the record cannot
// be stopped in from outside, so the shim is stalled just before it (opening its
// stdout log, a FIFO nobody reads); the directory is then in the same state: a
// config, no identity, the lock held by the shim. If the shim dies in the window, no
// application runs (before its exec, trivially; after it, by its parent-death signal,
// which the kernel sends as it releases the shim's lock).

// TestListWaitsForStartingShim: List must wait rather than call the container dead;
// once the shim goes on, List finds it running.
func TestListWaitsForStartingShim(t *testing.T) {
	sd := stateDir(t)
	fifo := stalledStart(t, sd)
	rt := newRuntime(t, sd)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if found, err := rt.List(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("List while the shim starts = %+v, %v; want it to wait", found, err)
	}
	r, err := os.OpenFile(fifo, os.O_RDWR, 0) // lets the shim open its log
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	lines := bufio.NewScanner(r)
	f := listOne(t, rt)
	if !f.Running || f.TaskID != "t1" {
		t.Fatalf("found %+v, want t1 running", f)
	}
	h, err := rt.Adopt(t.Context(), f.State)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { killAndWait(t, h) })
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "tick") {
		t.Errorf("first log line %q, want a tick", lines.Text())
	}
	if err := h.Stop(t.Context(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if st := h.Exit(); code(t, st) != 0 {
		t.Errorf("exit = %+v", st)
	}
}

// TestListShimDiedStarting: a shim that died before its identity record leaves a
// container listed as not running, which Adopt reports gone and Remove deletes.
func TestListShimDiedStarting(t *testing.T) {
	sd := stateDir(t)
	stalledStart(t, sd)
	if err := syscall.Kill(shimOf(t, sd), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	rt := newRuntime(t, sd)
	f := listOne(t, rt) // returns once the dying shim has let go of the lock
	if f.Running || f.TaskID != "t1" {
		t.Errorf("found %+v, want t1 not running", f)
	}
	_, err := rt.Adopt(t.Context(), f.State)
	var gone *runtime.GoneError
	if !errors.As(err, &gone) || gone.Exit != nil {
		t.Errorf("Adopt = %v, want GoneError without exit", err)
	}
	if err := rt.Remove(f.State); err != nil {
		t.Fatal(err)
	}
	if found := list(t, rt); len(found) != 0 {
		t.Errorf("after Remove: %+v", found)
	}
}

// stalledStart runs a "server" that starts a container whose shim stalls opening its
// stdout log (a FIFO), kills the server once the shim runs and returns the FIFO.
func stalledStart(t *testing.T, sd string) string {
	t.Helper()
	logDir := t.TempDir()
	fifo := filepath.Join(logDir, "stdout.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	server := exec.Command(testExe())
	server.Env = append(os.Environ(), "SLIPWAY_TEST_ROLE=server", "GORACE=atexit_sleep_ms=0",
		"SLIPWAY_TEST_STATEDIR="+sd, "SLIPWAY_TEST_LOGDIR="+logDir)
	server.Stderr = t.Output()
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	shim := shimOf(t, sd)
	t.Cleanup(func() {
		if isShimIn(shim, sd) {
			syscall.Kill(shim, syscall.SIGKILL) // the application follows
		}
	})
	server.Process.Kill()
	server.Wait()
	return fifo
}

// shimOf waits for the shim of the one container directory in sd and returns its pid.
func shimOf(t *testing.T, sd string) int {
	t.Helper()
	var pid int
	eventually(t, "the shim to run", func() bool {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			if p, err := strconv.Atoi(e.Name()); err == nil && isShimIn(p, sd) {
				pid = p
				return true
			}
		}
		return false
	})
	return pid
}

// isShimIn reports whether pid is a shim for a container directory in sd.
func isShimIn(pid int, sd string) bool {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	args := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
	return len(args) == 3 && args[1] == process.ShimArg && strings.HasPrefix(args[2], sd+"/")
}

func list(t *testing.T, rt *process.Runtime) []runtime.Found {
	t.Helper()
	found, err := rt.List(t.Context())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return found
}

func listOne(t *testing.T, rt *process.Runtime) runtime.Found {
	t.Helper()
	found := list(t, rt)
	if len(found) != 1 {
		t.Fatalf("List = %+v, want one container", found)
	}
	return found[0]
}

// listed returns the one container List finds with the given name.
func listed(t *testing.T, rt *process.Runtime, name string) (runtime.Found, bool) {
	t.Helper()
	var found []runtime.Found
	for _, f := range list(t, rt) {
		if f.ContainerName == name {
			found = append(found, f)
		}
	}
	if len(found) > 1 {
		t.Fatalf("List found %d containers named %s", len(found), name)
	}
	if len(found) == 0 {
		return runtime.Found{}, false
	}
	return found[0], true
}
