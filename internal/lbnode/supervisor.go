package lbnode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/lblink"
)

// Sentinel errors of the supervisor.
var (
	// ErrReplaced means Check refused a node and stopped its process; the
	// next Dial starts a new one.
	ErrReplaced = errors.New("lbnode: data plane process replaced")
	// ErrStopped means Stop was called: no process is started any more.
	ErrStopped = errors.New("lbnode: data plane stopped")
	// ErrBadOptions reports unusable Options.
	ErrBadOptions = errors.New("lbnode: bad options")
)

// maxSocketPath is the longest path a unix socket address holds (sun_path,
// 108 bytes with its terminating NUL).
const maxSocketPath = 107

// terminateGrace is how long a process gets after SIGTERM, and after SIGKILL.
const terminateGrace = 5 * time.Second

// Options configure a Supervisor.
type Options struct {
	// Dir holds the node's socket, lock and log (the data directory's "lb").
	Dir string
	// Command starts the process, e.g. {os.Executable(), "__lb"}; the
	// supervisor appends --dir, --host and --identity.
	Command []string
	// Env is added to the server's environment for the process (tests).
	Env []string
	// Host is where listeners bind; a node that binds elsewhere is replaced.
	Host string
	// Identity names the installation (the data directory's node id).
	Identity string
	Logger   *slog.Logger
}

// Supervisor starts, finds and stops the data plane process of one data
// directory. It is the lblink.Dialer of the server's lblink.Client, and its
// Check is the client's.
type Supervisor struct {
	opts Options
	log  *slog.Logger
	sock string

	startMu sync.Mutex // serializes starts

	mu      sync.Mutex // guards peer, stopped
	peer    *peer      // the process last connected to
	stopped bool
}

// New returns a Supervisor; it starts nothing until Dial.
func New(opts Options) (*Supervisor, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if len(opts.Command) == 0 || opts.Command[0] == "" {
		return nil, fmt.Errorf("%w: no command", ErrBadOptions)
	}
	if opts.Identity == "" {
		return nil, fmt.Errorf("%w: no identity", ErrBadOptions)
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	opts.Dir = dir
	sock := filepath.Join(dir, SocketName)
	if len(sock) > maxSocketPath {
		return nil, fmt.Errorf("%w: the load balancer's control socket %s would be %d bytes long, more than a unix socket address holds (%d); use a shorter --data-dir",
			ErrBadOptions, sock, len(sock), maxSocketPath)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Supervisor{opts: opts, log: opts.Logger.With("component", "lbnode"), sock: sock}, nil
}

// Socket is the path of the node's control socket.
func (s *Supervisor) Socket() string { return s.sock }

// Dial connects to the data plane, starting its process when none answers.
func (s *Supervisor) Dial(ctx context.Context) (net.Conn, error) {
	if conn, err := s.connect(); err == nil {
		return conn, nil
	}
	s.startMu.Lock()
	defer s.startMu.Unlock()
	if conn, err := s.connect(); err == nil { // another Dial started it meanwhile
		return conn, nil
	}
	if s.isStopped() {
		return nil, ErrStopped
	}
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	return s.connect()
}

// connect dials the socket and records the process that accepted.
func (s *Supervisor) connect() (net.Conn, error) {
	var d net.Dialer
	ctx, cancel := context.WithTimeout(context.Background(), handshakeDial)
	defer cancel()
	conn, err := d.DialContext(ctx, "unix", s.sock)
	if err != nil {
		return nil, err
	}
	p, err := peerOf(conn)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("identifying the data plane process: %w", err)
	}
	s.mu.Lock()
	if s.peer != nil {
		s.peer.close()
	}
	s.peer = p
	s.mu.Unlock()
	return conn, nil
}

// handshakeDial bounds connecting to the socket (a listener that accepts
// nothing fills its backlog; connect then fails instead of waiting).
const handshakeDial = 2 * time.Second

// Check is the client's lblink.ClientOptions.Check: it accepts a node of
// this installation, protocol and host, refuses (and leaves alone) a node
// of another installation, and replaces any other.
func (s *Supervisor) Check(h *lblink.Hello) error {
	err := lblink.CheckHello(h, s.opts.Identity)
	switch {
	case errors.Is(err, lblink.ErrForeignNode):
		return fmt.Errorf("a load-balancer data plane of another data directory (pid %d) answers on %s: %w; stop it (kill %d) and start again",
			h.PID, s.sock, err, h.PID)
	case err != nil:
		return s.replace(err.Error())
	case h.Host != s.opts.Host:
		return s.replace(fmt.Sprintf("its listeners bind on %s, not %s", h.Host, s.opts.Host))
	}
	return nil
}

// replace stops the process last connected to.
func (s *Supervisor) replace(why string) error {
	p := s.currentPeer()
	if p == nil {
		return fmt.Errorf("%w: %s", ErrReplaced, why)
	}
	s.log.Warn("replacing the load-balancer data plane; its listeners close until the new one serves them", "pid", p.pid, "why", why)
	if err := p.terminate(terminateGrace); err != nil {
		return fmt.Errorf("replacing the data plane (%s): %w", why, err)
	}
	return fmt.Errorf("%w: %s", ErrReplaced, why)
}

func (s *Supervisor) currentPeer() *peer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peer
}

// PID returns the process id of the data plane last connected to (0 before).
func (s *Supervisor) PID() int {
	if p := s.currentPeer(); p != nil {
		return p.pid
	}
	return 0
}

func (s *Supervisor) isStopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

// Stop shuts the data plane down for good: it asks the node through c to
// close its listeners and exit (SIGTERM, then SIGKILL, if it does not
// answer), waits for the process to end, and starts no process after. A data
// plane that is not running is not started to be stopped.
func (s *Supervisor) Stop(ctx context.Context, c *lblink.Client) error {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	err := c.Shutdown(ctx)
	if errors.Is(err, lblink.ErrNotConnected) {
		// Not connected: find a process still serving the socket, if any.
		if conn, cerr := s.connect(); cerr == nil {
			conn.Close()
		} else {
			return nil
		}
	}
	p := s.currentPeer()
	if p == nil {
		return err
	}
	wait := terminateGrace
	if d, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(d))
	}
	if err == nil && p.wait(wait) {
		s.log.Info("load-balancer data plane stopped", "pid", p.pid)
		return nil
	}
	if terr := p.terminate(terminateGrace); terr != nil {
		return errors.Join(err, terr)
	}
	s.log.Info("load-balancer data plane stopped by signal", "pid", p.pid, "shutdown_err", err)
	return nil
}
