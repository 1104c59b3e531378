package lb

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"time"
)

// outcome of one attempt at a target.
type outcome int

const (
	outDone  outcome = iota // response sent (or client gone); see keep
	outRetry                // failed before the target could have acted: try another target
)

// forward runs a forward action; it reports whether the client connection stays open.
func (c *clientConn) forward(rt *routes, act *action, start time.Time) bool {
	rq := &c.ex.rq
	var g *group
	if len(act.groups) == 1 {
		g = act.groups[0].g
	} else {
		g = act.chooseGroup(cookieValue(rq, "AWSALBTG"))
		if g == nil { // every weight is zero
			act.groups[0].g.st.stats.observe(503, time.Since(start))
			act.groups[0].g.st.stats.elbError(503)
			c.elbError(503, true)
			return c.canKeep() && c.skipBody()
		}
	}
	var sticky []byte
	if g.stick.Enabled {
		sticky = cookieValue(rq, "AWSALB")
	}
	var failed *backend
	for tries := 0; tries < 4; tries++ {
		b := g.pick(failed, sticky)
		if b == nil {
			break
		}
		if !b.acquire() {
			continue // started draining after the pick: choose again
		}
		keep, out := c.roundTrip(b, g, act, rt, failed == nil, start)
		b.release()
		if out == outDone {
			return keep
		}
		failed = b
	}
	g.st.stats.observe(503, time.Since(start))
	g.st.stats.elbError(503)
	c.elbError(503, true)
	return c.canKeep() && c.skipBody()
}

// replayable reports whether the whole request (head and body) is in the client
// buffer, so it can be sent again to another target.
func (c *clientConn) replayable() bool {
	rq := &c.ex.rq
	if rq.chunked || rq.isUpgrade() && rq.hasBody() {
		return false
	}
	n := int64(rq.headLen)
	if rq.contentLength > 0 {
		n += rq.contentLength
	}
	return int64(c.ex.rd.buffered()) >= n
}

// roundTrip sends the request to b and relays the response. canRetry is false on the
// second attempt. It never retries once any byte of the request body was consumed
// from the client, nor a non-idempotent request whose bytes may have reached a target.
func (c *clientConn) roundTrip(b *backend, g *group, act *action, rt *routes, canRetry bool, start time.Time) (bool, outcome) {
	rq := &c.ex.rq
	uc, err := b.pool.get(c.d.ctx, start)
	if err != nil {
		b.stats.connErrors.Add(1)
		if canRetry {
			return false, outRetry
		}
		return c.fail(b, timeoutCode(err, 502), start), outDone
	}
	replay := c.replayable()
	c.writeHead(&uc.wr, rq, rt, b.addr)
	if replay {
		if rq.contentLength > 0 {
			uc.wr.write(c.ex.rd.bytes()[rq.headLen : int64(rq.headLen)+rq.contentLength])
		}
		if err := c.sendReplayable(uc, start); err != nil {
			// Nothing of the response arrived: a failed write to a pooled connection
			// means the target closed it before reading anything.
			return c.upstreamFailed(b, uc, canRetry && (uc.wr.err != nil || rq.idempotent()), err, start)
		}
	} else if keep, ok := c.streamBody(b, uc, start); !ok {
		return keep, outDone
	}
	if err := c.readResponse(uc, start); err != nil {
		gotBytes := uc.rd.buffered() > 0
		return c.upstreamFailed(b, uc, canRetry && replay && !gotBytes && rq.idempotent(), err, start)
	}
	if replay {
		n := rq.headLen
		if rq.contentLength > 0 {
			n += int(rq.contentLength)
		}
		c.ex.rd.discard(n)
	}
	return c.relay(b, g, act, uc, start), outDone
}

// sendReplayable sends a completely buffered request; on the raw path it also reads
// the first response bytes.
func (c *clientConn) sendReplayable(uc *upConn, start time.Time) error {
	if uc.raw == nil || uc.wr.n > len(uc.wr.buf)/2 {
		return uc.wr.flush()
	}
	uc.setReadTimeout(start, c.rt.set.targetTimeout)
	complete, err := uc.raw.exchange(&uc.wr, &uc.rd)
	if err != nil && !complete && uc.raw.wn == 0 {
		uc.wr.err = err // nothing was written: safe to retry on another target
	}
	return err
}

// streamBody sends the head and a body that is not (completely) buffered. Failures
// here cannot be retried: the body is consumed as it is sent.
func (c *clientConn) streamBody(b *backend, uc *upConn, start time.Time) (bool, bool) {
	rq := &c.ex.rq
	if rq.expectContinue {
		// We answer 100 ourselves (and strip Expect) so the single goroutine never
		// waits for a target's 100 while the client waits for ours.
		c.ex.wr.writeString("HTTP/1.1 100 Continue\r\n\r\n")
		c.ex.wr.flush()
	}
	c.ex.rd.discard(rq.headLen)
	tk := &ticker{c: c, uc: uc}
	tk.tick()
	var err error
	if rq.chunked {
		err = copyChunked(&uc.wr, &c.ex.rd, true, tk)
	} else if rq.contentLength > 0 {
		err = copyN(&uc.wr, &c.ex.rd, rq.contentLength, tk)
	}
	if err == nil {
		err = uc.wr.flush()
	}
	if err == nil {
		return false, true
	}
	b.pool.drop(uc)
	if isSourceErr(err) && !errors.Is(err, errBadChunk) {
		return false, false // the client went away mid-body: nobody to answer
	}
	b.stats.connErrors.Add(1)
	code := 502
	if errors.Is(err, errBadChunk) {
		code = 400
	}
	c.fail(b, code, start)
	return false, false
}

// upstreamFailed handles a target failure before the response head was relayed.
func (c *clientConn) upstreamFailed(b *backend, uc *upConn, retry bool, err error, start time.Time) (bool, outcome) {
	b.pool.drop(uc)
	if errors.Is(err, errBadResponse) || errors.Is(err, errBufferFull) {
		return c.fail(b, 502, start), outDone
	}
	b.stats.connErrors.Add(1)
	code := timeoutCode(err, 502)
	if retry && code != 504 { // a target that is merely slow is not retried: that would double the wait
		return false, outRetry
	}
	return c.fail(b, code, start), outDone
}

// fail answers an ELB-generated error attributed to target b.
func (c *clientConn) fail(b *backend, code int, start time.Time) bool {
	now := time.Now()
	c.armDeadline(now) // the wait for the target may have outlasted the client deadline
	b.stats.observe(code, now.Sub(start))
	b.stats.elbError(code)
	keep := c.canKeep() && c.skipBody()
	c.elbError(code, keep)
	return keep && c.ex.wr.err == nil
}

// timeoutCode maps timeouts to 504 (ALB: target did not answer within the idle timeout
// or the connect timeout) and everything else to def.
func timeoutCode(err error, def int) int {
	var ne net.Error
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return 504
	}
	return def
}

// readResponse reads the final response head, relaying interim 1xx responses.
func (c *clientConn) readResponse(uc *upConn, now time.Time) error {
	uc.setReadTimeout(now, c.rt.set.targetTimeout)
	for {
		err := parseResponse(uc.rd.bytes(), &uc.resp)
		if err == nil {
			rs := &uc.resp
			if rs.status >= 200 || rs.status == 101 {
				return nil
			}
			if !c.h2 {
				c.ex.wr.write(uc.rd.bytes()[:rs.headLen])
				c.ex.wr.flush()
			}
			uc.rd.discard(rs.headLen)
			continue
		}
		if err != errNeedMore {
			return err
		}
		if err := uc.rd.fill(); err != nil {
			return err
		}
	}
}

// writeHead writes the request head for the target: hop-by-hop fields removed and
// X-Forwarded-For/-Proto/-Port and X-Amzn-Trace-Id added as ALB does, after the
// load balancer's attributes (Host rewrite, X-Forwarded-For mode, invalid fields
// dropped, TLS headers).
func (c *clientConn) writeHead(wr *writer, rq *request, rt *routes, addr string) {
	set := &rt.set
	wr.write(rq.method)
	wr.writeString(" ")
	if rq.uri[0] == '/' || rq.uri[0] == '*' {
		wr.write(rq.uri)
	} else { // absolute-form from the client: targets get origin-form
		wr.write(rq.path)
		if len(rq.query) > 0 {
			wr.writeString("?")
			wr.write(rq.query)
		}
	}
	wr.writeString(" HTTP/1.1\r\n")
	if !rq.hostHeader { // HTTP/1.0 or absolute-form without Host: HTTP/1.1 needs one
		wr.writeString("Host: ")
		if rq.host != nil {
			set.writeHost(wr, rq.host, rt.port)
		} else {
			wr.writeString(addr)
		}
		wr.writeString("\r\n")
	}
	filter := set.dropInvalid || set.xff == xffRemove || set.tlsHeaders
	for i := range rq.headers {
		h := &rq.headers[i]
		if i == rq.xff && set.xff != xffPreserve || isHopByHop(h.name) || rq.expectContinue && bytes.EqualFold(h.name, []byte("expect")) || c.authStrip && isOIDCHeader(h.name) {
			continue
		}
		if filter && set.dropRequestField(h.name) {
			continue
		}
		if i == rq.hostIdx && !set.preserveHost {
			wr.writeString("Host: ")
			set.writeHost(wr, h.value, rt.port)
			wr.writeString("\r\n")
			continue
		}
		wr.write(h.line)
		wr.writeString("\r\n")
	}
	if set.xff == xffAppend {
		wr.writeString("X-Forwarded-For: ")
		if rq.xff != hdrNone {
			wr.write(rq.headers[rq.xff].value)
			wr.writeString(", ")
		}
		if set.xffPort {
			wr.write(netip.AddrPortFrom(c.peer, c.peerPort).AppendTo(wr.avail(64)[:0]))
		} else {
			wr.write(c.peer.AppendTo(wr.avail(64)[:0]))
		}
		wr.writeString("\r\n")
	}
	if c.https {
		wr.writeString("X-Forwarded-Proto: https\r\nX-Forwarded-Port: ")
	} else {
		wr.writeString("X-Forwarded-Proto: http\r\nX-Forwarded-Port: ")
	}
	wr.writeInt(int64(rt.port))
	wr.writeString("\r\n")
	if set.tlsHeaders && c.tlsVer != 0 {
		c.writeTLSHeaders(wr, set)
	}
	wr.write(c.authHdr)
	if rq.traceID == hdrNone {
		writeTraceID(wr, c.now)
	}
	if rq.isUpgrade() && !c.h2 {
		wr.writeString("Connection: Upgrade\r\nUpgrade: ")
		wr.write(rq.upgrade)
		wr.writeString("\r\n")
	}
	wr.writeString("\r\n")
}

// writeTraceID adds an X-Amzn-Trace-Id: Root=1-<8 hex epoch seconds>-<24 hex random>.
func writeTraceID(wr *writer, now time.Time) {
	buf := wr.avail(64)[:0]
	buf = append(buf, "X-Amzn-Trace-Id: Root=1-"...)
	buf = appendHex(buf, uint64(now.Unix()), 8)
	buf = append(buf, '-')
	buf = appendHex(buf, rand.Uint64()>>32, 8)
	buf = appendHex(buf, rand.Uint64(), 16)
	buf = append(buf, "\r\n"...)
	wr.write(buf)
}

func appendHex(b []byte, v uint64, digits int) []byte {
	for i := digits - 1; i >= 0; i-- {
		b = append(b, "0123456789abcdef"[(v>>(uint(i)*4))&15])
	}
	return b
}

// relay sends the response head and body to the client and returns whether the
// client connection stays open. The target connection goes back to the pool when the
// exchange ended cleanly on both sides.
func (c *clientConn) relay(b *backend, g *group, act *action, uc *upConn, start time.Time) bool {
	rq, rs := &c.ex.rq, &uc.resp
	if rs.status == 101 && rq.isUpgrade() && !c.h2 {
		c.writeResponseHead(rs, b, g, act, true, false)
		uc.rd.discard(rs.headLen)
		b.stats.observe(101, time.Since(start))
		c.splice(uc)
		b.pool.drop(uc)
		return false
	}
	decode := c.h2 || rq.minor == 0
	bodyless := rs.bodyless(rq.method)
	closeDelimited := !bodyless && !rs.chunked && rs.contentLength < 0
	keep := rq.keepAlive() && !c.h2 && !closeDelimited && !(decode && rs.chunked && !bodyless)
	tk := &ticker{c: c, uc: uc}
	tk.tick() // the wait for the target may have outlasted the client deadline
	c.writeResponseHead(rs, b, g, act, keep, decode)
	uc.rd.discard(rs.headLen)
	var err error
	switch {
	case bodyless:
	case rs.chunked:
		err = copyChunked(&c.ex.wr, &uc.rd, !decode, tk)
	case rs.contentLength >= 0:
		err = copyN(&c.ex.wr, &uc.rd, rs.contentLength, tk)
	default:
		err = copyUntilEOF(&c.ex.wr, &uc.rd, tk)
	}
	// Count before the final flush so a client that has its response also sees it
	// in Stats; the flush is one write of at most a buffer's worth.
	end := time.Now()
	b.stats.observe(rs.status, end.Sub(start))
	if err == nil {
		err = c.ex.wr.flush()
	}
	if err != nil || closeDelimited || rs.connClose || rs.minor == 0 {
		if err != nil && isSourceErr(err) {
			b.stats.connErrors.Add(1)
			keep = false // the response is cut short: the client must see the connection end
		}
		b.pool.drop(uc)
		return keep && err == nil
	}
	b.pool.put(uc, end)
	return keep
}

// writeResponseHead relays the target's status and headers to the client, minus
// hop-by-hop fields, plus stickiness cookies and our connection decision.
func (c *clientConn) writeResponseHead(rs *response, b *backend, g *group, act *action, keep, decode bool) {
	wr := &c.ex.wr
	wr.writeString("HTTP/1.1 ")
	wr.writeInt(int64(rs.status))
	wr.writeString(" ")
	wr.write(rs.reason)
	wr.writeString("\r\n")
	upgrade := rs.status == 101
	set := &c.rt.set
	override := len(set.respHeaders) > 0
	for i := range rs.headers {
		h := &rs.headers[i]
		if !upgrade && isHopByHop(h.name) || decode && bytes.EqualFold(h.name, []byte("transfer-encoding")) {
			continue
		}
		if override && set.isResponseOverride(h.name) {
			continue // the listener's value replaces the target's
		}
		wr.write(h.line)
		wr.writeString("\r\n")
	}
	set.writeResponseHeaders(wr)
	if g.stick.Enabled {
		writeCookie(wr, "AWSALB", b.cookie, g.stick.Duration, c.https)
	}
	if act.stick.Enabled && len(act.groups) > 1 {
		d := act.stick.Duration
		if d <= 0 {
			d = time.Hour
		}
		writeCookie(wr, "AWSALBTG", g.tgCookie, d, c.https)
	}
	if !upgrade && !keep {
		wr.writeString("Connection: close\r\n")
		c.linger = true
	} else if !upgrade && c.ex.rq.minor == 0 {
		wr.writeString("Connection: keep-alive\r\n")
	}
	wr.writeString("\r\n")
}

// writeCookie sets an ALB stickiness cookie and its CORS twin (SameSite=None), as ALB does.
func writeCookie(wr *writer, name, value string, d time.Duration, secure bool) {
	exp := time.Now().Add(d).UTC()
	for _, cors := range []bool{false, true} {
		buf := wr.avail(160)[:0]
		buf = append(buf, "Set-Cookie: "...)
		buf = append(buf, name...)
		if cors {
			buf = append(buf, "CORS"...)
		}
		buf = append(buf, '=')
		buf = append(buf, value...)
		buf = append(buf, "; Expires="...)
		buf = exp.AppendFormat(buf, "Mon, 02 Jan 2006 15:04:05 GMT")
		buf = append(buf, "; Path=/"...)
		if cors {
			buf = append(buf, "; SameSite=None"...)
			if secure {
				buf = append(buf, "; Secure"...)
			}
		}
		buf = append(buf, "\r\n"...)
		wr.write(buf)
	}
}

// splice connects an upgraded (WebSocket) client and target connection both ways
// until either side closes.
func (c *clientConn) splice(uc *upConn) {
	c.ex.wr.flush()
	// Upgraded connections live as long as both ends want; the request deadlines go.
	uc.nc.SetDeadline(time.Time{})
	if c.nc != nil {
		c.nc.SetDeadline(time.Time{})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		uc.wr.flush()
		io.Copy(uc.nc, &c.ex.rd)
		if tc, ok := uc.nc.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
	}()
	io.Copy(c.dst, &uc.rd)
	uc.nc.Close()
	if c.nc != nil {
		c.nc.Close()
	}
	<-done
}
