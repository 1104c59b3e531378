package lbsync

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

func attrs(kv ...string) []model.TargetGroupAttribute {
	var out []model.TargetGroupAttribute
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, model.TargetGroupAttribute{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

// The application load balancer's attributes and its HTTP listeners' reach
// lb.Config as the data plane's per-load-balancer and per-listener settings.
func TestCompileCarriesLoadBalancerAndListenerAttributes(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	if err := f.lb.SetAttributes(attrs("idle_timeout.timeout_seconds", "7", "client_keep_alive.seconds", "120",
		"routing.http2.enabled", "false", "routing.http.drop_invalid_header_fields.enabled", "true",
		"routing.http.preserve_host_header.enabled", "true", "routing.http.xff_header_processing.mode", "remove",
		"routing.http.xff_client_port.enabled", "true", "routing.http.x_amzn_tls_version_and_cipher_suite.enabled", "true")); err != nil {
		t.Fatal(err)
	}
	f.update(func(tx state.Tx) error { return tx.PutLoadBalancer(f.lb) })
	web := f.targetGroup("web", 8080)
	l := f.httpsListener(8443, "file:///c.pem", forward(map[string]int{web.ARN: 1}))
	l.Attributes = nil
	if err := l.SetAttributes(attrs("routing.http.response.server.enabled", "false",
		"routing.http.response.strict_transport_security.header_value", "max-age=60",
		"routing.http.response.x_frame_options.header_value", "DENY",
		"routing.http.request.x_amzn_tls_version.header_name", "Tls-Version")); err != nil {
		t.Fatal(err)
	}
	f.update(func(tx state.Tx) error { return tx.PutListener(l) })
	var cfg lb.Config
	st.View(t.Context(), func(tx state.Tx) error {
		var err error
		cfg, err = Compile(tx)
		return err
	})
	want := lb.LoadBalancer{ARN: f.lb.ARN, IdleTimeout: 7 * time.Second, ClientKeepAlive: 120 * time.Second, HTTP2Disabled: true,
		DropInvalidHeaderFields: true, PreserveHostHeader: true, XFFMode: lb.XFFRemove, XFFClientPort: true, TLSHeaders: true}
	if len(cfg.LoadBalancers) != 1 || cfg.LoadBalancers[0] != want {
		t.Errorf("load balancers = %+v", cfg.LoadBalancers)
	}
	cl := cfg.Listeners[0]
	if cl.LoadBalancerARN != f.lb.ARN || !cl.NoServerHeader || cl.TLSVersionHeader != "Tls-Version" ||
		cl.TLSCipherSuiteHeader != lb.DefaultTLSCipherSuiteHeader || len(cl.ResponseHeaders) != 2 ||
		cl.ResponseHeaders[0] != (lb.HeaderField{Name: "Strict-Transport-Security", Value: "max-age=60"}) ||
		cl.ResponseHeaders[1] != (lb.HeaderField{Name: "X-Frame-Options", Value: "DENY"}) {
		t.Errorf("listener = %+v", cl)
	}
}

// Defaults reach a real data plane as ELB's behaviour: the listener's port is
// added to Host; a response header attribute is applied.
func TestAttributesThroughRealDataPlane(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	var host atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { host.Store(r.Host); w.Write([]byte("A")) }))
	t.Cleanup(srv.Close)
	tg := f.targetGroup("web", srv.Listener.Addr().(*net.TCPAddr).Port)
	f.register(tg.ARN, model.TargetDescription{ID: "i-a"})
	port := freePort(t)
	l := f.listener(port, forward(map[string]int{tg.ARN: 1}))
	if err := l.SetAttributes(attrs("routing.http.response.x_content_type_options.header_value", "nosniff")); err != nil {
		t.Fatal(err)
	}
	f.update(func(tx state.Tx) error { return tx.PutListener(l) })
	dp := lb.New(lb.Options{Host: "127.0.0.1", Logger: quietLogger()})
	t.Cleanup(func() { dp.Close() })
	s := New(st, []DataPlane{dp}, quietLogger())
	mustSync(t, s)
	req, _ := http.NewRequest("GET", "http://127.0.0.1:"+strconv.Itoa(port)+"/", nil)
	req.Host = "app.example"
	var resp *http.Response
	eventually(t, "an answer", func() bool {
		r, err := http.DefaultClient.Do(req)
		if err == nil {
			r.Body.Close()
			resp = r
		}
		return err == nil && r.StatusCode == 200
	})
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || host.Load() != "app.example:"+strconv.Itoa(port) {
		t.Fatalf("X-Content-Type-Options %q, the target saw Host %q", resp.Header.Get("X-Content-Type-Options"), host.Load())
	}
}

// No listener attribute the API accepts makes the data plane refuse a
// configuration: every reserved header name (the list lb refuses too) is
// refused as a TLS header name.
func TestReservedHeaderNamesAreRefusedByTheAPI(t *testing.T) {
	l := model.Listener{Protocol: model.ProtocolHTTPS}
	for _, name := range model.ReservedHeaderNames() {
		if err := l.SetAttributes(attrs("routing.http.request.x_amzn_tls_version.header_name", name)); err == nil {
			t.Errorf("%q accepted as a TLS header name", name)
		}
	}
	if err := l.SetAttributes(attrs("routing.http.request.x_amzn_tls_version.header_name", "X-Tls")); err != nil {
		t.Fatal(err)
	}
}
