package lb

import "sync"

// eventQueue delivers HealthEvents in order on one goroutine. Producers append under a
// short lock and never wait for the callback, so a slow OnHealthChange cannot stall
// health checks or requests.
type eventQueue struct {
	fn   func(HealthEvent)
	mu   sync.Mutex
	q    []HealthEvent
	wake chan struct{}
}

func newEventQueue(fn func(HealthEvent)) *eventQueue {
	return &eventQueue{fn: fn, wake: make(chan struct{}, 1)}
}

func (e *eventQueue) push(ev HealthEvent) {
	if e.fn == nil {
		return
	}
	e.mu.Lock()
	e.q = append(e.q, ev)
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
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
		for _, ev := range batch {
			e.fn(ev)
		}
	}
}

// emit queues a HealthEvent for b's change from prev to its current health.
func (d *DataPlane) emit(b *backend, prev TargetHealth) {
	cur := b.healthSnapshot()
	if cur.State != prev.State {
		d.log.Info("target state changed", "target_group", b.key.group, "target", b.key.id, "port", b.key.port,
			"from", prev.State, "to", cur.State, "reason", cur.Reason)
	}
	d.events.push(HealthEvent{TargetGroupARN: b.key.group, Target: b.target, From: prev, To: cur})
}
