package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKnownBugCrashAfterRunningCompletes shows a controller problem (see
// the report in the commit message): without a load balancer or container
// health check, a task counts as healthy as soon as it is RUNNING, and a
// task that was once healthy is not counted as a failure when it exits. A
// version whose container exits one second after it starts then COMPLETES,
// and the circuit breaker never trips while its tasks crash in a loop.
// The same happens, by timing, to a version that exits at once (seen under
// -race with TALK_CRASH_AT_START=true). Set SLIPWAY_KNOWN_BUGS=1 to run it.
func TestKnownBugCrashAfterRunningCompletes(t *testing.T) {
	if os.Getenv("SLIPWAY_KNOWN_BUGS") == "" {
		t.Skip("known controller bug; SLIPWAY_KNOWN_BUGS=1 runs it")
	}
	f := newFixture(t, false)
	path := filepath.Join(t.TempDir(), "crash.json")
	doc := fmt.Sprintf(`{"family": "talk", "containerDefinitions": [{"name": "web", "image": %q, "memory": 128,
  "entryPoint": ["/bin/sh", "-c"], "command": ["sleep 1; echo giving up >&2; exit 1"], "portMappings": [{"containerPort": 8080}]}]}`, "/bin/sh")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code := f.run("deploy", "talk", "--task-definition", path, "--timeout", "60s")
	if last := lastLine(out); code != 1 || !strings.HasPrefix(last, "FAILED, rolled back to talk:1") {
		t.Errorf("a version whose tasks all exit 1 after a second: exit %d, last line %q; want FAILED, rolled back", code, last)
	}
}
