package l4

import (
	"bufio"
	"crypto/tls"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// tlsDial completes a handshake with the listener on port and reads the
// target's name, so that a refusal TLS 1.3 reports late is seen.
func tlsDial(port int, ca testutil.TestCA, maxVersion uint16, protos ...string) (*tls.Conn, error) {
	c, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port),
		&tls.Config{RootCAs: ca.Pool, ServerName: "localhost", MaxVersion: maxVersion, NextProtos: protos})
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func tlsListenerConfig(version uint64, port int, cert lb.Certificate, p lb.TLSPolicy, alpn []string, e *echoServer) Config {
	l := listener(port, ProtocolTLS, "tg")
	l.Certificates, l.TLS, l.ALPN = []lb.Certificate{cert}, p, alpn
	return Config{Version: version, Listeners: []Listener{l}, TargetGroups: []TargetGroup{tcpGroup("tg", e)}}
}

func TestTLSListenerAppliesItsSecurityPolicy(t *testing.T) {
	d := newDP(t, Options{})
	e := startEcho(t, "plain", false)
	cert, ca := testCertificate(t)
	port := freePort(t)
	tls13 := lb.TLSPolicy{Name: "ELBSecurityPolicy-TLS13-1-3-2021-06", MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS13}
	apply(t, d, tlsListenerConfig(1, port, cert, tls13, nil, e))
	waitHealthy(t, d, "tg", 1)
	if c, err := tlsDial(port, ca, tls.VersionTLS12); err == nil {
		c.Close()
		t.Fatal("a TLS 1.2 client was served by a TLS 1.3-only listener")
	}
	c, err := tlsDial(port, ca, 0)
	if err != nil {
		t.Fatalf("TLS 1.3 client: %v", err)
	}
	c.Close()

	tls12 := lb.TLSPolicy{Name: "ELBSecurityPolicy-TLS-1-2-2017-01", MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12}
	for _, s := range []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256} {
		tls12.CipherSuites = append(tls12.CipherSuites, lb.CipherSuite{ID: s, Name: tls.CipherSuiteName(s)})
	}
	apply(t, d, tlsListenerConfig(2, port, cert, tls12, nil, e))
	c, err = tlsDial(port, ca, tls.VersionTLS12)
	if err != nil {
		t.Fatalf("TLS 1.2 client on a TLS 1.2 policy: %v", err)
	}
	c.Close()
	cbc, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), &tls.Config{RootCAs: ca.Pool, ServerName: "localhost",
		MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}})
	if err == nil {
		cbc.Close()
		t.Fatal("a cipher suite outside the policy was negotiated")
	}
}

// ELB's ALPN policies, as lbsync maps them (model.ALPNProtocols).
func TestTLSListenerNegotiatesItsALPNPolicy(t *testing.T) {
	d := newDP(t, Options{})
	e := startEcho(t, "plain", false)
	cert, ca := testCertificate(t)
	port := freePort(t)
	policies := map[string][]string{
		"HTTP1Only": {"http/1.1", "http/1.0"}, "HTTP2Only": {"h2"}, "HTTP2Optional": {"http/1.1", "http/1.0", "h2"},
		"HTTP2Preferred": {"h2", "http/1.1", "http/1.0"}, "None": nil,
	}
	const refused = "refused"
	for i, tc := range []struct {
		policy string
		offer  []string
		want   string
	}{
		{"HTTP2Preferred", []string{"http/1.1", "h2"}, "h2"},
		{"HTTP2Optional", []string{"h2", "http/1.1"}, "http/1.1"},
		{"HTTP2Optional", []string{"h2"}, "h2"},
		{"HTTP2Only", []string{"h2", "http/1.1"}, "h2"},
		{"HTTP2Only", []string{"http/1.1"}, refused},
		{"HTTP2Only", nil, ""}, // a client without ALPN negotiates none
		{"HTTP1Only", []string{"h2", "http/1.0"}, "http/1.0"},
		{"HTTP1Only", []string{"h2"}, refused},
		{"None", []string{"h2", "http/1.1"}, ""},
	} {
		apply(t, d, tlsListenerConfig(uint64(i+1), port, cert, lb.TLSPolicy{}, policies[tc.policy], e))
		waitHealthy(t, d, "tg", 1)
		c, err := tlsDial(port, ca, 0, tc.offer...)
		got := refused
		if err == nil {
			got = c.ConnectionState().NegotiatedProtocol
			c.Close()
		}
		if got != tc.want {
			t.Errorf("%s offered %q: negotiated %q, want %q (%v)", tc.policy, tc.offer, got, tc.want, err)
		}
	}
}

// A TLS target group is offered the protocol the client negotiated.
func TestTLSTargetIsOfferedTheNegotiatedProtocol(t *testing.T) {
	d := newDP(t, Options{})
	cert, ca := testCertificate(t)
	kp, err := tls.X509KeyPair(cert.CertPEM, cert.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	targetTLS := &tls.Config{Certificates: []tls.Certificate{kp}, NextProtos: []string{"h2", "http/1.1"}}
	targetPort := testutil.ServeTCP(t, func(c *net.TCPConn) {
		tc := tls.Server(c, targetTLS)
		defer tc.Close()
		if tc.Handshake() == nil {
			tc.Write([]byte("[" + tc.ConnectionState().NegotiatedProtocol + "]\n"))
		}
	})
	port := freePort(t)
	l := listener(port, ProtocolTLS, "tls")
	l.Certificates, l.ALPN = []lb.Certificate{cert}, []string{"http/1.1", "http/1.0", "h2"}
	tg := TargetGroup{ARN: "tls", Protocol: ProtocolTLS, HealthCheck: HealthCheck{Enabled: true, Interval: time.Second},
		Targets: []lb.Target{{ID: "127.0.0.1", Host: "127.0.0.1", Port: targetPort}}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{l}, TargetGroups: []TargetGroup{tg}})
	waitHealthy(t, d, "tls", 1)
	for offer, want := range map[string]string{"h2": "[h2]", "http/1.1": "[http/1.1]", "": "[]"} {
		var protos []string
		if offer != "" {
			protos = []string{offer}
		}
		c, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), &tls.Config{RootCAs: ca.Pool, ServerName: "localhost", NextProtos: protos})
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if err != nil || line != want+"\n" {
			t.Errorf("client offered %q: the target negotiated %q, %v", offer, line, err)
		}
	}
}
