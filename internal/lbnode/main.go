package lbnode

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/lblink"
)

// Arg is the hidden subcommand that runs the data plane: `slipway __lb ...`.
const Arg = "__lb"

// Files in the node's directory.
const (
	SocketName = "link.sock" // the control socket
	lockName   = "lock"
	logName    = "lb.log"
)

// readyFD is the descriptor on which the process reports to the supervisor
// that started it (a readyMsg), then closes it.
const readyFD = 3

// How long a data plane started by a test binary waits for a control plane
// before it gives up, and how often it checks its socket.
const (
	testOrphanTimeout = 2 * time.Minute
	watchInterval     = time.Second
	lockWait          = 5 * time.Second
)

// readyMsg is the process's start report.
type readyMsg struct {
	PID   int    `json:"pid"`
	Error string `json:"error,omitempty"`
}

// nodeFlags are the process's command line.
type nodeFlags struct {
	dir, host, identity string
}

// Main runs the data plane process and returns its exit code. The CLI routes
// `slipway __lb` here; args are the arguments after the program name, with
// or without the leading "__lb".
func Main(args []string) int {
	if len(args) > 0 && args[0] == Arg {
		args = args[1:]
	}
	var f nodeFlags
	fs := flag.NewFlagSet(Arg, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.StringVar(&f.dir, "dir", "", "directory of the socket, lock and log")
	fs.StringVar(&f.host, "host", "127.0.0.1", "address listeners bind on")
	fs.StringVar(&f.identity, "identity", "", "installation identity (the data directory's node id)")
	if err := fs.Parse(args); err != nil || f.dir == "" || f.identity == "" || fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: slipway __lb --dir DIR --host HOST --identity ID (internal; started by slipway server)")
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("lb_node", os.Getpid())
	if err := run(f, log); err != nil {
		log.Error("load-balancer data plane failed", "err", err)
		return 1
	}
	return 0
}

func run(f nodeFlags, log *slog.Logger) error {
	closeInheritedFDs(readyFD)
	ready := readyPipe()
	ln, sock, err := listen(f.dir)
	if err != nil {
		report(ready, readyMsg{PID: os.Getpid(), Error: err.Error()})
		return err
	}
	reg := prometheus.NewRegistry()
	var node *lblink.Node
	onHealth := func(ev lb.HealthEvent) { node.OnHealthChange(ev) }
	dp := lb.New(lb.Options{Host: f.host, Logger: log, Registerer: reg, OnHealthChange: onHealth})
	planes := &lblink.Planes{HTTP: dp, Network: l4.New(l4.Options{Host: f.host, Logger: log, OnHealthChange: onHealth})}
	planes.CloseNetwork = runNetwork(planes.Network.(*l4.DataPlane))
	defer planes.Close()
	node = lblink.NewNode(planes, lblink.NodeOptions{Identity: f.identity, Host: f.host, Gatherer: reg, Logger: log})
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	signal.Ignore(syscall.SIGHUP) // no terminal: a hang-up means nothing here
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go watch(ctx, cancel, sock, node, log)
	log.Info("load-balancer data plane listening", "socket", sock.path, "host", f.host)
	report(ready, readyMsg{PID: os.Getpid()})
	err = node.Serve(ctx, ln)
	sock.remove()
	log.Info("load-balancer data plane stopped")
	return err
}

// runNetwork runs the network load balancers' data plane until the returned
// function is called; that function returns once its Run has.
func runNetwork(d *l4.DataPlane) func() error {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() {
			cancel()
			err = <-done
		})
		return err
	}
}

// listen takes the directory's lock (waiting up to lockWait for a process
// that is exiting) and binds the socket. Holding the lock, it may remove a
// socket file left by a process that died: no other node serves it.
func listen(dir string) (net.Listener, *socketFile, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	if err := lockDir(filepath.Join(dir, lockName), lockWait); err != nil {
		return nil, nil, err
	}
	path := filepath.Join(dir, SocketName)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, nil, err
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false) // we remove it ourselves, only if it is still ours
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, nil, err
	}
	sock, err := statSocket(path)
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	return ln, sock, nil
}

// watch ends the process when its socket is gone or replaced, and, in a test
// binary, when no control plane came for testOrphanTimeout.
func watch(ctx context.Context, cancel context.CancelFunc, sock *socketFile, node *lblink.Node, log *slog.Logger) {
	t := time.NewTicker(watchInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !sock.stillOurs() {
			log.Warn("control socket removed or replaced; no control plane can reach this data plane, exiting", "socket", sock.path)
			cancel()
			return
		}
		if since, idle := node.IdleSince(); idle && testing.Testing() && time.Since(since) > testOrphanTimeout {
			log.Warn("started by a test binary and no control plane for a while; exiting", "idle", time.Since(since).Round(time.Second))
			cancel()
			return
		}
	}
}

// readyPipe returns the start-report pipe when the process has one.
func readyPipe() io.WriteCloser {
	var st syscall.Stat_t
	if err := syscall.Fstat(readyFD, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFIFO {
		return nil
	}
	syscall.CloseOnExec(readyFD)
	return os.NewFile(readyFD, "ready")
}
