package l4

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/lbtarget"
)

// startDrain runs right after the routing swap that removed t: no new connection
// or flow reaches t any more (track backs off), existing ones go on.
func (d *DataPlane) startDrain(t *target) {
	d.regMu.Lock()
	tg := d.groups[t.key.group]
	d.regMu.Unlock()
	delay, terminate := DefaultDeregistrationDelay, false // group deleted: ELB's default delay
	if tg != nil {
		delay, terminate = tg.DeregistrationDelay, tg.ConnectionTermination
	}
	ds := lbtarget.NewDrain()
	t.mu.Lock()
	d.stopCheckerLocked(t)
	t.drain = ds
	prev, changed := t.setHealthLocked(lb.StateDraining, lb.ReasonDeregistrationInProgress, "Target deregistration is in progress")
	t.mu.Unlock()
	if changed {
		d.emit(t, prev)
	}
	d.log.Info("target draining", "target_group", t.key.group, "target", t.key.id, "port", t.key.port, "delay", delay,
		"connections", t.active.Load())
	d.wg.Add(1)
	go d.runDrain(t, ds, delay, terminate)
}

// runDrain ends the drain when the target has no connection or flow left, or when
// the delay passes; then, with connection termination, its connections are closed,
// and without it they go on until they end by themselves (as ELB).
func (d *DataPlane) runDrain(t *target, ds *lbtarget.Drain, delay time.Duration, terminate bool) {
	defer d.wg.Done()
	switch ds.Run(t.active.Load, delay, d.stopped) {
	case lbtarget.Expired:
		n := 0
		if terminate {
			n = t.terminate()
		}
		d.finishDrain(t, ds, "deregistration delay expired", n)
	case lbtarget.Drained:
		d.finishDrain(t, ds, "no connections left", 0)
	}
}

// finishDrain forgets the target: it becomes unused (Target.NotRegistered).
func (d *DataPlane) finishDrain(t *target, ds *lbtarget.Drain, why string, terminated int) {
	d.regMu.Lock()
	t.mu.Lock()
	if t.drain != ds {
		t.mu.Unlock()
		d.regMu.Unlock()
		return // re-registered meanwhile
	}
	t.drain = nil
	if d.targets[t.key] == t {
		delete(d.targets, t.key)
	}
	if t.active.Load() > 0 {
		d.lingering[t] = struct{}{}
	}
	prev, _ := t.setHealthLocked(lb.StateUnused, lb.ReasonNotRegistered, "Target is not registered to the target group")
	t.mu.Unlock()
	d.gone[t.key.group] = d.gone[t.key.group].add(t.stats())
	d.regMu.Unlock()
	ds.Finish()
	d.emit(t, prev)
	d.log.Info("target drained", "target_group", t.key.group, "target", t.key.id, "port", t.key.port, "why", why,
		"terminated", terminated)
}

// undrainLocked turns a draining target back into a registered one (regMu held).
func (d *DataPlane) undrainLocked(t *target) {
	t.mu.Lock()
	if ds := t.drain; ds != nil {
		ds.Cancel()
		t.drain = nil
	}
	prev, changed := t.setHealthLocked(lb.StateInitial, lb.ReasonRegistrationInProgress, "Target registration is in progress")
	t.mu.Unlock()
	t.draining.Store(false)
	if changed {
		d.emit(t, prev)
	}
}

// WaitDrained blocks until the draining target (tgARN, id, port) has finished
// draining. It returns nil at once for a target that is not known (drained),
// ErrNotDraining for a registered target, ctx.Err() on cancellation and ErrClosed
// once Run stops.
func (d *DataPlane) WaitDrained(ctx context.Context, tgARN, id string, port int) error {
	d.regMu.Lock()
	var ds *lbtarget.Drain
	found := false
	for key, t := range d.targets {
		if key.group != tgARN || key.id != id || key.port != port {
			continue
		}
		found = true
		t.mu.Lock()
		if t.drain != nil {
			ds = t.drain // prefer the draining one when a successor exists
		}
		t.mu.Unlock()
	}
	d.regMu.Unlock()
	switch {
	case !found:
		return nil
	case ds == nil:
		return fmt.Errorf("%w: %s %s:%d", ErrNotDraining, tgARN, id, port)
	}
	switch err := ds.Await(ctx, d.stopped); {
	case errors.Is(err, lbtarget.ErrCanceled):
		return fmt.Errorf("%w: %s %s:%d re-registered", ErrNotDraining, tgARN, id, port)
	case errors.Is(err, lbtarget.ErrStopped):
		return ErrClosed
	default:
		return err
	}
}
