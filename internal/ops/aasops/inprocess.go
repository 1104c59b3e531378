package aasops

import (
	"context"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/store"
)

// The methods below are for the scaler (internal/autoscaler): it reads the
// records, remembers cooldowns and scheduled runs in them, and records
// activities. They return the store's errors as they are.

// Targets returns every scalable target, in resource id order.
func (s *Service) Targets(ctx context.Context) ([]Target, error) {
	var out []Target
	err := s.opts.Store.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = store.ListJSON[Target](tx, bucketTargets, "")
		return err
	})
	return out, err
}

// TargetOf returns the target of a resource id, or ErrNotFound.
func (s *Service) TargetOf(ctx context.Context, resourceID string) (Target, error) {
	var t Target
	err := s.opts.Store.View(ctx, func(tx store.Tx) error {
		var err error
		t, err = getTarget(tx, resourceID)
		return err
	})
	return t, err
}

// PolicyByARN returns a policy and its target, or ErrNotFound.
func (s *Service) PolicyByARN(ctx context.Context, arn string) (Policy, Target, error) {
	var p Policy
	var t Target
	err := s.opts.Store.View(ctx, func(tx store.Tx) error {
		found := false
		err := store.ScanJSON(tx, bucketPolicies, "", "", func(_ string, v Policy) bool {
			if v.ARN == arn {
				p, found = v, true
				return false
			}
			return true
		})
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: no scaling policy has the ARN %s", ErrNotFound, arn)
		}
		t, err = getTarget(tx, p.ResourceID)
		return err
	})
	return p, t, err
}

// UpdateCooldown applies fn to the cooldown memory of a policy (whose
// configuration a PutScalingPolicy may have replaced meanwhile: only the
// memory changes).
func (s *Service) UpdateCooldown(ctx context.Context, resourceID, name string, fn func(*CooldownState)) error {
	return s.opts.Store.Update(ctx, func(tx store.Tx) error {
		p, err := getPolicy(tx, resourceID, name)
		if err != nil {
			return err
		}
		fn(&p.Cooldown)
		return store.PutJSON(tx, bucketPolicies, childKey(resourceID, name), p)
	})
}

// AllScheduled returns every scheduled action.
func (s *Service) AllScheduled(ctx context.Context) ([]Scheduled, error) {
	var out []Scheduled
	err := s.opts.Store.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = store.ListJSON[Scheduled](tx, bucketScheduled, "")
		return err
	})
	return out, err
}

// RunScheduled records that a scheduled action ran at `at` and applies its
// capacity to the target, in one transaction; it returns the target after
// the change. An action whose schedule changed since it was read (its
// Anchor differs) is not run.
func (s *Service) RunScheduled(ctx context.Context, a Scheduled, at time.Time) (Target, error) {
	var t Target
	err := s.opts.Store.Update(ctx, func(tx store.Tx) error {
		cur, err := getScheduled(tx, a.ResourceID, a.Name)
		if err != nil {
			return err
		}
		if !cur.Anchor.Equal(a.Anchor) {
			return fmt.Errorf("%w: scheduled action %s changed", ErrNotFound, a.Name)
		}
		cur.LastRun = at
		if err := store.PutJSON(tx, bucketScheduled, childKey(a.ResourceID, a.Name), cur); err != nil {
			return err
		}
		if t, err = getTarget(tx, a.ResourceID); err != nil {
			return err
		}
		oldMin, oldMax := t.Min, t.Max
		if cur.Min != nil {
			t.Min = *cur.Min
			t.Max = max(t.Max, t.Min)
		}
		if cur.Max != nil {
			t.Max = *cur.Max
			t.Min = min(t.Min, t.Max)
		}
		if t.Min != oldMin || t.Max != oldMax {
			t.BoundsChanged = at
		}
		return store.PutJSON(tx, bucketTargets, t.ResourceID, t)
	})
	return t, err
}

// MarkBoundsApplied records that the scaler brought the target's desired
// count within the bounds that changed at `changed`.
func (s *Service) MarkBoundsApplied(ctx context.Context, resourceID string, changed time.Time) error {
	return s.opts.Store.Update(ctx, func(tx store.Tx) error {
		t, err := getTarget(tx, resourceID)
		if err != nil {
			return err
		}
		if t.BoundsApplied.Before(changed) {
			t.BoundsApplied = changed
		}
		return store.PutJSON(tx, bucketTargets, resourceID, t)
	})
}
