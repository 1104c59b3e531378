package lb

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"
)

// certSet is an HTTPS listener's certificates: the first is the default, the others
// are chosen by SNI (crypto/tls picks the first certificate compatible with the hello).
// src is what they were parsed from, policy and protos what cfg negotiates.
type certSet struct {
	cfg    *tls.Config
	src    []Certificate
	policy TLSPolicy
	protos []string
}

// loadListenerCerts parses the HTTPS listeners' certificates. A listener whose
// certificates are those it already serves keeps its parsed set: configurations
// change with every target registration, certificates rarely.
func (d *DataPlane) loadListenerCerts(cfg *Config) (map[int]*certSet, error) {
	out := map[int]*certSet{}
	lbs := loadBalancers(cfg)
	for _, l := range cfg.Listeners {
		if l.Protocol != "HTTPS" {
			continue
		}
		protos := []string{"h2", "http/1.1"}
		if b := lbs[l.LoadBalancerARN]; b != nil && b.HTTP2Disabled {
			protos = []string{"http/1.1"} // routing.http2.enabled=false
		}
		if lr := d.listeners[l.Port]; lr != nil {
			if cs := lr.certs.Load(); cs != nil && sameCertificates(cs.src, l.Certificates) &&
				cs.policy.Equal(l.TLS) && slices.Equal(cs.protos, protos) {
				out[l.Port] = cs
				continue
			}
		}
		var certs []tls.Certificate
		for _, c := range l.Certificates {
			kp, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
			if err != nil {
				return nil, fmt.Errorf("%w: listener %s: certificate %s: %w", ErrCertificate, l.ARN, c.Name, err)
			}
			certs = append(certs, kp)
		}
		cfg := &tls.Config{Certificates: certs, NextProtos: protos}
		l.TLS.ApplyTo(cfg)
		out[l.Port] = &certSet{src: slices.Clone(l.Certificates), cfg: cfg, policy: l.TLS.Clone(), protos: protos}
	}
	return out, nil
}

func sameCertificates(a, b []Certificate) bool {
	return slices.EqualFunc(a, b, func(x, y Certificate) bool {
		return bytes.Equal(x.CertPEM, y.CertPEM) && bytes.Equal(x.KeyPEM, y.KeyPEM)
	})
}

func (l *listenerRT) setCerts(cs *certSet) {
	if cs != nil {
		l.certs.Store(cs)
	}
}

// newTLSConfig returns the listener's TLS config; it reads the current certificate set
// per handshake so Apply can rotate certificates without rebinding.
func (l *listenerRT) newTLSConfig() *tls.Config {
	return &tls.Config{
		NextProtos: []string{"h2", "http/1.1"},
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			cs := l.certs.Load()
			if cs == nil {
				return nil, fmt.Errorf("%w: no certificate", ErrCertificate)
			}
			return cs.cfg, nil
		},
	}
}

// serveH2 hands an h2 connection to net/http's HTTP/2 server; each stream then runs
// through the same request handling as HTTP/1.1 (see ServeHTTP).
func (l *listenerRT) serveH2(tc *tls.Conn) {
	h := l.h2server()
	if h == nil {
		tc.Close() // listener closed meanwhile
		return
	}
	done := make(chan struct{})
	h.mu.Lock()
	h.waiters[tc] = done
	h.mu.Unlock()
	// net/http must see the *tls.Conn itself to pick HTTP/2, so closing is observed
	// through ConnState rather than a wrapper.
	if !h.ln.push(tc) {
		h.mu.Lock()
		delete(h.waiters, tc)
		h.mu.Unlock()
		tc.Close()
		return
	}
	<-done // keeps the connection counted and tracked until net/http closes it
}

// h2server returns the HTTP/2 server for new connections. Its idle timeout is the
// load balancer's: when that changes, a new server takes new connections and the
// old one keeps its own until they end.
func (l *listenerRT) h2server() *h2Server {
	idle := l.d.opts.ClientIdleTimeout
	if rt := l.routes.Load(); rt != nil {
		idle = rt.set.clientIdle
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	if l.h2 != nil && l.h2.idle != idle {
		l.retireH2()
	}
	if l.h2 == nil {
		ln := &chanListener{ch: make(chan net.Conn), closed: make(chan struct{}), addr: l.ln.Addr()}
		h := &h2Server{ln: ln, waiters: map[net.Conn]chan struct{}{}, idle: idle}
		h.srv = &http.Server{Handler: l, IdleTimeout: idle, ConnState: h.connState, ConnContext: bornContext}
		l.h2 = h
		srv := h.srv
		l.d.wg.Add(1)
		go func() { defer l.d.wg.Done(); srv.Serve(ln) }()
	}
	return l.h2
}

// retireH2 stops the current HTTP/2 server taking connections (under l.mu) and
// closes retired ones that have none left.
func (l *listenerRT) retireH2() {
	l.h2.ln.Close()
	kept := l.oldH2[:0]
	for _, h := range append(l.oldH2, l.h2) {
		h.mu.Lock()
		idle := len(h.waiters) == 0
		h.mu.Unlock()
		if idle {
			h.close()
		} else {
			kept = append(kept, h)
		}
	}
	l.oldH2, l.h2 = kept, nil
}

// connBornKey is the context key of an HTTP/2 connection's start.
type connBornKey struct{}

// bornContext records when net/http took an HTTP/2 connection, from which
// client_keep_alive.seconds counts.
func bornContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connBornKey{}, time.Now())
}

// ServeHTTP serves one HTTP/2 stream: the request is re-expressed as an HTTP/1.1 head
// and handled by the same code as HTTP/1.1 connections; the response is translated back.
func (l *listenerRT) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	head, chunked := synthesizeHead(r)
	var body io.Reader = r.Body
	if chunked {
		body = &chunkEncoder{src: r.Body}
	}
	tr := &h2Response{w: w, rc: http.NewResponseController(w)}
	ap, _ := netip.ParseAddrPort(r.RemoteAddr)
	c := &clientConn{d: l.d, l: l, src: io.MultiReader(bytes.NewReader(head), body), dst: tr,
		peer: ap.Addr().Unmap(), peerPort: ap.Port(), https: true, h2: true}
	if r.TLS != nil {
		c.tlsVer, c.tlsSuite, c.tlsCerts = r.TLS.Version, r.TLS.CipherSuite, l.certs.Load()
	}
	if rt := l.routes.Load(); rt != nil && rt.set.keepAlive > 0 {
		if born, ok := r.Context().Value(connBornKey{}).(time.Time); ok && time.Since(born) >= rt.set.keepAlive {
			w.Header().Set("Connection", "close") // net/http's HTTP/2 server answers it with GOAWAY
		}
	}
	c.acquire(nil)
	defer c.releaseState()
	c.handle()
}

// synthesizeHead writes an HTTP/1.1 request head for an HTTP/2 request.
func synthesizeHead(r *http.Request) ([]byte, bool) {
	var b bytes.Buffer
	b.WriteString(r.Method + " " + r.RequestURI + " HTTP/1.1\r\nHost: " + r.Host + "\r\n")
	for k, vs := range r.Header {
		switch k {
		case "Content-Length", "Transfer-Encoding", "Connection", "Host":
			continue
		}
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	chunked := false
	switch {
	case r.ContentLength > 0:
		b.WriteString("Content-Length: " + strconv.FormatInt(r.ContentLength, 10) + "\r\n")
	case r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody:
		b.WriteString("Transfer-Encoding: chunked\r\n")
		chunked = true
	}
	b.WriteString("\r\n")
	return b.Bytes(), chunked
}

// chunkEncoder frames a body of unknown length as HTTP/1.1 chunks.
type chunkEncoder struct {
	src  io.Reader
	out  []byte
	done bool
	buf  [8192]byte
}

// Read implements io.Reader, emitting chunk-framed bytes.
func (ce *chunkEncoder) Read(p []byte) (int, error) {
	for len(ce.out) == 0 {
		if ce.done {
			return 0, io.EOF
		}
		n, err := ce.src.Read(ce.buf[:])
		if n > 0 {
			ce.out = append(ce.out[:0], strconv.FormatInt(int64(n), 16)+"\r\n"...)
			ce.out = append(ce.out, ce.buf[:n]...)
			ce.out = append(ce.out, "\r\n"...)
		}
		if err == io.EOF {
			ce.out = append(ce.out, "0\r\n\r\n"...)
			ce.done = true
		} else if err != nil {
			return 0, err
		}
	}
	n := copy(p, ce.out)
	ce.out = ce.out[n:]
	return n, nil
}

// h2Response turns the HTTP/1.1 response bytes the handler writes (bodies already
// de-chunked because the connection is marked h2) into ResponseWriter calls.
type h2Response struct {
	w           http.ResponseWriter
	rc          *http.ResponseController
	head        []byte
	wroteHeader bool
}

// Write implements io.Writer: the first bytes are the response head, the rest the body.
func (t *h2Response) Write(p []byte) (int, error) {
	n := len(p)
	if !t.wroteHeader {
		t.head = append(t.head, p...)
		p = nil
		for !t.wroteHeader {
			var rs response
			err := parseResponse(t.head, &rs)
			if err == errNeedMore {
				return n, nil
			}
			if err != nil {
				return 0, err
			}
			if rs.status < 200 { // interim responses are not relayed over HTTP/2
				t.head = t.head[rs.headLen:]
				continue
			}
			h := t.w.Header()
			for _, hd := range rs.headers {
				if isHopByHop(hd.name) || bytes.EqualFold(hd.name, []byte("transfer-encoding")) {
					continue
				}
				h.Add(string(hd.name), string(hd.value))
			}
			t.w.WriteHeader(rs.status)
			t.wroteHeader = true
			p = t.head[rs.headLen:]
		}
	}
	if len(p) > 0 {
		if _, err := t.w.Write(p); err != nil {
			return 0, err
		}
	}
	t.rc.Flush()
	return n, nil
}

// chanListener feeds already-handshaken TLS connections to an http.Server.
type chanListener struct {
	ch     chan net.Conn
	closed chan struct{}
	once   sync.Once
	addr   net.Addr
}

func (cl *chanListener) push(c net.Conn) bool {
	select {
	case cl.ch <- c:
		return true
	case <-cl.closed:
		return false
	}
}

// Accept implements net.Listener.
func (cl *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-cl.ch:
		return c, nil
	case <-cl.closed:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (cl *chanListener) Close() error {
	cl.once.Do(func() { close(cl.closed) })
	return nil
}

// Addr implements net.Listener.
func (cl *chanListener) Addr() net.Addr { return cl.addr }

// connState releases serveH2 when net/http is done with a connection.
func (h *h2Server) connState(c net.Conn, st http.ConnState) {
	if st != http.StateClosed && st != http.StateHijacked {
		return
	}
	h.mu.Lock()
	done := h.waiters[c]
	delete(h.waiters, c)
	h.mu.Unlock()
	if done != nil {
		close(done)
	}
}
