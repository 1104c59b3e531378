package process_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
)

func TestStartReportsExitCode(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	h := start(t, rt, shSpec(t, "echo hello; exit 3"))
	st := waitExit(t, h)
	if code(t, st) != 3 || st.Signal != "" || st.Reason != "exit status 3" {
		t.Errorf("exit = %+v, want code 3, reason %q", st, "exit status 3")
	}
	if st.FinishedAt.IsZero() {
		t.Error("FinishedAt is zero")
	}
	if out, _ := h.LogPaths(); readFile(t, out) != "hello\n" {
		t.Errorf("stdout = %q", readFile(t, out))
	}
	if rt.Name() != "process" {
		t.Errorf("Name() = %q", rt.Name())
	}
}

func TestEnvironmentAndPorts(t *testing.T) {
	t.Setenv("SLIPWAY_SECRET_OF_SERVER", "leak")
	t.Setenv("LANG", "C.UTF-8")
	rt := newRuntime(t, stateDir(t))
	spec := shSpec(t, `echo "FOO=$FOO HOST=$HOST PORT=$PORT P8080=$SLIPWAY_PORT_8080 P9090=$SLIPWAY_PORT_9090 LANG=$LANG SECRET=$SLIPWAY_SECRET_OF_SERVER"`)
	spec.Env = []string{"FOO=bar", "LANG=de_DE.UTF-8"}
	spec.PortMappings = []runtime.PortMapping{{ContainerPort: 8080}, {ContainerPort: 9090, Protocol: "tcp"}}
	h := start(t, rt, spec)
	b := h.Bindings()
	if len(b) != 2 || b[0].ContainerPort != 8080 || b[1].ContainerPort != 9090 ||
		b[0].HostPort == 0 || b[1].HostPort == 0 || b[0].HostPort == b[1].HostPort ||
		b[0].BindIP != "127.0.0.1" || b[0].Protocol != "tcp" {
		t.Fatalf("bindings = %+v", b)
	}
	waitExit(t, h)
	out, _ := h.LogPaths()
	want := "FOO=bar HOST=127.0.0.1 PORT=" + strconv.Itoa(b[0].HostPort) + " P8080=" + strconv.Itoa(b[0].HostPort) +
		" P9090=" + strconv.Itoa(b[1].HostPort) + " LANG=de_DE.UTF-8 SECRET=\n"
	if got := readFile(t, out); got != want {
		t.Errorf("env output\n got %q\nwant %q", got, want)
	}
}

// TestTaskChoosesWhereToBind: HOST is the loopback address by default, so a
// process that honours it is reachable by the load balancer and by nobody
// beyond this machine; a task that sets HOST binds there, and its bindings
// say so.
func TestTaskChoosesWhereToBind(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	spec := shSpec(t, `echo "HOST=$HOST"`)
	spec.Env = []string{"HOST=0.0.0.0"}
	spec.PortMappings = []runtime.PortMapping{{ContainerPort: 8080}}
	h := start(t, rt, spec)
	if b := h.Bindings(); b[0].BindIP != "0.0.0.0" {
		t.Errorf("bindings = %+v, want BindIP 0.0.0.0 as the task asked", b)
	}
	waitExit(t, h)
	if out, _ := h.LogPaths(); readFile(t, out) != "HOST=0.0.0.0\n" {
		t.Errorf("stdout = %q", readFile(t, out))
	}
}

// TestRegistryImageNamesTheDockerRuntime: an image to pull is not a path on
// this machine; the error says so and what to do, instead of "executable
// file not found: <cwd>/...".
func TestRegistryImageNamesTheDockerRuntime(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	for _, image := range []string{
		"123456789012.dkr.ecr.us-east-1.amazonaws.com/talk:1", "docker.io/library/nginx:1.27",
		"ghcr.io/org/talk", "localhost:5000/talk", "talk-service@sha256:" + strings.Repeat("ab", 32),
	} {
		_, err := rt.Start(t.Context(), runtime.Spec{TaskID: "t1", ContainerName: "web", Image: image, LogDir: t.TempDir()})
		if !errors.Is(err, runtime.ErrCannotStart) || !errors.Is(err, runtime.ErrInvalidSpec) {
			t.Errorf("%s: err = %v, want ErrCannotStart and ErrInvalidSpec", image, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "Docker runtime") || !strings.Contains(msg, image) || strings.Contains(msg, "not found") {
			t.Errorf("%s: %q does not point to the Docker runtime", image, msg)
		}
	}
	cwd, _ := os.Getwd()
	_, err := rt.Start(t.Context(), runtime.Spec{TaskID: "t1", ContainerName: "web", Image: "library/nginx", LogDir: t.TempDir()})
	if !errors.Is(err, runtime.ErrNotFound) || !strings.Contains(err.Error(), filepath.Join(cwd, "library/nginx")) ||
		!strings.Contains(err.Error(), "Docker runtime") {
		t.Errorf("an image name with a slash but no registry: err = %v; want not found as a path, with a hint", err)
	}
}

func TestFixedHostPortMustBeFree(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rt := newRuntime(t, stateDir(t))
	spec := shSpec(t, "exit 0")
	taken := l.Addr().(*net.TCPAddr).Port
	spec.PortMappings = []runtime.PortMapping{{ContainerPort: 80, HostPort: taken}}
	_, err = rt.Start(t.Context(), spec)
	if !errors.Is(err, runtime.ErrPortInUse) || !errors.Is(err, runtime.ErrCannotStart) {
		t.Fatalf("Start with taken port: err = %v, want ErrPortInUse", err)
	}
	l.Close()
	running := shSpec(t, "sleep 60") // killed at cleanup: the port stays held until then
	running.PortMappings = spec.PortMappings
	h := start(t, rt, running)
	if got := h.Bindings()[0].HostPort; got != taken {
		t.Errorf("HostPort = %d, want %d", got, taken)
	}
	// Reserved for h until it exits, even though nothing listens on it.
	if _, err := rt.Start(t.Context(), spec); !errors.Is(err, runtime.ErrPortInUse) {
		t.Errorf("second Start on reserved port: err = %v", err)
	}
}

func TestWorkingDirAndRelativeExecutable(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.sh"), []byte("#!/bin/sh\necho \"in $(pwd)\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	rt := newRuntime(t, stateDir(t))
	spec := runtime.Spec{TaskID: "t", ContainerName: "c", Image: "./hello.sh:latest", WorkingDir: dir, LogDir: t.TempDir()}
	h := start(t, rt, spec)
	if st := waitExit(t, h); code(t, st) != 0 {
		t.Fatalf("exit = %+v", st)
	}
	out, _ := h.LogPaths()
	if got := readFile(t, out); got != "in "+dir+"\n" {
		t.Errorf("stdout = %q, want %q", got, "in "+dir+"\n")
	}
}

func TestUnknownExecutable(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	for _, spec := range []runtime.Spec{
		{Image: "slipway-no-such-executable:v1", LogDir: t.TempDir()},
		{EntryPoint: []string{"/no/such/file"}, LogDir: t.TempDir()},
	} {
		_, err := rt.Start(t.Context(), spec)
		if !errors.Is(err, runtime.ErrNotFound) || !errors.Is(err, runtime.ErrCannotStart) {
			t.Errorf("Start(%v): err = %v, want ErrNotFound", spec.Image+strings.Join(spec.EntryPoint, ""), err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "CannotStartContainerError: executable file not found") {
			t.Errorf("error text = %q", err)
		}
	}
	_, err := rt.Start(t.Context(), runtime.Spec{LogDir: t.TempDir()})
	if !errors.Is(err, runtime.ErrInvalidSpec) {
		t.Errorf("Start with no executable: err = %v, want ErrInvalidSpec", err)
	}
}

func TestStopHonoursSIGTERM(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	h := start(t, rt, appSpec("serve", t.TempDir()))
	eventually(t, "first tick", logContains(t, h, "tick"))
	begin := time.Now()
	if err := h.Stop(t.Context(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(begin); took > 5*time.Second {
		t.Errorf("Stop took %v; SIGTERM was not honoured", took)
	}
	if st := h.Exit(); code(t, st) != 0 || st.Signal != "" {
		t.Errorf("exit = %+v, want 0", st)
	}
	eventually(t, "bye in log", logContains(t, h, "bye"))

	// A shell's default SIGTERM action: killed by the signal.
	h = start(t, rt, shSpec(t, "echo up; sleep 30"))
	eventually(t, "shell up", logContains(t, h, "up"))
	if err := h.Stop(t.Context(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if st := h.Exit(); code(t, st) != 143 || st.Signal != "SIGTERM" || st.Reason != "signal: terminated" {
		t.Errorf("exit = %+v, want SIGTERM/143", st)
	}
}

func TestStopKillsAfterTimeout(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	h := start(t, rt, appSpec("ignore-term", t.TempDir()))
	eventually(t, "ready", logContains(t, h, "ready"))
	begin := time.Now()
	if err := h.Stop(t.Context(), 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(begin); took < 300*time.Millisecond {
		t.Errorf("Stop returned after %v, before the timeout", took)
	}
	if st := h.Exit(); code(t, st) != 137 || st.Signal != "SIGKILL" || st.Reason != "signal: killed" {
		t.Errorf("exit = %+v, want SIGKILL/137", st)
	}
	// Stop and Kill on an exited container are no-ops.
	if err := h.Stop(t.Context(), time.Second); err != nil {
		t.Error(err)
	}
	if err := h.Kill(); err != nil {
		t.Error(err)
	}
}

func TestStopHonoursContext(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	h := start(t, rt, appSpec("ignore-term", t.TempDir()))
	eventually(t, "ready", logContains(t, h, "ready"))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := h.Stop(ctx, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stop = %v, want DeadlineExceeded", err)
	}
}

func TestLogsAreCapturedAndBounded(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	spec := appSpec("flood", t.TempDir())
	spec.Env = append(spec.Env, "FLOOD_LINES=200") // 20 000 bytes
	spec.LogMaxBytes = 1000
	h := start(t, rt, spec)
	if st := waitExit(t, h); code(t, st) != 0 {
		t.Fatalf("exit = %+v", st)
	}
	out, errPath := h.LogPaths()
	cur, old := readFile(t, out), readFile(t, out+".1")
	if len(cur) > 1000 || len(old) > 1000 || len(old) == 0 {
		t.Errorf("sizes: current %d, rotated %d; want both <= 1000 and a rotated file", len(cur), len(old))
	}
	if !strings.HasSuffix(cur, "last line\n") {
		t.Errorf("current log does not end with the last line: %q", cur)
	}
	for _, s := range []string{cur, old} {
		for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
			if len(line) != 99 && line != "last line" {
				t.Errorf("torn line %q", line)
			}
		}
	}
	if got := readFile(t, errPath); got != "to stderr\n" {
		t.Errorf("stderr = %q", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	// Each log file has its index beside it (logindex.go).
	if want := "stderr.log stderr.log.idx stdout.log stdout.log.1 stdout.log.1.idx stdout.log.idx"; strings.Join(names, " ") != want {
		t.Errorf("log dir holds %v, want %s", names, want)
	}
}

func TestExec(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	spec := appSpec("serve", t.TempDir())
	spec.WorkingDir = t.TempDir()
	spec.Env = append(spec.Env, "GREETING=hi")
	h := start(t, rt, spec)
	ctx := t.Context()

	code, out, err := h.Exec(ctx, []string{"sh", "-c", "echo $GREETING from $(pwd)"})
	if err != nil || code != 0 || string(out) != "hi from "+spec.WorkingDir+"\n" {
		t.Errorf("Exec = %d, %q, %v", code, out, err)
	}
	code, out, err = h.Exec(ctx, []string{"sh", "-c", "echo failing >&2; exit 2"})
	if err != nil || code != 2 || string(out) != "failing\n" {
		t.Errorf("failing Exec = %d, %q, %v", code, out, err)
	}
	_, out, _ = h.Exec(ctx, []string{"sh", "-c", "head -c 10000 /dev/zero | tr '\\0' a; echo END"})
	if len(out) != 4096 || !strings.HasSuffix(string(out), "aEND\n") {
		t.Errorf("bounded output: %d bytes, ends %q", len(out), out[max(0, len(out)-10):])
	}
	if _, _, err := h.Exec(ctx, []string{"slipway-no-such-check"}); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("Exec unknown: err = %v, want ErrNotFound", err)
	}

	tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, _, err = h.Exec(tctx, []string{"sh", "-c", "sleep 30 & sleep 30"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Exec timeout: err = %v, want DeadlineExceeded", err)
	}
	if took := time.Since(begin); took > 3*time.Second {
		t.Errorf("timed-out Exec took %v", took)
	}

	killAndWait(t, h)
	if _, _, err := h.Exec(ctx, []string{"true"}); !errors.Is(err, runtime.ErrGone) {
		t.Errorf("Exec after exit: err = %v, want ErrGone", err)
	}
}

func TestConcurrentStartsGetDistinctPorts(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	const n = 6
	handles := make(chan runtime.Handle, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			spec := shSpec(t, "sleep 30")
			spec.PortMappings = []runtime.PortMapping{{ContainerPort: 8080}}
			h, err := rt.Start(t.Context(), spec)
			if err != nil {
				errs <- err
				return
			}
			handles <- h
		}()
	}
	seen := map[int]bool{}
	for range n {
		select {
		case err := <-errs:
			t.Fatal(err)
		case h := <-handles:
			t.Cleanup(func() { killAndWait(t, h) })
			p := h.Bindings()[0].HostPort
			if seen[p] {
				t.Errorf("host port %d handed out twice", p)
			}
			seen[p] = true
		}
	}
}

// TestContainerProcessIsClean checks what the application inherits: only stdin,
// stdout and stderr (no pipe to the server or the shim's start report), no ignored
// signals, and a session of its own.
func TestContainerProcessIsClean(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	h := start(t, rt, shSpec(t, `ls /proc/self/fd | tr '\n' ' '; echo; grep SigIgn /proc/$$/status; cut -d' ' -f6 /proc/$$/stat; echo $$`))
	waitExit(t, h)
	out, _ := h.LogPaths()
	lines := strings.Split(readFile(t, out), "\n")
	if len(lines) < 4 {
		t.Fatalf("output %q", lines)
	}
	if lines[0] != "0 1 2 3 " { // 3 is ls's own directory handle
		t.Errorf("descriptors = %q, want 0 1 2 (3)", lines[0])
	}
	if lines[1] != "SigIgn:\t0000000000000000" {
		t.Errorf("ignored signals: %q", lines[1])
	}
	if lines[2] != lines[3] {
		t.Errorf("session %s, want the application's own (%s)", lines[2], lines[3])
	}
}

// TestShimKilled checks that the application dies with its shim (it could no longer
// log nor be supervised) and that the exit is reported as unknown.
func TestShimKilled(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	h := start(t, rt, appSpec("serve", t.TempDir()))
	eventually(t, "first tick", logContains(t, h, "tick"))
	m := stateMap(t, h.State())
	shimPID := int(m["shim"].(map[string]any)["pid"].(float64))
	appPID := int(m["app"].(map[string]any)["pid"].(float64))
	if err := syscall.Kill(shimPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	st := waitExit(t, h)
	if st.ExitCode != nil || !strings.Contains(st.Reason, "shim") {
		t.Errorf("exit = %+v, want unknown code and a reason naming the shim", st)
	}
	eventually(t, "the application to die with its shim", func() bool {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(appPID) + "/stat")
		return err != nil || strings.Contains(string(b), ") Z ")
	})
}
