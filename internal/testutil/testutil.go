// Package testutil holds helpers shared by Slipway's tests: building the
// talk-service example, making the test binary serve as the process
// runtime's shim, and polling for a condition with a deadline.
package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// ShimEnv is the environment variable that makes a test binary act as the
// process runtime's shim (see RunAsShim).
const ShimEnv = "SLIPWAY_TEST_SHIM"

// ModuleRoot returns the repository root (the directory holding go.mod).
func ModuleRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate testutil source")
	}
	return filepath.Abs(filepath.Join(filepath.Dir(file), "..", ".."))
}

// BuildTalkService builds examples/talk-service as a static binary into dir
// and returns its path. Call it from TestMain: it is slow-ish (a go build).
func BuildTalkService(dir string) (string, error) {
	return BuildPackage(dir, "./examples/talk-service", "talk-service")
}

// BuildPackage builds a package of this module into dir/name.
func BuildPackage(dir, pkg, name string) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return out, nil
}

// ShimCommand returns the process runtime's shim command and environment for
// a test binary whose TestMain calls process.ShimMain when ShimEnv is set.
func ShimCommand() ([]string, []string) {
	exe, _ := os.Executable()
	return []string{exe, "__shim"}, []string{ShimEnv + "=1"}
}

// IsShim reports whether this test binary was started as the shim.
func IsShim() bool { return os.Getenv(ShimEnv) == "1" }

// Eventually polls cond every 20 ms until it returns true or the timeout
// passes; then it fails the test with the last message cond gave.
func Eventually(t testing.TB, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, msg := cond()
		if ok {
			return
		}
		last = msg
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s: %s", timeout, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// RequireInCI fails the test when CI=true and skip would otherwise hide a
// missing dependency; outside CI it skips.
func RequireInCI(t testing.TB, what string) {
	t.Helper()
	if strings.EqualFold(os.Getenv("CI"), "true") {
		t.Fatalf("%s is required in CI", what)
	}
	t.Skipf("%s not available", what)
}
