package lb

import (
	"bytes"
	"errors"
)

// Parse errors. All of them turn into 400 and a closed client connection.
var (
	errBufferFull    = errors.New("head larger than buffer")
	errMalformed     = errors.New("malformed request")
	errBadLength     = errors.New("invalid Content-Length")
	errBadEncoding   = errors.New("invalid Transfer-Encoding")
	errNeedMore      = errors.New("need more data")
	errMaxHeaders    = errors.New("too many headers")
	errBadResponse   = errors.New("malformed response from target")
	errBadChunk      = errors.New("malformed chunked body")
	errBodyTruncated = errors.New("body ended early")
)

// maxHeaders bounds the number of header fields in one request or response.
const maxHeaders = 100

// header is one header field; name and value point into the connection's read buffer.
type header struct{ name, value, line []byte }

// Header field indexes the proxy needs without a second scan.
const hdrNone = -1

// request is a parsed request head. Slices point into the client reader's buffer and
// are valid until the reader is refilled past them; the struct is reused per connection.
type request struct {
	method, uri, path, query []byte
	minor                    int // HTTP/1.minor
	headers                  []header
	host                     []byte
	hostHeader               bool  // host came from a Host field, which is forwarded as it came
	sawHost                  bool  // a Host field was present (absolute-form URIs may carry the host alone)
	absolute                 bool  // the target is in absolute-form: its authority is the host
	contentLength            int64 // -1: none
	chunked                  bool
	connClose, connKeepAlive bool
	connUpgrade              bool
	upgrade                  []byte // Upgrade header value
	expectContinue           bool
	xff, traceID, cookie     int // header indexes or hdrNone
	hostIdx                  int // the Host field's index, or hdrNone
	headLen                  int
}

func (rq *request) reset() {
	*rq = request{headers: rq.headers[:0], contentLength: -1, xff: hdrNone, traceID: hdrNone, cookie: hdrNone, hostIdx: hdrNone}
}

// hasBody reports whether a request body follows the head.
func (rq *request) hasBody() bool { return rq.chunked || rq.contentLength > 0 }

// keepAlive reports whether the client wants the connection kept after this exchange.
func (rq *request) keepAlive() bool {
	if rq.minor == 0 {
		return rq.connKeepAlive && !rq.connClose
	}
	return !rq.connClose
}

// isUpgrade reports a WebSocket-style upgrade request.
func (rq *request) isUpgrade() bool { return rq.connUpgrade && len(rq.upgrade) > 0 }

// idempotent reports methods the retry rule may replay after a target failure.
func (rq *request) idempotent() bool {
	m := rq.method
	return string(m) == "GET" || string(m) == "HEAD" || string(m) == "OPTIONS"
}

// tokenTable marks bytes allowed in tokens (method, header names), per RFC 9110.
var tokenTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-32] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return
}()

func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tokenTable[c] {
			return false
		}
	}
	return true
}

// hostTable marks bytes allowed in a Host value or an authority: RFC 3986's
// unreserved, pct-encoded and sub-delims characters, ":" for the port and "[" "]"
// for IPv6 literals. Not "@": userinfo has no place in a request's host.
var hostTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-32] = true
	}
	for _, c := range "-._~%!$&'()*+,;=:[]" {
		t[c] = true
	}
	return
}()

// validHost reports a Host value (or absolute-form authority) made of host
// characters only. A host the proxy routes on must be the host the target sees.
func validHost(b []byte) bool {
	for _, c := range b {
		if !hostTable[c] {
			return false
		}
	}
	return true
}

// validValue rejects control characters (except tab) and DEL in a field value or URI.
func validValue(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// nextLine returns the line starting at p (without CR LF) and the offset after it.
func nextLine(buf []byte, p int) ([]byte, int, bool) {
	i := bytes.IndexByte(buf[p:], '\n')
	if i < 0 {
		return nil, p, false
	}
	line := buf[p : p+i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, p + i + 1, true
}

// parseRequest parses a request head at the start of buf. It returns errNeedMore if
// the head is incomplete.
func parseRequest(buf []byte, rq *request) error {
	rq.reset()
	// Tolerate empty lines before the request line (RFC 9112 section 2.2).
	p := 0
	for p < len(buf) && (buf[p] == '\r' || buf[p] == '\n') {
		p++
	}
	line, p, ok := nextLine(buf, p)
	if !ok {
		return errNeedMore
	}
	if err := parseRequestLine(line, rq); err != nil {
		return err
	}
	for {
		line, next, ok := nextLine(buf, p)
		if !ok {
			return errNeedMore
		}
		p = next
		if len(line) == 0 {
			break
		}
		if err := rq.addHeader(line); err != nil {
			return err
		}
	}
	rq.headLen = p
	return rq.finish()
}

func parseRequestLine(line []byte, rq *request) error {
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 <= 0 {
		return errMalformed
	}
	rest := line[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 <= 0 {
		return errMalformed
	}
	rq.method, rq.uri = line[:sp1], rest[:sp2]
	proto := rest[sp2+1:]
	switch string(proto) {
	case "HTTP/1.1":
		rq.minor = 1
	case "HTTP/1.0":
		rq.minor = 0
	default:
		return errMalformed
	}
	if !isToken(rq.method) || !validValue(rq.uri) || bytes.IndexByte(rq.uri, ' ') >= 0 || bytes.IndexByte(rq.uri, '\t') >= 0 {
		return errMalformed
	}
	return splitURI(rq)
}

// splitURI fills path and query, accepting origin-form, absolute-form and "*".
// An absolute-form target's authority is the request's host (RFC 9112 section
// 3.2.2: a Host field beside it is ignored, and the proxy sends the target a Host
// made from the authority); it must be a plain, non-empty host.
func splitURI(rq *request) error {
	u := rq.uri
	if u[0] != '/' && u[0] != '*' {
		// absolute-form: scheme://authority/path
		i := bytes.Index(u, []byte("://"))
		if i <= 0 {
			return errMalformed
		}
		auth := u[i+3:]
		j := bytes.IndexAny(auth, "/?")
		if j < 0 {
			j = len(auth)
		}
		rq.host, u = auth[:j], auth[j:]
		if len(rq.host) == 0 || !validHost(rq.host) {
			return errMalformed
		}
		rq.absolute = true
	}
	if q := bytes.IndexByte(u, '?'); q >= 0 {
		rq.path, rq.query = u[:q], u[q+1:]
	} else {
		rq.path = u
	}
	if len(rq.path) == 0 {
		rq.path = slash // "http://host?q" asks for "/?q"
	}
	return nil
}

var slash = []byte("/")

func (rq *request) addHeader(line []byte) error {
	if line[0] == ' ' || line[0] == '\t' {
		return errMalformed // obsolete line folding is a smuggling vector: reject
	}
	c := bytes.IndexByte(line, ':')
	if c <= 0 {
		return errMalformed
	}
	name := line[:c]
	if !isToken(name) {
		return errMalformed
	}
	value := trimOWS(line[c+1:])
	if !validValue(value) {
		return errMalformed
	}
	if len(rq.headers) == maxHeaders {
		return errMaxHeaders
	}
	if len(name) == 4 && bytes.EqualFold(name, []byte("host")) {
		// RFC 9112 section 3.2: one Host field line, with a valid value.
		if rq.sawHost || !validHost(value) {
			return errMalformed
		}
		rq.sawHost = true
		if rq.absolute {
			return nil // the target's authority is the host, and is what the target gets
		}
		rq.host, rq.hostHeader, rq.hostIdx = value, true, len(rq.headers)
	}
	idx := len(rq.headers)
	rq.headers = append(rq.headers, header{name, value, line})
	return rq.noteHeader(idx, name, value)
}

// noteHeader records the fields that matter for framing and forwarding.
func (rq *request) noteHeader(idx int, name, value []byte) error {
	switch len(name) {
	case 6:
		if bytes.EqualFold(name, []byte("cookie")) && rq.cookie == hdrNone {
			rq.cookie = idx
		} else if bytes.EqualFold(name, []byte("expect")) && bytes.EqualFold(value, []byte("100-continue")) {
			rq.expectContinue = true
		}
	case 7:
		if bytes.EqualFold(name, []byte("upgrade")) {
			rq.upgrade = value
		}
	case 10:
		if bytes.EqualFold(name, []byte("connection")) {
			parseConnection(value, &rq.connClose, &rq.connKeepAlive, &rq.connUpgrade)
		}
	case 14:
		if bytes.EqualFold(name, []byte("content-length")) {
			return rq.setLength(value)
		}
	case 15:
		if bytes.EqualFold(name, []byte("x-forwarded-for")) && rq.xff == hdrNone {
			rq.xff = idx
		} else if bytes.EqualFold(name, []byte("x-amzn-trace-id")) {
			rq.traceID = idx
		}
	case 17:
		if bytes.EqualFold(name, []byte("transfer-encoding")) {
			if rq.chunked || !bytes.EqualFold(value, []byte("chunked")) {
				return errBadEncoding
			}
			rq.chunked = true
		}
	}
	return nil
}

func (rq *request) setLength(value []byte) error {
	n, ok := parseLength(value)
	if !ok || rq.contentLength >= 0 && rq.contentLength != n {
		return errBadLength
	}
	rq.contentLength = n
	return nil
}

// finish applies cross-header rules once the whole head is known.
func (rq *request) finish() error {
	if rq.chunked && (rq.contentLength >= 0 || rq.minor == 0) {
		return errBadEncoding // CL+TE is the classic smuggling vector
	}
	if rq.minor == 1 && rq.host == nil {
		return errMalformed
	}
	return nil
}

// parseLength parses a Content-Length value: decimal digits only, bounded.
func parseLength(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseConnection reads the tokens of a Connection header.
func parseConnection(v []byte, close, keepAlive, upgrade *bool) {
	for len(v) > 0 {
		var tok []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			tok, v = trimOWS(v[:i]), v[i+1:]
		} else {
			tok, v = trimOWS(v), nil
		}
		switch {
		case bytes.EqualFold(tok, []byte("close")):
			*close = true
		case bytes.EqualFold(tok, []byte("keep-alive")):
			*keepAlive = true
		case bytes.EqualFold(tok, []byte("upgrade")):
			*upgrade = true
		}
	}
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// isHopByHop reports headers a proxy must not forward (RFC 9110 section 7.6.1), plus
// the X-Forwarded-* fields the load balancer rewrites itself.
func isHopByHop(name []byte) bool {
	switch len(name) {
	case 2:
		return bytes.EqualFold(name, []byte("te"))
	case 7:
		return bytes.EqualFold(name, []byte("upgrade"))
	case 10:
		return bytes.EqualFold(name, []byte("connection")) || bytes.EqualFold(name, []byte("keep-alive"))
	case 16:
		return bytes.EqualFold(name, []byte("proxy-connection")) || bytes.EqualFold(name, []byte("x-forwarded-port"))
	case 17:
		return bytes.EqualFold(name, []byte("x-forwarded-proto"))
	}
	return false
}
