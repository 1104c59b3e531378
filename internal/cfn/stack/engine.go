package stack

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/cfn/resourcetype"
	"github.com/slipway-dev/slipway/internal/store"
)

// Options configure an Engine.
type Options struct {
	// Store keeps the stacks, their resources, events, change sets and exports.
	Store store.Store
	// Catalog is the resource-type table (resourcetype.MustLoad when nil).
	Catalog *resourcetype.Catalog
	// Providers make the real resources, by type. Recorded types need none.
	Providers map[string]Provider
	// Partition, Region, Account and URLSuffix go into ids, ARNs and the
	// pseudo parameters.
	Partition, Region, Account, URLSuffix string
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
	// Fetcher reads TemplateURLs (URLFetcher when nil).
	Fetcher Fetcher
}

// Engine runs CloudFormation's stack operations. The API calls (CreateStack,
// UpdateStack, ...) check their input and record the operation; Run carries
// operations out, each stack's in a goroutine of its own, resuming at start
// the ones a previous process left in progress.
type Engine struct {
	st        store.Store
	cat       *resourcetype.Catalog
	providers map[string]Provider
	recorded  Provider
	nested    Provider
	part      partition
	now       func() time.Time
	log       *slog.Logger
	fetch     Fetcher

	// mu guards pending, running and claimed: the stacks whose operation is
	// queued, the ones a goroutine is working on, and those this process
	// started an operation on (resume leaves them alone). wake has room for
	// one signal.
	mu      sync.Mutex
	pending map[string]bool
	running map[string]bool
	claimed map[string]bool
	// cancels cancels the step a stack's goroutine is running.
	cancels map[string]context.CancelFunc
	wake    chan struct{}
	// watch holds, per stack, the channels of the waits on it, closed at
	// its next status change (see awaitStack).
	watch map[string]map[chan struct{}]bool
}

type partition struct{ name, region, account, urlSuffix string }

// New returns an engine; call Run to carry operations out.
func New(opts Options) *Engine {
	if opts.Catalog == nil {
		opts.Catalog = resourcetype.MustLoad()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Partition == "" {
		opts.Partition = "aws"
	}
	if opts.URLSuffix == "" {
		opts.URLSuffix = "amazonaws.com"
	}
	e := &Engine{st: opts.Store, cat: opts.Catalog, providers: opts.Providers, now: opts.Now,
		log:     opts.Logger.With("component", "cloudformation"),
		part:    partition{name: opts.Partition, region: opts.Region, account: opts.Account, urlSuffix: opts.URLSuffix},
		pending: map[string]bool{}, running: map[string]bool{}, claimed: map[string]bool{}, cancels: map[string]context.CancelFunc{}, wake: make(chan struct{}, 1),
		watch: map[string]map[chan struct{}]bool{}}
	if opts.Fetcher == nil {
		opts.Fetcher = URLFetcher{}
	}
	e.fetch = opts.Fetcher
	e.recorded = recordedProvider{cat: opts.Catalog, part: e.part}
	e.nested = nestedProvider{e: e}
	return e
}

// claim marks a stack as one this process is about to start an operation
// on, before the operation is written: resume must not take it for one a
// previous process left behind.
func (e *Engine) claim(stackID string) {
	e.mu.Lock()
	e.claimed[stackID] = true
	e.mu.Unlock()
}

func (e *Engine) isClaimed(stackID string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.claimed[stackID]
}

// enqueue asks Run to work on a stack's operation.
func (e *Engine) enqueue(stackID string) {
	e.mu.Lock()
	e.pending[stackID] = true
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Run carries out stack operations until ctx ends. An operation interrupted
// by ctx is left as stored; the next Run resumes it (see resume).
func (e *Engine) Run(ctx context.Context) error {
	if err := e.resume(ctx); err != nil && ctx.Err() == nil {
		return fmt.Errorf("resume stack operations: %w", err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		e.mu.Lock()
		for id := range e.pending {
			if e.running[id] {
				continue
			}
			delete(e.pending, id)
			e.running[id] = true
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.operate(ctx, id)
				e.mu.Lock()
				delete(e.running, id)
				delete(e.cancels, id)
				e.mu.Unlock()
				select {
				case e.wake <- struct{}{}:
				default:
				}
			}()
		}
		e.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil
		case <-e.wake:
		}
	}
}

// Busy reports whether an operation is queued or running.
func (e *Engine) Busy() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.pending) > 0 || len(e.running) > 0
}

// view and update run fn in a transaction over CloudFormation's records.
func (e *Engine) view(ctx context.Context, fn func(tx) error) error {
	return e.st.View(ctx, func(t store.Tx) error { return fn(tx{t}) })
}

func (e *Engine) update(ctx context.Context, fn func(tx) error) error {
	return e.st.Update(ctx, func(t store.Tx) error { return fn(tx{t}) })
}
