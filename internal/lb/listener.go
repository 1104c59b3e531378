package lb

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// listenerRT is a bound listener. Its socket and connections survive Apply; only the
// routes pointer (and, for HTTPS, the certificate set) is swapped.
type listenerRT struct {
	d      *DataPlane
	port   int
	ln     net.Listener
	routes atomic.Pointer[routes]
	certs  atomic.Pointer[certSet]
	tlsCfg *tls.Config
	h2     *h2Server
	oldH2  []*h2Server // retired by an idle timeout change, serving their connections

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

func newListenerRT(d *DataPlane, port int, ln net.Listener) *listenerRT {
	l := &listenerRT{d: d, port: port, ln: ln, conns: map[net.Conn]struct{}{}}
	l.tlsCfg = l.newTLSConfig()
	return l
}

func (l *listenerRT) start() {
	l.d.wg.Add(1)
	go l.acceptLoop()
}

func (l *listenerRT) acceptLoop() {
	defer l.d.wg.Done()
	var backoff time.Duration
	for {
		nc, err := l.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Temporary failures such as EMFILE: back off instead of spinning.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			l.d.log.Warn("accept failed", "port", l.port, "err", err)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		if !l.track(nc) {
			nc.Close()
			return
		}
		l.d.wg.Add(1)
		go l.serve(nc)
	}
}

// track registers a connection so close can reach it; false once the listener is closed.
func (l *listenerRT) track(nc net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.conns[nc] = struct{}{}
	return true
}

func (l *listenerRT) untrack(nc net.Conn) {
	l.mu.Lock()
	delete(l.conns, nc)
	l.mu.Unlock()
}

// serve runs one client connection: TLS first for HTTPS listeners, then either the
// HTTP/2 server (ALPN h2) or the HTTP/1.1 fast path.
func (l *listenerRT) serve(nc net.Conn) {
	defer l.d.wg.Done()
	defer l.untrack(nc)
	l.d.active.Add(1)
	defer l.d.active.Add(-1)
	rt := l.routes.Load()
	if rt == nil {
		nc.Close()
		return
	}
	born := time.Now()
	peer := peerAddrPort(nc)
	c := &clientConn{d: l.d, l: l, peer: peer.Addr(), peerPort: peer.Port(), https: rt.https, born: born, idleTO: rt.set.clientIdle}
	if rt.https {
		tc := tls.Server(nc, l.tlsCfg)
		tc.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.Handshake(); err != nil {
			tc.Close()
			return
		}
		tc.SetDeadline(time.Time{})
		st := tc.ConnectionState()
		if st.NegotiatedProtocol == "h2" {
			l.serveH2(tc)
			return
		}
		c.tlsVer, c.tlsSuite, c.tlsCerts = st.Version, st.CipherSuite, l.certs.Load()
		nc = tc
	}
	c.nc, c.src, c.dst = nc, nc, nc
	if f := newFdIO(nc); f != nil {
		c.src, c.dst = f, f
	}
	c.serve()
	c.close()
}

// close stops accepting, closes every connection and forgets the routes, so a request
// on a surviving connection cannot use a stale table.
func (l *listenerRT) close() {
	l.routes.Store(nil)
	l.ln.Close()
	l.mu.Lock()
	l.closed = true
	conns := l.conns
	l.conns = map[net.Conn]struct{}{}
	h2s := append(l.oldH2, l.h2)
	l.oldH2, l.h2 = nil, nil
	l.mu.Unlock()
	for nc := range conns {
		nc.Close()
	}
	for _, h := range h2s {
		if h != nil {
			h.close()
		}
	}
}

// h2Server wraps the net/http server that handles HTTP/2 connections.
type h2Server struct {
	srv     *http.Server
	idle    time.Duration // its IdleTimeout
	ln      *chanListener
	mu      sync.Mutex
	waiters map[net.Conn]chan struct{}
}

func (h *h2Server) close() {
	h.srv.Close()
	h.mu.Lock()
	for c, done := range h.waiters {
		c.Close()
		close(done)
	}
	h.waiters = map[net.Conn]chan struct{}{}
	h.mu.Unlock()
}
