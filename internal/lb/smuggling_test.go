package lb

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestAmbiguousFramingGets400 sends through a listener the requests on which
// the differential fuzz targets found the parser more lenient than net/http:
// each is refused with 400 and never reaches the target.
func TestAmbiguousFramingGets400(t *testing.T) {
	be := startBackend(t, "a", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
	chunked := "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	bad := map[string]string{
		"bare LF after chunk size": chunked + "5\nhello\r\n0\r\n\r\n",
		"bare LF after chunk data": chunked + "5\r\nhello\n0\r\n\r\n",
		"CR inside a chunk line":   chunked + "5;a\rb\r\nhello\r\n0\r\n\r\n",
		"space before chunk size":  chunked + " 5\r\nhello\r\n0\r\n\r\n",
		"bare LF ending trailers":  chunked + "0\r\n\n",
		"malformed trailer":        chunked + "0\r\nnot a field\r\n\r\n",
		"two Host lines":           "GET / HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n",
		"space in Host":            "GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
		"userinfo in the target":   "GET http://u@x/ HTTP/1.1\r\nHost: x\r\n\r\n",
		"empty authority":          "GET http:///p HTTP/1.1\r\nHost: x\r\n\r\n",
	}
	for name, raw := range bad {
		if out := rawRoundTrip(t, port, raw); !strings.HasPrefix(out, "HTTP/1.1 400 Bad Request\r\n") {
			t.Errorf("%s: got %q", name, out)
		}
	}
	if n := be.hits.Load(); n != 0 {
		t.Fatalf("refused requests reached the target %d times", n)
	}
}

// TestAbsoluteFormHostIsTheAuthority: with an absolute-form target the
// authority is the host (RFC 9112 section 3.2.2), for routing and for the
// target, whatever Host field came beside it.
func TestAbsoluteFormHostIsTheAuthority(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	be := startBackend(t, "a", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Host+" "+r.RequestURI)
		mu.Unlock()
	})
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
	out := rawRoundTrip(t, port, "GET http://right.example/p?q=1 HTTP/1.1\r\nHost: wrong.example\r\nConnection: close\r\n\r\n")
	out += rawRoundTrip(t, port, "GET http://right.example?q=2 HTTP/1.1\r\nConnection: close\r\n\r\n")
	if strings.Count(out, "HTTP/1.1 200 OK") != 2 {
		t.Fatalf("answers: %q", out)
	}
	mu.Lock()
	defer mu.Unlock()
	host := "right.example:" + strconv.Itoa(port) // ELB's Host rewrite adds the listener's port
	if len(seen) != 2 || seen[0] != host+" /p?q=1" || seen[1] != host+" /?q=2" {
		t.Fatalf("the target saw %q", seen)
	}
}

// TestTransferEncodingDropsContentLength: a target's response with both
// framings reaches the client framed by Transfer-Encoding alone (RFC 9112
// section 6.3), so that no client can frame it by the Content-Length.
func TestTransferEncodingDropsContentLength(t *testing.T) {
	target := rawTarget(t, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
	d := newDP(t, Options{})
	port := freePort(t)
	tg := TargetGroup{ARN: "tg", Name: "tg", Protocol: "HTTP", Targets: []Target{{ID: "127.0.0.1", Host: "127.0.0.1", Port: target}}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tg}})
	out := rawRoundTrip(t, port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	head, body, _ := strings.Cut(out, "\r\n\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 200 OK") || strings.Contains(strings.ToLower(head), "content-length") || body != "2\r\nhi\r\n0\r\n\r\n" {
		t.Fatalf("the client got %q", out)
	}
}

// rawTarget answers every request on a new port with resp, as it is.
func rawTarget(t *testing.T, resp string) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					if _, err := io.WriteString(c, resp); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}
