package lb

import (
	"bytes"
	"errors"
	"io"
	"time"
)

// response is a parsed response head from a target; slices point into the upstream
// reader's buffer.
type response struct {
	status        int
	reason        []byte
	minor         int
	headers       []header
	contentLength int64
	chunked       bool
	encoded       bool // a Transfer-Encoding field was present: it, not Content-Length, frames the body
	connClose     bool
	headLen       int
}

func (rs *response) reset() {
	*rs = response{headers: rs.headers[:0], contentLength: -1}
}

// bodyless reports responses that never carry a body (RFC 9112 section 6.3).
func (rs *response) bodyless(method []byte) bool {
	return rs.status < 200 || rs.status == 204 || rs.status == 304 || string(method) == "HEAD"
}

// parseResponse parses a response head at the start of buf; errNeedMore if incomplete.
func parseResponse(buf []byte, rs *response) error {
	rs.reset()
	line, p, ok := nextLine(buf, 0)
	if !ok {
		return errNeedMore
	}
	// status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ]
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[7] < '0' || line[7] > '9' || line[8] != ' ' ||
		len(line) > 12 && line[12] != ' ' {
		return errBadResponse
	}
	rs.minor = int(line[7] - '0')
	code := line[9:12]
	for _, c := range code {
		if c < '0' || c > '9' {
			return errBadResponse
		}
	}
	rs.status = int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	if rs.status < 100 {
		return errBadResponse
	}
	rs.reason = trimOWS(line[12:])
	for {
		line, next, ok := nextLine(buf, p)
		if !ok {
			return errNeedMore
		}
		p = next
		if len(line) == 0 {
			break
		}
		if err := rs.addHeader(line); err != nil {
			return err
		}
	}
	rs.headLen = p
	if rs.encoded && rs.minor == 0 {
		return errBadResponse // HTTP/1.0 has no transfer codings: the framing is faulty (RFC 9112 section 6.1)
	}
	if rs.encoded {
		// Transfer-Encoding overrides Content-Length, and an intermediary must
		// remove the latter before forwarding (RFC 9112 section 6.3), or the
		// client may frame the body by it.
		rs.contentLength = -1
		rs.dropField([]byte("content-length"))
	}
	return nil
}

// dropField removes every field called name from the headers to forward.
func (rs *response) dropField(name []byte) {
	kept := rs.headers[:0]
	for _, h := range rs.headers {
		if !bytes.EqualFold(h.name, name) {
			kept = append(kept, h)
		}
	}
	rs.headers = kept
}

func (rs *response) addHeader(line []byte) error {
	c := bytes.IndexByte(line, ':')
	if c <= 0 || line[0] == ' ' || line[0] == '\t' {
		return errBadResponse
	}
	name, value := line[:c], trimOWS(line[c+1:])
	if len(rs.headers) == maxHeaders || !isToken(name) || !validValue(value) {
		return errBadResponse // relayed as they came, they must be whole header fields
	}
	rs.headers = append(rs.headers, header{name, value, line})
	switch len(name) {
	case 10:
		if bytes.EqualFold(name, []byte("connection")) {
			var ka, up bool
			parseConnection(value, &rs.connClose, &ka, &up)
		}
	case 14:
		if bytes.EqualFold(name, []byte("content-length")) {
			n, ok := parseLength(value)
			if !ok || rs.contentLength >= 0 && rs.contentLength != n {
				return errBadResponse
			}
			rs.contentLength = n
		}
	case 17:
		if bytes.EqualFold(name, []byte("transfer-encoding")) {
			// The codings of every such field form one list; chunked frames the
			// body only as the last (RFC 9112 section 6.3). A field must name one.
			if len(value) == 0 {
				return errBadResponse
			}
			rs.encoded = true
			last := value
			if i := bytes.LastIndexByte(value, ','); i >= 0 {
				last = trimOWS(value[i+1:])
			}
			rs.chunked = bytes.EqualFold(last, []byte("chunked"))
			if !rs.chunked {
				rs.connClose = true // another coding last: the body ends with the connection
			}
		}
	}
	return nil
}

// copyErr tells which side of a body copy failed: the source (reader) or the destination.
type copyErr struct {
	err    error
	source bool
}

// Error implements error.
func (e *copyErr) Error() string { return e.err.Error() }

// Unwrap exposes the underlying I/O error.
func (e *copyErr) Unwrap() error { return e.err }

func srcErr(err error) error {
	if err == io.EOF {
		err = errBodyTruncated
	}
	return &copyErr{err: err, source: true}
}
func dstErr(err error) error { return &copyErr{err: err} }

// isSourceErr reports a copy that failed while reading.
func isSourceErr(err error) bool {
	var ce *copyErr
	return errors.As(err, &ce) && ce.source
}

// copyN copies exactly n bytes. Buffered bytes go first; dst is flushed before every
// read that may block so that streamed bodies reach the other side promptly.
func copyN(dst *writer, src *reader, n int64, tk *ticker) error {
	for n > 0 {
		if src.buffered() == 0 {
			if err := dst.flush(); err != nil {
				return dstErr(err)
			}
			tk.tick()
			if err := src.fill(); err != nil {
				return srcErr(err)
			}
		}
		b := src.bytes()
		if int64(len(b)) > n {
			b = b[:n]
		}
		dst.write(b)
		if dst.err != nil {
			return dstErr(dst.err)
		}
		src.discard(len(b))
		n -= int64(len(b))
	}
	return nil
}

// copyUntilEOF copies a close-delimited body.
func copyUntilEOF(dst *writer, src *reader, tk *ticker) error {
	for {
		if src.buffered() == 0 {
			if err := dst.flush(); err != nil {
				return dstErr(err)
			}
			tk.tick()
			if err := src.fill(); err != nil {
				if err == io.EOF {
					return nil
				}
				return srcErr(err)
			}
		}
		dst.write(src.bytes())
		if dst.err != nil {
			return dstErr(dst.err)
		}
		src.discard(src.buffered())
	}
}

// readLine returns the next line of chunked framing from src (without its CRLF),
// filling as needed. Such a line must end in CRLF and hold no other CR (RFC 9112
// section 7.1; unlike header lines, no bare LF): chunked bodies are relayed as they
// came, and a bare LF or CR is how two parsers come to disagree on where a chunk
// ends. The returned slice is valid until the next read from src.
func readLine(dst *writer, src *reader, tk *ticker) ([]byte, int, error) {
	for {
		b := src.bytes()
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			if i == 0 || bytes.IndexByte(b[:i], '\r') != i-1 {
				return nil, 0, srcErr(errBadChunk)
			}
			return b[:i-1], i + 1, nil
		}
		if len(b) > 4096 {
			return nil, 0, srcErr(errBadChunk)
		}
		if err := dst.flush(); err != nil {
			return nil, 0, dstErr(err)
		}
		tk.tick()
		if err := src.fill(); err != nil {
			return nil, 0, srcErr(err)
		}
	}
}

// copyChunked copies a chunked body. With raw it is passed through as is (for
// HTTP/1.1 peers); otherwise only the data is written (HTTP/1.0 clients, HTTP/2).
func copyChunked(dst *writer, src *reader, raw bool, tk *ticker) error {
	for {
		line, n, err := readLine(dst, src, tk)
		if err != nil {
			return err
		}
		size, ok := parseChunkSize(line)
		if !ok {
			return srcErr(errBadChunk)
		}
		if raw {
			dst.write(src.bytes()[:n])
		}
		src.discard(n)
		if size == 0 {
			return copyTrailers(dst, src, raw, tk)
		}
		if err := copyN(dst, src, size, tk); err != nil {
			return err
		}
		line, n, err = readLine(dst, src, tk)
		if err != nil {
			return err
		}
		if len(line) != 0 {
			return srcErr(errBadChunk)
		}
		if raw {
			dst.write(src.bytes()[:n])
		}
		src.discard(n)
	}
}

// copyTrailers copies the trailer section: header fields (checked as such, since
// they are relayed as they came), up to maxHeaders, then an empty line.
func copyTrailers(dst *writer, src *reader, raw bool, tk *ticker) error {
	for fields := 0; ; fields++ {
		line, n, err := readLine(dst, src, tk)
		if err != nil {
			return err
		}
		empty := len(line) == 0
		if !empty && (fields == maxHeaders || !validField(line)) {
			return srcErr(errBadChunk)
		}
		if raw {
			dst.write(src.bytes()[:n])
		}
		src.discard(n)
		if empty {
			if dst.err != nil {
				return dstErr(dst.err)
			}
			return nil
		}
	}
}

// validField reports a header field line: a token, a colon, a value without
// control characters; no obsolete line folding.
func validField(line []byte) bool {
	c := bytes.IndexByte(line, ':')
	return c > 0 && isToken(line[:c]) && validValue(line[c+1:])
}

// parseChunkSize parses "hex[;ext]": hex digits, optional whitespace, then
// extensions (RFC 9112 section 7.1.1), which are passed on but must not hold
// control characters.
func parseChunkSize(line []byte) (int64, bool) {
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		if !validValue(line[i+1:]) {
			return 0, false
		}
		line = line[:i]
	}
	for len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t') {
		line = line[:len(line)-1]
	}
	if len(line) == 0 || len(line) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range line {
		switch {
		case c >= '0' && c <= '9':
			n = n<<4 | int64(c-'0')
		case c >= 'a' && c <= 'f':
			n = n<<4 | int64(c-'a'+10)
		case c >= 'A' && c <= 'F':
			n = n<<4 | int64(c-'A'+10)
		default:
			return 0, false
		}
	}
	return n, true
}

// ticker keeps idle timeouts idle timeouts: a body that keeps flowing must not be cut
// by deadlines armed when its request started. tick runs before every blocking read
// of a body copy and re-arms the client and target deadlines (coarsely).
type ticker struct {
	c  *clientConn
	uc *upConn
}

func (tk *ticker) tick() {
	if tk == nil {
		return
	}
	now := time.Now()
	tk.c.armDeadline(now)
	if tk.uc != nil {
		tk.uc.setReadTimeout(now, tk.c.rt.set.targetTimeout)
	}
}
