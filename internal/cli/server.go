package cli

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/internal/server"
)

func newServerCmd(g *globals) *cobra.Command {
	var cfg server.Config
	var logLevel string
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the Slipway server: ECS and ELBv2 APIs, controller, load balancer and local agent",
		Long: `Runs the embedded default in one process. The AWS CLI and SDKs drive it with
--endpoint-url http://127.0.0.1:4566. Tasks run as local processes and keep
running if the server stops; the next start adopts them.

Requests are checked for SigV4 signatures when credentials are configured
(--credentials-file, or SLIPWAY_CREDENTIALS="ID:SECRET,..."); without them any
signature is accepted and the server refuses to listen beyond loopback.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			level := slog.LevelInfo
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("%w: --log-level %q", ErrUsage, logLevel)
			}
			cfg.Logger = slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level}))
			cfg.Region = g.region
			cfg.CredentialList = os.Getenv("SLIPWAY_CREDENTIALS")
			srv, err := server.Start(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stderr, "slipway: serving the ECS and ELBv2 APIs on %s (data in %s); Ctrl-C to stop\n",
				srv.URL(), cfg.DataDir)
			<-cmd.Context().Done()
			cfg.Logger.Info("shutting down; tasks keep running and are adopted at the next start")
			return srv.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.APIAddr, "api-addr", "127.0.0.1:4566", "address of the AWS APIs")
	f.StringVar(&cfg.DataDir, "data-dir", server.DefaultDataDir(), "state directory (database, container state, logs)")
	f.StringVar(&cfg.Account, "account-id", "000000000000", "account id in ARNs")
	f.StringVar(&cfg.LBHost, "lb-host", "", "address load-balancer listeners bind on (default 0.0.0.0 with credentials, else 127.0.0.1)")
	f.StringVar(&cfg.CredentialsFile, "credentials-file", "", "file of ACCESS_KEY_ID SECRET_ACCESS_KEY lines; enables SigV4 checks")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	return cmd
}
