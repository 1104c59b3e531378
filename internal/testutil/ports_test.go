package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFreePortReservesOutsideTheEphemeralRange checks that ports are handed
// out below (or above) the kernel's ephemeral range, once each while the
// test runs, and that a reservation holds against another taker.
func TestFreePortReservesOutsideTheEphemeralRange(t *testing.T) {
	lo, hi := reservedRange()
	seen := map[int]bool{}
	for range 20 {
		p := FreePort(t)
		if p < lo || p >= hi {
			t.Fatalf("port %d outside [%d, %d)", p, lo, hi)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
	}
	for p := range seen {
		if f, ok := reservePort(filepath.Join(os.TempDir(), "slipway-test-ports"), p); ok {
			f.Close()
			t.Fatalf("port %d reserved again while held", p)
		}
		break
	}
}

// errRecorder records a helper's test errors instead of failing the test.
type errRecorder struct {
	testing.TB
	errs []string
}

func (r *errRecorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestKillLeftoversKillsAndReportsWhatIsLeft starts a process that works in
// a data directory and one that names it, and checks both are killed and
// reported, while a fresh directory has nothing to kill.
func TestKillLeftoversKillsAndReportsWhatIsLeft(t *testing.T) {
	dir := t.TempDir()
	byCwd := exec.Command("sleep", "60")
	byCwd.Dir = dir
	// sh -c's extra operand is only its $0: it names dir without being read.
	byArg := exec.Command("sh", "-c", "sleep 60", filepath.Join(dir, "containers", "x"))
	for _, c := range []*exec.Cmd{byCwd, byArg} {
		if err := c.Start(); err != nil {
			t.Skip(err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() }) //nolint:errcheck // only reaps
	}
	r := &errRecorder{TB: t}
	killLeftovers(r, t.TempDir(), time.Second)
	if len(r.errs) != 0 {
		t.Fatalf("a fresh directory: %v", r.errs)
	}
	killLeftovers(r, dir, 200*time.Millisecond)
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "killed 2 processes") {
		t.Fatalf("errors = %v", r.errs)
	}
	for _, c := range []*exec.Cmd{byCwd, byArg} {
		if err := c.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
			t.Errorf("%v: wait = %v, want killed", c.Args, err)
		}
	}
}
