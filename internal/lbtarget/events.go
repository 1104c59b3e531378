package lbtarget

import "sync"

// maxQueued is how many undelivered events a queue holds before it merges
// those about the same thing (Coalescing): a consumer that keeps up never
// sees a merge, a stalled one (a control-plane link that is down) finds at
// most one event per key, plus what came since the last merge.
const maxQueued = 1024

// Coalescing says how a queue bounds itself: Key names what an event is
// about (a target), and Merge combines two events about it, the earlier
// first, into the one event that stands for both.
type Coalescing[E any] struct {
	Key   func(E) any
	Merge func(earlier, later E) E
}

// EventQueue delivers events in order on the goroutine that runs it.
// Producers append under a short lock and never wait for the callback, so a
// slow consumer cannot stall health checks or traffic. Past maxQueued
// undelivered events, events with the same key are merged in the place of
// the first, so the queue is bounded by the number of keys and not by time.
type EventQueue[E any] struct {
	fn    func(E)
	c     Coalescing[E]
	mu    sync.Mutex // guards q and limit
	q     []queued[E]
	limit int // length at which add merges next
	wake  chan struct{}
}

// queued is an event to deliver, or a flush marker (done set) to close once
// every event queued before it has been delivered.
type queued[E any] struct {
	ev   E
	done chan struct{}
}

// NewEventQueue returns a queue delivering to fn, bounded by c; with a nil
// fn it drops every event.
func NewEventQueue[E any](fn func(E), c Coalescing[E]) *EventQueue[E] {
	return &EventQueue[E]{fn: fn, c: c, limit: maxQueued, wake: make(chan struct{}, 1)}
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
	if len(e.q) > e.limit {
		e.coalesce()
	}
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// coalesce merges the queued events with the same key into the first's
// place. Flush markers keep their place: an event merged forward is only
// delivered earlier than its marker asked. The next merge waits for the
// queue to double, so that merging stays linear overall.
func (e *EventQueue[E]) coalesce() {
	at := make(map[any]int, len(e.q))
	out := e.q[:0]
	for _, q := range e.q {
		if q.done == nil {
			k := e.c.Key(q.ev)
			if i, ok := at[k]; ok {
				out[i].ev = e.c.Merge(out[i].ev, q.ev)
				continue
			}
			at[k] = len(out)
		}
		out = append(out, q)
	}
	clear(e.q[len(out):])
	e.q = out
	e.limit = max(maxQueued, 2*len(out))
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
		e.q, e.limit = nil, maxQueued
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
