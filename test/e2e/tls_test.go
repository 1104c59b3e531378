package e2e

import (
	"crypto/tls"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestAPIOverTLS: with --api-tls-cert and --api-tls-key the API is HTTPS;
// the AWS CLIs reach it with --ca-bundle naming a CA made here (and refuse
// it without), aws-sdk-go-v2 and the slipway CLI with AWS_CA_BUNDLE.
func TestAPIOverTLS(t *testing.T) {
	bins := awsCLIBinaries(t)
	t.Parallel()
	site := newSite(t)
	ca := testutil.NewTestCA(t, site.dir)
	site.tls = &ca
	srv := site.startServer(t, "--api-tls-cert", ca.CertFile, "--api-tls-key", ca.KeyFile)
	if !strings.HasPrefix(srv.url, "https://") {
		t.Fatalf("server URL %s", srv.url)
	}
	for _, bin := range bins {
		cli := srv.cli.withBinary(bin)
		cli.env = slices.DeleteFunc(slices.Clone(cli.env), func(kv string) bool { return strings.HasPrefix(kv, "AWS_CA_BUNDLE=") })
		cli.must(t, nil, "--ca-bundle", ca.CAFile, "ecs", "list-clusters")
		cli.must(t, nil, "--ca-bundle", ca.CAFile, "elbv2", "describe-load-balancers")
		if err := cli.call(nil, "ecs", "list-clusters"); err == nil || !strings.Contains(strings.ToLower(err.Error()), "certificate") {
			t.Errorf("%s without --ca-bundle: %v; want a certificate verification error", bin, err)
		}
	}
	httpsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool}}}
	if err := sdkCalls(srv.url, "AKIDANY", "any", httpsClient); err != nil {
		t.Errorf("aws-sdk-go-v2 over TLS: %v", err)
	}
	slipway := exec.Command(slipwayBin, "--endpoint-url", srv.url, "services")
	slipway.Env = append(serverEnv(), "AWS_CA_BUNDLE="+ca.CAFile)
	if out, err := slipway.CombinedOutput(); err != nil {
		t.Errorf("slipway services over TLS: %v\n%s", err, out)
	}
}

// TestSignedAPIBeyondLoopbackNeedsTLS: with credentials, a plain-HTTP API
// beyond loopback is refused at start-up with what to do.
func TestSignedAPIBeyondLoopbackNeedsTLS(t *testing.T) {
	t.Parallel()
	site := newSite(t)
	creds := site.writeFile(t, "credentials", "AKIDE2E secret\n")
	public := net.JoinHostPort("0.0.0.0", strconv.Itoa(freePort(t)))
	out, err := runToExit(t, []string{"server", "--data-dir", t.TempDir(), "--credentials-file", creds,
		"--api-addr", public, "--metrics-addr", "127.0.0.1:0"})
	if err == nil || !strings.Contains(out, "--api-tls-cert") || !strings.Contains(out, "--api-insecure-plain-http") {
		t.Fatalf("plain-HTTP API on %s: %v %s; want a refusal naming --api-tls-cert and --api-insecure-plain-http", public, err, out)
	}
}
