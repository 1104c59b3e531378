package lblink

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipway-dev/slipway/internal/lb"
)

// DataPlane is what a Node serves; *lb.DataPlane satisfies it.
type DataPlane interface {
	Apply(ctx context.Context, cfg lb.Config) error
	AppliedVersion() uint64
	TargetHealth(targetGroupARN string) []lb.TargetHealth
	HealthSnapshot() map[string][]lb.TargetHealth
	FlushEvents()
	Stats() lb.Stats
	Close() error
}

var _ DataPlane = (*lb.DataPlane)(nil)

// Timeouts of the link.
const (
	// handshakeTimeout bounds the hello exchange and the welcome.
	handshakeTimeout = 5 * time.Second
	// writeTimeout bounds writing one batch of frames; a peer that reads
	// nothing for this long is dropped.
	writeTimeout = 10 * time.Second
)

// NodeOptions configure a Node.
type NodeOptions struct {
	// Identity names the installation; a control plane with another is refused.
	Identity string
	// Host is where the data plane's listeners bind, reported in the hello.
	Host string
	// Gatherer holds the data plane's Prometheus metrics (may be nil).
	Gatherer prometheus.Gatherer
	Logger   *slog.Logger
}

// Node serves a data plane to one control plane at a time.
type Node struct {
	dp   DataPlane
	opts NodeOptions
	log  *slog.Logger
	ctx  context.Context // for Apply; canceled when Serve returns

	mu        sync.Mutex // guards active, conns, idleSince
	active    *nodeSession
	conns     map[net.Conn]struct{} // every open connection, handshaking or active
	closing   bool                  // Serve is returning: new connections are closed at once
	idleSince time.Time

	stopOnce sync.Once
	stopped  chan struct{} // closed when a control plane asked the node to shut down
}

// NewNode returns a Node for dp. Wire Node.OnHealthChange as dp's
// lb.Options.OnHealthChange.
func NewNode(dp DataPlane, opts NodeOptions) *Node {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Node{dp: dp, opts: opts, log: opts.Logger.With("component", "lblink"), ctx: context.Background(),
		conns: map[net.Conn]struct{}{}, idleSince: time.Now(), stopped: make(chan struct{})}
}

// OnHealthChange tells the connected control plane, if any, that a target
// group's health changed. It never blocks.
func (n *Node) OnHealthChange(ev lb.HealthEvent) {
	n.mu.Lock()
	s := n.active
	n.mu.Unlock()
	if s != nil {
		s.markDirty(ev.TargetGroupARN)
	}
}

// ShutdownRequested is closed once a control plane asked the node to shut
// down: the data plane is closed by then, and Serve returns.
func (n *Node) ShutdownRequested() <-chan struct{} { return n.stopped }

// IdleSince returns when the last control plane went away; ok is false
// while one is connected.
func (n *Node) IdleSince() (since time.Time, ok bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.idleSince, n.active == nil
}

// Serve accepts control-plane connections on ln until ctx is done or a
// control plane asks for a shutdown, then closes ln and every connection.
func (n *Node) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n.ctx = ctx
	var wg sync.WaitGroup
	defer wg.Wait()
	go func() {
		select {
		case <-ctx.Done():
		case <-n.stopped:
		}
		ln.Close()
		n.mu.Lock()
		n.closing = true
		for conn := range n.conns {
			conn.Close()
		}
		n.mu.Unlock()
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || isStopped(n.stopped) || errors.Is(err, net.ErrClosed) {
				return nil
			}
			n.log.Warn("accepting a control-plane connection failed", "err", err)
			select {
			case <-time.After(100 * time.Millisecond):
			case <-ctx.Done():
			}
			continue
		}
		n.mu.Lock()
		closing := n.closing
		n.conns[conn] = struct{}{}
		n.mu.Unlock()
		if closing {
			conn.Close()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.serveConn(conn)
			n.mu.Lock()
			delete(n.conns, conn)
			n.mu.Unlock()
		}()
	}
}

func isStopped(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// serveConn runs one control-plane connection: the hello exchange, then
// requests until the connection ends or a newer one replaces it.
func (n *Node) serveConn(conn net.Conn) {
	defer conn.Close()
	s, err := n.handshake(conn)
	if errors.Is(err, io.EOF) {
		return // a probe that connected and left
	}
	if err != nil {
		n.log.Warn("control plane refused", "err", err)
		return
	}
	n.activate(s)
	defer n.deactivate(s)
	go s.healthWriter()
	if s.send(&Message{Type: typeWelcome}) != nil {
		return
	}
	for {
		m, err := s.fr.read()
		if err != nil {
			if !s.isClosed() {
				n.log.Info("control plane disconnected", "err", err)
			}
			return
		}
		if !n.handle(s, m) {
			return
		}
	}
}

// handshake sends the node's hello and checks the control plane's.
func (n *Node) handshake(conn net.Conn) (*nodeSession, error) {
	s := newNodeSession(n, conn)
	conn.SetDeadline(time.Now().Add(handshakeTimeout))
	hello := &Hello{Protocol: Protocol, Identity: n.opts.Identity, PID: pid(), Host: n.opts.Host, Version: n.dp.AppliedVersion()}
	if err := s.writeNow(&Message{Type: typeHello, Hello: hello}); err != nil {
		return nil, err
	}
	m, err := s.fr.read()
	if err != nil {
		return nil, err
	}
	if m.Type != typeHello {
		err = errors.New("the control plane did not say hello")
	} else {
		err = CheckHello(m.Hello, n.opts.Identity)
	}
	if err != nil {
		_ = s.writeNow(&Message{Type: typeError, Error: wireError(err)})
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return s, nil
}

// activate makes s the connection health is reported on, replacing (and
// closing) the previous one: a control plane that connects again after a
// crash takes over at once.
func (n *Node) activate(s *nodeSession) {
	n.mu.Lock()
	prev := n.active
	n.active = s
	n.mu.Unlock()
	if prev != nil {
		prev.close()
		n.log.Info("control plane replaced by a new connection")
	} else {
		n.log.Info("control plane connected")
	}
}

func (n *Node) deactivate(s *nodeSession) {
	s.close()
	n.mu.Lock()
	if n.active == s {
		n.active = nil
		n.idleSince = time.Now()
	}
	n.mu.Unlock()
}

// msgNoNetworkPlane answers a network request to a node whose data plane
// serves no network load balancers.
const msgNoNetworkPlane = "this data plane serves no network load balancers"

// handle answers one request; false ends the connection.
func (n *Node) handle(s *nodeSession, m *Message) bool {
	reply := &Message{ID: m.ID}
	switch m.Type {
	case typePing:
		reply.Type = typePong
	case typeApply:
		n.apply(m, reply)
	case typeApplyNetwork:
		n.applyNetwork(m, reply)
	case typeStats:
		reply.Type = typeStats
		st := n.dp.Stats()
		reply.Stats = &st
	case typeNetworkStats:
		reply.Type = typeNetworkStats
		if ns, ok := n.dp.(networkStatser); ok {
			st := ns.NetworkStats()
			reply.NetworkStats = &st
		} else {
			reply.Error = &Error{Kind: kindInvalid, Message: msgNoNetworkPlane}
		}
	case typeMetrics:
		reply.Type = typeMetrics
		b, err := gatherDelimited(n.opts.Gatherer)
		if err != nil {
			reply.Error = wireError(err)
		}
		reply.Metrics = b
	case typeShutdown:
		n.shutdown(s, reply)
		return false
	default:
		reply.Type = typeError
		reply.Error = &Error{Kind: kindProtocol, Message: "unknown request type " + m.Type}
	}
	return s.send(reply) == nil
}

// apply answers apply: the configuration applied, then its health changes
// flushed. Apply emitted the health changes it made (targets draining);
// once delivered they are marked dirty, and send writes dirty groups before
// the reply: the control plane sees them before the acknowledgement.
func (n *Node) apply(m, reply *Message) {
	reply.Type = typeApplied
	if m.Config == nil {
		reply.Error = &Error{Kind: kindInvalid, Message: "apply without a configuration"}
		return
	}
	if err := n.dp.Apply(n.ctx, *m.Config); err != nil {
		reply.Error = wireError(err)
	}
	n.dp.FlushEvents()
	reply.Version = n.dp.AppliedVersion()
}

// applyNetwork answers apply-network; as for apply, the health changes it
// caused are flushed (ApplyNetwork does), marked dirty and written before
// the reply.
func (n *Node) applyNetwork(m, reply *Message) {
	reply.Type = typeApplied
	na, ok := n.dp.(networkApplier)
	switch {
	case m.Network == nil:
		reply.Error = &Error{Kind: kindInvalid, Message: "apply-network without a configuration"}
	case !ok:
		reply.Error = &Error{Kind: kindInvalid, Message: msgNoNetworkPlane}
	default:
		if err := na.ApplyNetwork(n.ctx, *m.Network); err != nil {
			reply.Error = wireError(err)
		}
	}
	reply.Version = n.dp.AppliedVersion()
}

// shutdown closes the data plane (listeners, connections, checks), then
// acknowledges, then stops Serve.
func (n *Node) shutdown(s *nodeSession, reply *Message) {
	n.log.Info("shutdown requested by the control plane")
	reply.Type = typeShutdown
	if err := n.dp.Close(); err != nil {
		reply.Error = wireError(err)
	}
	_ = s.send(reply)
	n.stopOnce.Do(func() { close(n.stopped) })
}
