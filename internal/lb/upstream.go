package lb

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"sync"
	"time"
)

// upstreamIdleTimeout closes pooled target connections unused for this long, like
// nginx's upstream keepalive_timeout.
const upstreamIdleTimeout = 60 * time.Second

// maxIdlePerTarget bounds the keep-alive pool of one target.
const maxIdlePerTarget = 1024

// upConn is one keep-alive connection to a target. Its buffers stay with it: there
// are few target connections and they are busy, unlike client connections.
type upConn struct {
	nc       net.Conn
	rd       reader
	wr       writer
	resp     response
	reused   bool
	raw      *fdIO     // nil for TLS: then net.Conn's Write and Read
	deadline time.Time // read deadline currently set on nc
	lastUsed time.Time
}

// setReadTimeout arms the read deadline coarsely: it is only moved when it would
// fire more than a tenth of the timeout early, so busy connections do not reset
// timers on every request.
func (uc *upConn) setReadTimeout(now time.Time, d time.Duration) {
	want := now.Add(d)
	if want.Sub(uc.deadline) > d/10 || uc.deadline.After(want) {
		uc.deadline = want
		uc.nc.SetDeadline(want) // writes too: a target that stops reading a body must not hang us
	}
}

// upstreamPool is a LIFO pool of idle keep-alive connections to one target. LIFO keeps
// the working set small so the target's idle timeouts reap the rest.
type upstreamPool struct {
	addr        string
	tls         bool
	dialTimeout time.Duration
	mu          sync.Mutex
	idle        []*upConn
	all         map[*upConn]struct{} // every open connection, idle or busy
	closed      bool                 // draining or removed: returned connections are closed
}

func newUpstreamPool(addr string, useTLS bool, dialTimeout time.Duration) *upstreamPool {
	return &upstreamPool{addr: addr, tls: useTLS, dialTimeout: dialTimeout, all: map[*upConn]struct{}{}}
}

// staleCheckAfter is how long a pooled connection may sit idle before get checks
// that the target has not closed it. Targets commonly close idle keep-alive
// connections after a few seconds; checking avoids sending a non-idempotent request
// into a connection that is already closing, which could not be retried.
const staleCheckAfter = 500 * time.Millisecond

// get returns an idle connection or dials a new one.
func (p *upstreamPool) get(ctx context.Context, now time.Time) (*upConn, error) {
	for {
		p.mu.Lock()
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			return p.dial(ctx)
		}
		uc := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		if now.Sub(uc.lastUsed) > staleCheckAfter && !connAlive(uc.nc) {
			p.drop(uc)
			continue
		}
		uc.reused = true
		return uc, nil
	}
}

func (p *upstreamPool) dial(ctx context.Context) (*upConn, error) {
	d := net.Dialer{Timeout: p.dialTimeout}
	nc, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	if p.tls {
		// ELB does not validate target certificates; neither do we.
		tc := tls.Client(nc, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, err
		}
		nc = tc
	}
	uc := &upConn{nc: nc}
	var rw io.ReadWriter = nc
	if uc.raw = newFdIO(nc); uc.raw != nil {
		rw = uc.raw
	}
	uc.rd = reader{src: rw, buf: make([]byte, bufSize)}
	uc.wr = writer{dst: rw, buf: make([]byte, bufSize)}
	p.mu.Lock()
	p.all[uc] = struct{}{}
	p.mu.Unlock()
	return uc, nil
}

// put returns a connection whose exchange completed cleanly.
func (p *upstreamPool) put(uc *upConn, now time.Time) {
	if uc.rd.buffered() != 0 || uc.rd.err != nil || uc.wr.err != nil {
		p.drop(uc) // stray bytes would corrupt the next exchange
		return
	}
	uc.lastUsed = now
	p.mu.Lock()
	if p.closed || len(p.idle) >= maxIdlePerTarget {
		p.mu.Unlock()
		p.drop(uc)
		return
	}
	var stale *upConn
	if len(p.idle) > 0 && now.Sub(p.idle[0].lastUsed) > upstreamIdleTimeout {
		stale = p.idle[0]
		copy(p.idle, p.idle[1:])
		p.idle[len(p.idle)-1] = nil
		p.idle = p.idle[:len(p.idle)-1]
	}
	p.idle = append(p.idle, uc)
	p.mu.Unlock()
	if stale != nil {
		p.drop(stale)
	}
}

// drop closes a connection and forgets it.
func (p *upstreamPool) drop(uc *upConn) {
	p.mu.Lock()
	delete(p.all, uc)
	p.mu.Unlock()
	uc.nc.Close()
}

// closeAll closes every connection, busy ones included: the in-flight exchanges fail.
// Used when a drain's deregistration delay expires and on Close.
func (p *upstreamPool) closeAll() {
	p.mu.Lock()
	p.closed = true
	all := p.all
	p.all = map[*upConn]struct{}{}
	p.idle = nil
	p.mu.Unlock()
	for uc := range all {
		uc.nc.Close()
	}
}

// closeIdle closes all idle connections and, with final, refuses future returns.
func (p *upstreamPool) closeIdle(final bool) {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	if final {
		p.closed = true
	}
	for _, uc := range idle {
		delete(p.all, uc)
	}
	p.mu.Unlock()
	for _, uc := range idle {
		uc.nc.Close()
	}
}

// reopen lets a re-registered target pool connections again.
func (p *upstreamPool) reopen() {
	p.mu.Lock()
	p.closed = false
	p.mu.Unlock()
}
