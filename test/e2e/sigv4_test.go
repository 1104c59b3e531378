package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// signed signs r (body already set as body) as aws-sdk-go-v2 does, for
// service and region; after, if set, changes the signed request.
func (r rawRequest) signed(t *testing.T, base, keyID, secret, service, region string, after func(*http.Request)) (int, string) {
	t.Helper()
	req := r.build(t, base)
	sum := sha256.Sum256([]byte(r.body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), service, region, time.Now()); err != nil {
		t.Fatal(err)
	}
	if after != nil {
		after(req)
	}
	return do(t, req)
}

// TestSigV4AsAWSChecksIt: with credentials (a secret with ':' in it), the
// AWS CLIs and the SDK work; a signature for another service or for a
// region the server does not serve, an X-Amz-Target changed after signing
// and one left out of the signature are refused, and the refused
// DeleteCluster deleted nothing.
func TestSigV4AsAWSChecksIt(t *testing.T) {
	bins := awsCLIBinaries(t)
	t.Parallel()
	site := newSite(t)
	site.keyID, site.secret = "AKIDE2ESIGV4", "se:cr/et+with:colons"
	creds := site.writeFile(t, "credentials", site.keyID+" "+site.secret+"\n")
	srv := site.startServer(t, "--credentials-file", creds)
	for _, bin := range bins {
		cli := srv.cli.withBinary(bin)
		cli.must(t, nil, "ecs", "list-clusters")
		cli.must(t, nil, "elbv2", "describe-load-balancers")
		cli.mustFail(t, "InvalidSignatureException", "--region", "xx-nowhere-1", "ecs", "list-clusters")
		cli.mustFail(t, "SignatureDoesNotMatch", "--region", "xx-nowhere-1", "elbv2", "describe-load-balancers")
	}
	if err := sdkCalls(srv.url, site.keyID, site.secret, nil); err != nil {
		t.Errorf("aws-sdk-go-v2: %v", err)
	}

	deleteDefault := jsonCall("DeleteCluster", `{"cluster":"default"}`, nil)
	listClusters := jsonCall("ListClusters", `{"cluster":"default"}`, nil)
	describeLBs := formPost(url.Values{"Action": {"DescribeLoadBalancers"}, "Version": {"2015-12-01"}}, nil)
	setTarget := func(op string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("X-Amz-Target", ecsTarget+op) }
	}
	cases := []struct {
		name            string
		req             rawRequest
		service, region string
		after           func(*http.Request)
		status          int
		code, reason    string
	}{
		{"control", listClusters, "ecs", "us-east-1", nil, 200, "", ""},
		{"ECS signed for ELB", deleteDefault, "elasticloadbalancing", "us-east-1", nil,
			400, "InvalidSignatureException", "correct service: 'ecs'"},
		{"ELB signed for ECS", describeLBs, "ecs", "us-east-1", nil,
			403, "<Code>SignatureDoesNotMatch</Code>", "correct service: &#39;elasticloadbalancing&#39;"}, // XML escapes the quotes
		{"ECS signed for a region not served", deleteDefault, "ecs", "xx-nowhere-1", nil,
			400, "InvalidSignatureException", "valid region, not 'xx-nowhere-1'"},
		{"target changed after signing", listClusters, "ecs", "us-east-1", setTarget("DeleteCluster"),
			400, "InvalidSignatureException", "signature we calculated does not match"},
		{"target not signed", rawRequest{method: http.MethodPost, contentType: "application/x-amz-json-1.1", body: `{"cluster":"default"}`},
			"ecs", "us-east-1", setTarget("DeleteCluster"), 400, "InvalidSignatureException", "not signed: x-amz-target"},
	}
	for _, c := range cases {
		status, body := c.req.signed(t, srv.url, site.keyID, site.secret, c.service, c.region, c.after)
		if status != c.status || !strings.Contains(body, c.code) || !strings.Contains(body, c.reason) {
			t.Errorf("%s: %d %s; want %d %s saying %q", c.name, status, body, c.status, c.code, c.reason)
		}
	}
	var clusters struct{ ClusterArns []string }
	srv.cli.must(t, &clusters, "ecs", "list-clusters")
	if len(clusters.ClusterArns) != 1 {
		t.Errorf("the default cluster is gone after refused deletions: %v", clusters)
	}
}

// TestCredentialsFromTheEnvironment: SLIPWAY_CREDENTIALS pairs split at
// their first ':' only, so a secret may hold ':'.
func TestCredentialsFromTheEnvironment(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	site.keyID, site.secret = "AKIDE2EENV", "env:se:cret"
	site.env = []string{"SLIPWAY_CREDENTIALS=AKIDOTHER:x," + site.keyID + ":" + site.secret}
	cli := site.startServer(t).cli
	cli.must(t, nil, "ecs", "list-clusters")
	cli.withKeys(site, site.keyID, "env").mustFail(t, "InvalidSignatureException", "ecs", "list-clusters")
}

// TestCredentialsGivenButEmptyDoNotStart: a credentials source that was
// given but holds no key stops the server at start-up with what to do; it
// never runs with signatures unchecked.
func TestCredentialsGivenButEmptyDoNotStart(t *testing.T) {
	t.Parallel()
	site := newSite(t)
	comments := site.writeFile(t, "credentials", "# keys go here\n\n")
	cases := map[string]struct {
		args []string
		env  string
		says string
	}{
		"file of comments":   {[]string{"--credentials-file", comments}, "", "holds no key pair"},
		"empty file flag":    {[]string{"--credentials-file", ""}, "", "--credentials-file is empty"},
		"variable set empty": {nil, "SLIPWAY_CREDENTIALS=", "set but empty"},
		"variable of commas": {nil, "SLIPWAY_CREDENTIALS= , ", "holds no ID:SECRET pair"},
		"variable no pair":   {nil, "SLIPWAY_CREDENTIALS=,,x", "SLIPWAY_CREDENTIALS"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"server", "--data-dir", t.TempDir(), "--api-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"}, c.args...)
			var env []string
			if c.env != "" {
				env = []string{c.env}
			}
			out, err := runToExit(t, args, env...)
			if err == nil || !strings.Contains(out, c.says) {
				t.Fatalf("server %v (%s): %v, output %q; want a start-up error saying %q", c.args, c.env, err, out, c.says)
			}
		})
	}
}
