// Package server assembles the embedded default: one process running the
// store, the ECS and ELBv2 APIs, the service controller, the load-balancer
// data plane and its syncer, and a local agent with the process runtime.
package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
)

// ErrInsecureListen reports an address beyond loopback with no credentials.
var ErrInsecureListen = errors.New("refusing to listen beyond loopback without credentials")

// Config configures a Server.
type Config struct {
	// APIAddr is where the AWS APIs listen (default 127.0.0.1:4566).
	APIAddr string
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
	// MetadataAddr is where the task metadata endpoint listens (default 127.0.0.1:0).
	MetadataAddr string
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
		c.APIAddr = "127.0.0.1:4566"
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

// checkExposure enforces that nothing listens beyond loopback unless
// requests must be signed.
func checkExposure(addr string, secured bool, what string) error {
	if secured {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if isLoopback(host) {
		return nil
	}
	return fmt.Errorf("%w: %s address %s; configure --credentials-file or SLIPWAY_CREDENTIALS, or use 127.0.0.1",
		ErrInsecureListen, what, addr)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
