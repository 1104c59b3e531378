package lbsync

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
)

// fakePlane records applied configurations. Apply blocks while gate is set
// and fails with a bind error for ports in busy.
type fakePlane struct {
	mu      sync.Mutex
	applied []lb.Config
	version uint64
	busy    map[int]bool
	gate    chan struct{}
	entered chan struct{}
	health  []lb.TargetHealth
	drained map[string]bool
}

func newFakePlane() *fakePlane { return &fakePlane{busy: map[int]bool{}, drained: map[string]bool{}} }

func (p *fakePlane) Apply(ctx context.Context, cfg lb.Config) error {
	p.mu.Lock()
	gate, entered := p.gate, p.entered
	p.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
	}
	if gate != nil {
		<-gate
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if cfg.Version <= p.version {
		return nil
	}
	for _, l := range cfg.Listeners {
		if p.busy[l.Port] {
			op := &net.OpError{Op: "listen", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: l.Port},
				Err: errors.New("address already in use")}
			return &lb.BindError{Port: l.Port, Err: op}
		}
	}
	p.applied = append(p.applied, cfg)
	p.version = cfg.Version
	return nil
}

func (p *fakePlane) AppliedVersion() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.version
}

func (p *fakePlane) TargetHealth(string) []lb.TargetHealth {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.health
}

func (p *fakePlane) WaitDrained(_ context.Context, _, id string, _ int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drained[id] = true
	return nil
}

func (p *fakePlane) lastConfig() lb.Config {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.applied) == 0 {
		return lb.Config{}
	}
	return p.applied[len(p.applied)-1]
}

func (p *fakePlane) ports() []int {
	var out []int
	for _, l := range p.lastConfig().Listeners {
		out = append(out, l.Port)
	}
	return out
}

func TestSyncWaitsForEveryPlane(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	tg := f.targetGroup("web", 8080)
	f.listener(8000, forward(map[string]int{tg.ARN: 1}))
	fast, slow := newFakePlane(), newFakePlane()
	slow.gate, slow.entered = make(chan struct{}), make(chan struct{}, 1)
	s := New(st, []DataPlane{fast, slow}, quietLogger())
	type result struct {
		v   uint64
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := s.Sync(ctx)
		done <- result{v, err}
	}()
	<-slow.entered
	select {
	case r := <-done:
		t.Fatalf("Sync returned %v while a plane had not acknowledged", r)
	default:
	}
	close(slow.gate)
	r := <-done
	if r.err != nil || r.v == 0 || fast.AppliedVersion() != r.v || slow.AppliedVersion() != r.v {
		t.Fatalf("Sync = %+v; planes at %d and %d", r, fast.AppliedVersion(), slow.AppliedVersion())
	}
	slow.mu.Lock()
	slow.gate, slow.entered = nil, nil
	slow.mu.Unlock()
	// Nothing changed: same version, nothing applied again.
	if v, err := s.Sync(ctx); err != nil || v != r.v || len(fast.applied) != 1 {
		t.Fatalf("second Sync = %d, %v; %d applies", v, err, len(fast.applied))
	}
	// A deregistration gets a newer version that no longer has the target.
	f.register(tg.ARN, model.TargetDescription{ID: "i-1"})
	v1 := mustSync(t, s)
	f.deregister(tg.ARN, model.TargetDescription{ID: "i-1"})
	v2 := mustSync(t, s)
	if v2 <= v1 || len(slow.lastConfig().TargetGroups[0].Targets) != 0 {
		t.Fatalf("after deregister: v%d -> v%d, %+v", v1, v2, slow.lastConfig().TargetGroups[0])
	}
	if err := s.WaitDrained(ctx, tg.ARN, "i-1", 8080); err != nil || !fast.drained["i-1"] || !slow.drained["i-1"] {
		t.Fatalf("WaitDrained: %v", err)
	}
}

func mustSync(t *testing.T, s *Syncer) uint64 {
	t.Helper()
	v, err := s.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestUnbindableListenerDoesNotBlockOthers(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	tg := f.targetGroup("web", 8080)
	f.listener(8000, forward(map[string]int{tg.ARN: 1}))
	plane := newFakePlane()
	plane.busy[8001] = true
	s := New(st, []DataPlane{plane}, quietLogger())
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	runDone := make(chan error, 1)
	go func() { runDone <- s.Run(runCtx) }()
	eventually(t, "first listener applied", func() bool { return slices.Equal(plane.ports(), []int{8000}) })

	l2 := f.listener(8001, forward(map[string]int{tg.ARN: 1}))
	f.register(tg.ARN, model.TargetDescription{ID: "i-1"})
	// The busy port is left out, the registration still goes through.
	eventually(t, "registration applied", func() bool {
		cfg := plane.lastConfig()
		return len(cfg.TargetGroups) == 1 && len(cfg.TargetGroups[0].Targets) == 1
	})
	if got := plane.ports(); !slices.Equal(got, []int{8000}) {
		t.Fatalf("ports = %v", got)
	}
	eventually(t, "impaired state", func() bool {
		code, reason := s.LoadBalancerState(f.lb.ARN)
		return code == model.ALBStateImpaired && reason != ""
	})
	plane.mu.Lock()
	delete(plane.busy, 8001)
	plane.mu.Unlock()
	eventually(t, "listener bound after retry", func() bool { return slices.Equal(plane.ports(), []int{8000, 8001}) })
	eventually(t, "active state", func() bool { code, _ := s.LoadBalancerState(f.lb.ARN); return code == model.ALBStateActive })
	_ = l2
	cancel()
	if err := <-runDone; err != nil {
		t.Fatalf("Run = %v", err)
	}
}

func TestTargetHealthMergesPlanes(t *testing.T) {
	a, b := newFakePlane(), newFakePlane()
	t1 := lb.Target{ID: "i-1", Port: 80}
	t2 := lb.Target{ID: "i-2", Port: 80}
	a.health = []lb.TargetHealth{{Target: t1, State: lb.StateHealthy}, {Target: t2, State: lb.StateHealthy}}
	b.health = []lb.TargetHealth{{Target: t1, State: lb.StateUnhealthy, Reason: lb.ReasonTimeout}}
	s := New(newState(t), []DataPlane{a, b}, quietLogger())
	got := s.TargetHealth("tg")
	if len(got) != 2 || got[0].State != lb.StateUnhealthy || got[0].Reason != lb.ReasonTimeout ||
		got[1].State != lb.StateInitial || got[1].Reason != lb.ReasonRegistrationInProgress {
		t.Fatalf("merged = %+v", got)
	}
	ch, _ := s.HealthChanges().Wait()
	s.OnHealthChange(lb.HealthEvent{})
	select {
	case <-ch:
	default:
		t.Fatal("OnHealthChange did not notify")
	}
}
