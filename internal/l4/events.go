package l4

import (
	"sync"

	"github.com/slipway-dev/slipway/internal/lb"
)

// eventQueue delivers health events in order on Run's goroutine. Producers append
// under a short lock and never wait for the callback, so a slow OnHealthChange
// cannot stall health checks or connections.
type eventQueue struct {
	fn   func(lb.HealthEvent)
	mu   sync.Mutex // guards q
	q    []queued
	wake chan struct{}
}

// queued is an event to deliver, or a flush marker (done set) to close once every
// event queued before it has been delivered.
type queued struct {
	ev   lb.HealthEvent
	done chan struct{}
}

func newEventQueue(fn func(lb.HealthEvent)) *eventQueue {
	return &eventQueue{fn: fn, wake: make(chan struct{}, 1)}
}

func (e *eventQueue) push(ev lb.HealthEvent) {
	if e.fn != nil {
		e.add(queued{ev: ev})
	}
}

func (e *eventQueue) add(q queued) {
	e.mu.Lock()
	e.q = append(e.q, q)
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// run delivers events until stop is closed.
func (e *eventQueue) run(stop <-chan struct{}) {
	for {
		select {
		case <-e.wake:
		case <-stop:
			return
		}
		e.mu.Lock()
		batch := e.q
		e.q = nil
		e.mu.Unlock()
		for _, q := range batch {
			if q.done != nil {
				close(q.done)
				continue
			}
			e.fn(q.ev)
		}
	}
}

// FlushEvents returns once every health event emitted before the call has been
// passed to Options.OnHealthChange (or Run has stopped). Apply emits the events
// of the changes it makes (targets draining) before it returns but delivers them
// asynchronously; the link to a control plane flushes before acknowledging.
func (d *DataPlane) FlushEvents() {
	if d.events.fn == nil {
		return
	}
	done := make(chan struct{})
	d.events.add(queued{done: done})
	select {
	case <-done:
	case <-d.stopped:
	}
}

// emit queues the event of t's change from prev to its current health.
func (d *DataPlane) emit(t *target, prev lb.TargetHealth) {
	cur := t.healthSnapshot()
	if cur.State != prev.State {
		d.log.Info("target state changed", "target_group", t.key.group, "target", t.key.id, "port", t.key.port,
			"from", prev.State, "to", cur.State, "reason", cur.Reason)
	}
	d.events.push(lb.HealthEvent{TargetGroupARN: t.key.group, Target: t.t, From: prev, To: cur})
}
