package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// Paths of the binaries TestMain builds once for every test.
var (
	slipwayBin string
	talkBin    string
)

func TestMain(m *testing.M) {
	if testutil.IsReaper() {
		os.Exit(testutil.Reap())
	}
	os.Exit(run(m))
}

// run builds the binaries into a temporary directory that outlives every
// test (tests copy talk-service from it) and removes it at the end.
func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "slipway-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if slipwayBin, err = testutil.BuildPackage(dir, "./cmd/slipway", "slipway"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	if talkBin, err = testutil.BuildTalkService(dir); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	return testutil.RunWithReaper(m)
}
