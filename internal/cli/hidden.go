package cli

import (
	"github.com/slipway-dev/slipway/internal/lbnode"
	"github.com/slipway-dev/slipway/internal/runtime/docker"
	"github.com/slipway-dev/slipway/internal/runtime/process"
)

// runHidden runs the internal subcommands the server starts itself, which
// are not part of the command line users see: `slipway __shim DIR` (a
// container's supervisor), the Docker runtime's network holder and
// `slipway __lb ...` (the load-balancer data plane). ok is false for any
// other command line.
func runHidden(args []string) (code int, ok bool) {
	if len(args) == 0 {
		return 0, false
	}
	switch args[0] {
	case process.ShimArg:
		return process.ShimMain(args), true
	case docker.HolderArg:
		return docker.HolderMain(), true
	case lbnode.Arg:
		return lbnode.Main(args), true
	}
	return 0, false
}
