package testutil

import (
	"os"
	"strconv"
	"time"
)

// OwnerEnv names the pid of the test binary whose embedded server started a
// child of that same binary (the process runtime's shim, the data plane).
const OwnerEnv = "SLIPWAY_TEST_OWNER"

// ownerPoll is how often a child checks that its owner still lives.
const ownerPoll = 250 * time.Millisecond

// OwnChildren marks this test binary as the owner of the children its
// embedded servers start: they inherit OwnerEnv and, through EndWithOwner,
// end when this process does. Call it from TestMain before m.Run.
//
// The children run in sessions of their own, on purpose (a server's crash
// must not reach them), so a test binary that dies on -timeout or a panic
// runs no t.Cleanup and would leave them running forever.
func OwnChildren() {
	os.Setenv(OwnerEnv, strconv.Itoa(os.Getpid())) //nolint:errcheck // cannot fail for a valid name
}

// EndWithOwner makes a child started by an owner (see OwnChildren) exit once
// the owner is gone. The owner is the child's parent, so its death shows as a
// change of parent pid, which no pid reuse can fake. The shim's application
// follows the shim through its parent-death signal. A child whose parent is
// not its owner (started by another process) is left alone.
func EndWithOwner() {
	ppid := os.Getppid()
	if os.Getenv(OwnerEnv) != strconv.Itoa(ppid) {
		return
	}
	go func() {
		for {
			time.Sleep(ownerPoll)
			if os.Getppid() != ppid {
				os.Exit(3)
			}
		}
	}()
}

// Children are the roles a test binary whose embedded servers start children
// of their own binary can be started in (see RunAsChild).
type Children struct {
	// ShimArg and Shim: the process runtime's shim, started with ShimEnv set
	// or, as the default shim command, with ShimArg as first argument.
	ShimArg string
	Shim    func(args []string) int
	// DataPlaneArg and DataPlane: the default data plane command.
	DataPlaneArg string
	DataPlane    func(args []string) int
}

// RunAsChild runs this test binary's role when it was started as a shim, a
// data plane (both end with their owner, see EndWithOwner) or a reaper (see
// StartReaper) and returns its exit code; ok is false for the tests' own
// run. TestMain calls it first.
func RunAsChild(c Children) (code int, ok bool) {
	arg := ""
	if len(os.Args) > 1 {
		arg = os.Args[1]
	}
	switch {
	case IsShim() || arg == c.ShimArg && c.ShimArg != "":
		EndWithOwner()
		return c.Shim(os.Args[1:]), true
	case arg == c.DataPlaneArg && c.DataPlaneArg != "":
		EndWithOwner()
		return c.DataPlane(os.Args[1:]), true
	case IsReaper():
		return Reap(), true
	}
	return 0, false
}
