package lb

import (
	"io"
	"net"
	"net/netip"
	"time"

	"github.com/slipway-dev/slipway/internal/lb/oidcauth"
)

// idleBufSize is the per-connection buffer that waits for the next request while the
// connection is idle; the big pooled buffers are only held while a request is active.
const idleBufSize = 128

// exchange is the per-active-connection state: client buffers and the parsed request.
// It goes back to a sync.Pool whenever the connection is idle.
type exchange struct {
	rd reader
	wr writer
	rq request
	mv matchView
}

// clientConn is one client connection on the HTTP/1.1 path (also a single HTTP/2
// stream, translated, when h2 is set).
type clientConn struct {
	d        *DataPlane
	l        *listenerRT
	nc       net.Conn // nil for HTTP/2 streams
	src      io.Reader
	dst      io.Writer
	peer     netip.Addr
	peerPort uint16
	https    bool
	h2       bool // one request, decoded bodies, no upgrades
	ex       *exchange
	rt       *routes // the current request's
	deadline time.Time
	now      time.Time     // when the current request head was parsed
	born     time.Time     // accepted: client_keep_alive counts from here
	idleTO   time.Duration // the client idle timeout of the listener's load balancer
	tlsVer   uint16        // HTTPS: negotiated version and suite, and the policy
	tlsSuite uint16
	tlsCerts *certSet
	linger   bool // we chose to close after a response: drain input before closing
	idle     [idleBufSize]byte

	// authStrip drops the client's x-amzn-oidc-* headers (an authenticating
	// rule); authHdr are the session's, for the target.
	authStrip bool
	authHdr   []byte
}

func peerAddrPort(nc net.Conn) netip.AddrPort {
	if ta, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		ap := ta.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	ap, _ := netip.ParseAddrPort(nc.RemoteAddr().String())
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

func (d *DataPlane) getExchange() *exchange {
	if v := d.pools.state.Get(); v != nil {
		return v.(*exchange)
	}
	return &exchange{rq: request{headers: make([]header, 0, 32)}}
}

// acquire attaches pooled state to the connection, seeded with already-read bytes.
func (c *clientConn) acquire(seed []byte) {
	ex := c.d.getExchange()
	ex.rd = reader{src: c.src, buf: c.d.pools.bufs.get()}
	ex.wr = writer{dst: c.dst, buf: c.d.pools.bufs.get()}
	ex.rd.w = copy(ex.rd.buf, seed)
	c.ex = ex
}

// releaseState returns buffers and request state to the pools (idle or closing).
func (c *clientConn) releaseState() {
	ex := c.ex
	if ex == nil {
		return
	}
	c.ex = nil
	c.d.pools.bufs.put(ex.rd.buf)
	c.d.pools.bufs.put(ex.wr.buf)
	ex.rd = reader{}
	ex.wr = writer{}
	ex.rq.reset()
	ex.mv = matchView{}
	c.d.pools.state.Put(ex)
}

// lingerTime bounds how long a closing connection keeps reading the client's leftovers.
const lingerTime = 500 * time.Millisecond

func (c *clientConn) close() {
	c.releaseState()
	if c.nc == nil {
		return
	}
	if tc, ok := c.nc.(*net.TCPConn); ok && c.linger {
		// Closing a socket with unread input makes the kernel send RST, which can
		// destroy the response we just wrote (e.g. a 400 for an oversized head).
		// Half-close and drain briefly instead, as web servers do.
		tc.CloseWrite()
		tc.SetReadDeadline(time.Now().Add(lingerTime))
		var sink [512]byte
		for total := 0; total < 256<<10; {
			n, err := c.src.Read(sink[:])
			total += n
			if err != nil || n == 0 {
				break
			}
		}
	}
	c.nc.Close()
}

// armDeadline sets the client idle deadline coarsely (see upConn.setReadTimeout).
func (c *clientConn) armDeadline(now time.Time) {
	if c.nc == nil {
		return
	}
	d := c.idleTO
	want := now.Add(d)
	if want.Sub(c.deadline) > d/10 || c.deadline.After(want) {
		c.deadline = want
		c.nc.SetDeadline(want)
	}
}

// serve handles requests until the connection should close. Between requests the
// pooled state is released and the goroutine waits on the small idle buffer, which
// keeps an idle keep-alive connection at a few KiB.
func (c *clientConn) serve() {
	for {
		if c.ex == nil || c.ex.rd.buffered() == 0 {
			c.releaseState()
			c.armDeadline(time.Now())
			n, err := c.src.Read(c.idle[:])
			if n == 0 {
				_ = err
				return
			}
			c.acquire(c.idle[:n])
		}
		if !c.handle() {
			return
		}
	}
}

// readHead reads and parses a request head; false means the connection must close
// (after a 400 where one is due).
func (c *clientConn) readHead() bool {
	ex := c.ex
	for {
		err := parseRequest(ex.rd.bytes(), &ex.rq)
		if err == nil {
			return true
		}
		if err != errNeedMore {
			c.badRequest()
			return false
		}
		if ex.rd.r == 0 && ex.rd.w == len(ex.rd.buf) {
			c.badRequest() // head larger than bufSize
			return false
		}
		if ferr := ex.rd.fill(); ferr != nil {
			if ferr == errBufferFull {
				c.badRequest()
			}
			return false
		}
	}
}

// handle serves one request; it reports whether the connection stays open.
func (c *clientConn) handle() bool {
	if !c.readHead() {
		return false
	}
	start := time.Now()
	c.now = start
	rt := c.l.routes.Load()
	if rt == nil {
		return false // listener removed
	}
	c.rt, c.idleTO = rt, rt.set.clientIdle
	ex := c.ex
	if ka := rt.set.keepAlive; ka > 0 && !c.h2 && start.Sub(c.born) >= ka {
		ex.rq.connClose = true // client_keep_alive.seconds: this response closes the connection
	}
	ex.mv = matchView{rq: &ex.rq, peer: c.peer}
	if rt.auth != nil && string(ex.rq.path) == oidcauth.CallbackPath {
		return c.idpResponse(rt)
	}
	act := rt.route(&ex.mv)
	c.authStrip, c.authHdr = false, nil
	if act.auth != nil {
		if ok, keep := c.authenticate(act); !ok {
			return keep
		}
	}
	switch act.kind {
	case actFixed:
		return c.fixedResponse(act)
	case actRedirect:
		return c.redirect(act, rt)
	}
	return c.forward(rt, act, start)
}
