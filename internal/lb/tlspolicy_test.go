package lb

import (
	"crypto/tls"
	"crypto/x509"
	"strconv"
	"testing"
)

// Policies as the control plane maps ELB's (model.SSLPolicy): ECDSA suites
// only, since the test certificates are ECDSA.
var (
	policyTLS13Only = TLSPolicy{Name: "ELBSecurityPolicy-TLS13-1-3-2021-06", MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS13}
	policyTLS12GCM  = TLSPolicy{Name: "ELBSecurityPolicy-FS-1-2-Res-2020-10", MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
		CipherSuites: []CipherSuite{{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256"}}}
)

func httpsListenerWith(t *testing.T, d *DataPlane, version uint64, port int, cert Certificate, p TLSPolicy, be *testBackend) {
	lst := Listener{ARN: "https", Port: port, Protocol: "HTTPS", Certificates: []Certificate{cert}, TLS: p, DefaultActions: forward("tg")}
	apply(t, d, Config{Version: version, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
}

func handshake(addr string, pool *x509.CertPool, maxVersion uint16, suites ...uint16) (*tls.Conn, error) {
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "site.test", MaxVersion: maxVersion, CipherSuites: suites})
	if err == nil {
		// TLS 1.3 reports a refusal of the client only at the first read.
		c.Write([]byte("GET / HTTP/1.1\r\nHost: site.test\r\n\r\n"))
		_, err = c.Read(make([]byte, 1))
	}
	return c, err
}

func TestHTTPSListenerAppliesItsSecurityPolicy(t *testing.T) {
	be := startBackend(t, "a", nil)
	pool := x509.NewCertPool()
	cert := newCert(t, "site.test", pool)
	d := newDP(t, Options{})
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)

	httpsListenerWith(t, d, 1, port, cert, policyTLS13Only, be)
	if c, err := handshake(addr, pool, tls.VersionTLS12); err == nil {
		c.Close()
		t.Fatal("a TLS 1.2 client was served by a TLS 1.3-only listener")
	}
	c, err := handshake(addr, pool, tls.VersionTLS13)
	if err != nil {
		t.Fatalf("TLS 1.3 client: %v", err)
	}
	c.Close()

	// The policy changes without a new socket or certificate.
	httpsListenerWith(t, d, 2, port, cert, policyTLS12GCM, be)
	c, err = handshake(addr, pool, tls.VersionTLS12)
	if err != nil {
		t.Fatalf("TLS 1.2 client on a TLS 1.2 policy: %v", err)
	}
	if v := c.ConnectionState().Version; v != tls.VersionTLS12 {
		t.Fatalf("negotiated %s", tls.VersionName(v))
	}
	c.Close()
	if c, err := handshake(addr, pool, tls.VersionTLS13); err == nil && c.ConnectionState().Version == tls.VersionTLS13 {
		t.Fatal("TLS 1.3 negotiated with a TLS 1.2-only policy")
	}
	if c, err := handshake(addr, pool, tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA); err == nil {
		c.Close()
		t.Fatal("a cipher suite outside the policy was negotiated")
	}
}

func TestInvalidTLSPolicyIsRefused(t *testing.T) {
	pool := x509.NewCertPool()
	cert := newCert(t, "site.test", pool)
	be := startBackend(t, "a", nil)
	d := newDP(t, Options{})
	for name, p := range map[string]TLSPolicy{
		"version":  {Name: "x", MinVersion: 0x0200},
		"order":    {Name: "x", MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS12},
		"suite":    {Name: "x", CipherSuites: []CipherSuite{{0xffff, "NOPE"}}},
		"tls13 id": {Name: "x", CipherSuites: []CipherSuite{{tls.TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256"}}},
		"name":     {Name: "x", CipherSuites: []CipherSuite{{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "A\r\nB"}}},
	} {
		lst := Listener{ARN: "https", Port: freePort(t), Protocol: "HTTPS", Certificates: []Certificate{cert}, TLS: p, DefaultActions: forward("tg")}
		err := d.Apply(t.Context(), Config{Version: 1, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
