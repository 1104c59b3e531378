package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemo runs `slipway demo` end to end, as the README tells people to:
// the test binary serves as the default shim (see TestMain).
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes about 20 s")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // the demo's temporary directory must be gone afterwards
	start := time.Now()
	out, _, code := runCLI(t, "demo")
	last := lastLine(out)
	if code != 0 || !regexp.MustCompile(`^demo PASSED in \d+\.\ds: v2 completed in .*; broken v3 failed and was rolled back to talk:2 in .*; the 500ing v4 canary failed back after \d+\.\ds at 10%; \d+ requests served, 0 failed in the rolling acts, \d+ of \d+ during the failing canary, all on the canary's 10%$`).MatchString(last) {
		t.Fatalf("exit %d, last line %q", code, last)
	}
	if d := time.Since(start); d > time.Minute {
		t.Errorf("the demo took %s, want under a minute", d)
	}
	for _, want := range []string{"COMPLETED in ", "FAILED, rolled back to talk:2 in ", "exit code 1", "load generator: ", "cleaned up: ",
		"PRODUCTION_TRAFFIC_SHIFT | talk:4", "10.0% of production traffic is shifted to the new service revision", "alarm(s) detected: talk-green-5xx", "canary: green carried 10% of production traffic for "} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "slipway-demo-*"))
	if len(left) > 0 {
		t.Errorf("demo left %v behind", left)
	}
}

func TestDemoOutsideACheckout(t *testing.T) {
	dir := t.TempDir()
	if _, err := findModuleRoot(dir); err == nil || !strings.Contains(err.Error(), "run it from a Slipway checkout") {
		t.Errorf("findModuleRoot(%s) = %v", dir, err)
	}
	wd, _ := os.Getwd()
	if root, err := findModuleRoot(wd); err != nil || !isSlipwayModule(filepath.Join(root, "go.mod")) {
		t.Errorf("findModuleRoot(%s) = %s, %v", wd, root, err)
	}
}
