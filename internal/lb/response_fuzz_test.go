package lb

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// ourResponses parses data as the load balancer reads a target connection
// after sending it requests with method.
func ourResponses(data []byte, method string) verdict {
	var v verdict
	var rs response
	for len(data) > 0 {
		err := parseResponse(data, &rs)
		if errors.Is(err, errNeedMore) {
			return v
		}
		if err != nil {
			v.refused = err.Error()
			return v
		}
		m := message{head: fmt.Sprint(rs.status), headers: headerList(ourFields(rs.headers)), framing: "none",
			codings: transferCodings(rs.headers)}
		rest := data[rs.headLen:]
		bodyless := rs.bodyless([]byte(method))
		used := 0
		switch {
		case bodyless:
		case rs.chunked:
			m.framing = "chunked"
			m.body, used, m.bodyErr = ourBody(rest, true, 0)
		case rs.contentLength >= 0:
			m.framing = fmt.Sprintf("length %d", rs.contentLength)
			m.body, used, m.bodyErr = ourBody(rest, false, rs.contentLength)
		default:
			m.framing, m.body, used = "close", string(rest), len(rest)
		}
		interim := rs.status < 200 && rs.status != 101
		m.close = !interim && (m.framing == "close" || rs.connClose || rs.minor == 0)
		v.msgs = append(v.msgs, m)
		if m.bodyErr != "" || m.close || rs.status == 101 {
			return v
		}
		data = rest[used:]
	}
	return v
}

// goResponses parses data with net/http's client.
func goResponses(data []byte, method string) verdict {
	var v verdict
	br := bufio.NewReader(bytes.NewReader(data))
	for {
		if _, err := br.Peek(1); err != nil {
			return v
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return v
		}
		if err != nil {
			v.refused = err.Error()
			return v
		}
		m := message{head: fmt.Sprint(resp.StatusCode), headers: headerList(goFields(resp.Header)), framing: "none"}
		bodyless := method == http.MethodHead || resp.StatusCode < 200 || resp.StatusCode == 204 || resp.StatusCode == 304
		switch {
		case bodyless:
		case slices.Equal(resp.TransferEncoding, []string{"chunked"}):
			m.framing = "chunked"
		case resp.ContentLength >= 0:
			m.framing = fmt.Sprintf("length %d", resp.ContentLength)
		default:
			m.framing = "close"
		}
		b, err := io.ReadAll(resp.Body)
		m.body = string(b)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			m.bodyErr = "incomplete"
		} else if err != nil {
			m.bodyErr = err.Error()
		}
		interim := resp.StatusCode < 200 && resp.StatusCode != 101
		m.close = !interim && (m.framing == "close" || resp.Close)
		v.msgs = append(v.msgs, m)
		if m.bodyErr != "" || m.close || resp.StatusCode == 101 {
			return v
		}
	}
}

// lenientResponse tells where the load balancer knowingly accepts a response
// net/http's client refuses, and why that is safe.
func lenientResponse(ours message) bool {
	// A Transfer-Encoding other than a lone "chunked" (say "gzip, chunked", or
	// "gzip" alone) is refused by net/http's client; the load balancer frames
	// the body by its last coding as RFC 9112 section 6.3 says, drops any
	// Content-Length, and relays the codings for the client to undo.
	return ours.codings != "" && !strings.EqualFold(ours.codings, "chunked")
}

func compareResponses(t *testing.T, data []byte, method string, ours, theirs verdict) {
	t.Helper()
	for i, m := range ours.msgs {
		if i >= len(theirs.msgs) {
			if m.bodyErr == "" && !lenientResponse(m) {
				t.Fatalf("response %d to %s: the load balancer accepts %v; net/http refuses it (%q)\ninput %q", i, method, m, theirs.refused, data)
			}
			return
		}
		g := theirs.msgs[i]
		if m.head != g.head || !slices.Equal(m.headers, g.headers) || m.framing != g.framing || m.close != g.close {
			if lenientResponse(m) {
				return
			}
			t.Fatalf("response %d to %s differs:\n lb       %v\n net/http %v\ninput %q", i, method, m, g, data)
		}
		if !compareBodies(t, fmt.Sprintf("response %d to %s", i, method), data, m, g) {
			return
		}
	}
}

func FuzzResponseParserMatchesNetHTTP(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nhi",
		"HTTP/1.1 200 OK\r\n\r\nuntil close",
		"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
		"HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.x 200 OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi",
		"HTTP/1.1 200 OK\nContent-Length: 2\n\nhi",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nhi\n0\n\n",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, head bool) {
		if len(data) > fuzzMaxInput {
			return
		}
		method := http.MethodGet
		if head {
			method = http.MethodHead
		}
		compareResponses(t, data, method, ourResponses(data, method), goResponses(data, method))
	})
}

// transferCodings returns the Transfer-Encoding values among hs, joined with ", ".
func transferCodings(hs []header) string {
	var te []string
	for _, h := range hs {
		if bytes.EqualFold(h.name, []byte("transfer-encoding")) {
			te = append(te, string(h.value))
		}
	}
	return strings.Join(te, ", ")
}
