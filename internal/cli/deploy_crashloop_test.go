package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeployOfVersionThatExitsAfterStartingRollsBack: without a load
// balancer or health check, a version whose tasks exit a second after they
// start must not complete; its exits count toward the circuit breaker.
func TestDeployOfVersionThatExitsAfterStartingRollsBack(t *testing.T) {
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
