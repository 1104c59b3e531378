package lbsync

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// writeCert writes a self-signed localhost certificate as dir/site.pem with
// its key in dir/site.key (the default key location of the file:// rule).
func writeCert(t *testing.T, dir string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certPath := filepath.Join(dir, "site.pem")
	for path, block := range map[string]*pem.Block{
		certPath: {Type: "CERTIFICATE", Bytes: der}, filepath.Join(dir, "site.key"): {Type: "EC PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return certPath
}

func (f *fixture) httpsListener(port int, certARN string, actions []model.ELBAction) model.Listener {
	l := model.Listener{ARN: model.ListenerARN(f.lb.ARN, model.NewELBID()), LoadBalancerARN: f.lb.ARN, Port: port,
		Protocol: "HTTPS", DefaultActions: actions, Certificates: []model.ListenerCertificate{{ARN: certARN, IsDefault: true}},
		SSLPolicy: model.DefaultSSLPolicy}
	l.DefaultRuleARN = model.RuleARN(l.ARN, model.NewELBID())
	f.update(func(tx state.Tx) error { return tx.PutListener(l) })
	return l
}

func TestHTTPSListenerThroughRealDataPlane(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	_, portA := backend(t, "A")
	tg := f.targetGroup("web", portA)
	f.register(tg.ARN, model.TargetDescription{ID: "i-a"})
	port := freePort(t)
	f.httpsListener(port, "file://"+writeCert(t, t.TempDir()), forward(map[string]int{tg.ARN: 1}))
	dp := lb.New(lb.Options{Host: "127.0.0.1", Logger: quietLogger()})
	t.Cleanup(func() { dp.Close() })
	s := New(st, []DataPlane{dp}, quietLogger())
	mustSync(t, s)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DisableKeepAlives: true, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	eventually(t, "HTTPS answer", func() bool {
		body, err := get(client, "https://127.0.0.1:"+strconv.Itoa(port)+"/")
		return err == nil && body == "A"
	})
}

func TestUnloadableCertificateIsReported(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	tg := f.targetGroup("web", 8080)
	f.listener(8000, forward(map[string]int{tg.ARN: 1}))
	f.httpsListener(8443, "file:///nonexistent/site.pem", forward(map[string]int{tg.ARN: 1}))
	plane := newFakePlane()
	s := New(st, []DataPlane{plane}, quietLogger())
	mustSync(t, s)
	if got := plane.ports(); len(got) != 1 || got[0] != 8000 {
		t.Fatalf("applied ports = %v", got)
	}
	if code, reason := s.LoadBalancerState(f.lb.ARN); code != model.ALBStateImpaired || reason == "" {
		t.Fatalf("state = %s %q", code, reason)
	}
}

// The syncer hands data planes the certificate's PEM, not its file names;
// an unchanged file changes no configuration, and a renewed one reaches the
// planes at the next sync.
func TestRenewedCertificateReachesThePlanes(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	tg := f.targetGroup("web", 8080)
	dir := t.TempDir()
	certPath := writeCert(t, dir)
	f.httpsListener(8443, "file://"+certPath, forward(map[string]int{tg.ARN: 1}))
	plane := newFakePlane()
	s := New(st, []DataPlane{plane}, quietLogger())
	mustSync(t, s)
	pemOf := func() string {
		l := plane.lastConfig().Listeners
		if len(l) != 1 || len(l[0].Certificates) != 1 {
			t.Fatalf("listeners = %+v", l)
		}
		return string(l[0].Certificates[0].CertPEM)
	}
	first := pemOf()
	if onDisk, _ := os.ReadFile(certPath); first != string(onDisk) {
		t.Fatalf("the plane got %q, not the file", first)
	}
	applied := len(plane.applied)
	mustSync(t, s)
	if len(plane.applied) != applied {
		t.Fatalf("an unchanged certificate made a new configuration")
	}
	writeCert(t, dir)
	mustSync(t, s)
	if renewed := pemOf(); renewed == first || len(plane.applied) != applied+1 {
		t.Fatalf("the renewed certificate did not reach the plane")
	}
}

// Why a listener is not served is shown by DescribeLoadBalancers: it is the
// same whatever is wrong with the file, so it reveals nothing of the paths.
func TestUnloadableCertificateReasonRevealsNothing(t *testing.T) {
	var reasons []string
	dir := t.TempDir()
	for _, path := range []string{"/nonexistent/site.pem", dir, "/dev/zero"} {
		st := newState(t)
		f := newFixture(t, st)
		tg := f.targetGroup("web", 8080)
		f.httpsListener(8443, "file://"+path, forward(map[string]int{tg.ARN: 1}))
		s := New(st, []DataPlane{newFakePlane()}, quietLogger())
		mustSync(t, s)
		_, reason := s.LoadBalancerState(f.lb.ARN)
		reasons = append(reasons, strings.ReplaceAll(reason, path, "PATH"))
	}
	if reasons[0] != reasons[1] || reasons[0] != reasons[2] || reasons[0] == "" {
		t.Fatalf("reasons differ by what the path is: %q", reasons)
	}
}
