package cli

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/internal/server"
)

// maxCABytes bounds the answer `slipway ca` reads: one PEM certificate.
const maxCABytes = 64 << 10

func newCACmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "ca",
		Short: "Print the root certificate of the server's local CA (PEM), which issues requested ACM certificates",
		Long: `Prints, as PEM, the root certificate of the certificate authority that the
server at --endpoint-url created in its data directory. ACM's RequestCertificate
issues from it: trust it where clients run to accept the HTTPS listeners that
serve those certificates, e.g.

    slipway ca > slipway-ca.pem
    curl --cacert slipway-ca.pem https://app.internal/

It is read from the API endpoint's ` + server.CAPath + ` (the same URL serves it to any client).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pemBytes, err := g.fetchCA(cmd.Context())
			if err != nil {
				return err
			}
			_, err = g.stdout.Write(pemBytes)
			return err
		},
	}
}

// fetchCA reads the root through the SDK's HTTP client, so the endpoint is
// trusted as the other commands trust it (AWS_CA_BUNDLE), and checks that
// it is one PEM certificate.
func (g *globals) fetchCA(ctx context.Context) ([]byte, error) {
	cfg, err := g.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	url := strings.TrimRight(g.endpoint, "/") + server.CAPath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: --endpoint-url %q: %v", ErrUsage, g.endpoint, err)
	}
	resp, err := cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach Slipway at %s (is `slipway server` running? set --endpoint-url or SLIPWAY_ENDPOINT): %w", g.endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCABytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s: %.200s (is it a Slipway server of this version?)", url, resp.Status, strings.TrimSpace(string(body)))
	}
	b, rest := pem.Decode(body)
	if len(body) > maxCABytes || b == nil || b.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) > 0 {
		return nil, fmt.Errorf("%s did not answer with one PEM certificate", url)
	}
	if _, err := x509.ParseCertificate(b.Bytes); err != nil {
		return nil, fmt.Errorf("%s answered a certificate that does not parse: %w", url, err)
	}
	return body, nil
}
