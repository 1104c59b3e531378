package lbsync

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// stateRank orders target states from best to worst for merging the views
// of several data planes: a target is only as healthy as its worst plane
// sees it.
var stateRank = map[string]int{
	lb.StateHealthy: 0, lb.StateUnused: 1, lb.StateInitial: 2,
	lb.StateUnavailable: 3, lb.StateUnhealthy: 4, lb.StateDraining: 5,
}

// TargetHealth returns the health of the registered and draining targets
// of a target group, merged over every data plane (worst state wins; a
// target a plane does not know yet counts as initial there).
func (s *Syncer) TargetHealth(tgARN string) []lb.TargetHealth {
	if len(s.planes) == 1 {
		return s.planes[0].TargetHealth(tgARN)
	}
	type key struct {
		id   string
		port int
	}
	merged := map[key]lb.TargetHealth{}
	seen := map[key]int{}
	worse := func(a, b lb.TargetHealth) bool { return stateRank[a.State] > stateRank[b.State] }
	for _, p := range s.planes {
		for _, th := range p.TargetHealth(tgARN) {
			k := key{th.Target.ID, th.Target.Port}
			seen[k]++
			if cur, ok := merged[k]; !ok || worse(th, cur) {
				merged[k] = th
			}
		}
	}
	out := make([]lb.TargetHealth, 0, len(merged))
	for k, th := range merged {
		pending := lb.TargetHealth{Target: th.Target, State: lb.StateInitial, Reason: lb.ReasonRegistrationInProgress,
			Description: "Target registration is in progress"}
		if seen[k] < len(s.planes) && worse(pending, th) {
			th = pending
		}
		out = append(out, th)
	}
	slices.SortFunc(out, func(a, b lb.TargetHealth) int {
		return cmp.Or(cmp.Compare(a.Target.ID, b.Target.ID), cmp.Compare(a.Target.Port, b.Target.Port))
	})
	return out
}

// WaitDrained returns when the deregistered target has finished draining on
// every data plane (in-flight requests done or deregistration delay over).
func (s *Syncer) WaitDrained(ctx context.Context, tgARN, id string, port int) error {
	errs := make([]error, len(s.planes))
	var wg sync.WaitGroup
	for i, p := range s.planes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.WaitDrained(ctx, tgARN, id, port)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// HealthChanges fires whenever a target's health changes on any data plane.
func (s *Syncer) HealthChanges() *store.Notifier { return s.healthN }

// OnHealthChange is the data planes' lb.Options.OnHealthChange.
func (s *Syncer) OnHealthChange(lb.HealthEvent) { s.healthN.Notify() }

// LoadBalancerState returns ELB's state for a load balancer: active, or
// active_impaired with the reason while one of its listeners cannot be
// served.
func (s *Syncer) LoadBalancerState(lbARN string) (code, reason string) {
	s.statusMu.Lock()
	defer s.statusMu.Unlock()
	if why, ok := s.status[lbARN]; ok {
		return model.ALBStateImpaired, strings.TrimSpace(why)
	}
	return model.ALBStateActive, ""
}
