package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	acmsdk "github.com/aws/aws-sdk-go-v2/service/acm"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestHTTPSListenerServesACMCertificates: an HTTPS listener takes an ACM
// certificate ARN; the data plane serves the requested certificate (a
// client trusting the root at /slipway/acm/ca.pem completes the handshake),
// then an imported one, and a re-import reaches the listener without a
// change to it. While the listener uses a certificate, ACM names its load
// balancer in InUseBy and refuses to delete it; an unknown ARN is ELB's
// CertificateNotFound.
func TestHTTPSListenerServesACMCertificates(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	elbc, acmc := clientsIn(s, "us-east-1").elb, acmClient(s, "us-east-1")
	const host = "app.slipway.test"
	req, err := acmc.RequestCertificate(ctx, &acmsdk.RequestCertificateInput{DomainName: aws.String(host)})
	if err != nil {
		t.Fatal(err)
	}
	certARN := aws.ToString(req.CertificateArn)
	lbOut, err := elbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("tls"), Subnets: []string{"subnet-a", "subnet-b"}})
	if err != nil {
		t.Fatal(err)
	}
	lbARN := aws.ToString(lbOut.LoadBalancers[0].LoadBalancerArn)
	port := int32(testutil.FreePort(t))
	fixed := []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse, FixedResponseConfig: &elbtypes.FixedResponseActionConfig{
		StatusCode: aws.String("200"), ContentType: aws.String("text/plain"), MessageBody: aws.String("over tls")}}}
	missing := strings.Replace(certARN, certARN[len(certARN)-36:], "00000000-0000-4000-8000-000000000000", 1)
	_, err = elbc.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: &lbARN, Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(port),
		Certificates: []elbtypes.Certificate{{CertificateArn: &missing}}, DefaultActions: fixed})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "CertificateNotFound" || ae.ErrorMessage() != fmt.Sprintf("Certificate '%s' not found", missing) {
		t.Fatalf("unknown ACM ARN: %v", err)
	}
	ls, err := elbc.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: &lbARN, Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(port),
		Certificates: []elbtypes.Certificate{{CertificateArn: &certARN}}, DefaultActions: fixed})
	if err != nil {
		t.Fatal(err)
	}
	listenerARN := ls.Listeners[0].ListenerArn

	resp, err := http.Get(s.URL() + CAPath)
	if err != nil {
		t.Fatal(err)
	}
	rootPEM, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(rootPEM) {
		t.Fatalf("%s: %q", CAPath, rootPEM)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	served := func(cfg *tls.Config, want string) {
		t.Helper()
		testutil.Eventually(t, 20*time.Second, func() (bool, string) {
			client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg,
				DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
					return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
				}}}
			defer client.CloseIdleConnections()
			resp, err := client.Get("https://" + host + "/")
			if err != nil {
				return false, err.Error()
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			serial := resp.TLS.PeerCertificates[0].SerialNumber.String()
			return string(body) == "over tls" && (want == "" || serial == want), fmt.Sprintf("%s %q serial %s", resp.Status, body, serial)
		})
	}
	served(&tls.Config{RootCAs: roots, ServerName: host}, "")

	d, err := acmc.DescribeCertificate(ctx, &acmsdk.DescribeCertificateInput{CertificateArn: &certARN})
	if err != nil || !slices.Equal(d.Certificate.InUseBy, []string{lbARN}) {
		t.Fatalf("InUseBy: %v %v", d, err)
	}
	_, err = acmc.DeleteCertificate(ctx, &acmsdk.DeleteCertificateInput{CertificateArn: &certARN})
	if !errors.As(err, &ae) || ae.ErrorCode() != "ResourceInUseException" {
		t.Fatalf("delete in use: %v", err)
	}

	// An imported certificate, then re-imported: the listener serves each.
	ca := newImportCA(t)
	cert1, key1 := ca.issue(t, host, 1001)
	imp, err := acmc.ImportCertificate(ctx, &acmsdk.ImportCertificateInput{Certificate: cert1, PrivateKey: key1, CertificateChain: ca.pem})
	if err != nil {
		t.Fatal(err)
	}
	impARN := aws.ToString(imp.CertificateArn)
	if _, err := elbc.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: listenerARN,
		Certificates: []elbtypes.Certificate{{CertificateArn: &impARN}}}); err != nil {
		t.Fatal(err)
	}
	imported := &tls.Config{RootCAs: ca.pool, ServerName: host}
	served(imported, "1001")
	cert2, key2 := ca.issue(t, host, 1002)
	if _, err := acmc.ImportCertificate(ctx, &acmsdk.ImportCertificateInput{CertificateArn: &impARN, Certificate: cert2, PrivateKey: key2}); err != nil {
		t.Fatal(err)
	}
	served(imported, "1002")
	// The requested certificate is free again.
	if _, err := acmc.DeleteCertificate(ctx, &acmsdk.DeleteCertificateInput{CertificateArn: &certARN}); err != nil {
		t.Fatal(err)
	}
}

// importCA is a CA of the test's own, for certificates to import.
type importCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
	pool *x509.CertPool
}

func newImportCA(t *testing.T) importCA {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Import Test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return importCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pool: pool}
}

func (ca importCA) issue(t *testing.T, host string, serial int64) (certPEM, keyPEM []byte) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
}
