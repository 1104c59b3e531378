package lb

import "sync"

// eventQueue delivers HealthEvents in order on one goroutine. Producers append under a
// short lock and never wait for the callback, so a slow OnHealthChange cannot stall
// health checks or requests.
type eventQueue struct {
	fn   func(HealthEvent)
	mu   sync.Mutex
	q    []queued
	wake chan struct{}
}

// queued is a HealthEvent to deliver, or a flush marker (done set) to close once
// every event queued before it has been delivered.
type queued struct {
	ev   HealthEvent
	done chan struct{}
}

func newEventQueue(fn func(HealthEvent)) *eventQueue {
	return &eventQueue{fn: fn, wake: make(chan struct{}, 1)}
}

func (e *eventQueue) push(ev HealthEvent) {
	if e.fn == nil {
		return
	}
	e.add(queued{ev: ev})
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

// flush returns once every event pushed before the call has been delivered, or
// when closing is closed.
func (e *eventQueue) flush(closing <-chan struct{}) {
	if e.fn == nil {
		return
	}
	done := make(chan struct{})
	e.add(queued{done: done})
	select {
	case <-done:
	case <-closing:
	}
}

func (e *eventQueue) run(closing <-chan struct{}) {
	for {
		select {
		case <-e.wake:
		case <-closing:
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

// FlushEvents returns once every HealthEvent emitted before the call has been passed
// to Options.OnHealthChange. Apply emits the events of the changes it makes (targets
// draining, checks disabled) before it returns, but delivers them asynchronously;
// a caller that reports an Apply's outcome together with the health it caused (the
// link to a remote control plane) flushes first.
func (d *DataPlane) FlushEvents() { d.events.flush(d.closing) }

// emit queues a HealthEvent for b's change from prev to its current health.
func (d *DataPlane) emit(b *backend, prev TargetHealth) {
	cur := b.healthSnapshot()
	if cur.State != prev.State {
		d.log.Info("target state changed", "target_group", b.key.group, "target", b.key.id, "port", b.key.port,
			"from", prev.State, "to", cur.State, "reason", cur.Reason)
	}
	d.events.push(HealthEvent{TargetGroupARN: b.key.group, Target: b.target, From: prev, To: cur})
}
