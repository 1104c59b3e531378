package lb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The differential fuzz targets feed the same bytes to the load balancer's
// hand-written HTTP/1.1 parsers and to net/http, and compare their verdicts
// message by message: accepted or refused, method, target, host, headers,
// body framing (Content-Length, chunked) and the body itself. A difference in
// framing is how request smuggling starts (the proxy and a target disagree on
// where a message ends); so is the proxy accepting what a careful server
// refuses. The load balancer may be stricter than net/http (it refuses more);
// the few places where it is knowingly more lenient are listed in
// lenientRequest, each with why that is safe.

// fuzzMaxInput keeps inputs within one read buffer, the request-head limit.
const fuzzMaxInput = bufSize / 2

// message is one request or response as a parser saw it.
type message struct {
	head    string // request: "METHOD target host"; response: "status"
	headers []string
	framing string // "none", "length N", "chunked", "close"
	body    string
	// bodyErr is "" for a whole body, "incomplete" when the input ended inside
	// it, else the parser's complaint.
	bodyErr string
	close   bool   // the connection ends after this message
	raw     []byte // the input from the message's first byte on (the load balancer's view)
	codings string // a response's Transfer-Encoding values, joined (the load balancer's view)
}

func (m message) String() string {
	return fmt.Sprintf("%s %v [%s] body %q %s close=%v", m.head, m.headers, m.framing, m.body, m.bodyErr, m.close)
}

// verdict is what one parser made of an input: the messages it accepted
// and, if it stopped before the input's end, why.
type verdict struct {
	msgs []message
	// refused is set when the parser refused the message after msgs.
	refused string
}

// headerList is the header fields as "Canonical-Name: value", in order,
// without those compared elsewhere (Host, framing) or that net/http consumes.
func headerList(fields func(yield func(name, value string) bool)) []string {
	var out []string
	for name, value := range fields {
		switch k := http.CanonicalHeaderKey(name); k {
		case "Host", "Content-Length", "Transfer-Encoding":
		default:
			out = append(out, k+": "+value)
		}
	}
	slices.Sort(out)
	return out
}

func ourFields(hs []header) func(yield func(string, string) bool) {
	return func(yield func(string, string) bool) {
		for _, h := range hs {
			if !yield(string(h.name), string(h.value)) {
				return
			}
		}
	}
}

func goFields(h http.Header) func(yield func(string, string) bool) {
	return func(yield func(string, string) bool) {
		for k, vs := range h {
			for _, v := range vs {
				if !yield(k, v) {
					return
				}
			}
		}
	}
}

// ourBody frames and reads a body from rest as the proxy does; it returns the
// body's data (chunked bodies decoded), the bytes it took and the error.
func ourBody(rest []byte, chunked bool, length int64) (string, int, string) {
	if chunked {
		src := bytes.NewReader(rest)
		rd := &reader{src: src, buf: make([]byte, bufSize)}
		var out bytes.Buffer
		wr := &writer{dst: &out, buf: make([]byte, bufSize)}
		err := copyChunked(wr, rd, false, nil)
		wr.flush()
		used := len(rest) - src.Len() - rd.buffered()
		switch {
		case errors.Is(err, errBodyTruncated) || errors.Is(err, errBufferFull):
			return "", used, "incomplete"
		case err != nil:
			return "", used, err.Error()
		}
		return out.String(), used, ""
	}
	if length <= 0 {
		return "", 0, ""
	}
	if int64(len(rest)) < length {
		return "", len(rest), "incomplete"
	}
	return string(rest[:length]), int(length), ""
}

// ourRequests parses data as the load balancer reads a client connection.
func ourRequests(data []byte) verdict {
	var v verdict
	var rq request
	for len(data) > 0 {
		raw := data
		err := parseRequest(data, &rq)
		if errors.Is(err, errNeedMore) {
			return v
		}
		if err != nil {
			v.refused = err.Error()
			return v
		}
		m := message{head: fmt.Sprintf("%s %s %s", rq.method, rq.uri, rq.host), headers: headerList(ourFields(rq.headers)),
			framing: "none", close: !rq.keepAlive(), raw: raw}
		switch {
		case rq.chunked:
			m.framing = "chunked"
		case rq.contentLength >= 0:
			m.framing = fmt.Sprintf("length %d", rq.contentLength)
		}
		body, used, berr := ourBody(data[rq.headLen:], rq.chunked, rq.contentLength)
		m.body, m.bodyErr = body, berr
		v.msgs = append(v.msgs, m)
		if berr != "" || m.close || rq.isUpgrade() {
			return v
		}
		data = data[rq.headLen+used:]
	}
	return v
}

// goRequests serves data on one connection with net/http's server and
// records every request its handler sees. A request the server refuses
// itself gets an error status without reaching the handler.
func goRequests(data []byte) verdict {
	var (
		mu sync.Mutex
		v  verdict
	)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := message{head: fmt.Sprintf("%s %s %s", r.Method, r.RequestURI, r.Host), headers: headerList(goFields(r.Header)),
			framing: "none", close: r.Close}
		switch {
		case slices.Equal(r.TransferEncoding, []string{"chunked"}):
			m.framing = "chunked"
		case r.ContentLength > 0 || r.Header.Get("Content-Length") != "":
			m.framing = fmt.Sprintf("length %d", r.ContentLength)
		}
		b, err := io.ReadAll(r.Body)
		m.body = string(b)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			m.bodyErr = "incomplete"
		} else if err != nil {
			m.bodyErr = err.Error()
		}
		mu.Lock()
		v.msgs = append(v.msgs, m)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	c := &fuzzConn{r: bytes.NewReader(data), closed: make(chan struct{})}
	l := &oneConnListener{c: c, done: make(chan struct{})}
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	go func() { srv.Serve(l); close(served) }()
	<-c.closed
	l.Close()
	<-served
	mu.Lock()
	defer mu.Unlock()
	if code := refusal(c.written()); code != "" {
		v.refused = code
	}
	return v
}

// refusal finds the status line of a response net/http's server wrote
// itself (the handler only answers 204).
func refusal(out string) string {
	for line := range strings.SplitSeq(out, "\r\n") {
		if rest, ok := strings.CutPrefix(line, "HTTP/1.1 "); ok && !strings.HasPrefix(rest, "204") && !strings.HasPrefix(rest, "100") {
			return rest
		}
	}
	return ""
}

// lenientRequest tells the differences where the load balancer knowingly
// accepts a request net/http refuses, and why each is safe: the proxy writes
// the request line and Host anew for the target, so none of them can change
// where a message ends.
func lenientRequest(raw []byte, ours message) bool {
	method, rest, _ := strings.Cut(ours.head, " ")
	target, _, _ := strings.Cut(rest, " ")
	switch {
	case len(raw) > 0 && (raw[0] == '\r' || raw[0] == '\n'):
		// Empty lines before a request line are skipped (RFC 9112 section
		// 2.2); net/http skips them only after a POST.
		return true
	case containsField(ours.headers, "Expect") && !strings.EqualFold(fieldValue(ours.headers, "Expect"), "100-continue"):
		// net/http answers 417 to an expectation it does not know; the load
		// balancer leaves that to the target, as ALB does.
		return true
	case method != "CONNECT" && target != "*" && !strings.HasPrefix(target, "/") && !containsHost(raw):
		// An absolute-form target carries the host; the proxy sends the target
		// a Host built from it (RFC 9112 section 3.2.2).
		return true
	}
	if _, err := url.ParseRequestURI(target); err != nil {
		// net/http refuses targets it cannot decode (bad %-escapes); the load
		// balancer routes on the raw path and passes it on as it came.
		return true
	}
	return false
}

func containsField(headers []string, name string) bool {
	return slices.ContainsFunc(headers, func(h string) bool { return strings.HasPrefix(h, name+": ") })
}

func fieldValue(headers []string, name string) string {
	for _, h := range headers {
		if v, ok := strings.CutPrefix(h, name+": "); ok {
			return v
		}
	}
	return ""
}

func containsHost(raw []byte) bool {
	head, _, _ := bytes.Cut(raw, []byte("\n\r\n"))
	return bytes.Contains(bytes.ToLower(head), []byte("\nhost:"))
}

// compareRequests fails t where the load balancer's verdict on data is not
// net/http's, beyond the allowed strictness and leniency.
func compareRequests(t *testing.T, data []byte, ours, theirs verdict) {
	t.Helper()
	for i, m := range ours.msgs {
		if i >= len(theirs.msgs) {
			if m.bodyErr == "" && !lenientRequest(m.raw, m) {
				t.Fatalf("request %d: the load balancer accepts %v; net/http refuses it (%q)\ninput %q", i, m, theirs.refused, data)
			}
			return
		}
		g := theirs.msgs[i]
		if m.head != g.head || !slices.Equal(m.headers, g.headers) || m.framing != g.framing || m.close != g.close {
			t.Fatalf("request %d differs:\n lb       %v\n net/http %v\ninput %q", i, m, g, data)
		}
		if !compareBodies(t, fmt.Sprintf("request %d", i), data, m, g) {
			return
		}
	}
}

// compareBodies fails t when two parsers framed a body differently, and
// reports whether the input goes on after it.
func compareBodies(t *testing.T, what string, data []byte, ours, theirs message) bool {
	t.Helper()
	switch {
	case ours.bodyErr == "" && theirs.bodyErr == "" && ours.body != theirs.body:
		t.Fatalf("%s: body %q, net/http's %q\ninput %q", what, ours.body, theirs.body, data)
	case ours.bodyErr == "" && theirs.bodyErr != "":
		t.Fatalf("%s: the load balancer takes body %q; net/http: %s\ninput %q", what, ours.body, theirs.bodyErr, data)
	case ours.bodyErr == "incomplete" && theirs.bodyErr == "":
		t.Fatalf("%s: the load balancer waits for more body; net/http took %q\ninput %q", what, theirs.body, data)
	}
	return ours.bodyErr == "" // refused or unfinished here: the connection ends
}

func FuzzRequestParserMatchesNetHTTP(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /p?q=1 HTTP/1.0\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: b\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
		"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n",
		"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a\rb\r\nhello\r\n0\r\n\r\n",
		"GET / HTTP/1.1\nHost: a\n\n",
		"GET / HTTP/1.1\r\nHost: a\r\nX: folded\r\n continued\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
		"GET http://x/y HTTP/1.1\r\nHost: z\r\n\r\n",
		"GET http://u@x/y HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello",
		"GET / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\nhello",
		"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			return
		}
		compareRequests(t, data, ourRequests(data), goRequests(data))
	})
}

// fuzzConn is a client connection that sends data and swallows the answers.
type fuzzConn struct {
	r      *bytes.Reader
	mu     sync.Mutex
	out    bytes.Buffer
	closed chan struct{}
	once   sync.Once
}

func (c *fuzzConn) Read(p []byte) (int, error) { return c.r.Read(p) }
func (c *fuzzConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(p)
}
func (c *fuzzConn) written() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}
func (c *fuzzConn) Close() error                     { c.once.Do(func() { close(c.closed) }); return nil }
func (c *fuzzConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80} }
func (c *fuzzConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1234} }
func (c *fuzzConn) SetDeadline(time.Time) error      { return nil }
func (c *fuzzConn) SetReadDeadline(time.Time) error  { return nil }
func (c *fuzzConn) SetWriteDeadline(time.Time) error { return nil }

// oneConnListener hands out one connection, then waits to be closed.
type oneConnListener struct {
	c    net.Conn
	used bool
	done chan struct{}
	once sync.Once
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	if !l.used {
		l.used = true
		return l.c, nil
	}
	<-l.done
	return nil, net.ErrClosed
}
func (l *oneConnListener) Close() error   { l.once.Do(func() { close(l.done) }); return nil }
func (l *oneConnListener) Addr() net.Addr { return l.c.LocalAddr() }
