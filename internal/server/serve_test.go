package server

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/testutil"
)

func get(t *testing.T, url, host string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestMetricsServedApartFromTheAPI: /metrics and /slipway/lb/stats are on
// the metrics listener only, which refuses DNS-rebound requests when the
// server has no credentials, as the API does.
func TestMetricsServedApartFromTheAPI(t *testing.T) {
	s := start(t, Config{})
	if s.MetricsURL() == s.URL() || !strings.HasPrefix(s.MetricsURL(), "http://127.0.0.1:") {
		t.Fatalf("metrics on %s, API on %s", s.MetricsURL(), s.URL())
	}
	for _, path := range []string{"/metrics", "/slipway/lb/stats"} {
		if code := get(t, s.URL()+path, ""); code == http.StatusOK {
			t.Errorf("API port serves %s", path)
		}
		if code := get(t, s.MetricsURL()+path, ""); code != http.StatusOK {
			t.Errorf("metrics %s: %d", path, code)
		}
		if code := get(t, s.MetricsURL()+path, "evil.example"); code != http.StatusForbidden {
			t.Errorf("metrics %s with a rebound Host: %d, want 403", path, code)
		}
	}
	if code := get(t, s.URL()+"/health", "evil.example"); code != http.StatusForbidden {
		t.Errorf("/health with a rebound Host: %d, want 403", code)
	}
}

// TestListenerExposureRules: nothing beyond loopback without credentials;
// with them, a plain-HTTP API beyond loopback only when asked for; TLS
// options that do not go together are start-up errors.
func TestListenerExposureRules(t *testing.T) {
	ca := testutil.NewTestCA(t, t.TempDir())
	emptyFile := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(emptyFile, []byte("# none yet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const creds = "AKID:secret"
	refused := []struct {
		name string
		cfg  Config
		want error
	}{
		{"metrics beyond loopback without credentials", Config{MetricsAddr: "0.0.0.0:0"}, ErrInsecureListen},
		{"API on every interface without credentials", Config{APIAddr: ":0"}, ErrInsecureListen},
		{"API on IPv6's every interface without credentials", Config{APIAddr: "[::]:0"}, ErrInsecureListen},
		{"load balancers beyond loopback without credentials", Config{LBHost: "0.0.0.0"}, ErrInsecureListen},
		{"plain-HTTP API beyond loopback", Config{APIAddr: "0.0.0.0:0", CredentialList: creds}, ErrPlainHTTPAPI},
		{"certificate without key", Config{APITLSCert: ca.CertFile}, ErrTLSConfig},
		{"TLS and plain HTTP", Config{APITLSCert: ca.CertFile, APITLSKey: ca.KeyFile, APIInsecurePlainHTTP: true}, ErrTLSConfig},
		{"unreadable certificate", Config{APITLSCert: ca.CertFile, APITLSKey: ca.CAFile}, ErrTLSConfig},
		{"credentials file without keys", Config{CredentialsFile: emptyFile}, awsproto.ErrBadCredentials},
		{"credentials list without keys", Config{CredentialList: " , "}, awsproto.ErrBadCredentials},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.ShimCommand, c.cfg.ShimEnv = testutil.ShimCommand()
			c.cfg.DataDir = t.TempDir()
			if c.cfg.APIAddr == "" {
				c.cfg.APIAddr = "127.0.0.1:0"
			}
			s, err := Start(context.Background(), c.cfg)
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("Start = %v, want %v", err, c.want)
			}
		})
	}
	for name, cfg := range map[string]Config{
		"plain HTTP when asked for":       {APIAddr: "0.0.0.0:0", CredentialList: creds, APIInsecurePlainHTTP: true},
		"metrics beyond with credentials": {MetricsAddr: "0.0.0.0:0", CredentialList: creds},
		"TLS API beyond loopback":         {APIAddr: "0.0.0.0:0", CredentialList: creds, APITLSCert: ca.CertFile, APITLSKey: ca.KeyFile},
	} {
		t.Run(name, func(t *testing.T) { start(t, cfg) })
	}
}

// TestAPIOverTLS: with a certificate the API answers HTTPS only, and the
// SDK trusting the test CA talks to it.
func TestAPIOverTLS(t *testing.T) {
	ca := testutil.NewTestCA(t, t.TempDir())
	s := start(t, Config{APITLSCert: ca.CertFile, APITLSKey: ca.KeyFile})
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL %s", s.URL())
	}
	httpClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool}}}
	c := awsecs.New(awsecs.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), HTTPClient: httpClient,
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", "")})
	out, err := c.ListClusters(context.Background(), &awsecs.ListClustersInput{})
	if err != nil || len(out.ClusterArns) != 1 {
		t.Fatalf("ListClusters over TLS: %v %v", out, err)
	}
	plain := "http://" + strings.TrimPrefix(s.URL(), "https://") + "/health"
	if code := get(t, plain, ""); code != http.StatusBadRequest {
		t.Errorf("plain HTTP to the TLS API: %d, want net/http's 400", code)
	}
}
