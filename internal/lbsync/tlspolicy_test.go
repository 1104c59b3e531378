package lbsync

import (
	"bufio"
	"crypto/tls"
	"strconv"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/testutil"
)

func TestCompileCarriesSecurityAndALPNPolicies(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	web := f.targetGroup("web", 8080)
	tcp := f.networkGroup("tcp", l4.ProtocolTCP, 9000, model.TargetGroupHealthCheck{}, nil)
	https := model.Listener{ARN: model.ListenerARN(f.lb.ARN, model.NewELBID()), LoadBalancerARN: f.lb.ARN, Port: 8443,
		Protocol: "HTTPS", DefaultActions: forward(map[string]int{web.ARN: 1}),
		Certificates: []model.ListenerCertificate{{ARN: "file:///c.pem", IsDefault: true}}, SSLPolicy: "ELBSecurityPolicy-FS-1-2-Res-2020-10"}
	f.update(func(tx state.Tx) error { return tx.PutListener(https) })
	nl := f.networkListener(9443, l4.ProtocolTLS, forward(map[string]int{tcp.ARN: 1}), "file:///c.pem")
	nl.SSLPolicy, nl.ALPNPolicy = "ELBSecurityPolicy-TLS13-1-3-2021-06", []string{"HTTP2Optional"}
	f.update(func(tx state.Tx) error { return tx.PutListener(nl) })

	var cfg lb.Config
	var ncfg l4.Config
	st.View(t.Context(), func(tx state.Tx) error {
		var err error
		if cfg, err = Compile(tx); err != nil {
			t.Fatal(err)
		}
		ncfg, err = CompileNetwork(tx)
		return err
	})
	got := cfg.Listeners[0].TLS
	want := []lb.CipherSuite{{ID: tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, Name: "ECDHE-ECDSA-AES128-GCM-SHA256"},
		{ID: tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, Name: "ECDHE-RSA-AES128-GCM-SHA256"},
		{ID: tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, Name: "ECDHE-ECDSA-AES256-GCM-SHA384"},
		{ID: tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, Name: "ECDHE-RSA-AES256-GCM-SHA384"}}
	if !got.Equal(lb.TLSPolicy{Name: https.SSLPolicy, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, CipherSuites: want}) {
		t.Errorf("HTTPS policy = %+v", got)
	}
	n := ncfg.Listeners[0]
	if n.TLS.MinVersion != tls.VersionTLS13 || n.TLS.MaxVersion != tls.VersionTLS13 || len(n.TLS.CipherSuites) != 0 ||
		n.TLS.Name != nl.SSLPolicy || len(n.ALPN) != 3 || n.ALPN[0] != "http/1.1" || n.ALPN[2] != "h2" {
		t.Errorf("TLS listener = %+v %q", n.TLS, n.ALPN)
	}
}

// The policies cross the link to the data plane process and are applied there.
func TestPoliciesAppliedBehindTheLink(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	ca := testutil.NewTestCA(t, t.TempDir())
	tg := f.echoGroup("tls", "behind-tls")
	port := freePort(t)
	l := f.networkListener(port, l4.ProtocolTLS, forward(map[string]int{tg.ARN: 1}), "file://"+ca.CertFile+"#"+ca.KeyFile)
	l.SSLPolicy, l.ALPNPolicy = "ELBSecurityPolicy-TLS13-1-3-2021-06", []string{"HTTP2Preferred"}
	f.update(func(tx state.Tx) error { return tx.PutListener(l) })
	_, webPort := backend(t, "A")
	web := f.targetGroup("web", webPort)
	f.register(web.ARN, model.TargetDescription{ID: "i-a"})
	httpsPort := freePort(t)
	hl := f.httpsListener(httpsPort, "file://"+ca.CertFile+"#"+ca.KeyFile, forward(map[string]int{web.ARN: 1}))
	hl.SSLPolicy = "ELBSecurityPolicy-TLS13-1-3-2021-06"
	f.update(func(tx state.Tx) error { return tx.PutListener(hl) })
	c := linkedPlanes(t, nil)
	s := New(st, []DataPlane{c}, quietLogger())
	mustSync(t, s)
	eventually(t, "the target healthy", func() bool {
		th := s.TargetHealth(tg.ARN)
		return len(th) == 1 && th[0].State == lb.StateHealthy
	})
	dial := func(port int, maxVersion uint16) (*tls.Conn, error) {
		conn, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), &tls.Config{RootCAs: ca.Pool, ServerName: "localhost",
			MaxVersion: maxVersion, NextProtos: []string{"http/1.1", "h2"}})
		if err != nil {
			return nil, err
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		if port == httpsPort {
			conn.Write([]byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"))
		}
		if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	}
	for _, p := range []int{port, httpsPort} {
		if conn, err := dial(p, tls.VersionTLS12); err == nil {
			conn.Close()
			t.Errorf("port %d: a TLS 1.2 client was served by a TLS 1.3-only listener", p)
		}
	}
	conn, err := dial(port, 0)
	if err != nil {
		t.Fatalf("TLS 1.3 client: %v", err)
	}
	defer conn.Close()
	if p := conn.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Fatalf("HTTP2Preferred negotiated %q", p)
	}
}
