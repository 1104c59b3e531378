package cli

import (
	"strings"
	"testing"
)

func TestRollbackReturnsToPreviousRevision(t *testing.T) {
	f := newFixture(t, false)
	_, stderr, code := f.run("rollback", "talk")
	if code != 1 || !strings.Contains(stderr, "no earlier COMPLETED deployment") {
		t.Fatalf("rollback with nothing to return to: exit %d, stderr %q", code, stderr)
	}
	if _, _, code := f.run("deploy", "talk", "--env", "TALK_VERSION=v2"); code != 0 {
		t.Fatalf("deploy v2: exit %d", code)
	}
	out, _, code := f.run("rollback", "talk")
	if last := lastLine(out); code != 0 || !strings.HasPrefix(last, "COMPLETED in ") || !strings.Contains(last, "talk runs talk:1") {
		t.Fatalf("rollback: exit %d, last line %q", code, last)
	}
	if !strings.Contains(out, "Rolling back talk from talk:2 to talk:1, which deployment 1 completed") {
		t.Errorf("rollback does not say what it does:\n%s", out)
	}
	f.waitSteady("talk:1")
	// Rolling back again returns to talk:2: the most recent completed
	// deployment of another task definition.
	out, _, code = f.run("rollback", "talk")
	if last := lastLine(out); code != 0 || !strings.Contains(last, "talk runs talk:2") {
		t.Fatalf("second rollback: exit %d, last line %q", code, last)
	}
}

// After the circuit breaker rolled a broken version back, rollback skips
// the failed deployment and the rollback deployment (same task definition
// as now) and returns to the last completed one before them.
func TestRollbackAfterCircuitBreaker(t *testing.T) {
	f := newFixture(t, true) // see TestDeployCrashingVersionRollsBack
	if _, _, code := f.run("deploy", "talk", "--env", "TALK_VERSION=v2"); code != 0 {
		t.Fatalf("deploy v2: exit %d", code)
	}
	if _, _, code := f.run("deploy", "talk", "--env", "TALK_CRASH_AT_START=true"); code != 1 {
		t.Fatalf("deploy broken v3: exit %d, want 1", code)
	}
	f.waitSteady("talk:2")
	out, _, code := f.run("rollback", "talk")
	if last := lastLine(out); code != 0 || !strings.Contains(last, "talk runs talk:1") {
		t.Fatalf("rollback: exit %d, last line %q", code, last)
	}
}
