package l4

import "github.com/slipway-dev/slipway/internal/lb"

// FlushEvents returns once every health event emitted before the call has been
// passed to Options.OnHealthChange (or Run has stopped). Apply emits the events
// of the changes it makes (targets draining) before it returns but delivers them
// asynchronously; the link to a control plane flushes before acknowledging.
func (d *DataPlane) FlushEvents() { d.events.Flush(d.stopped) }

// emit queues the event of t's change from prev to its current health.
func (d *DataPlane) emit(t *target, prev lb.TargetHealth) {
	cur := t.healthSnapshot()
	if cur.State != prev.State {
		d.log.Info("target state changed", "target_group", t.key.group, "target", t.key.id, "port", t.key.port,
			"from", prev.State, "to", cur.State, "reason", cur.Reason)
	}
	d.events.Push(lb.HealthEvent{TargetGroupARN: t.key.group, Target: t.t, From: prev, To: cur})
}
