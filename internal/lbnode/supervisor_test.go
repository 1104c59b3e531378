package lbnode

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lblink"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestDataPlaneOutlivesItsControlPlane: the process serves on with no
// control plane, and a new supervisor adopts the same process with its
// version.
func TestDataPlaneOutlivesItsControlPlane(t *testing.T) {
	dir := nodeDir(t)
	first := mustPlane(t, dir)
	pid := first.sup.PID()
	if pid == 0 || pid == os.Getpid() {
		t.Fatalf("data plane pid %d (test binary %d)", pid, os.Getpid())
	}
	port := freePort(t)
	if err := first.client.Apply(context.Background(), routing(4, port, backend(t))); err != nil {
		t.Fatal(err)
	}
	waitAnswers(t, port)
	first.stop() // the control plane goes away; the process does not
	if err := answers(port); err != nil {
		t.Fatalf("with no control plane: %v", err)
	}
	second := mustPlane(t, dir)
	if got := second.sup.PID(); got != pid {
		t.Fatalf("adopted pid %d, want %d", got, pid)
	}
	if v := second.client.AppliedVersion(); v != 4 {
		t.Fatalf("adopted version %d, want 4", v)
	}
	if err := second.client.Apply(context.Background(), routing(5, port, backend(t))); err != nil {
		t.Fatal(err)
	}
}

// TestDeadDataPlaneIsRestarted: a data plane killed with SIGKILL is started
// again by the next dial, and the client asks for the routing again.
func TestDeadDataPlaneIsRestarted(t *testing.T) {
	p := mustPlane(t, nodeDir(t))
	port := freePort(t)
	if err := p.client.Apply(context.Background(), routing(2, port, backend(t))); err != nil {
		t.Fatal(err)
	}
	waitAnswers(t, port)
	old := p.sup.PID()
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.resets:
	case <-time.After(20 * time.Second):
		t.Fatal("no reset after the data plane was killed")
	}
	if got := p.sup.PID(); got == old || got == 0 {
		t.Fatalf("pid after the restart %d (was %d)", got, old)
	}
	if err := p.client.Apply(context.Background(), routing(3, port, backend(t))); err != nil {
		t.Fatal(err)
	}
	waitAnswers(t, port)
}

// TestForeignDataPlaneIsRefusedAndLeftAlone: a data plane with another
// identity on our socket is an error that names it; it keeps running.
func TestForeignDataPlaneIsRefusedAndLeftAlone(t *testing.T) {
	dir := nodeDir(t)
	other := mustPlane(t, dir)
	_, err := newPlane(t, dir, "node-b", "127.0.0.1")
	if !errors.Is(err, lblink.ErrForeignNode) || !strings.Contains(err.Error(), "another data directory") {
		t.Fatalf("adopting a foreign data plane: %v", err)
	}
	if !alive(other.sup.PID()) {
		t.Fatal("the foreign data plane was stopped")
	}
}

// TestDataPlaneOnAnotherHostIsReplaced: a server whose --lb-host changed
// replaces the process.
func TestDataPlaneOnAnotherHostIsReplaced(t *testing.T) {
	dir := nodeDir(t)
	first := mustPlane(t, dir)
	old := first.sup.PID()
	first.stop()
	_, err := newPlane(t, dir, "node-a", "127.0.0.2")
	if !errors.Is(err, ErrReplaced) {
		t.Fatalf("first attempt on another host: %v", err)
	}
	if alive(old) {
		t.Fatalf("the old process %d still runs", old)
	}
	p, err := newPlane(t, dir, "node-a", "127.0.0.2")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { p.sup.Stop(context.Background(), p.client); p.stop() }()
	if h := p.client.Node(); h.Host != "127.0.0.2" || h.PID == old {
		t.Fatalf("new node %+v", h)
	}
}

// TestStopEndsTheProcessForGood: Stop closes the listeners, the process
// exits and removes its socket, and nothing is started afterwards.
func TestStopEndsTheProcessForGood(t *testing.T) {
	dir := nodeDir(t)
	p := mustPlane(t, dir)
	port := freePort(t)
	if err := p.client.Apply(context.Background(), routing(1, port, backend(t))); err != nil {
		t.Fatal(err)
	}
	pid := p.sup.PID()
	if err := p.sup.Stop(context.Background(), p.client); err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		t.Fatalf("process %d still runs after Stop", pid)
	}
	if err := answers(port); err == nil {
		t.Fatal("the listener answers after Stop")
	}
	if _, err := os.Stat(p.sup.Socket()); !os.IsNotExist(err) {
		t.Fatalf("socket after Stop: %v", err)
	}
	if _, err := p.sup.Dial(context.Background()); !errors.Is(err, ErrStopped) {
		t.Fatalf("Dial after Stop = %v", err)
	}
}

// TestDataPlaneExitsWhenItsDirectoryGoes: removing the data directory
// leaves no data plane behind.
func TestDataPlaneExitsWhenItsDirectoryGoes(t *testing.T) {
	dir := nodeDir(t)
	p, err := newPlane(t, dir, "node-a", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	pid := p.sup.PID()
	p.stop()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, func() (bool, string) { return !alive(pid), "the data plane still runs" })
}

// TestStaleSocketIsReplaced: a socket file nobody serves (a crashed data
// plane's) does not stop a new one from starting.
func TestStaleSocketIsReplaced(t *testing.T) {
	dir := nodeDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: dir + "/" + SocketName}); err != nil {
		t.Fatal(err)
	}
	syscall.Close(fd) // the file stays; nothing listens
	p := mustPlane(t, dir)
	if p.sup.PID() == 0 {
		t.Fatal("no data plane started")
	}
}

func TestLongSocketPathIsRefused(t *testing.T) {
	_, err := New(Options{Dir: "/tmp/" + strings.Repeat("d", 120), Command: []string{"x"}, Identity: "i"})
	if !errors.Is(err, ErrBadOptions) || !strings.Contains(err.Error(), "shorter --data-dir") {
		t.Fatalf("New with a long path = %v", err)
	}
}
