package lbtarget

import "sync"

// EventQueue delivers events in order on the goroutine that runs it.
// Producers append under a short lock and never wait for the callback, so a
// slow consumer cannot stall health checks or traffic.
type EventQueue[E any] struct {
	fn   func(E)
	mu   sync.Mutex // guards q
	q    []queued[E]
	wake chan struct{}
}

// queued is an event to deliver, or a flush marker (done set) to close once
// every event queued before it has been delivered.
type queued[E any] struct {
	ev   E
	done chan struct{}
}

// NewEventQueue returns a queue delivering to fn; with a nil fn it drops
// every event.
func NewEventQueue[E any](fn func(E)) *EventQueue[E] {
	return &EventQueue[E]{fn: fn, wake: make(chan struct{}, 1)}
}

// Push queues ev.
func (e *EventQueue[E]) Push(ev E) {
	if e.fn != nil {
		e.add(queued[E]{ev: ev})
	}
}

func (e *EventQueue[E]) add(q queued[E]) {
	e.mu.Lock()
	e.q = append(e.q, q)
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Flush returns once every event pushed before the call has been delivered,
// or when stop is closed.
func (e *EventQueue[E]) Flush(stop <-chan struct{}) {
	if e.fn == nil {
		return
	}
	done := make(chan struct{})
	e.add(queued[E]{done: done})
	select {
	case <-done:
	case <-stop:
	}
}

// Run delivers events until stop is closed.
func (e *EventQueue[E]) Run(stop <-chan struct{}) {
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
