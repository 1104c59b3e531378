package l4

import (
	"bufio"
	"crypto/tls"
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/testutil"
)

func testCertificate(t *testing.T) (lb.Certificate, testutil.TestCA) {
	ca := testutil.NewTestCA(t, t.TempDir())
	cert, err := os.ReadFile(ca.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(ca.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	return lb.Certificate{Name: "file://" + ca.CertFile, CertPEM: cert, KeyPEM: key}, ca
}

func TestTLSListenerTerminatesAndRelaysPlainTCP(t *testing.T) {
	d := newDP(t, Options{})
	e := startEcho(t, "plain", true)
	cert, ca := testCertificate(t)
	port := freePort(t)
	l := listener(port, ProtocolTLS, "tg")
	l.Certificates = []lb.Certificate{cert}
	tg := tcpGroup("tg", e)
	tg.ProxyProtocolV2 = true
	apply(t, d, Config{Version: 1, Listeners: []Listener{l}, TargetGroups: []TargetGroup{tg}})
	waitHealthy(t, d, "tg", 1)

	c, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), &tls.Config{RootCAs: ca.Pool, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("TLS handshake with the listener's certificate: %v", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	if name, err := br.ReadString('\n'); err != nil || name != "plain\n" {
		t.Fatalf("name %q, %v", name, err)
	}
	if h := <-e.headers; h.Source.String() != c.LocalAddr().String() {
		t.Fatalf("PROXY header source %s, want %s", h.Source, c.LocalAddr())
	}
	if err := roundTrip(c, br, "over TLS"); err != nil {
		t.Fatal(err)
	}
	if v := c.ConnectionState().Version; v < tls.VersionTLS12 {
		t.Fatalf("TLS version %x", v)
	}
}

func TestTLSListenerRefusesABadCertificate(t *testing.T) {
	d := newDP(t, Options{})
	l := listener(freePort(t), ProtocolTLS, "tg")
	l.Certificates = []lb.Certificate{{Name: "bad", CertPEM: []byte("x"), KeyPEM: []byte("y")}}
	err := d.Apply(t.Context(), Config{Version: 1, Listeners: []Listener{l}, TargetGroups: []TargetGroup{tcpGroup("tg")}})
	if !errors.Is(err, ErrCertificate) {
		t.Fatalf("Apply: %v, want ErrCertificate", err)
	}
	if d.AppliedVersion() != 0 || d.ListenerAddr(l.Port) != nil {
		t.Fatal("a refused config changed something")
	}
}

func TestTLSTargetGroupIsReachedOverTLS(t *testing.T) {
	d := newDP(t, Options{})
	cert, _ := testCertificate(t)
	// The target is itself one of our TLS listeners in front of an echo server.
	e := startEcho(t, "behind-tls", false)
	inner, outer := freePort(t), freePort(t)
	innerL := listener(inner, ProtocolTLS, "plain")
	innerL.Certificates = []lb.Certificate{cert}
	tlsGroup := TargetGroup{ARN: "tls", Protocol: ProtocolTLS, HealthCheck: HealthCheck{Enabled: true, Interval: time.Second},
		Targets: []lb.Target{{ID: "127.0.0.1", Host: "127.0.0.1", Port: inner}}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{innerL, listener(outer, ProtocolTCP, "tls")},
		TargetGroups: []TargetGroup{tcpGroup("plain", e), tlsGroup}})
	waitHealthy(t, d, "plain", 1)
	waitHealthy(t, d, "tls", 1)
	c, br, name := dialEcho(t, outer)
	defer c.Close()
	if name != "behind-tls" {
		t.Fatalf("name %q", name)
	}
	if err := roundTrip(c, br, "re-encrypted"); err != nil {
		t.Fatal(err)
	}
}
