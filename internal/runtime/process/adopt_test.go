package process_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// TestAdoptRunningContainer starts a container with one Runtime, drops it as a dead
// server would, adopts the container with a new Runtime and controls it from there.
func TestAdoptRunningContainer(t *testing.T) {
	sd := stateDir(t)
	spec := appSpec("serve", t.TempDir())
	spec.Env = append(spec.Env, "GREETING=adopted")
	spec.PortMappings = []runtime.PortMapping{{ContainerPort: 8080}}
	h1 := start(t, newRuntime(t, sd), spec)
	eventually(t, "first tick", logContains(t, h1, "tick"))
	state := h1.State()

	rt2 := newRuntime(t, sd)
	h2, err := rt2.Adopt(t.Context(), state)
	if err != nil {
		t.Fatalf("Adopt: %v", err)
	}
	if fmt.Sprint(h2.Bindings()) != fmt.Sprint(h1.Bindings()) {
		t.Errorf("bindings %v, want %v", h2.Bindings(), h1.Bindings())
	}
	if o1, _ := h1.LogPaths(); func() bool { o2, _ := h2.LogPaths(); return o1 != o2 }() {
		t.Error("log paths differ after Adopt")
	}
	dialHello(t, h2.Bindings()[0].HostPort)
	if code, out, err := h2.Exec(t.Context(), []string{"sh", "-c", "echo $GREETING"}); err != nil || code != 0 || string(out) != "adopted\n" {
		t.Errorf("Exec after Adopt = %d, %q, %v", code, out, err)
	}
	// The adopting runtime reserves the container's ports.
	fixed := spec
	fixed.PortMappings = []runtime.PortMapping{{ContainerPort: 80, HostPort: h2.Bindings()[0].HostPort}}
	if _, err := rt2.Start(t.Context(), fixed); !errors.Is(err, runtime.ErrPortInUse) {
		t.Errorf("Start on an adopted container's port: err = %v", err)
	}
	if err := h2.Stop(t.Context(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if st := h2.Exit(); code(t, st) != 0 || st.Reason != "exit status 0" {
		t.Errorf("exit after Adopt = %+v", st)
	}
	waitExit(t, h1)
}

// TestAdoptExitedContainer adopts a container that exited while nobody watched: the
// exit status comes from the shim's status file.
func TestAdoptExitedContainer(t *testing.T) {
	sd := stateDir(t)
	rt1 := newRuntime(t, sd)
	h1 := start(t, rt1, shSpec(t, "exit 7"))
	waitExit(t, h1)

	_, err := newRuntime(t, sd).Adopt(t.Context(), h1.State())
	var gone *runtime.GoneError
	if !errors.Is(err, runtime.ErrGone) || !errors.As(err, &gone) {
		t.Fatalf("Adopt exited: err = %v, want GoneError", err)
	}
	if gone.Exit == nil || code(t, *gone.Exit) != 7 || gone.Exit.Reason != "exit status 7" {
		t.Errorf("gone exit = %+v", gone.Exit)
	}

	if err := rt1.Remove(h1.State()); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	_, err = newRuntime(t, sd).Adopt(t.Context(), h1.State())
	if !errors.As(err, &gone) || gone.Exit != nil {
		t.Errorf("Adopt after Remove: err = %v, want GoneError without exit", err)
	}
}

// TestAdoptRefusesRecycledPid adopts states whose shim pid names a live process with a
// different start time: the container must count as gone, never as that process.
func TestAdoptRefusesRecycledPid(t *testing.T) {
	sd := stateDir(t)
	rt := newRuntime(t, sd)
	h := start(t, rt, appSpec("serve", t.TempDir()))
	eventually(t, "first tick", logContains(t, h, "tick"))

	for name, tamper := range map[string]func(shim map[string]any){
		"same pid, other start time":  func(shim map[string]any) { shim["startTime"] = shim["startTime"].(float64) + 1 },
		"pid of an unrelated process": func(shim map[string]any) { shim["pid"] = os.Getpid() },
	} {
		m := stateMap(t, h.State())
		tamper(m["shim"].(map[string]any))
		state, _ := json.Marshal(m)
		_, err := newRuntime(t, sd).Adopt(t.Context(), state)
		var gone *runtime.GoneError
		if !errors.As(err, &gone) || gone.Exit != nil {
			t.Errorf("%s: err = %v, want GoneError without exit", name, err)
		}
	}
	if err := rt.Remove(h.State()); err == nil {
		t.Error("Remove of a running container succeeded")
	}
	if _, err := rt.Adopt(t.Context(), runtime.State(`{"version":99}`)); !errors.Is(err, runtime.ErrInvalidState) {
		t.Errorf("Adopt of foreign state: err = %v, want ErrInvalidState", err)
	}
	select {
	case <-h.Done():
		t.Error("the real container stopped")
	default:
	}
}

// TestServerKilled runs the "server" as a separate process, SIGKILLs it while its
// container runs, and checks that the container keeps running and logging, and that a
// new Runtime adopts it and sees its exit.
func TestServerKilled(t *testing.T) {
	sd, logDir := stateDir(t), t.TempDir()
	server := exec.Command(testExe())
	server.Env = append(os.Environ(), "SLIPWAY_TEST_ROLE=server", "GORACE=atexit_sleep_ms=0",
		"SLIPWAY_TEST_STATEDIR="+sd, "SLIPWAY_TEST_LOGDIR="+logDir)
	server.Stderr = t.Output()
	stdout, err := server.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		server.Process.Kill()
		server.Wait()
		t.Fatalf("reading state from server: %v", err)
	}
	state := runtime.State(strings.TrimSpace(line))
	server.Process.Signal(syscall.SIGKILL)
	server.Wait() // returns: the shim holds none of the server's pipes

	logPath := filepath.Join(logDir, "stdout.log")
	size := func() int { return len(readFile(t, logPath)) }
	before := size()
	eventually(t, "the orphaned container to keep logging", func() bool { return size() > before+100 })

	h, err := newRuntime(t, sd).Adopt(t.Context(), state)
	if err != nil {
		t.Fatalf("Adopt after server death: %v", err)
	}
	t.Cleanup(func() { killAndWait(t, h) })
	if err := h.Stop(t.Context(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if st := h.Exit(); code(t, st) != 0 {
		t.Errorf("exit = %+v, want 0 (SIGTERM honoured)", st)
	}
	if !strings.Contains(readFile(t, logPath), "bye") {
		t.Error("log lacks the goodbye written after the server died")
	}
}

// dialHello checks that the container listens on the host port.
func dialHello(t *testing.T, port int) {
	t.Helper()
	var c net.Conn
	eventually(t, "container listening", func() bool {
		var err error
		c, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		return err == nil
	})
	defer c.Close()
	b := make([]byte, 6)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(b); err != nil || string(b) != "hello\n" {
		t.Errorf("read %q, %v", b, err)
	}
}
