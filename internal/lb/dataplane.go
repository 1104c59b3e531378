package lb

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipway-dev/slipway/internal/lb/oidcauth"
	"github.com/slipway-dev/slipway/internal/lbtarget"
)

// Options configure a DataPlane. Zero values pick the documented defaults.
type Options struct {
	Host           string                // address listeners bind on, e.g. "0.0.0.0" or "127.0.0.1"
	Logger         *slog.Logger          // state changes only, never per request; nil discards
	Registerer     prometheus.Registerer // may be nil: then no /metrics registration
	OnHealthChange func(HealthEvent)     // may be nil; called from one goroutine, in order, never under locks

	// TargetTimeout bounds the wait for a target's response bytes (ALB's idle timeout);
	// when it passes before the response head arrives the client gets 504. Default 60s.
	TargetTimeout time.Duration
	// ClientIdleTimeout closes client connections idle (or stalled mid-head) this long. Default 60s.
	ClientIdleTimeout time.Duration
	// DialTimeout bounds connecting to a target (ALB: 10s); expiry gives 504. Default 10s.
	DialTimeout time.Duration
	// OIDCClient calls the IdPs of authenticate-oidc actions; nil:
	// oidcauth.NewClient with the system's roots.
	OIDCClient *http.Client
}

// DataPlane is the load balancer's data plane: it serves listeners according to the
// last applied Config, health-checks targets, drains deregistered ones and keeps stats.
type DataPlane struct {
	opts         Options
	log          *slog.Logger
	ctx          context.Context // canceled by Close: bounds probes and dials
	cancel       context.CancelFunc
	version      atomic.Uint64
	closing      chan struct{}
	wg           sync.WaitGroup                    // every goroutine the data plane starts
	events       *lbtarget.EventQueue[HealthEvent] // in order, never blocking producers
	pools        pools
	active       atomic.Int64  // open client connections
	badReqs      atomic.Uint64 // 400s before routing
	metrics      *metrics
	healthClient *http.Client
	oidcClient   *http.Client

	applyMu   sync.Mutex // serializes Apply and Close
	closed    bool
	listeners map[int]*listenerRT // by port

	regMu    sync.Mutex // guards backends and groups; never held on the request path
	backends map[backendKey]*backend
	groups   map[string]*groupState
	cfgGroup map[string]*TargetGroup // last applied target group settings
}

// pools are the buffer and per-exchange-state pools of one data plane.
type pools struct {
	bufs  bufPool
	state sync.Pool // *exchange
}

// New returns a DataPlane with no listeners; call Apply to configure it.
func New(opts Options) *DataPlane {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.TargetTimeout <= 0 {
		opts.TargetTimeout = 60 * time.Second
	}
	if opts.ClientIdleTimeout <= 0 {
		opts.ClientIdleTimeout = 60 * time.Second
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = 10 * time.Second
	}
	d := &DataPlane{
		opts:      opts,
		log:       opts.Logger.With("component", "lb"),
		closing:   make(chan struct{}),
		listeners: map[int]*listenerRT{},
		backends:  map[backendKey]*backend{},
		groups:    map[string]*groupState{},
		cfgGroup:  map[string]*TargetGroup{},
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.healthClient = newHealthClient()
	if d.oidcClient = opts.OIDCClient; d.oidcClient == nil {
		d.oidcClient = oidcauth.NewClient(nil)
	}
	d.events = lbtarget.NewEventQueue(opts.OnHealthChange, HealthCoalescing())
	d.wg.Add(1)
	go func() { defer d.wg.Done(); d.events.Run(d.closing) }()
	if opts.Registerer != nil {
		d.metrics = newMetrics(d, opts.Registerer)
	}
	return d
}

// AppliedVersion is the version of the last Config whose routing every new request sees.
func (d *DataPlane) AppliedVersion() uint64 { return d.version.Load() }

// Apply validates cfg, binds new listeners (an error if a port cannot be bound; then
// nothing changes), closes removed listeners, and switches routing atomically. It
// returns only when the new version is what every new request sees. Applying an older
// or equal version is a no-op that returns nil.
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
	if err := validateAuth(&cfg, d.oidcClient); err != nil {
		return err
	}
	if err := validate(&cfg); err != nil {
		return err
	}
	certs, err := d.loadListenerCerts(&cfg)
	if err != nil {
		return err
	}
	fresh, err := d.bindNew(&cfg)
	if err != nil {
		return err
	}
	removed := d.register(&cfg)
	d.swap(&cfg, fresh, certs)
	d.version.Store(cfg.Version)
	d.afterSwap(&cfg, removed)
	d.log.Info("routing applied", "version", cfg.Version, "listeners", len(cfg.Listeners), "target_groups", len(cfg.TargetGroups))
	return nil
}

// bindNew binds the ports of listeners that do not exist yet. On any failure it closes
// what it bound and reports ErrBind, so a failed Apply changes nothing.
func (d *DataPlane) bindNew(cfg *Config) (map[int]net.Listener, error) {
	fresh := map[int]net.Listener{}
	for _, l := range cfg.Listeners {
		if d.listeners[l.Port] != nil {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(d.opts.Host, strconv.Itoa(l.Port)))
		if err != nil {
			for _, f := range fresh {
				f.Close()
			}
			return nil, &BindError{Port: l.Port, Err: err}
		}
		fresh[l.Port] = ln
	}
	return fresh, nil
}

// register reconciles target runtimes with cfg: new targets get a backend, targets
// re-registered while draining come back, and targets that left are flagged draining
// before the routing swap (so a request racing the swap backs off in acquire).
func (d *DataPlane) register(cfg *Config) []*backend {
	d.regMu.Lock()
	defer d.regMu.Unlock()
	want := map[backendKey]bool{}
	d.cfgGroup = map[string]*TargetGroup{}
	for i := range cfg.TargetGroups {
		tg := &cfg.TargetGroups[i]
		d.cfgGroup[tg.ARN] = tg
		if d.groups[tg.ARN] == nil {
			d.groups[tg.ARN] = &groupState{arn: tg.ARN, gone: map[string]Counts{}}
		}
		for _, t := range tg.Targets {
			key := targetKey(tg, t)
			want[key] = true
			b := d.backends[key]
			if b == nil {
				b = newBackend(d, key, t, tg.Protocol == "HTTPS")
				d.backends[key] = b
			} else if b.draining.Load() {
				d.undrainLocked(b)
			}
			b.slowStart.Store(int64(tg.SlowStart))
		}
	}
	var removed []*backend
	for key, b := range d.backends {
		if !want[key] && !b.draining.Load() {
			b.draining.Store(true)
			removed = append(removed, b)
		}
	}
	return removed
}

func targetKey(tg *TargetGroup, t Target) backendKey {
	port := t.Port
	if port == 0 {
		port = tg.Port
	}
	return backendKey{group: tg.ARN, id: t.ID, port: port, host: t.Host, revision: t.Revision}
}

// buildGroups assembles this version's group views over the current backends.
func (d *DataPlane) buildGroups(cfg *Config) map[string]*group {
	d.regMu.Lock()
	defer d.regMu.Unlock()
	out := make(map[string]*group, len(cfg.TargetGroups))
	for i := range cfg.TargetGroups {
		tg := &cfg.TargetGroups[i]
		g := &group{
			arn: tg.ARN, st: d.groups[tg.ARN], lor: tg.Algorithm == AlgorithmLOR,
			stick: tg.Stickiness, byCookie: map[string]*backend{}, tgCookie: groupCookie(tg.ARN),
			protocol: tg.Protocol, slowStart: tg.SlowStart,
		}
		if g.stick.Enabled && g.stick.Duration <= 0 {
			g.stick.Duration = 24 * time.Hour // ELB's default lb_cookie duration
		}
		for _, t := range tg.Targets {
			b := d.backends[targetKey(tg, t)]
			g.targets = append(g.targets, b)
			g.byCookie[b.cookie] = b
		}
		out[tg.ARN] = g
	}
	return out
}

// swap publishes the new routes on every listener, starts fresh listeners and closes
// removed ones.
func (d *DataPlane) swap(cfg *Config, fresh map[int]net.Listener, certs map[int]*certSet) {
	c := &compiler{groups: d.buildGroups(cfg), oidc: newOIDCCompiler(cfg, d.oidcClient)}
	lbs := loadBalancers(cfg)
	keep := map[int]bool{}
	for i := range cfg.Listeners {
		l := &cfg.Listeners[i]
		keep[l.Port] = true
		rt := compileRoutes(cfg.Version, l, c)
		rt.set = d.compileSettings(l, lbs)
		lr := d.listeners[l.Port]
		if lr == nil {
			lr = newListenerRT(d, l.Port, fresh[l.Port])
			d.listeners[l.Port] = lr
			lr.setCerts(certs[l.Port])
			lr.routes.Store(rt)
			lr.start()
			d.log.Info("listener opened", "port", l.Port, "protocol", l.Protocol, "arn", l.ARN)
			continue
		}
		lr.setCerts(certs[l.Port])
		lr.routes.Store(rt)
	}
	for port, lr := range d.listeners {
		if !keep[port] {
			delete(d.listeners, port)
			lr.close()
			d.log.Info("listener closed", "port", port)
		}
	}
}

// afterSwap starts draining removed targets and aligns health checking with the new
// config. It runs after the version is published; nothing here affects routing.
func (d *DataPlane) afterSwap(cfg *Config, removed []*backend) {
	used := usedGroups(cfg)
	d.regMu.Lock()
	var live []*backend
	for _, b := range d.backends {
		if !b.draining.Load() {
			live = append(live, b)
		}
	}
	d.regMu.Unlock()
	for _, b := range removed {
		d.startDrain(b)
	}
	for _, b := range live {
		tg := d.cfgGroup[b.key.group]
		d.syncHealth(b, tg, used[b.key.group])
	}
}

// ListenerAddr returns the bound address of the listener on port, or nil. Useful when
// binding port 0 is not possible (listeners always bind the configured port).
func (d *DataPlane) ListenerAddr(port int) net.Addr {
	d.applyMu.Lock()
	defer d.applyMu.Unlock()
	if lr := d.listeners[port]; lr != nil {
		return lr.ln.Addr()
	}
	return nil
}

// Close closes listeners and client connections, stops health checks and drains,
// and waits for every goroutine of the data plane.
func (d *DataPlane) Close() error {
	d.applyMu.Lock()
	if d.closed {
		d.applyMu.Unlock()
		return nil
	}
	d.closed = true
	close(d.closing)
	for port, lr := range d.listeners {
		lr.close()
		delete(d.listeners, port)
	}
	d.applyMu.Unlock()
	d.regMu.Lock()
	for _, b := range d.backends {
		b.mu.Lock()
		if b.checker != nil {
			b.checker.stop()
			b.checker = nil
		}
		b.mu.Unlock()
		b.pool.closeAll()
	}
	d.regMu.Unlock()
	d.cancel() // in-flight health probes and target dials
	d.wg.Wait()
	if d.metrics != nil {
		d.metrics.unregister()
	}
	return nil
}

// TargetHealth reports registered AND draining targets of a group, sorted by id and port.
func (d *DataPlane) TargetHealth(targetGroupARN string) []TargetHealth {
	d.regMu.Lock()
	var bs []*backend
	for key, b := range d.backends {
		if key.group == targetGroupARN {
			bs = append(bs, b)
		}
	}
	d.regMu.Unlock()
	sortBackends(bs)
	out := make([]TargetHealth, 0, len(bs))
	for _, b := range bs {
		out = append(out, b.healthSnapshot())
	}
	return out
}

// HealthSnapshot reports TargetHealth for every target group the data plane
// knows: those of the last applied Config (possibly with no targets) and
// any other that still has draining targets.
func (d *DataPlane) HealthSnapshot() map[string][]TargetHealth {
	d.regMu.Lock()
	arns := make(map[string]bool, len(d.cfgGroup))
	for arn := range d.cfgGroup {
		arns[arn] = true
	}
	for key := range d.backends {
		arns[key.group] = true
	}
	d.regMu.Unlock()
	out := make(map[string][]TargetHealth, len(arns))
	for arn := range arns {
		out[arn] = d.TargetHealth(arn)
	}
	return out
}

// Stats returns a snapshot of the statistics of every target group.
func (d *DataPlane) Stats() Stats {
	s := Stats{
		Version:           d.version.Load(),
		ActiveConnections: d.active.Load(),
		BadRequests:       d.badReqs.Load(),
		TargetGroups:      map[string]GroupStats{},
	}
	d.regMu.Lock()
	defer d.regMu.Unlock()
	for arn, gs := range d.groups {
		g := GroupStats{Targets: map[string]Counts{}, Revisions: map[string]Counts{}, InFlight: map[string]int64{}}
		g.Total = gs.stats.snapshot()
		gs.mu.Lock()
		for rev, c := range gs.gone {
			g.Revisions[rev] = c
			g.Total = g.Total.Add(c)
		}
		gs.mu.Unlock()
		s.TargetGroups[arn] = g
	}
	for key, b := range d.backends {
		g, ok := s.TargetGroups[key.group]
		if !ok {
			continue
		}
		c := b.stats.snapshot()
		tk := key.id + ":" + strconv.Itoa(key.port)
		g.Targets[tk] = g.Targets[tk].Add(c) // a draining target and its successor may share id:port
		g.InFlight[tk] += b.inflight.Load()
		g.Revisions[b.target.Revision] = g.Revisions[b.target.Revision].Add(c)
		g.Total = g.Total.Add(c)
		s.TargetGroups[key.group] = g
	}
	return s
}
