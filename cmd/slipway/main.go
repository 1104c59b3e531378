// Command slipway runs the Slipway server and is its command-line client.
package main

import (
	"os"

	"github.com/slipway-dev/slipway/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:])) }
