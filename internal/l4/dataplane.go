package l4

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/lbtarget"
)

// Options configure a DataPlane. Zero values pick the documented defaults.
type Options struct {
	Host           string               // address listeners bind on, e.g. "0.0.0.0" or "127.0.0.1"
	Logger         *slog.Logger         // state changes only, never per connection; nil discards
	OnHealthChange func(lb.HealthEvent) // may be nil; called from Run's goroutine, in order, never under locks

	// DialTimeout bounds connecting to a target (NLB: 10 s); a target that does not
	// answer in time gets the client's connection reset. Default 10 s.
	DialTimeout time.Duration
	// HandshakeTimeout bounds a TLS listener's handshake with a client (and a TLS
	// target group's with the target). Default 10 s.
	HandshakeTimeout time.Duration
	// MaxConnections bounds the TCP and TLS connections relayed at once over all
	// listeners; one beyond it is reset at once. Default 10000.
	MaxConnections int
	// UDPIdleTimeout ends a UDP flow with no datagram either way for this long.
	// Default UDPIdleTimeout (NLB's fixed 120 s); tests shorten it.
	UDPIdleTimeout time.Duration
	// MaxFlows bounds the UDP flows relayed at once over all listeners; a datagram
	// that would start one beyond it is dropped. Default 10000.
	MaxFlows int
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 10 * time.Second
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 10 * time.Second
	}
	if o.MaxConnections <= 0 {
		o.MaxConnections = 10000
	}
	if o.UDPIdleTimeout <= 0 {
		o.UDPIdleTimeout = UDPIdleTimeout
	}
	if o.MaxFlows <= 0 {
		o.MaxFlows = 10000
	}
	return o
}

// DataPlane is a network load balancer's data plane: it serves the listeners of the
// last applied Config, health-checks targets, drains deregistered ones and keeps
// counters. Run must be running for it to deliver health events and to stop.
type DataPlane struct {
	opts    Options
	log     *slog.Logger
	ctx     context.Context // canceled when Run stops: bounds dials, handshakes, probes
	cancel  context.CancelFunc
	version atomic.Uint64
	wg      sync.WaitGroup // every goroutine the data plane starts
	events  *lbtarget.EventQueue[lb.HealthEvent]
	running atomic.Bool
	stopped chan struct{} // closed when Run starts shutting down

	conns    atomic.Int64  // open TCP/TLS connections
	flows    atomic.Int64  // open UDP flows
	rejected atomic.Uint64 // connections reset and datagrams dropped over the bounds
	noTarget atomic.Uint64 // connections and flows that found no routable target
	net      netCounters   // the listeners' reset counters (netstats.go)

	applyMu   sync.Mutex // serializes Apply and shutdown
	closed    bool
	listeners map[int]*listenerRT // by port

	regMu   sync.Mutex // guards targets and groups; never held on the connection path
	targets map[targetKey]*target
	groups  map[string]*TargetGroup // last applied target group settings
	used    map[string]bool         // groups some listener forwards to
	gone    map[string]TargetStats  // counters of drained targets, by group
	// lingering holds drained targets whose connections outlived the delay
	// (no connection termination), so that shutdown can still close them;
	// pruned by every Apply once they have none.
	lingering map[*target]struct{}
	// Neither side gets TCP keepalives (four setsockopt calls per socket): the
	// idle timeout ends dead connections, as on NLB, which sends none itself.
	dialer       net.Dialer
	listenConfig net.ListenConfig
	upstream     *tlsClient

	healthClient *http.Client
	copyBufs     sync.Pool // *[]byte of copyBufSize, for directions that copy
	relays       sync.Pool // *relayState, with their callbacks bound
	pipes        *pipePool // kernel pipes of splicing directions
	workers      *workers  // goroutines reused across connections
}

// New returns a DataPlane with no listeners; call Run, and Apply to configure it.
func New(opts Options) *DataPlane {
	opts = opts.withDefaults()
	d := &DataPlane{
		opts:      opts,
		log:       opts.Logger.With("component", "l4"),
		events:    lbtarget.NewEventQueue(opts.OnHealthChange, lb.HealthCoalescing()),
		stopped:   make(chan struct{}),
		listeners: map[int]*listenerRT{},
		targets:   map[targetKey]*target{},
		groups:    map[string]*TargetGroup{},
		used:      map[string]bool{},
		gone:      map[string]TargetStats{},
		lingering: map[*target]struct{}{},
		dialer:    net.Dialer{Timeout: opts.DialTimeout, KeepAlive: -1},
		upstream:  newTLSClient(),

		listenConfig: net.ListenConfig{KeepAlive: -1},

		healthClient: newHealthClient(),
		copyBufs:     sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }},
		pipes:        newPipePool(),
		workers:      newWorkers(),
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return d
}

// Run delivers health events until ctx ends, then closes every listener,
// connection and flow and returns once every goroutine the data plane started
// has ended. Apply may be called before Run starts and while it runs; after Run
// returns it fails with ErrClosed.
func (d *DataPlane) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return errors.New("l4: Run called twice")
	}
	d.events.Run(ctx.Done())
	d.shutdown()
	return nil
}

func (d *DataPlane) shutdown() {
	d.applyMu.Lock()
	d.closed = true
	close(d.stopped)
	for port, lr := range d.listeners {
		lr.close()
		delete(d.listeners, port)
	}
	d.applyMu.Unlock()
	d.cancel()
	d.regMu.Lock()
	ts := make([]*target, 0, len(d.targets)+len(d.lingering))
	for _, t := range d.targets {
		ts = append(ts, t)
	}
	for t := range d.lingering {
		ts = append(ts, t)
	}
	d.regMu.Unlock()
	for _, t := range ts {
		t.mu.Lock()
		d.stopCheckerLocked(t)
		t.mu.Unlock()
		t.terminate()
	}
	d.wg.Wait()
	d.pipes.drain()
}

// AppliedVersion is the version of the last Config whose routing every new connection sees.
func (d *DataPlane) AppliedVersion() uint64 { return d.version.Load() }

// Apply validates cfg, loads its certificates, binds new listener sockets (an
// *lb.BindError if a port cannot be bound; then nothing changes), and switches
// routing atomically. Established connections and flows are kept: only
// connections to targets that leave their group are affected, as draining says.
// Applying an older or equal version is a no-op that returns nil.
func (d *DataPlane) Apply(ctx context.Context, cfg Config) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.applyMu.Lock()
	defer d.applyMu.Unlock()
	if d.closed {
		return ErrClosed
	}
	if cfg.Version <= d.version.Load() {
		return nil
	}
	if err := validate(&cfg); err != nil {
		return err
	}
	certs, err := d.loadCerts(&cfg)
	if err != nil {
		return err
	}
	fresh, err := d.bindNew(&cfg)
	if err != nil {
		return err
	}
	groups, removed := d.register(&cfg)
	d.swap(&cfg, groups, fresh, certs)
	d.version.Store(cfg.Version)
	d.afterSwap(removed)
	d.net.retire(cfg.Listeners, time.Now())
	d.log.Info("routing applied", "version", cfg.Version, "listeners", len(cfg.Listeners), "target_groups", len(cfg.TargetGroups))
	return nil
}

// register creates the runtimes of new targets, re-registers draining ones that
// came back and flags those that left as draining, before any new route is
// published. It returns the routable targets of every group and the removed ones.
func (d *DataPlane) register(cfg *Config) (map[string]*groupRT, []*target) {
	d.regMu.Lock()
	defer d.regMu.Unlock()
	keep := map[targetKey]bool{}
	groups := make(map[string]*groupRT, len(cfg.TargetGroups))
	d.groups = make(map[string]*TargetGroup, len(cfg.TargetGroups))
	d.used = map[string]bool{}
	for _, l := range cfg.Listeners {
		for _, w := range l.Forward {
			d.used[w.ARN] = true
		}
	}
	for i := range cfg.TargetGroups {
		tg := &cfg.TargetGroups[i]
		d.groups[tg.ARN] = tg
		g := &groupRT{tg: tg}
		for _, t := range tg.Targets {
			if t.Port == 0 {
				t.Port = tg.Port
			}
			host := t.Host
			if host == "" {
				host = t.ID
			}
			key := targetKey{group: tg.ARN, id: t.ID, port: t.Port, host: host}
			keep[key] = true
			tr := d.targets[key]
			switch {
			case tr == nil:
				tr = newTarget(key, t)
				d.targets[key] = tr
			case tr.draining.Load():
				d.undrainLocked(tr)
			}
			g.targets = append(g.targets, tr)
		}
		sortTargets(g.targets)
		groups[tg.ARN] = g
	}
	for t := range d.lingering {
		if t.active.Load() == 0 {
			delete(d.lingering, t)
		}
	}
	var removed []*target
	for key, tr := range d.targets {
		if !keep[key] && !tr.draining.Load() {
			tr.draining.Store(true)
			removed = append(removed, tr)
		}
	}
	return groups, removed
}

// afterSwap starts the drains of removed targets and aligns every registered
// target's health checking with its group's settings.
func (d *DataPlane) afterSwap(removed []*target) {
	for _, t := range removed {
		d.startDrain(t)
	}
	d.regMu.Lock()
	ts := make([]*target, 0, len(d.targets))
	for _, t := range d.targets {
		if !t.draining.Load() {
			ts = append(ts, t)
		}
	}
	d.regMu.Unlock()
	for _, t := range ts {
		d.regMu.Lock()
		tg, used := d.groups[t.key.group], d.used[t.key.group]
		d.regMu.Unlock()
		d.syncHealth(t, tg, used)
	}
}

// ListenerAddr returns the TCP (or, for a UDP listener, the UDP) address of the
// listener on port, or nil.
func (d *DataPlane) ListenerAddr(port int) net.Addr {
	d.applyMu.Lock()
	defer d.applyMu.Unlock()
	lr := d.listeners[port]
	switch {
	case lr == nil:
		return nil
	case lr.tcp != nil:
		return lr.tcp.Addr()
	case lr.udp != nil:
		return lr.udp.LocalAddr()
	}
	return nil
}

// TargetHealth reports the registered and draining targets of a group, sorted by id and port.
func (d *DataPlane) TargetHealth(targetGroupARN string) []lb.TargetHealth {
	d.regMu.Lock()
	var ts []*target
	for key, t := range d.targets {
		if key.group == targetGroupARN {
			ts = append(ts, t)
		}
	}
	d.regMu.Unlock()
	sortTargets(ts)
	out := make([]lb.TargetHealth, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.healthSnapshot())
	}
	return out
}

// HealthSnapshot reports TargetHealth for every target group of the last applied
// Config and any other that still has draining targets.
func (d *DataPlane) HealthSnapshot() map[string][]lb.TargetHealth {
	d.regMu.Lock()
	arns := make(map[string]bool, len(d.groups))
	for arn := range d.groups {
		arns[arn] = true
	}
	for key := range d.targets {
		arns[key.group] = true
	}
	d.regMu.Unlock()
	out := make(map[string][]lb.TargetHealth, len(arns))
	for arn := range arns {
		out[arn] = d.TargetHealth(arn)
	}
	return out
}

// targetName is how statistics name a target: "id:port".
func targetName(key targetKey) string { return key.id + ":" + strconv.Itoa(key.port) }
