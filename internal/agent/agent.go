// Package agent is the node agent: it runs the tasks placed on its node
// through a Runtime, checks container health, serves ECS's task metadata
// endpoint and reports what it observes to the control plane. Tasks outlive
// the agent: a restarted agent adopts the containers it finds still running.
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	goruntime "runtime"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// resyncInterval bounds how long the agent goes without re-reading its
// assignments, in case a change notification was missed.
const resyncInterval = 2 * time.Second

// minPassGap bounds how often the agent re-reads its assignments. A pass
// that took longer (thousands of tasks) is followed by a pause twice as
// long, so re-reading takes at most a third of a core.
const minPassGap = 10 * time.Millisecond

// Options configure an Agent.
type Options struct {
	Node Node
	// LogDir is where container logs go (LogDir/<task id>/<container>/).
	LogDir string
	// Region is told to containers as AWS_REGION.
	Region string
	// MetadataAddr is where the task metadata endpoint listens
	// ("127.0.0.1:0" picks a port).
	MetadataAddr string
	// StoreID is the identity of the store the agent works for. It is recorded
	// with every container the agent starts; at start-up the agent stops only
	// containers recorded with this identity (see reconcileFound).
	StoreID string
	// SecretsDir holds the secrets and environment files task definitions
	// name (see secretSource).
	SecretsDir string
	// AwsvpcPrefix is where awsvpc tasks get their addresses (default: a
	// /16 of 127.0.0.0/8 chosen by the node id).
	AwsvpcPrefix netip.Prefix
	// MaxConcurrentStarts bounds how many containers start at once; 0 means
	// two per CPU. Starting is CPU-bound (fork, exec, the shim's or the
	// engine's set-up), so a service of thousands of tasks starts them a few
	// at a time instead of forking them all at once.
	MaxConcurrentStarts int
	// Logs receives the output of containers whose log driver is awslogs; nil
	// leaves all output in the containers' log files.
	Logs   LogSink
	Logger *slog.Logger
}

// Agent runs the tasks assigned to its node.
type Agent struct {
	opts   Options
	link   ControlPlane
	rt     runtime.Runtime
	logger *slog.Logger
	meta   *metadataServer
	addrs  *addressPool
	// secrets resolves what containers' secrets and environment files name.
	secrets secretSource

	mu      sync.Mutex // protects runners
	runners map[string]*runner

	// starts holds a token per container start under way (see
	// Options.MaxConcurrentStarts).
	starts chan struct{}

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns an agent; Start begins its work.
func New(opts Options, link ControlPlane, rt runtime.Runtime) (*Agent, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MetadataAddr == "" {
		opts.MetadataAddr = "127.0.0.1:0"
	}
	if opts.MaxConcurrentStarts <= 0 {
		opts.MaxConcurrentStarts = 2 * goruntime.NumCPU()
	}
	meta, err := newMetadataServer(opts.MetadataAddr, opts.Logger)
	if err != nil {
		return nil, fmt.Errorf("task metadata endpoint: %w", err)
	}
	if !opts.AwsvpcPrefix.IsValid() {
		opts.AwsvpcPrefix = defaultAwsvpcPrefix(opts.Node.ID)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &Agent{
		opts: opts, link: link, rt: rt, logger: opts.Logger.With("component", "agent"),
		meta: meta, runners: map[string]*runner{}, starts: make(chan struct{}, opts.MaxConcurrentStarts),
		ctx: ctx, cancel: cancel,
		addrs: newAddressPool(opts.AwsvpcPrefix), secrets: secretSource{dir: opts.SecretsDir, getenv: os.Getenv},
	}
	a.listenForContainers()
	return a, nil
}

// acquireStart waits for a start slot; false means ctx ended first. The
// caller gives the slot back with releaseStart.
func (a *Agent) acquireStart(ctx context.Context) bool {
	select {
	case a.starts <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (a *Agent) releaseStart() { <-a.starts }

// MetadataAddr is the address the task metadata endpoint listens on.
func (a *Agent) MetadataAddr() string { return a.meta.addr() }

// Start registers the node and starts the reconcile loop; it returns once
// the first registration is done.
func (a *Agent) Start(ctx context.Context) error {
	if err := a.link.Register(ctx, a.opts.Node); err != nil {
		return fmt.Errorf("register node: %w", err)
	}
	if err := a.reconcileFound(ctx); err != nil {
		return err
	}
	a.wg.Add(2)
	go func() { defer a.wg.Done(); a.meta.serve() }()
	go func() { defer a.wg.Done(); a.loop() }()
	return nil
}

// Close stops supervising. Containers keep running: a restarted agent adopts
// them, as ECS's agent does.
func (a *Agent) Close() error {
	a.cancel()
	err := a.meta.close()
	a.wg.Wait()
	a.mu.Lock()
	runners := make([]*runner, 0, len(a.runners))
	for _, r := range a.runners {
		runners = append(runners, r)
	}
	a.mu.Unlock()
	for _, r := range runners {
		<-r.done
	}
	return err
}

func (a *Agent) loop() {
	tick := time.NewTicker(resyncInterval)
	defer tick.Stop()
	lastGC := time.Now()
	var gap time.Duration
	var end time.Time
	for {
		// Coalesce bursts of store changes into one pass per gap.
		if wait := gap - time.Since(end); wait > 0 {
			select {
			case <-a.ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		start := time.Now()
		if time.Since(lastGC) >= logGCInterval {
			a.collectLogs(time.Now())
			lastGC = time.Now()
		}
		changed := a.link.Changed()
		if err := a.reconcile(a.ctx); err != nil && !errors.Is(err, context.Canceled) {
			a.logger.Error("reconcile failed", "err", err)
		}
		end = time.Now()
		gap = max(minPassGap-end.Sub(start), 2*end.Sub(start))
		select {
		case <-a.ctx.Done():
			return
		case <-changed:
		case <-tick.C:
			if err := a.link.Register(a.ctx, a.opts.Node); err != nil && a.ctx.Err() == nil {
				a.logger.Error("register node", "err", err)
			}
		}
	}
}

// reconcile hands every assigned task to its runner, starting runners for
// new tasks and forgetting runners that finished.
func (a *Agent) reconcile(ctx context.Context) error {
	tasks, err := a.link.Assigned(ctx, a.opts.Node.ID)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for id, r := range a.runners {
		select {
		case <-r.done:
			delete(a.runners, id)
		default:
		}
	}
	for _, t := range tasks {
		key := t.Internal.Cluster + "/" + t.Internal.ID
		if r, ok := a.runners[key]; ok {
			r.update(t)
			continue
		}
		a.claimAddress(t)
		r := newRunner(a, t)
		a.runners[key] = r
		go r.run(ctx)
	}
	return nil
}

// Running returns how many tasks this agent is supervising.
func (a *Agent) Running() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, r := range a.runners {
		select {
		case <-r.done:
		default:
			n++
		}
	}
	return n
}
