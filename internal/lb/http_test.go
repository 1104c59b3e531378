package lb

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFixedResponseAndRedirect(t *testing.T) {
	d := newDP(t, Options{})
	port := freePort(t)
	rules := []Rule{
		{ARN: "fixed", Priority: 1, Conditions: []Condition{{Field: "path-pattern", Values: []string{"/teapot"}}},
			Actions: []Action{{Type: "fixed-response", FixedResponse: &FixedResponse{StatusCode: "418", ContentType: "application/json", MessageBody: `{"short":"stout"}`}}}},
		{ARN: "https", Priority: 2, Conditions: []Condition{{Field: "path-pattern", Values: []string{"/old/*"}}},
			Actions: []Action{{Type: "redirect", Redirect: &Redirect{Protocol: "HTTPS", Port: "443", Path: "/new/#{path}", StatusCode: "HTTP_301"}}}},
		{ARN: "port", Priority: 3, Conditions: []Condition{{Field: "path-pattern", Values: []string{"/moved"}}},
			Actions: []Action{{Type: "redirect", Redirect: &Redirect{Host: "other.#{host}", Port: "8443", Query: "from=#{path}&#{query}", StatusCode: "HTTP_302"}}}},
	}
	def := []Action{{Type: "fixed-response", FixedResponse: &FixedResponse{StatusCode: "404", MessageBody: "nothing here"}}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, def, rules...)}})
	c := client()
	resp, body := get(t, c, lbURL(port, "/teapot"))
	if resp.StatusCode != 418 || body != `{"short":"stout"}` || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("fixed: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	resp, _ = get(t, c, lbURL(port, "/old/a/b?x=1"), "Host", "shop.example.com")
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "https://shop.example.com/new/old/a/b?x=1" {
		t.Errorf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = get(t, c, lbURL(port, "/moved?y=2"), "Host", "shop.example.com")
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "http://other.shop.example.com:8443/moved?from=moved&y=2" {
		t.Errorf("redirect 2: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = get(t, c, lbURL(port, "/else"))
	if resp.StatusCode != 404 || body != "nothing here" {
		t.Errorf("default: %d %q", resp.StatusCode, body)
	}
}

// rawExchange sends raw bytes and returns everything the server sends until it closes.
func rawRoundTrip(t *testing.T, port int, raw string) string {
	t.Helper()
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	conn.Write([]byte(raw))
	out, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("connection was not closed: %v (got %q)", err, out)
	}
	return string(out)
}

func TestMalformedRequestsGet400AndNeverReachTarget(t *testing.T) {
	be := startBackend(t, "a", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
	bad := map[string]string{
		"garbage":          "GARBAGE\r\n\r\n",
		"no host":          "GET / HTTP/1.1\r\n\r\n",
		"bad version":      "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
		"bad length":       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n",
		"two lengths":      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
		"cl and te":        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"bad te":           "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
		"folded header":    "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n",
		"space in name":    "GET / HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n",
		"control in value": "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n",
		"space in uri":     "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
		"bad chunk":        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	}
	for name, raw := range bad {
		out := rawRoundTrip(t, port, raw)
		if !strings.HasPrefix(out, "HTTP/1.1 400 Bad Request\r\n") || !strings.Contains(out, "<center><h1>400 Bad Request</h1></center>") {
			t.Errorf("%s: got %q", name, out)
		}
	}
	if n := be.hits.Load(); n != 0 {
		t.Fatalf("malformed requests reached the target %d times", n)
	}
	if d.Stats().BadRequests < uint64(len(bad))-1 {
		t.Errorf("bad requests counted: %d", d.Stats().BadRequests)
	}
}

func TestOversizedHeaders(t *testing.T) {
	be := startBackend(t, "a", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
	big := strings.Repeat("a", 20<<10)
	out := rawRoundTrip(t, port, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: "+big+"\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 400 ") {
		t.Fatalf("oversized head: %.60q", out)
	}
	if be.hits.Load() != 0 {
		t.Fatal("oversized request reached the target")
	}
	resp, _ := get(t, client(), lbURL(port, "/"), "X-Big", strings.Repeat("b", 12<<10))
	if resp.StatusCode != 200 {
		t.Fatalf("12 KiB header: %d", resp.StatusCode)
	}
}

func TestChunkedAndLargeBodies(t *testing.T) {
	be := startBackend(t, "a", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stream" { // chunked response: flushed in pieces
			for i := 0; i < 5; i++ {
				io.WriteString(w, "part"+strconv.Itoa(i)+";")
				w.(http.Flusher).Flush()
			}
			return
		}
		w.Header().Set("X-Request-TE", strings.Join(r.TransferEncoding, ","))
		body, _ := io.ReadAll(r.Body) // net/http is not full-duplex: read all, then echo
		w.Write(body)
	})
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
	c := client()
	resp, body := get(t, c, lbURL(port, "/stream"))
	if body != "part0;part1;part2;part3;part4;" || len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("chunked response: %q %v", body, resp.TransferEncoding)
	}
	payload := make([]byte, 3<<20)
	rand.Read(payload)
	// Unknown length: the Go client sends it chunked.
	pr, pw := io.Pipe()
	go func() { pw.Write(payload); pw.Close() }()
	resp, err := c.Post(lbURL(port, "/echo"), "application/octet-stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, payload) || resp.Header.Get("X-Request-TE") != "chunked" {
		t.Fatalf("chunked request echo: %d bytes, TE %q", len(got), resp.Header.Get("X-Request-TE"))
	}
	resp, err = c.Post(lbURL(port, "/echo"), "application/octet-stream", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, payload) {
		t.Fatalf("content-length echo: %d bytes", len(got))
	}
	// An HTTP/1.0 client gets the chunked response de-chunked, delimited by close.
	out := rawRoundTrip(t, port, "GET /stream HTTP/1.0\r\nHost: x\r\n\r\n")
	if !strings.HasSuffix(out, "\r\n\r\npart0;part1;part2;part3;part4;") || strings.Contains(strings.ToLower(out), "transfer-encoding") {
		t.Fatalf("HTTP/1.0 response: %q", out)
	}
}

func TestExpectContinueAndHead(t *testing.T) {
	be := startBackend(t, "a", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
		w.Write(append(b, '!'))
	})
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
	c := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 5 * time.Second}}
	req, _ := http.NewRequest("PUT", lbURL(port, "/"), strings.NewReader(strings.Repeat("x", 100000)))
	req.Header.Set("Expect", "100-continue")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(b) != 100001 {
		t.Fatalf("expect-continue body %d", len(b))
	}
	resp, err = c.Head(lbURL(port, "/"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("HEAD: %v", err)
	}
	resp.Body.Close()
}

func TestWebSocketUpgradeEcho(t *testing.T) {
	be := startBackend(t, "ws", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "websocket" || !strings.EqualFold(r.Header.Get("Connection"), "upgrade") {
			w.WriteHeader(400)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		brw.Flush()
		io.Copy(conn, brw) // echo
	})
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	for _, msg := range []string{"hello", "world, again"} {
		io.WriteString(conn, msg)
		buf := make([]byte, len(msg))
		if _, err := io.ReadFull(br, buf); err != nil || string(buf) != msg {
			t.Fatalf("echo %q: %q %v", msg, buf, err)
		}
	}
}

func TestELBGeneratedErrors(t *testing.T) {
	slow := startBackend(t, "slow", func(w http.ResponseWriter, r *http.Request) { time.Sleep(time.Second) })
	garbage, _ := net.Listen("tcp", "127.0.0.1:0")
	defer garbage.Close()
	go func() {
		for {
			c, err := garbage.Accept()
			if err != nil {
				return
			}
			c.Read(make([]byte, 4096))
			c.Write([]byte("NOT HTTP AT ALL\r\n\r\n"))
			c.Close()
		}
	}()
	refused := freePort(t)
	d := newDP(t, Options{TargetTimeout: 300 * time.Millisecond})
	port := freePort(t)
	prio := 0
	route := func(p, tg string) Rule {
		prio++
		return Rule{ARN: tg, Priority: prio, Conditions: []Condition{{Field: "path-pattern", Values: []string{p}}}, Actions: forward(tg)}
	}
	groups := []TargetGroup{
		{ARN: "empty", Protocol: "HTTP"},
		{ARN: "refused", Protocol: "HTTP", Targets: []Target{{ID: "127.0.0.1", Host: "127.0.0.1", Port: refused}}},
		{ARN: "garbage", Protocol: "HTTP", Targets: []Target{{ID: "127.0.0.1", Host: "127.0.0.1", Port: garbage.Addr().(*net.TCPAddr).Port}}},
		tgroup("slowtg", false, slow),
	}
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("empty"),
		route("/refused", "refused"), route("/garbage", "garbage"), route("/slow", "slowtg"))}, TargetGroups: groups})
	c := client()
	for path, want := range map[string]int{"/": 503, "/refused": 502, "/garbage": 502, "/slow": 504} {
		resp, body := get(t, c, lbURL(port, path))
		if resp.StatusCode != want || !strings.Contains(body, "<html>") || !strings.Contains(body, strconv.Itoa(want)) {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
		}
	}
	st := d.Stats().TargetGroups
	if st["empty"].Total.ELB503 != 1 || st["refused"].Total.ELB502 != 1 || st["garbage"].Total.ELB502 != 1 || st["slowtg"].Total.ELB504 != 1 {
		t.Errorf("ELB error counters: empty %+v refused %+v garbage %+v slow %+v", st["empty"].Total, st["refused"].Total, st["garbage"].Total, st["slowtg"].Total)
	}
	if st["refused"].Total.TargetConnectionErrors != 2 {
		t.Errorf("refused: connection errors %d (one try plus one retry)", st["refused"].Total.TargetConnectionErrors)
	}
}

func TestApplySemantics(t *testing.T) {
	a := startBackend(t, "a", nil)
	b := startBackend(t, "b", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	cfg := func(v uint64, be *testBackend) Config {
		return Config{Version: v, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}}
	}
	apply(t, d, cfg(2, a))
	if err := d.Apply(context.Background(), cfg(1, b)); err != nil || d.AppliedVersion() != 2 {
		t.Fatalf("older version: %v, version %d", err, d.AppliedVersion())
	}
	// One keep-alive connection across an Apply sees the new routing.
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	ask := func() string {
		io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.Header.Get("X-Backend")
	}
	if ask() != "a" {
		t.Fatal("v2 should route to a")
	}
	apply(t, d, cfg(3, b))
	if ask() != "b" {
		t.Fatal("same connection should see v3 routing")
	}
	// A port that cannot be bound fails the whole Apply and changes nothing.
	busy, _ := net.Listen("tcp", "127.0.0.1:0")
	defer busy.Close()
	c4 := cfg(4, a)
	c4.Listeners = append(c4.Listeners, httpListener(busy.Addr().(*net.TCPAddr).Port, forward("tg")))
	if err := d.Apply(context.Background(), c4); !errors.Is(err, ErrBind) || d.AppliedVersion() != 3 {
		t.Fatalf("bind failure: %v, version %d", err, d.AppliedVersion())
	}
	if ask() != "b" {
		t.Fatal("failed Apply changed routing")
	}
	if err := d.Apply(context.Background(), Config{Version: 5, Listeners: []Listener{{Port: 0, Protocol: "HTTP"}}}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("invalid config: %v", err)
	}
	// Removing the listener closes its port.
	apply(t, d, Config{Version: 6})
	if _, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second); err == nil {
		t.Fatal("removed listener still accepts")
	}
}

// TestTimeoutsAreIdleTimeouts: a body that keeps flowing outlives both timeouts; a
// target that goes silent before its response head gets a 504.
func TestTimeoutsAreIdleTimeouts(t *testing.T) {
	be := startBackend(t, "a", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/silent" {
			time.Sleep(800 * time.Millisecond)
			return
		}
		for i := 0; i < 8; i++ {
			io.WriteString(w, "tick;")
			w.(http.Flusher).Flush()
			time.Sleep(100 * time.Millisecond)
		}
	})
	d := newDP(t, Options{TargetTimeout: 350 * time.Millisecond, ClientIdleTimeout: 350 * time.Millisecond})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
	c := client()
	resp, body := get(t, c, lbURL(port, "/stream"))
	if resp.StatusCode != 200 || body != strings.Repeat("tick;", 8) {
		t.Fatalf("streaming response cut: %d %q", resp.StatusCode, body)
	}
	if resp, _ := get(t, c, lbURL(port, "/silent")); resp.StatusCode != 504 {
		t.Fatalf("silent target: %d", resp.StatusCode)
	}
}

// The data plane writes no untrusted byte into a response header: the
// request's Host, path and query reach a redirect's Location only as visible
// ASCII, a Host that is not a URI host gets 400, and a configuration whose
// redirect or content type carries control characters is refused.
func TestRedirectNeverWritesUntrustedBytesIntoLocation(t *testing.T) {
	d := newDP(t, Options{})
	port := freePort(t)
	def := []Action{{Type: "redirect", Redirect: &Redirect{Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_302"}}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, def)}})
	out := rawRoundTrip(t, port, "GET /caf\xc3\xa9/#{host}?q=\xff HTTP/1.1\r\nHost: shop.example.com\r\nConnection: close\r\n\r\n")
	if !strings.Contains(out, "\r\nLocation: https://shop.example.com/caf%C3%A9/#{host}?q=%FF\r\n") {
		t.Errorf("Location is not escaped or a request placeholder was expanded:\n%q", out)
	}
	for _, host := range []string{"evil.example\tx", "a b", "caf\xc3\xa9.example", "a\"b"} {
		out := rawRoundTrip(t, port, "GET / HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(out, "HTTP/1.1 400 ") || strings.Contains(out, "Location:") {
			t.Errorf("Host %q: %q", host, out)
		}
	}
	for _, bad := range []Action{
		{Type: "redirect", Redirect: &Redirect{Host: "a\r\nSet-Cookie: x=1", StatusCode: "HTTP_301"}},
		{Type: "redirect", Redirect: &Redirect{Path: "/\n", StatusCode: "HTTP_301"}},
		{Type: "fixed-response", FixedResponse: &FixedResponse{StatusCode: "200", ContentType: "text/plain\r\nX: 1"}},
	} {
		err := d.Apply(context.Background(), Config{Version: 2, Listeners: []Listener{httpListener(port, []Action{bad})}})
		if !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}
