package cli

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
)

func TestCAPrintsTheRootThatIssuesRequestedCertificates(t *testing.T) {
	srv := startEmbedded(t, "")
	var out, errb bytes.Buffer
	root := newRoot(&out, &errb)
	root.SetArgs([]string{"ca", "--endpoint-url", srv.URL()})
	if err := root.ExecuteContext(t.Context()); err != nil {
		t.Fatalf("slipway ca: %v %s", err, errb.String())
	}
	if out.String() != string(srv.ACM().RootPEM()) {
		t.Fatalf("printed %q", out.String())
	}

	// A certificate requested through ACM verifies against what was printed.
	g := &globals{endpoint: srv.URL(), region: "us-east-1"}
	cfg, err := g.awsConfig(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	c := acm.NewFromConfig(cfg)
	req, err := c.RequestCertificate(t.Context(), &acm.RequestCertificateInput{DomainName: aws.String("app.internal.example")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetCertificate(t.Context(), &acm.GetCertificateInput{CertificateArn: req.CertificateArn})
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(out.Bytes()) {
		t.Fatal("the printed root does not parse")
	}
	b, _ := pem.Decode([]byte(aws.ToString(got.Certificate)))
	leaf, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "app.internal.example"}); err != nil {
		t.Fatalf("requested certificate does not verify against the printed root: %v", err)
	}
}

func TestCAWithoutAServerSaysWhatToDo(t *testing.T) {
	var out, errb bytes.Buffer
	root := newRoot(&out, &errb)
	root.SetArgs([]string{"ca", "--endpoint-url", "http://127.0.0.1:1"})
	err := root.ExecuteContext(t.Context())
	if err == nil || !strings.Contains(err.Error(), "is `slipway server` running?") || out.Len() != 0 {
		t.Fatalf("got %v, stdout %q", err, out.String())
	}
}
