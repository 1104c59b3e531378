// Package controller keeps ECS services at their desired state: it starts
// and stops tasks as the scheduler plans, registers service tasks in their
// target groups and drains them before they stop, tracks deployments to a
// terminal state (circuit breaker, rollback) and records events in ECS's
// wording. One goroutine runs it, woken by store and health changes.
package controller

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/analysis"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

// LoadBalancer is what the controller needs of the load-balancer data
// planes: acknowledged routing changes, target health and draining.
type LoadBalancer interface {
	// Sync applies the current routing to every data plane and returns once
	// all acknowledged it.
	Sync(ctx context.Context) (uint64, error)
	// TargetHealth reports the targets of a target group.
	TargetHealth(tgARN string) []lb.TargetHealth
	// WaitDrained returns when a deregistered target has finished draining.
	WaitDrained(ctx context.Context, tgARN, id string, port int) error
	// HealthChanges fires when any target's health changes.
	HealthChanges() *store.Notifier
}

// Options configure a Controller.
type Options struct {
	Logger *slog.Logger
	// Resync bounds how long the controller goes without a full pass
	// (timers such as grace periods and backoff need it). Default 1s.
	Resync time.Duration
	// StoppedTaskRetention is how long STOPPED tasks stay describable, as in
	// ECS (default one hour).
	StoppedTaskRetention time.Duration
	// Clock times bake times (--time-scale); the zero Clock is real time.
	Clock clock.Clock
	// Alarms serves deploymentConfiguration.alarms; nil: none are watched.
	Alarms Alarms
	// Counters feed the built-in analysis of traffic-shifting
	// deployments; nil: none is analysed.
	Counters Counters
	// Analysis is the server's analysis setting (the zero Thresholds are
	// analysis.Defaults()); a service's slipway:analysis tag overrides it.
	Analysis analysis.Thresholds
}

// Controller reconciles every service of every cluster.
type Controller struct {
	st     *state.State
	lb     LoadBalancer
	opts   Options
	logger *slog.Logger

	mu        sync.Mutex // protects draining, acking, lastPrune, wakeTimer and wakeDue
	draining  map[string]bool
	acking    map[string]bool // acknowledgement waiters and hook callers running
	lastPrune time.Time
	wakeTimer *time.Timer // fires wake at wakeDue, the earliest timer a plan asked for
	wakeDue   time.Time
	wake      chan struct{}
	analyzer  *analyzer // nil without Options.Counters

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a controller; lb may be nil when no load balancer is wired.
func New(st *state.State, balancer LoadBalancer, opts Options) *Controller {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Resync == 0 {
		opts.Resync = time.Second
	}
	if opts.StoppedTaskRetention == 0 {
		opts.StoppedTaskRetention = time.Hour
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Controller{
		st: st, lb: balancer, opts: opts, logger: opts.Logger.With("component", "controller"),
		draining: map[string]bool{}, acking: map[string]bool{}, wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel,
	}
	if opts.Counters != nil {
		c.analyzer = newAnalyzer(opts.Counters, c.logger, c.poke)
	}
	return c
}

// Start runs the reconcile loop until Close.
func (c *Controller) Start() {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.loop()
	}()
	if c.analyzer != nil {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.analyzer.run(c.ctx)
		}()
	}
}

// Close stops the loop and waits for its goroutines (drain and
// acknowledgement waiters give up; a restarted controller resumes them from
// the stored state).
func (c *Controller) Close() error {
	c.cancel()
	c.wg.Wait()
	c.mu.Lock()
	if c.wakeTimer != nil {
		c.wakeTimer.Stop()
	}
	c.mu.Unlock()
	return nil
}

// wakeAfter makes the loop pass again after d (a bake ending) unless an
// earlier wake is already set. One timer serves every service, so a pass
// repeated while a bake runs does not pile up timers.
func (c *Controller) wakeAfter(d time.Duration) {
	due := time.Now().Add(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wakeTimer != nil && c.wakeDue.After(time.Now()) && !due.Before(c.wakeDue) {
		return
	}
	c.wakeDue = due
	if c.wakeTimer == nil {
		c.wakeTimer = time.AfterFunc(d, c.poke)
		return
	}
	c.wakeTimer.Reset(d)
}

// poke wakes the loop without blocking.
func (c *Controller) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// minPassGap bounds how often the controller makes a pass: store changes
// arriving faster (a burst of API writes) coalesce into one pass per gap,
// which costs reaction time well under what health checks take. A pass
// that took longer than the gap (it reads every task: thousands while a
// large service scales) is followed by a pause twice as long, so the
// controller takes at most a third of a core from the API and the agent.
const minPassGap = 10 * time.Millisecond

func (c *Controller) loop() {
	tick := time.NewTicker(c.opts.Resync)
	defer tick.Stop()
	var gap time.Duration
	var end time.Time
	for {
		if wait := gap - time.Since(end); wait > 0 {
			select {
			case <-c.ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		start := time.Now()
		changed, _ := c.st.Changes().Wait()
		var health <-chan struct{}
		if c.lb != nil {
			health, _ = c.lb.HealthChanges().Wait()
		}
		if err := c.ReconcileOnce(c.ctx); err != nil && !errors.Is(err, context.Canceled) {
			c.logger.Error("reconcile failed", "err", err)
		}
		end = time.Now()
		gap = max(minPassGap-end.Sub(start), 2*end.Sub(start))
		select {
		case <-c.ctx.Done():
			return
		case <-changed:
		case <-health:
		case <-tick.C:
		case <-c.wake:
		}
	}
}

type serviceRef struct{ cluster, name string }

// ReconcileOnce makes one pass over every service and prunes old tasks.
func (c *Controller) ReconcileOnce(ctx context.Context) error {
	var refs []serviceRef
	err := c.st.View(ctx, func(tx state.Tx) error {
		clusters, err := tx.Clusters()
		if err != nil {
			return err
		}
		for _, cl := range clusters {
			services, err := tx.Services(cl.Name)
			if err != nil {
				return err
			}
			for _, s := range services {
				if s.Status != model.ServiceInactive {
					refs = append(refs, serviceRef{cl.Name, s.Name})
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, ref := range refs {
		if err := c.reconcileService(ctx, ref); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, c.prune(ctx))
	return errors.Join(errs...)
}

func (c *Controller) now() time.Time { return c.st.Now() }
