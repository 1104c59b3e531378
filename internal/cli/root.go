// Package cli is the slipway command: `slipway server` runs the embedded
// default, and the other subcommands are clients of its AWS APIs built on
// aws-sdk-go-v2.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// ErrUsage marks command-line mistakes (exit code 2).
var ErrUsage = errors.New("usage")

// Main runs the command line and returns the exit code.
func Main(args []string) int {
	if code, ok := runHidden(args); ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot(os.Stdout, os.Stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var ec exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ec):
		return int(ec)
	case errors.Is(err, ErrUsage):
		fmt.Fprintln(os.Stderr, "slipway:", err)
		return 2
	default:
		fmt.Fprintln(os.Stderr, "slipway:", err)
		return 1
	}
}

// exitCode ends the command with a code after it printed its own verdict.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit code %d", int(e)) }

// globals are the flags every client command shares.
type globals struct {
	endpoint string
	// metricsURL is --metrics-url; see metricsEndpoint.
	metricsURL string
	region     string
	cluster    string
	output     string
	stdout     io.Writer
	stderr     io.Writer
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "slipway",
		Short:         "Run web services in containers and deploy them without dropping a request",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&g.endpoint, "endpoint-url", envOr("SLIPWAY_ENDPOINT", "http://127.0.0.1:4566"), "Slipway API endpoint (env SLIPWAY_ENDPOINT)")
	pf.StringVar(&g.metricsURL, "metrics-url", os.Getenv("SLIPWAY_METRICS_URL"),
		"Slipway metrics endpoint, where deploy and rollback read traffic figures (env SLIPWAY_METRICS_URL; default: the endpoint's host on the port of server --metrics-addr's default)")
	pf.StringVar(&g.region, "region", envOr("AWS_REGION", "us-east-1"),
		"region the commands act in (env AWS_REGION); for server, its home region, which a data directory keeps from its first start")
	pf.StringVar(&g.cluster, "cluster", "default", "cluster name or ARN")
	pf.StringVarP(&g.output, "output", "o", "table", "output format: table or json")
	root.AddCommand(newServerCmd(g), newServicesCmd(g), newTasksCmd(g), newEventsCmd(g), newDeployCmd(g), newRollbackCmd(g), newDemoCmd(g), newInstancesCmd(g), newDownCmd(g), newLogsCmd(g), newCACmd(g), newStacksCmd(g), newStackEventsCmd(g), newScaleCmd(g), newLoadBalancersCmd(g))
	return root
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
