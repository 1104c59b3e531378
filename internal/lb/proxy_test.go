package lb

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestProxyBasicAndForwardedHeaders(t *testing.T) {
	var seen http.Header
	var seenHost string
	be := startBackend(t, "a", func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		seenHost = r.Host
		body, _ := io.ReadAll(r.Body)
		w.Write([]byte("echo:" + string(body)))
	})
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
	if d.AppliedVersion() != 1 {
		t.Fatalf("version %d", d.AppliedVersion())
	}
	c := client()
	resp, body := get(t, c, lbURL(port, "/x?y=1"), "X-Forwarded-For", "10.1.2.3", "Host", "example.com")
	if resp.StatusCode != 200 || body != "echo:" {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	if got := seen.Get("X-Forwarded-For"); got != "10.1.2.3, 127.0.0.1" {
		t.Errorf("X-Forwarded-For %q", got)
	}
	if seen.Get("X-Forwarded-Proto") != "http" || seen.Get("X-Forwarded-Port") != strconv.Itoa(port) {
		t.Errorf("X-Forwarded-Proto/Port %q %q", seen.Get("X-Forwarded-Proto"), seen.Get("X-Forwarded-Port"))
	}
	// ELB's Host rewrite (preserve_host_header off): a listener port other than
	// 80 and 443 is added to a Host without one.
	if seenHost != "example.com:"+strconv.Itoa(port) {
		t.Errorf("host %q", seenHost)
	}
	if !regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`).MatchString(seen.Get("X-Amzn-Trace-Id")) {
		t.Errorf("trace id %q", seen.Get("X-Amzn-Trace-Id"))
	}
	get(t, c, lbURL(port, "/"), "X-Amzn-Trace-Id", "Root=1-abc")
	if seen.Get("X-Amzn-Trace-Id") != "Root=1-abc" {
		t.Errorf("client trace id not kept: %q", seen.Get("X-Amzn-Trace-Id"))
	}
	resp, err := c.Post(lbURL(port, "/p"), "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "echo:payload" {
		t.Fatalf("post body %q", b)
	}
	st := d.Stats().TargetGroups["tg"]
	if st.Total.Requests != 3 || st.Total.Status2xx != 3 || st.Revisions["a"].Requests != 3 {
		t.Errorf("stats %+v", st.Total)
	}
	if st.Total.Latency.P99() <= 0 {
		t.Errorf("no latency recorded")
	}
}

// TestPipeliningAndHTTP10KeepAlive: pipelined requests are answered in order on one
// connection, and an HTTP/1.0 client asking for keep-alive gets it.
func TestPipeliningAndHTTP10KeepAlive(t *testing.T) {
	be := startBackend(t, "a", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Path) })
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	io.WriteString(conn, "GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\nGET /three HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	for _, want := range []string{"/one", "/two", "/three"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: %v", want, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != want {
			t.Fatalf("pipelined answer %q, want %q", body, want)
		}
		if want == "/three" && (resp.Close || !strings.EqualFold(resp.Header.Get("Connection"), "keep-alive")) {
			t.Fatalf("HTTP/1.0 keep-alive not honoured: %v", resp.Header)
		}
	}
	io.WriteString(conn, "GET /four HTTP/1.0\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	if !resp.Close {
		t.Fatal("HTTP/1.0 without keep-alive should close")
	}
}
