// Package server assembles the embedded default: one process running the
// store, the ECS and ELBv2 APIs, the service controller, the load-balancer
// syncer and a local agent with the process runtime, and the load-balancer
// data plane in a supervised process of its own that outlives the server.
package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"github.com/slipway-dev/slipway/internal/browserguard"
)

// Sentinel errors of a configuration the server refuses to start with.
var (
	// ErrInsecureListen reports an address beyond loopback with no credentials.
	ErrInsecureListen = errors.New("refusing to listen beyond loopback without credentials")
	// ErrPlainHTTPAPI reports an API beyond loopback without TLS: signed
	// requests and their answers would cross the network in the clear.
	ErrPlainHTTPAPI = errors.New("refusing to serve the API over plain HTTP beyond loopback")
	// ErrTLSConfig reports API TLS options that do not go together.
	ErrTLSConfig = errors.New("bad API TLS configuration")
)

// DefaultAPIAddr and DefaultMetricsAddr are where `slipway server` listens
// unless told otherwise: the AWS APIs on LocalStack's well-known port, and
// /metrics and /slipway/lb/stats on 9566 (the API's port in the 9xxx range
// where Prometheus exporters live), both on loopback only.
const (
	DefaultAPIAddr     = "127.0.0.1:4566"
	DefaultMetricsAddr = "127.0.0.1:9566"
)

// Config configures a Server.
type Config struct {
	// APIAddr is where the AWS APIs listen (default DefaultAPIAddr).
	APIAddr string
	// APITLSCert and APITLSKey are PEM files; with both, the API is served
	// over HTTPS only.
	APITLSCert string
	APITLSKey  string
	// APIInsecurePlainHTTP allows a plain-HTTP API beyond loopback with
	// credentials (behind a TLS-terminating proxy, say); without it such a
	// server refuses to start.
	APIInsecurePlainHTTP bool
	// MetricsAddr is where /metrics and /slipway/lb/stats are served, plain
	// HTTP, never on the API's port (default 127.0.0.1:0, any free port;
	// `slipway server` defaults to DefaultMetricsAddr). Beyond loopback only
	// with credentials, like every listener.
	MetricsAddr string
	// DataDir holds the database, container state and logs.
	DataDir string
	Region  string
	Account string
	// LBHost is where load-balancer listeners bind. Empty means 0.0.0.0
	// when credentials are configured, else 127.0.0.1.
	LBHost string
	// CredentialsFile and CredentialList ("ID:SECRET,...") enable SigV4
	// verification; without either, any signature is accepted and nothing
	// may listen beyond loopback.
	CredentialsFile string
	CredentialList  string
	// ShimCommand and ShimEnv run the process runtime's shim (default: this
	// executable with "__shim").
	ShimCommand []string
	ShimEnv     []string
	// TimeScale makes every minutes-based timer (alarm periods and their
	// evaluation, the metric recorder's interval) run that many times
	// faster, for tests and demos (0 or 1: real time; see package clock).
	TimeScale float64
	// Analysis is the built-in deployment analysis's setting for every
	// service (a service's slipway:analysis tag overrides it): "" or "on"
	// (analysis.Defaults()), "off", or thresholds as analysis.Parse reads
	// them, e.g. "min-requests=50 error-increase=2".
	Analysis string
	// DataPlaneCommand and DataPlaneEnv run the load-balancer data plane
	// process (default: this executable with "__lb"; tests route that
	// argument to lbnode.Main in TestMain).
	DataPlaneCommand []string
	DataPlaneEnv     []string
	// MetadataAddr is where the task metadata endpoint listens (default 127.0.0.1:0).
	MetadataAddr string
	// Runtime is the container runtime: docker, process, or auto (docker
	// when a Docker Engine answers, else process). Empty means process.
	Runtime string
	// HolderBinary is the executable the Docker runtime runs as an awsvpc
	// task's network holder (default: this executable).
	HolderBinary string
	// SecretsDir holds the files task definitions' secrets, environment
	// files and repository credentials name (default DataDir/secrets).
	SecretsDir string
	// LogsMaxBytes bounds the CloudWatch Logs store on disk (default
	// logstore.DefaultMaxBytes); past it the oldest events are deleted.
	LogsMaxBytes int64
	Logger       *slog.Logger
}

// DefaultDataDir is $XDG_STATE_HOME/slipway, else ~/.local/state/slipway.
func DefaultDataDir() string {
	if x := os.Getenv("XDG_STATE_HOME"); x != "" {
		return filepath.Join(x, "slipway")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "slipway")
	}
	return filepath.Join(home, ".local", "state", "slipway")
}

func (c *Config) applyDefaults() {
	if c.APIAddr == "" {
		c.APIAddr = DefaultAPIAddr
	}
	if c.MetricsAddr == "" {
		c.MetricsAddr = "127.0.0.1:0"
	}
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir()
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Account == "" {
		c.Account = "000000000000"
	}
	if c.MetadataAddr == "" {
		c.MetadataAddr = "127.0.0.1:0"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// checkListeners enforces the exposure rules at start-up: nothing listens
// beyond loopback unless requests must be signed, and a signed API beyond
// loopback is served over TLS unless plain HTTP was asked for.
func (c *Config) checkListeners(secured bool) error {
	for _, l := range []struct{ addr, what string }{
		{c.APIAddr, "API"}, {c.MetricsAddr, "metrics"}, {c.LBHost, "load balancer"},
	} {
		if err := checkExposure(l.addr, secured, l.what); err != nil {
			return err
		}
	}
	hasTLS := c.APITLSCert != "" || c.APITLSKey != ""
	switch {
	case hasTLS && (c.APITLSCert == "" || c.APITLSKey == ""):
		return fmt.Errorf("%w: give both --api-tls-cert and --api-tls-key", ErrTLSConfig)
	case hasTLS && c.APIInsecurePlainHTTP:
		return fmt.Errorf("%w: --api-insecure-plain-http contradicts --api-tls-cert; give one or the other", ErrTLSConfig)
	case !hasTLS && !c.APIInsecurePlainHTTP && !isLoopbackAddr(c.APIAddr):
		return fmt.Errorf("%w: API address %s; give --api-tls-cert and --api-tls-key, or --api-insecure-plain-http "+
			"if a TLS proxy stands in front, or listen on 127.0.0.1", ErrPlainHTTPAPI, c.APIAddr)
	}
	return nil
}

// checkExposure enforces that nothing listens beyond loopback unless
// requests must be signed.
func checkExposure(addr string, secured bool, what string) error {
	if secured || isLoopbackAddr(addr) {
		return nil
	}
	return fmt.Errorf("%w: %s address %s; configure --credentials-file or SLIPWAY_CREDENTIALS, or use 127.0.0.1",
		ErrInsecureListen, what, addr)
}

// isLoopbackAddr reports whether addr (host:port, or a host) is on loopback.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	return browserguard.IsLoopbackHost(host)
}
