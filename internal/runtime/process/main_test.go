package process_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/runtime/process"
)

// The test binary plays three parts besides running tests, chosen by environment:
//   - SLIPWAY_TEST_SHIM=1: the shim (what `slipway __shim` is in production);
//   - SLIPWAY_TEST_APP=<behaviour>: a container application;
//   - SLIPWAY_TEST_ROLE=server: a "server" that starts a container, prints its State
//     and waits to be killed.
func TestMain(m *testing.M) {
	if os.Getenv("SLIPWAY_TEST_SHIM") == "1" {
		os.Exit(process.ShimMain(os.Args[1:]))
	}
	if b := os.Getenv("SLIPWAY_TEST_APP"); b != "" {
		os.Exit(runApp(b))
	}
	if os.Getenv("SLIPWAY_TEST_ROLE") == "server" {
		os.Exit(runServer())
	}
	os.Exit(m.Run())
}

// runApp is a container application with a behaviour:
//   - serve: listen on $PORT if set, print "tick N" every 20ms; on SIGTERM print "bye", exit 0;
//   - ignore-term: ignore SIGTERM, print "ready", then sleep forever;
//   - flood: print $FLOOD_LINES lines of 100 bytes, then "last line", exit 0.
func runApp(behaviour string) int {
	switch behaviour {
	case "serve":
		return serveApp()
	case "ignore-term":
		signal.Ignore(syscall.SIGTERM)
		fmt.Println("ready")
		select {}
	case "flood":
		n, _ := strconv.Atoi(os.Getenv("FLOOD_LINES"))
		line := strings.Repeat("x", 99)
		for i := range n {
			fmt.Printf("%05d%s\n", i, line[5:])
		}
		fmt.Println("last line")
		fmt.Fprintln(os.Stderr, "to stderr")
		return 0
	}
	fmt.Fprintln(os.Stderr, "unknown behaviour", behaviour)
	return 99
}

func serveApp() int {
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	if port := os.Getenv("PORT"); port != "" {
		l, err := net.Listen("tcp", ":"+port)
		if err != nil {
			fmt.Fprintln(os.Stderr, "listen:", err)
			return 4
		}
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Write([]byte("hello\n"))
				c.Close()
			}
		}()
	}
	t := time.NewTicker(20 * time.Millisecond)
	for i := 0; ; i++ {
		select {
		case <-term:
			fmt.Println("bye")
			return 0
		case <-t.C:
			fmt.Println("tick", i)
		}
	}
}

// runServer starts one "serve" container in SLIPWAY_TEST_STATEDIR, prints its State
// as one line and blocks until killed.
func runServer() int {
	rt, err := process.New(shimOptions(os.Getenv("SLIPWAY_TEST_STATEDIR")))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	h, err := rt.Start(context.Background(), appSpec("serve", os.Getenv("SLIPWAY_TEST_LOGDIR")))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(string(h.State()))
	select {}
}

func testExe() string {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return exe
}

func shimOptions(stateDir string) process.Options {
	return process.Options{
		ShimCommand: []string{testExe(), process.ShimArg}, // as `slipway __shim`
		// The race detector otherwise sleeps a second at exit, in every shim.
		ShimEnv:  []string{"SLIPWAY_TEST_SHIM=1", "GORACE=atexit_sleep_ms=0"},
		StateDir: stateDir,
	}
}

// appSpec is a spec running the test binary as an application with a behaviour.
func appSpec(behaviour, logDir string) runtime.Spec {
	return runtime.Spec{
		TaskID: "t1", ContainerName: "app",
		EntryPoint: []string{testExe()},
		Env:        []string{"SLIPWAY_TEST_APP=" + behaviour, "GORACE=atexit_sleep_ms=0"},
		LogDir:     logDir,
	}
}

// shSpec is a spec running a shell script.
func shSpec(t *testing.T, script string) runtime.Spec {
	return runtime.Spec{
		TaskID: "t1", ContainerName: "sh",
		EntryPoint: []string{"/bin/sh", "-c"}, Command: []string{script},
		LogDir: t.TempDir(),
	}
}

// newRuntime returns a runtime whose shim is this test binary.
func newRuntime(t *testing.T, stateDir string) *process.Runtime {
	t.Helper()
	opts := shimOptions(stateDir)
	opts.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	rt, err := process.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// start starts spec and makes sure the container is gone when the test ends.
func start(t *testing.T, rt runtime.Runtime, spec runtime.Spec) runtime.Handle {
	t.Helper()
	h, err := rt.Start(t.Context(), spec)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { killAndWait(t, h) })
	return h
}

func killAndWait(t *testing.T, h runtime.Handle) {
	h.Kill()
	select {
	case <-h.Done():
	case <-time.After(10 * time.Second):
		t.Errorf("container did not exit after Kill")
	}
}

// waitExit waits for the container to exit and returns its status.
func waitExit(t *testing.T, h runtime.Handle) runtime.ExitStatus {
	t.Helper()
	select {
	case <-h.Done():
		return h.Exit()
	case <-time.After(15 * time.Second):
		t.Fatal("container did not exit")
		return runtime.ExitStatus{}
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b)
}

// logContains reports whether the container's stdout holds s.
func logContains(t *testing.T, h runtime.Handle, s string) func() bool {
	return func() bool {
		out, _ := h.LogPaths()
		return strings.Contains(readFile(t, out), s)
	}
}

func code(t *testing.T, st runtime.ExitStatus) int {
	t.Helper()
	if st.ExitCode == nil {
		t.Fatalf("no exit code in %+v", st)
	}
	return *st.ExitCode
}

// stateField decodes the State JSON into a map so tests can tamper with it.
func stateMap(t *testing.T, st runtime.State) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(st, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func stateDir(t *testing.T) string { return filepath.Join(t.TempDir(), "state") }
