package lb

import "github.com/slipway-dev/slipway/internal/lbtarget"

// FlushEvents returns once every HealthEvent emitted before the call has been passed
// to Options.OnHealthChange. Apply emits the events of the changes it makes (targets
// draining, checks disabled) before it returns, but delivers them asynchronously;
// a caller that reports an Apply's outcome together with the health it caused (the
// link to a remote control plane) flushes first.
func (d *DataPlane) FlushEvents() { d.events.Flush(d.closing) }

// emit queues a HealthEvent for b's change from prev to its current health.
func (d *DataPlane) emit(b *backend, prev TargetHealth) {
	cur := b.healthSnapshot()
	if cur.State != prev.State {
		d.log.Info("target state changed", "target_group", b.key.group, "target", b.key.id, "port", b.key.port,
			"from", prev.State, "to", cur.State, "reason", cur.Reason)
	}
	d.events.Push(HealthEvent{TargetGroupARN: b.key.group, Target: b.target, From: prev, To: cur})
}

// HealthCoalescing is how a queue of HealthEvents bounds itself while its
// consumer is stalled: a target's events merge into one from its first
// From to its last To (consumers read the group's whole health anyway).
func HealthCoalescing() lbtarget.Coalescing[HealthEvent] {
	type key struct {
		group  string
		target Target
	}
	return lbtarget.Coalescing[HealthEvent]{
		Key: func(ev HealthEvent) any { return key{ev.TargetGroupARN, ev.Target} },
		Merge: func(earlier, later HealthEvent) HealthEvent {
			later.From = earlier.From
			return later
		},
	}
}
