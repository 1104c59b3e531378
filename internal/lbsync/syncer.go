package lbsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/certfile"
	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

// DataPlane is what the Syncer needs of a load balancer data plane;
// *lb.DataPlane satisfies it.
type DataPlane interface {
	Apply(ctx context.Context, cfg lb.Config) error
	AppliedVersion() uint64
	TargetHealth(targetGroupARN string) []lb.TargetHealth
	WaitDrained(ctx context.Context, tgARN, id string, port int) error
}

// Retry backoff of Run after a failed sync or while a listener cannot be served.
const (
	minBackoff = 250 * time.Millisecond
	maxBackoff = 30 * time.Second
)

// certRecheck is how often Run syncs without a store change, so that a
// certificate file renewed in place reaches the data planes (a sync stats
// each certificate file and reads it only when it changed).
const certRecheck = 10 * time.Second

// Syncer compiles the store's ELB records into routing configurations and
// applies them to every data plane.
type Syncer struct {
	st      *state.State
	planes  []DataPlane
	log     *slog.Logger
	healthN *store.Notifier
	certs   *certfile.Cache // the listeners' certificate files, read once

	acmMu  sync.Mutex        // guards acm
	acm    CertificateSource // the listeners' ACM certificates (nil: none)
	resync chan struct{}     // Resync's wake-up for Run (buffered, one pending)

	versionMu sync.Mutex // guards version
	version   uint64     // last version handed out

	mu   sync.Mutex // serializes syncs; guards the fields below
	last *lb.Config // last config every plane acknowledged (Version: its version)
	// lastNetwork is the network configuration acknowledged with last (Version 0).
	lastNetwork *l4.Config
	served      []map[int]bool
	problems    map[string]string // listener ARN -> why it is not served

	statusMu sync.Mutex        // guards status
	status   map[string]string // load balancer ARN -> impaired reason
}

// CertificateSource resolves a listener's ACM certificate ARN to its
// certificate chain and private key (PEM); *acmops.Service implements it.
type CertificateSource interface {
	KeyPair(ctx context.Context, arn string) (certPEM, keyPEM []byte, err error)
}

// errNoCertificateSource: the syncer was given no CertificateSource, so no
// ACM certificate loads.
var errNoCertificateSource = errors.New("lbsync: no ACM certificate source")

// SetCertificates makes the syncer serve the ACM certificates src resolves;
// a re-imported certificate reaches the data planes at the next sync (ACM's
// records are in the same store, so its writes wake Run).
func (s *Syncer) SetCertificates(src CertificateSource) {
	s.acmMu.Lock()
	defer s.acmMu.Unlock()
	s.acm = src
}

// New returns a Syncer for the data planes.
func New(st *state.State, planes []DataPlane, logger *slog.Logger) *Syncer {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Syncer{
		st: st, planes: planes, log: logger.With("component", "lbsync"), healthN: store.NewNotifier(), certs: certfile.NewCache(),
		resync: make(chan struct{}, 1),
		served: make([]map[int]bool, len(planes)), problems: map[string]string{}, status: map[string]string{},
	}
	for i := range s.served {
		s.served[i] = map[int]bool{}
	}
	return s
}

// Run syncs after every store change (changes during a sync coalesce into
// one more sync) and every certRecheck until ctx is done, then returns nil.
// Failed syncs, and listeners that cannot be served, are retried with
// backoff.
func (s *Syncer) Run(ctx context.Context) error {
	backoff := minBackoff
	failing := false
	recheck := time.NewTicker(certRecheck)
	defer recheck.Stop()
	for {
		changed, _ := s.st.Changes().Wait()
		_, err := s.Sync(ctx)
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case err != nil && !failing:
			s.log.Error("routing sync failed; retrying", "err", err)
		case err == nil && failing:
			s.log.Info("routing sync recovered")
		}
		failing = err != nil
		var retry <-chan time.Time
		if failing || s.hasProblems() {
			retry = time.After(backoff)
			backoff = min(backoff*2, maxBackoff)
		} else {
			backoff = minBackoff
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		case <-retry:
		case <-recheck.C:
		case <-s.resync:
		}
	}
}

// Resync makes Run sync again soon even though the store has not changed:
// a data plane lost what it had acknowledged (its process was restarted) and
// must be fed the routing again. It never blocks.
func (s *Syncer) Resync() {
	select {
	case s.resync <- struct{}{}:
	default:
	}
}

// Sync compiles the current store into a configuration, applies it to every
// data plane and returns its version once all of them acknowledged it (a
// plane may report a higher version: the same configuration without a
// listener it cannot serve). Nothing is applied when the configuration has
// not changed since the last acknowledged one.
func (s *Syncer) Sync(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cfg lb.Config
	var network l4.Config
	err := s.st.View(ctx, func(tx state.Tx) error {
		var err error
		cfg, network, err = compileRegions(tx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("lbsync: compile: %w", err)
	}
	certProblems := s.loadCertificates(ctx, &cfg, &network)
	if s.upToDate(cfg, network) {
		return s.last.Version, nil
	}
	s.versionMu.Lock()
	for _, p := range s.planes {
		s.version = max(s.version, p.AppliedVersion())
	}
	s.versionMu.Unlock()
	cfg.Version = s.nextVersion()
	network.Version = cfg.Version
	results := s.applyAll(ctx, cfg, network)
	version, err := s.finish(cfg, certProblems, results)
	if err == nil {
		network.Version = 0
		s.lastNetwork = &network
	}
	return version, err
}

// upToDate reports whether cfg is what every plane already runs.
func (s *Syncer) upToDate(cfg lb.Config, network l4.Config) bool {
	if s.last == nil || len(s.problems) > 0 || s.lastNetwork == nil || !reflect.DeepEqual(*s.lastNetwork, network) {
		return false
	}
	prev := *s.last
	prev.Version = 0
	if !reflect.DeepEqual(prev, cfg) {
		return false
	}
	for _, p := range s.planes {
		if p.AppliedVersion() < s.last.Version {
			return false
		}
	}
	return true
}

// finish records the outcome of applying cfg: problems, the version to
// report, and whether cfg is now what every plane runs.
func (s *Syncer) finish(cfg lb.Config, problems map[string]string, results []planeResult) (uint64, error) {
	var errs []error
	version := cfg.Version
	for i, r := range results {
		if r.err != nil {
			errs = append(errs, fmt.Errorf("data plane %d: %w", i, r.err))
			continue
		}
		version = max(version, r.version)
		s.served[i] = r.served
		for arn, why := range r.problems {
			problems[arn] = why
		}
	}
	s.setProblems(problems)
	if len(errs) > 0 {
		s.last = nil
		return 0, errors.Join(errs...)
	}
	cfg.Version = version
	s.last = &cfg
	return version, nil
}

// setProblems logs listeners that became unservable or recovered and
// updates the load balancers' state.
func (s *Syncer) setProblems(now map[string]string) {
	for arn, why := range now {
		if _, had := s.problems[arn]; !had {
			s.log.Warn("listener cannot be served; retrying", "listener", arn, "reason", why)
		}
	}
	for arn := range s.problems {
		if _, still := now[arn]; !still {
			s.log.Info("listener is served again", "listener", arn)
		}
	}
	s.problems = now
	status := map[string]string{}
	for arn, why := range now {
		lbARN := loadBalancerOf(arn)
		if status[lbARN] != "" {
			why = status[lbARN] + "; " + why
		}
		status[lbARN] = why
	}
	s.statusMu.Lock()
	s.status = status
	s.statusMu.Unlock()
}

func (s *Syncer) hasProblems() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.problems) > 0
}
