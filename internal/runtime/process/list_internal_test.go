package process

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// testBindings are the bindings of fake containers; nothing listens on port 1.
func testBindings() []runtime.Binding {
	return []runtime.Binding{{ContainerPort: 80, HostPort: 1, BindIP: anyIP, Protocol: "tcp"}}
}

// fakeContainerDir makes a container directory as Start leaves it just before the
// shim starts: a config of the current layout, nothing else.
func fakeContainerDir(t *testing.T, r *Runtime, name string) string {
	t.Helper()
	dir := filepath.Join(r.stateDir, name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := containerConfig{
		Layout: layoutVersion, TaskID: "t9", ContainerName: name, Path: "/bin/true", Args: []string{"true"},
		Bindings: testBindings(),
	}
	if err := writeConfig(dir, cfg); err != nil {
		t.Fatal(err)
	}
	return dir
}

func newTestRuntime(t *testing.T) *Runtime {
	t.Helper()
	r, err := New(Options{ShimCommand: []string{"/bin/true"}, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestListStartFailureWithoutServer: a shim that could not start the application
// records why, and no identity; with its server dead nobody removed the directory.
func TestListStartFailureWithoutServer(t *testing.T) {
	r := newTestRuntime(t)
	dir := fakeContainerDir(t, r, "c1")
	if err := writeStatus(dir, exitRecord{Reason: "CannotStartContainerError: boom", FinishedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	found, err := r.List(t.Context())
	if err != nil || len(found) != 1 || found[0].Running || found[0].TaskID != "t9" {
		t.Fatalf("List = %+v, %v", found, err)
	}
	if r.ports.taken(portKey{"tcp", 1}) {
		t.Error("List holds the port of a container that is not running")
	}
	_, err = r.Adopt(t.Context(), found[0].State)
	var gone *runtime.GoneError
	if !errors.As(err, &gone) || gone.Exit == nil || gone.Exit.Reason != "CannotStartContainerError: boom" {
		t.Errorf("Adopt = %v, want GoneError with the start failure", err)
	}
	if err := r.Remove(found[0].State); err != nil {
		t.Fatal(err)
	}
	if found, err := r.List(t.Context()); err != nil || len(found) != 0 {
		t.Errorf("List after Remove = %+v, %v", found, err)
	}
}

// TestListNeverStartedShim: a config whose lock nobody holds and no identity means
// the server died before starting the shim (or the shim died before the application
// could outlive it). While the lock is held, the shim may be starting: List waits
// and Remove refuses.
func TestListNeverStartedShim(t *testing.T) {
	r := newTestRuntime(t)
	dir := fakeContainerDir(t, r, "c1")
	lock, err := lockDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if found, err := r.List(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("List with the lock held = %+v, %v; want it to wait", found, err)
	}
	state := savedState{Version: stateVersion, Dir: dir, Bindings: testBindings()}.encode()
	if err := r.Remove(state); !errors.Is(err, ErrStillRunning) {
		t.Errorf("Remove with the lock held = %v, want ErrStillRunning", err)
	}
	lock.Close()
	found, err := r.List(t.Context())
	if err != nil || len(found) != 1 || found[0].Running || string(found[0].State) != string(state) {
		t.Fatalf("List = %+v, %v; want one not running, State %s", found, err, state)
	}
	_, err = r.Adopt(t.Context(), found[0].State)
	var gone *runtime.GoneError
	if !errors.As(err, &gone) || gone.Exit != nil {
		t.Errorf("Adopt = %v, want GoneError without exit", err)
	}
	if err := r.Remove(found[0].State); err != nil {
		t.Fatal(err)
	}
}
