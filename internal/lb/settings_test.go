package lb

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// recorder is a backend that keeps the last request's Host and headers.
type recorder struct {
	mu   sync.Mutex
	host string
	hdr  http.Header
}

func (r *recorder) handler(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.host, r.hdr = req.Host, req.Header.Clone()
	r.mu.Unlock()
	w.Header().Set("X-Frame-Options", "ALLOWALL")
	w.Write([]byte("ok"))
}

// startRecorder starts a recording backend and a data plane, and picks a port.
func startRecorder(t *testing.T) (*recorder, *testBackend, *DataPlane, int) {
	rec := &recorder{}
	be := startBackend(t, "a", rec.handler)
	return rec, be, newDP(t, Options{}), freePort(t)
}

func (r *recorder) last() (string, http.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.host, r.hdr
}

// settingsConfig is one HTTP listener on port in front of be, with lb's settings.
func settingsConfig(version uint64, port int, b LoadBalancer, be *testBackend, edit ...func(*Listener)) Config {
	b.ARN = "alb"
	l := httpListener(port, forward("tg"))
	l.LoadBalancerARN = b.ARN
	for _, e := range edit {
		e(&l)
	}
	return Config{Version: version, Listeners: []Listener{l}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}, LoadBalancers: []LoadBalancer{b}}
}

func TestHostHeaderRewriteAndPreservation(t *testing.T) {
	rec, be, d, port := startRecorder(t)
	p := strconv.Itoa(port)
	c := client()
	for i, tc := range []struct {
		preserve   bool
		host, want string
	}{
		{false, "example.com", "example.com:" + p},
		{false, "example.com:8080", "example.com:8080"},
		{false, "[::1]", "[::1]:" + p},
		{true, "example.com", "example.com"},
		{true, "example.com:8080", "example.com:8080"},
	} {
		apply(t, d, settingsConfig(uint64(i+1), port, LoadBalancer{PreserveHostHeader: tc.preserve}, be))
		get(t, c, lbURL(port, "/"), "Host", tc.host)
		if got, _ := rec.last(); got != tc.want {
			t.Errorf("preserve=%v Host %q: the target saw %q, want %q", tc.preserve, tc.host, got, tc.want)
		}
	}
	// Listener ports 80 and 443 drop the port (no test binds them).
	for _, port := range []int{80, 443} {
		var wr writer
		wr.buf = make([]byte, 64)
		(&listenerSettings{}).writeHost(&wr, []byte("example.com:8080"), port)
		if got := string(wr.buf[:wr.n]); got != "example.com" {
			t.Errorf("port %d: %q", port, got)
		}
	}
}

func TestXForwardedForModesAndClientPort(t *testing.T) {
	rec, be, d, port := startRecorder(t)
	for i, tc := range []struct {
		b    LoadBalancer
		want func(string) bool
	}{
		{LoadBalancer{}, func(v string) bool { return v == "10.0.0.1, 127.0.0.1" }},
		{LoadBalancer{XFFMode: XFFAppend, XFFClientPort: true}, func(v string) bool {
			host, port, err := net.SplitHostPort(strings.TrimPrefix(v, "10.0.0.1, "))
			return strings.HasPrefix(v, "10.0.0.1, ") && err == nil && host == "127.0.0.1" && port != ""
		}},
		{LoadBalancer{XFFMode: XFFPreserve}, func(v string) bool { return v == "10.0.0.1" }},
		{LoadBalancer{XFFMode: XFFRemove}, func(v string) bool { return v == "" }},
	} {
		apply(t, d, settingsConfig(uint64(i+1), port, tc.b, be))
		get(t, client(), lbURL(port, "/"), "X-Forwarded-For", "10.0.0.1")
		if _, h := rec.last(); !tc.want(strings.Join(h.Values("X-Forwarded-For"), "|")) {
			t.Errorf("%+v: X-Forwarded-For %q", tc.b, h.Values("X-Forwarded-For"))
		}
	}
	// preserve adds none where the client sent none
	apply(t, d, settingsConfig(9, port, LoadBalancer{XFFMode: XFFPreserve}, be))
	get(t, client(), lbURL(port, "/"))
	if _, h := rec.last(); len(h.Values("X-Forwarded-For")) != 0 {
		t.Errorf("preserve added %q", h.Values("X-Forwarded-For"))
	}
}

func TestDropInvalidHeaderFields(t *testing.T) {
	rec, be, d, port := startRecorder(t)
	for i, drop := range []bool{false, true} {
		apply(t, d, settingsConfig(uint64(i+1), port, LoadBalancer{DropInvalidHeaderFields: drop}, be))
		out := rawRoundTrip(t, port, "GET / HTTP/1.1\r\nHost: a\r\nX_Under: 1\r\nX-Fine.Dot: 2\r\nX-Ok: 3\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(out, "HTTP/1.1 200") {
			t.Fatalf("drop=%v: %q", drop, out)
		}
		_, h := rec.last()
		if h.Get("X-Ok") != "3" || (h.Get("X_Under") == "") != drop || (h.Get("X-Fine.Dot") == "") != drop {
			t.Errorf("drop=%v: the target saw %v", drop, h)
		}
	}
}

func TestIdleTimeoutOfTheLoadBalancer(t *testing.T) {
	be := startBackend(t, "a", nil)
	be.delay.Store(int64(1500 * time.Millisecond))
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, settingsConfig(1, port, LoadBalancer{IdleTimeout: time.Second}, be))
	start := time.Now()
	resp, _ := get(t, client(), lbURL(port, "/"))
	if resp.StatusCode != 504 || time.Since(start) > 5*time.Second {
		t.Fatalf("a target silent beyond the idle timeout: %d after %v", resp.StatusCode, time.Since(start))
	}
	// An idle client connection is closed after it.
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("idle connection not closed by the load balancer: %v", err)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func TestClientKeepAliveClosesAnOldConnection(t *testing.T) {
	be := startBackend(t, "a", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, settingsConfig(1, port, LoadBalancer{ClientKeepAlive: 300 * time.Millisecond}, be))
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	n := 0
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		conn.Write([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Close && n == 0 {
			t.Fatal("the first response already closed the connection")
		}
		n++
		return resp.Close, "no response closed the connection after the keep-alive duration" // closed: the duration has passed
	})
	if b, err := br.ReadByte(); err == nil {
		rest, _ := br.Peek(br.Buffered())
		t.Fatalf("the connection stayed open after Connection: close: %q%q", b, rest)
	}
}

func TestResponseHeadersAndServerHeader(t *testing.T) {
	_, be, d, port := startRecorder(t)
	headers := []HeaderField{{"Strict-Transport-Security", "max-age=31536000; includeSubDomains"}, {"X-Frame-Options", "DENY"}}
	fixed := Rule{ARN: "r", Priority: 1, Conditions: []Condition{{Field: "path-pattern", Values: []string{"/fixed"}}},
		Actions: []Action{{Type: "fixed-response", FixedResponse: &FixedResponse{StatusCode: "200", MessageBody: "f"}}}}
	apply(t, d, settingsConfig(1, port, LoadBalancer{}, be, func(l *Listener) {
		l.ResponseHeaders, l.NoServerHeader, l.Rules = headers, true, []Rule{fixed}
	}))
	for _, path := range []string{"/", "/fixed"} {
		resp, _ := get(t, client(), lbURL(port, path))
		if resp.Header.Get("Strict-Transport-Security") != headers[0].Value || len(resp.Header.Values("X-Frame-Options")) != 1 ||
			resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, resp.Header)
		}
		if path == "/fixed" && resp.Header.Get("Server") != "" {
			t.Errorf("Server %q with routing.http.response.server.enabled false", resp.Header.Get("Server"))
		}
	}
	apply(t, d, settingsConfig(2, port, LoadBalancer{}, be, func(l *Listener) { l.Rules = []Rule{fixed} }))
	if resp, _ := get(t, client(), lbURL(port, "/fixed")); resp.Header.Get("Server") != "awselb/2.0" || resp.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("defaults: %v", resp.Header)
	}
}

func TestUnsafeSettingsAreRefused(t *testing.T) {
	be := startBackend(t, "a", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	for name, edit := range map[string]func(*Config){
		"CR LF in a value": func(c *Config) {
			c.Listeners[0].ResponseHeaders = []HeaderField{{"X-Frame-Options", "DENY\r\nSet-Cookie: a=b"}}
		},
		"control byte":      func(c *Config) { c.Listeners[0].ResponseHeaders = []HeaderField{{"X-A", "a\x00"}} },
		"name":              func(c *Config) { c.Listeners[0].ResponseHeaders = []HeaderField{{"X A", "a"}} },
		"framing name":      func(c *Config) { c.Listeners[0].ResponseHeaders = []HeaderField{{"Content-Length", "1"}} },
		"TLS header name":   func(c *Config) { c.Listeners[0].TLSVersionHeader = "X:Y" },
		"OIDC header name":  func(c *Config) { c.Listeners[0].TLSCipherSuiteHeader = "X-Amzn-Oidc-Identity" },
		"unknown LB":        func(c *Config) { c.Listeners[0].LoadBalancerARN = "nope" },
		"XFF mode":          func(c *Config) { c.LoadBalancers[0].XFFMode = "rewrite" },
		"negative duration": func(c *Config) { c.LoadBalancers[0].IdleTimeout = -1 },
	} {
		cfg := settingsConfig(1, port, LoadBalancer{}, be)
		edit(&cfg)
		if err := d.Apply(t.Context(), cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestTLSHeadersAndHTTP2Switch(t *testing.T) {
	rec := &recorder{}
	be := startBackend(t, "a", rec.handler)
	pool := x509.NewCertPool()
	cert := newCert(t, "site.test", pool)
	d := newDP(t, Options{})
	port := freePort(t)
	addr := "https://127.0.0.1:" + strconv.Itoa(port) + "/"
	cfg := func(v uint64, b LoadBalancer, edit func(*Listener)) Config {
		c := settingsConfig(v, port, b, be, func(l *Listener) {
			l.Protocol, l.Certificates, l.TLS = "HTTPS", []Certificate{cert}, policyTLS12GCM
			if edit != nil {
				edit(l)
			}
		})
		return c
	}
	h1 := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "site.test"}}}
	h2 := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{ForceAttemptHTTP2: true,
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "site.test"}}}
	apply(t, d, cfg(1, LoadBalancer{TLSHeaders: true}, nil))
	for name, c := range map[string]*http.Client{"HTTP/1.1": h1, "HTTP/2": h2} {
		req, _ := http.NewRequest("GET", addr, nil)
		req.Header.Set("X-Amzn-Tls-Version", "forged")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		_, h := rec.last()
		if h.Get("X-Amzn-Tls-Version") != "TLSv1.2" || len(h.Values("X-Amzn-Tls-Version")) != 1 ||
			h.Get("X-Amzn-Tls-Cipher-Suite") != "ECDHE-ECDSA-AES128-GCM-SHA256" {
			t.Errorf("%s (%s): TLS headers %q %q", name, resp.Proto, h.Values("X-Amzn-Tls-Version"), h.Get("X-Amzn-Tls-Cipher-Suite"))
		}
	}
	apply(t, d, cfg(2, LoadBalancer{TLSHeaders: true}, func(l *Listener) { l.TLSVersionHeader, l.TLSCipherSuiteHeader = "Tls-V", "Tls-C" }))
	h1.Transport.(*http.Transport).CloseIdleConnections()
	get(t, h1, addr)
	if _, h := rec.last(); h.Get("Tls-V") != "TLSv1.2" || h.Get("Tls-C") == "" || h.Get("X-Amzn-Tls-Version") != "" {
		t.Errorf("renamed TLS headers: %v", h)
	}
	apply(t, d, cfg(3, LoadBalancer{}, nil))
	h1.Transport.(*http.Transport).CloseIdleConnections()
	get(t, h1, addr)
	if _, h := rec.last(); h.Get("X-Amzn-Tls-Version") != "" {
		t.Errorf("TLS headers without the attribute: %v", h)
	}

	// routing.http2.enabled=false: h2 is not offered.
	for i, off := range []bool{false, true} {
		apply(t, d, cfg(uint64(4+i), LoadBalancer{HTTP2Disabled: off}, nil))
		c, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), &tls.Config{RootCAs: pool, ServerName: "site.test", NextProtos: []string{"h2", "http/1.1"}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[bool]string{false: "h2", true: "http/1.1"}[off]
		if got := c.ConnectionState().NegotiatedProtocol; got != want {
			t.Errorf("HTTP2Disabled=%v: negotiated %q", off, got)
		}
		c.Close()
	}
}

func TestClientKeepAliveOverHTTP2(t *testing.T) {
	be := startBackend(t, "a", nil)
	pool := x509.NewCertPool()
	cert := newCert(t, "site.test", pool)
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, settingsConfig(1, port, LoadBalancer{ClientKeepAlive: 300 * time.Millisecond}, be, func(l *Listener) {
		l.Protocol, l.Certificates = "HTTPS", []Certificate{cert}
	}))
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{ForceAttemptHTTP2: true,
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "site.test"}}}
	var reused bool
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }}
	n := 0
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		req, _ := http.NewRequest("GET", "https://127.0.0.1:"+strconv.Itoa(port)+"/", nil)
		resp, err := c.Do(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.ProtoMajor != 2 {
			t.Fatalf("proto %s", resp.Proto)
		}
		n++
		// GOAWAY after the keep-alive duration: the client had to connect again.
		return n > 1 && !reused, "the HTTP/2 connection outlived the keep-alive duration"
	})
}
