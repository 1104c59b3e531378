package lb

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/slipway-dev/slipway/internal/lbtarget"
)

// ErrNotDraining is returned by WaitDrained for a target that is registered and not draining.
var ErrNotDraining = errors.New("lb: target is not draining")

// startDrain runs right after the routing swap that removed b: no new request can
// reach b any more (acquire backs off), idle connections close at once and busy ones
// close when their exchange ends.
func (d *DataPlane) startDrain(b *backend) {
	delay := time.Duration(0)
	if tg := d.cfgGroup[b.key.group]; tg != nil {
		delay = tg.DeregistrationDelay
	} else {
		delay = 300 * time.Second // group deleted: keep ELB's default delay
	}
	ds := lbtarget.NewDrain()
	b.pool.closeIdle(true)
	b.mu.Lock()
	if b.checker != nil {
		b.checker.stop()
		b.checker = nil
	}
	b.drain = ds
	prev, changed := b.setHealthLocked(StateDraining, ReasonDeregistrationInProgress, "Target deregistration is in progress")
	b.mu.Unlock()
	if changed {
		d.emit(b, prev)
	}
	d.log.Info("target draining", "target_group", b.key.group, "target", b.key.id, "port", b.key.port, "delay", delay)
	d.wg.Add(1)
	go d.runDrain(b, ds, delay)
}

// runDrain ends b's drain when no request is in flight or the delay passes.
func (d *DataPlane) runDrain(b *backend, ds *lbtarget.Drain, delay time.Duration) {
	defer d.wg.Done()
	switch ds.Run(b.inflight.Load, delay, d.closing) {
	case lbtarget.Expired:
		// Like the task that gets SIGTERM next, requests still running lose
		// their target connections now (also ends spliced WebSockets).
		b.pool.closeAll()
		d.finishDrain(b, ds, "deregistration delay expired")
	case lbtarget.Drained:
		d.finishDrain(b, ds, "no requests in flight")
	}
}

// finishDrain forgets the target: it becomes unused (Target.NotRegistered).
func (d *DataPlane) finishDrain(b *backend, ds *lbtarget.Drain, why string) {
	d.regMu.Lock()
	b.mu.Lock()
	if b.drain != ds {
		b.mu.Unlock()
		d.regMu.Unlock()
		return // re-registered meanwhile
	}
	b.drain = nil
	if d.backends[b.key] == b {
		delete(d.backends, b.key)
	}
	prev, _ := b.setHealthLocked(StateUnused, ReasonNotRegistered, "Target is not registered to the target group")
	b.mu.Unlock()
	if gs := d.groups[b.key.group]; gs != nil {
		gs.mu.Lock()
		gs.gone[b.target.Revision] = gs.gone[b.target.Revision].Add(b.stats.snapshot())
		gs.mu.Unlock()
	}
	d.regMu.Unlock()
	ds.Finish()
	d.emit(b, prev)
	d.log.Info("target drained", "target_group", b.key.group, "target", b.key.id, "port", b.key.port, "why", why)
}

// undrainLocked turns a draining target back into a registered one (regMu held).
func (d *DataPlane) undrainLocked(b *backend) {
	b.mu.Lock()
	if ds := b.drain; ds != nil {
		ds.Cancel()
		b.drain = nil
	}
	prev, changed := b.setHealthLocked(StateInitial, ReasonRegistrationInProgress, "Target registration is in progress")
	b.mu.Unlock()
	b.pool.reopen()
	b.draining.Store(false)
	if changed {
		d.emit(b, prev)
	}
}

// WaitDrained blocks until the draining target (tgARN, id, port) has finished draining:
// its in-flight requests completed or its deregistration delay expired. It returns nil
// at once for a target that is not known (already drained), ErrNotDraining for a
// registered target, ctx.Err() on cancellation and ErrClosed if the data plane closes.
func (d *DataPlane) WaitDrained(ctx context.Context, tgARN, id string, port int) error {
	d.regMu.Lock()
	var b *backend
	var ds *lbtarget.Drain
	for key, cand := range d.backends {
		if key.group != tgARN || key.id != id || key.port != port {
			continue
		}
		cand.mu.Lock()
		cds := cand.drain
		cand.mu.Unlock()
		if b == nil || cds != nil { // prefer the draining one when a successor exists
			b, ds = cand, cds
		}
	}
	d.regMu.Unlock()
	if b == nil {
		return nil
	}
	if ds == nil {
		return fmt.Errorf("%w: %s %s:%d", ErrNotDraining, tgARN, id, port)
	}
	return drainErr(ds.Await(ctx, d.closing), tgARN, id, port)
}

// drainErr is WaitDrained's answer for what Drain.Await returned.
func drainErr(err error, tgARN, id string, port int) error {
	switch {
	case errors.Is(err, lbtarget.ErrCanceled):
		return fmt.Errorf("%w: %s %s:%d re-registered", ErrNotDraining, tgARN, id, port)
	case errors.Is(err, lbtarget.ErrStopped):
		return ErrClosed
	}
	return err
}

// InFlight returns the number of requests in flight to a target (registered or draining,
// summed when a draining target and its successor share id and port).
func (d *DataPlane) InFlight(tgARN, id string, port int) int64 {
	d.regMu.Lock()
	defer d.regMu.Unlock()
	var n int64
	for key, b := range d.backends {
		if key.group == tgARN && key.id == id && key.port == port {
			n += b.inflight.Load()
		}
	}
	return n
}

func sortBackends(bs []*backend) {
	sort.Slice(bs, func(i, j int) bool {
		if bs[i].key.id != bs[j].key.id {
			return bs[i].key.id < bs[j].key.id
		}
		return bs[i].key.port < bs[j].key.port
	})
}
