package lbnode

import "os"

// A program that links the supervisor may be started as its data plane:
// the supervisor runs Options.Command (by default the server's own
// executable) with Arg and EnvNode set. Routing that here, before main or a
// test's TestMain runs, means every binary that can start a server, test
// binaries included, can also be its data plane, without each routing Arg
// itself. Both the argument and the variable must be present, so an
// ordinary command line never ends up here.
func init() {
	if len(os.Args) > 1 && os.Args[1] == Arg && os.Getenv(EnvNode) == "1" {
		os.Exit(Main(os.Args[1:]))
	}
}
