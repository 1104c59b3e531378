package l4

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"
)

// acceptTCP accepts the connections of one TCP socket until it is closed.
func (d *DataPlane) acceptTCP(lr *listenerRT, ln net.Listener) {
	defer d.wg.Done()
	backoff := time.Duration(0)
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors or similar: wait a little rather than spin.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			select {
			case <-time.After(backoff):
			case <-d.stopped:
				return
			}
			continue
		}
		backoff = 0
		if d.conns.Add(1) > int64(d.opts.MaxConnections) {
			d.conns.Add(-1)
			d.rejected.Add(1)
			d.net.elbReset(lr.route.Load())
			reset(c)
			continue
		}
		d.spawn(func() { d.serveTCP(lr, c) })
	}
}

// reset closes c with an RST, as NLB answers a connection it cannot serve.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// serveTCP relays one client connection: TLS termination on TLS listeners, a
// target by flow hash, a PROXY v2 header if the group wants one, then bytes both
// ways until both sides have finished, or the idle timeout.
func (d *DataPlane) serveTCP(lr *listenerRT, c net.Conn) {
	defer d.conns.Add(-1)
	r := lr.route.Load()
	if !needsTCP(r.protocol) {
		d.net.elbReset(r)
		reset(c)
		return
	}
	client, proto := c, ""
	if r.protocol == ProtocolTLS {
		tc := tls.Server(c, lr.tlsConfig)
		ctx, cancel := context.WithTimeout(d.ctx, d.opts.HandshakeTimeout)
		err := tc.HandshakeContext(ctx)
		cancel()
		if err != nil {
			c.Close()
			return
		}
		client, proto = tc, tc.ConnectionState().NegotiatedProtocol
	}
	peer := addrPort(c.RemoteAddr())
	fl := &tcpFlow{client: client}
	var g *groupRT
	var t, failed *target
	for tries := 0; tries < 4; tries++ {
		g, t = r.pick(peer, failed)
		if t == nil {
			break
		}
		if !t.track(fl) {
			t, r = nil, lr.route.Load() // it began draining: pick from the new routing
			continue
		}
		up, err := d.dialTarget(g, t, proto)
		if err == nil {
			if !fl.setUp(up) { // terminated while connecting
				t.untrack(fl)
				return
			}
			break
		}
		t.failed.Add(1)
		t.untrack(fl)
		if failed != nil {
			t = nil
			break // a second target failed too
		}
		failed, t = t, nil
	}
	if t == nil {
		d.noTarget.Add(1)
		d.net.elbReset(r)
		reset(c)
		return
	}
	defer t.untrack(fl)
	if g.tg.ProxyProtocolV2 {
		hdr := AppendProxyV2(nil, peer, addrPort(c.LocalAddr()))
		if _, err := fl.up.Write(hdr); err != nil {
			fl.Close()
			return
		}
	}
	in, out := d.relay(client, fl.up, r.idle, d.net.of(r.arn))
	t.bytesIn.Add(uint64(in))
	t.bytesOut.Add(uint64(out))
}

// dialTarget connects to t (over TLS for a TLS target group, offering proto, the
// protocol the client negotiated, if any).
func (d *DataPlane) dialTarget(g *groupRT, t *target, proto string) (net.Conn, error) {
	c, err := d.dialer.DialContext(d.ctx, "tcp", t.addr) // the dialer's Timeout is DialTimeout
	if err != nil || g.tg.Protocol != ProtocolTLS {
		return c, err
	}
	tc := tls.Client(c, d.upstream.config(proto))
	hctx, hcancel := context.WithTimeout(d.ctx, d.opts.HandshakeTimeout)
	defer hcancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		c.Close()
		return nil, err
	}
	return tc, nil
}

// tcpFlow is a relayed connection as its target tracks it: closing it ends the relay.
type tcpFlow struct {
	client net.Conn
	mu     sync.Mutex // guards up and closed: Close may come from another goroutine
	up     net.Conn
	closed bool
}

// setUp records the target connection; it reports false (and closes up) when the
// flow was closed meanwhile.
func (f *tcpFlow) setUp(up net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		up.Close()
		return false
	}
	f.up = up
	return true
}

// Close closes both sides (connection termination, shutdown).
func (f *tcpFlow) Close() error {
	f.mu.Lock()
	f.closed = true
	up := f.up
	f.mu.Unlock()
	f.client.Close()
	if up != nil {
		up.Close()
	}
	return nil
}

// addrPort is a socket address as netip.AddrPort (IPv4 unmapped).
func addrPort(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		ap := a.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	case *net.UDPAddr:
		ap := a.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}
