package lblink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipway-dev/slipway/internal/lb"
)

// Dialer connects a Client to its node: a unix socket today (with a
// supervisor that starts the node's process when nothing answers), TLS over
// TCP for a node on another machine.
type Dialer interface {
	Dial(ctx context.Context) (net.Conn, error)
}

// ClientOptions configure a Client.
type ClientOptions struct {
	// Identity names the installation; a node with another is refused.
	Identity string
	// Check decides whether to use the node that answered; nil means
	// CheckHello(h, Identity). A supervisor uses it to replace a node it
	// cannot use (another protocol, another listen address).
	Check func(h *Hello) error
	// OnHealthChange is called when the mirrored health changed (a health
	// frame, a new connection). It must not block.
	OnHealthChange func()
	// OnReset is called when the client connected to a node that is behind
	// the version it acknowledged earlier: the node's process was restarted
	// and lost its configuration, which must be applied again. It must not
	// block.
	OnReset func()
	Logger  *slog.Logger
	// KeepAlive is the ping interval (default 1s); a connection on which
	// nothing arrives for 10 intervals is dropped and dialed again.
	KeepAlive time.Duration
}

// Redial backoff after a failed connection attempt.
const (
	minRedial        = 50 * time.Millisecond
	maxRedial        = 5 * time.Second
	missedKeepAlives = 10
)

// errLost means the connection ended before a request was answered.
var errLost = errors.New("lblink: connection to the data plane lost")

// Client is the control plane's end of the link to one node. It satisfies
// lbsync.DataPlane: AppliedVersion, TargetHealth and WaitDrained read a
// mirror of the node's state that the node keeps current, so they never
// wait on the network; Apply waits for a connection and the node's
// acknowledgement.
type Client struct {
	dialer Dialer
	opts   ClientOptions
	log    *slog.Logger
	reg    *prometheus.Registry // the client's own metrics (connected)
	ids    atomic.Uint64

	mu       sync.Mutex // guards the fields below
	sess     *clientSession
	sessUp   chan struct{} // closed when sess is set; replaced when it is cleared
	node     Hello         // the connected (or last) node's hello
	applied  uint64        // the node's applied version
	acked    uint64        // highest version a node acknowledged to this client
	health   map[string][]lb.TargetHealth
	changed  chan struct{} // closed and replaced whenever the mirror changes
	stopping bool          // Shutdown or Close: no more connections

	closeOnce sync.Once
	closed    chan struct{}
}

// NewClient returns a Client that reaches its node through d. Call Connect
// for the first connection, then Run to keep it up.
func NewClient(d Dialer, opts ClientOptions) *Client {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.KeepAlive <= 0 {
		opts.KeepAlive = time.Second
	}
	c := &Client{dialer: d, opts: opts, log: opts.Logger.With("component", "lblink"), reg: prometheus.NewRegistry(),
		sessUp: make(chan struct{}), health: map[string][]lb.TargetHealth{}, changed: make(chan struct{}),
		closed: make(chan struct{})}
	c.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "slipway_lb_data_plane_connected",
		Help: "1 while the control plane is connected to the load-balancer data plane, else 0.",
	}, func() float64 {
		if c.Connected() {
			return 1
		}
		return 0
	}))
	return c
}

// Connect makes one attempt to connect: dial, exchange hellos, receive the
// welcome with the node's version and health. It returns the attempt's error.
func (c *Client) Connect(ctx context.Context) error {
	if c.isStopping() {
		return ErrClosed
	}
	conn, err := c.dialer.Dial(ctx)
	if err != nil {
		return err
	}
	s, hello, welcome, err := c.handshake(ctx, conn)
	if err != nil {
		conn.Close()
		return err
	}
	return c.install(s, hello, welcome)
}

// Run keeps the client connected until ctx is done or the client is closed
// or shut down, then returns nil: a lost connection is dialed again at once,
// failed attempts with backoff (50 ms doubling to 5 s).
func (c *Client) Run(ctx context.Context) error {
	backoff := minRedial
	failing := false
	for {
		if s := c.current(); s != nil {
			select {
			case <-s.done:
				if !c.isStopping() {
					c.log.Warn("connection to the data plane lost; reconnecting", "err", s.err)
				}
			case <-ctx.Done():
				return nil
			case <-c.closed:
				return nil
			}
			backoff = minRedial
			continue
		}
		if c.isStopping() {
			return nil
		}
		err := c.Connect(ctx)
		switch {
		case err == nil:
			if failing {
				c.log.Info("data plane reachable again")
			}
			failing, backoff = false, minRedial
			continue
		case ctx.Err() != nil || c.isStopping():
			return nil
		case !failing:
			c.log.Error("cannot reach the data plane; retrying", "err", err)
		}
		failing = true
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return nil
		case <-c.closed:
			return nil
		}
		backoff = min(2*backoff, maxRedial)
	}
}

// handshake reads the node's hello, checks it, answers with ours and reads
// the welcome.
func (c *Client) handshake(ctx context.Context, conn net.Conn) (*clientSession, *Hello, *Message, error) {
	deadline := time.Now().Add(handshakeTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	s := newClientSession(c, conn)
	m, err := s.fr.read()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("waiting for the data plane's hello: %w", err)
	}
	if m.Type == typeError && m.Error != nil {
		return nil, nil, nil, m.Error
	}
	if m.Type != typeHello {
		return nil, nil, nil, fmt.Errorf("%w: the data plane sent %q before its hello", ErrProtocol, m.Type)
	}
	check := c.opts.Check
	if check == nil {
		check = func(h *Hello) error { return CheckHello(h, c.opts.Identity) }
	}
	if err := check(m.Hello); err != nil {
		_ = s.fw.write(&Message{Type: typeError, Error: wireError(err)})
		_ = s.fw.flush()
		return nil, nil, nil, err
	}
	if err := s.fw.write(&Message{Type: typeHello, Hello: &Hello{Protocol: Protocol, Identity: c.opts.Identity}}); err != nil {
		return nil, nil, nil, err
	}
	if err := s.fw.flush(); err != nil {
		return nil, nil, nil, err
	}
	w, err := s.fr.read()
	for err == nil && w.Type == typeHealth {
		w, err = s.fr.read() // changes just before the welcome: its snapshot is newer
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("waiting for the data plane's welcome: %w", err)
	}
	if w.Type == typeError && w.Error != nil {
		return nil, nil, nil, w.Error
	}
	if w.Type != typeWelcome {
		return nil, nil, nil, fmt.Errorf("%w: the data plane sent %q instead of its welcome", ErrProtocol, w.Type)
	}
	conn.SetDeadline(time.Time{})
	return s, m.Hello, w, nil
}

// install makes s the current connection and the welcome the mirror.
func (c *Client) install(s *clientSession, hello *Hello, welcome *Message) error {
	c.mu.Lock()
	if c.stopping {
		c.mu.Unlock()
		s.fail(ErrClosed)
		return ErrClosed
	}
	reset := welcome.Version < c.acked
	c.sess = s
	close(c.sessUp)
	c.node = *hello
	c.applied = welcome.Version
	c.health = map[string][]lb.TargetHealth{}
	for _, g := range welcome.Health {
		if len(g.Targets) > 0 {
			c.health[g.ARN] = g.Targets
		}
	}
	c.bumpLocked()
	c.mu.Unlock()
	go s.readLoop()
	go s.keepAlive(c.opts.KeepAlive)
	c.log.Info("data plane connected", "pid", hello.PID, "version", welcome.Version, "host", hello.Host)
	if reset {
		c.log.Warn("the data plane lost its configuration (restarted); applying it again", "had", c.acked, "has", welcome.Version)
		if c.opts.OnReset != nil {
			c.opts.OnReset()
		}
	}
	c.notifyHealth()
	return nil
}

// dropSession forgets s once it ended.
func (c *Client) dropSession(s *clientSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == s {
		c.sess = nil
		c.sessUp = make(chan struct{})
	}
}

func (c *Client) current() *clientSession {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess
}

// awaitSession returns the current connection, waiting for one.
func (c *Client) awaitSession(ctx context.Context) (*clientSession, error) {
	for {
		c.mu.Lock()
		s, up, stopping := c.sess, c.sessUp, c.stopping
		c.mu.Unlock()
		if stopping {
			return nil, ErrClosed
		}
		if s != nil {
			return s, nil
		}
		select {
		case <-up:
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", ErrNotConnected, ctx.Err())
		case <-c.closed:
			return nil, ErrClosed
		}
	}
}

func (c *Client) isStopping() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopping
}

// Connected reports whether a connection to the node is up.
func (c *Client) Connected() bool { return c.current() != nil }

// Node returns the hello of the connected node (or of the last one).
func (c *Client) Node() Hello {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.node
}

// Close ends the connection and stops Run; the node keeps running. Calls
// after Close fail with ErrClosed.
func (c *Client) Close() error {
	c.mu.Lock()
	c.stopping = true
	s := c.sess
	c.mu.Unlock()
	c.closeOnce.Do(func() { close(c.closed) })
	if s != nil {
		s.fail(ErrClosed)
	}
	return nil
}
