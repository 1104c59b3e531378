package cli

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/internal/analysis"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/logstore"
	"github.com/slipway-dev/slipway/internal/server"
)

func newServerCmd(g *globals) *cobra.Command {
	var cfg server.Config
	var logLevel string
	var stopTasks bool
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the Slipway server: ECS and ELBv2 APIs, controller, load balancer and local agent",
		Long: `Runs the embedded default in one process. The AWS CLI and SDKs drive it with
--endpoint-url http://127.0.0.1:4566. Tasks run as Docker containers when a
Docker Engine answers (--runtime docker), else as local processes
(--runtime process); either way they keep running if the server stops
(SIGINT, SIGTERM), as ECS's agent leaves them, and the next start adopts
them. ` + "`slipway down`" + `, or --stop-tasks-on-exit, stops them cleanly instead:
drained first, then SIGTERM.

Requests are checked for SigV4 signatures when credentials are configured
(--credentials-file, or SLIPWAY_CREDENTIALS="ID:SECRET,..."; a secret may hold
':', as only the first separator splits). Without them any signature is
accepted, but a request must carry one and be addressed to 127.0.0.1,
localhost or [::1] with the API's port, not come from a web page, and change
state by POST only; and nothing listens beyond loopback. With credentials, an
API beyond loopback needs --api-tls-cert and --api-tls-key (or
--api-insecure-plain-http behind a TLS proxy).

/metrics and /slipway/lb/stats are served on --metrics-addr, not on the API.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			level := slog.LevelInfo
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("%w: --log-level %q", ErrUsage, logLevel)
			}
			cfg.Logger = slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level}))
			cfg.Region = g.region
			if err := credentialSources(cmd, &cfg); err != nil {
				return err
			}
			if _, err := clock.New(cfg.TimeScale); err != nil {
				return fmt.Errorf("%w: --time-scale %v: %w", ErrUsage, cfg.TimeScale, err)
			}
			if _, err := analysis.Parse(cfg.Analysis, analysis.Defaults()); err != nil {
				return fmt.Errorf("%w: --analysis %q: %w", ErrUsage, cfg.Analysis, err)
			}
			srv, err := server.Start(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			rt, why := srv.Runtime()
			fmt.Fprintf(g.stderr, "slipway: serving the ECS, ELBv2 and CloudWatch APIs on %s, metrics on %s (data in %s); tasks run on the %s runtime (%s); Ctrl-C to stop\n",
				srv.URL(), srv.MetricsURL(), cfg.DataDir, rt, why)
			return awaitShutdown(cmd.Context(), g, srv, stopTasks)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.APIAddr, "api-addr", server.DefaultAPIAddr, "address of the AWS APIs")
	f.StringVar(&cfg.APITLSCert, "api-tls-cert", "", "PEM certificate (chain) file: serve the API over HTTPS (with --api-tls-key)")
	f.StringVar(&cfg.APITLSKey, "api-tls-key", "", "PEM private key file of --api-tls-cert")
	f.BoolVar(&cfg.APIInsecurePlainHTTP, "api-insecure-plain-http", false,
		"serve a signed API beyond loopback over plain HTTP (only behind a TLS-terminating proxy)")
	f.StringVar(&cfg.MetricsAddr, "metrics-addr", server.DefaultMetricsAddr,
		"address of /metrics and /slipway/lb/stats (beyond loopback only with credentials)")
	f.StringVar(&cfg.DataDir, "data-dir", server.DefaultDataDir(), "state directory (database, container state, logs)")
	f.StringVar(&cfg.Account, "account-id", "000000000000", "account id in ARNs")
	f.StringVar(&cfg.LBHost, "lb-host", "", "address load-balancer listeners bind on (default 0.0.0.0 with credentials, else 127.0.0.1)")
	f.StringVar(&cfg.CredentialsFile, "credentials-file", "", "file of ACCESS_KEY_ID SECRET_ACCESS_KEY lines; enables SigV4 checks")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.Float64Var(&cfg.TimeScale, "time-scale", 1, "run minutes-based timers (alarm periods, bake times, cooldowns) this many times faster, for tests and demos (1 to 3600)")
	f.StringVar(&cfg.Analysis, "analysis", "on", "built-in analysis of BLUE_GREEN, CANARY and LINEAR deployments: on, off, or thresholds such as \"min-requests=50 error-increase=2\" (a service's slipway:analysis tag overrides it; see docs/architecture.md)")
	f.StringVar(&cfg.Runtime, "runtime", server.RuntimeAuto, "container runtime: docker, process, or auto (docker when a Docker Engine answers, else process)")
	f.Int64Var(&cfg.LogsMaxBytes, "logs-max-bytes", logstore.DefaultMaxBytes, "bound of the CloudWatch Logs store on disk: past it the oldest events are deleted")
	f.StringVar(&cfg.SecretsDir, "secrets-dir", "", "directory of the secrets and environment files task definitions name (default DATA_DIR/secrets)")
	f.BoolVar(&stopTasks, "stop-tasks-on-exit", false, "on SIGINT or SIGTERM, stop every task cleanly (draining first) and the load balancer, as `slipway down` does")
	return cmd
}

// credentialSources fills cfg's credentials from --credentials-file and
// SLIPWAY_CREDENTIALS. A source that is given but empty is an error: an
// unset shell variable in `SLIPWAY_CREDENTIALS=$KEYS` must not start a
// server that checks no signature.
func credentialSources(cmd *cobra.Command, cfg *server.Config) error {
	if cmd.Flags().Changed("credentials-file") && strings.TrimSpace(cfg.CredentialsFile) == "" {
		return fmt.Errorf("%w: --credentials-file is empty; name a file of ACCESS_KEY_ID SECRET_ACCESS_KEY lines, or leave the flag out to run without credentials", ErrUsage)
	}
	list, set := os.LookupEnv("SLIPWAY_CREDENTIALS")
	if set && strings.TrimSpace(list) == "" {
		return fmt.Errorf("%w: SLIPWAY_CREDENTIALS is set but empty; give ID:SECRET pairs, or unset it to run without credentials", ErrUsage)
	}
	cfg.CredentialList = list
	return nil
}
