package runtime

import "sync"

// LiveSet is the set of a runtime's handles whose container runs, what its
// UsageReporter measures. The zero value is an empty set ready for use;
// it is safe for concurrent use.
type LiveSet[H comparable] struct {
	mu      sync.Mutex // protects handles
	handles map[H]struct{}
}

// Add puts h in the set.
func (l *LiveSet[H]) Add(h H) {
	l.mu.Lock()
	if l.handles == nil {
		l.handles = map[H]struct{}{}
	}
	l.handles[h] = struct{}{}
	l.mu.Unlock()
}

// Remove takes h out of the set.
func (l *LiveSet[H]) Remove(h H) {
	l.mu.Lock()
	delete(l.handles, h)
	l.mu.Unlock()
}

// List returns the set's handles, in no order.
func (l *LiveSet[H]) List() []H {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]H, 0, len(l.handles))
	for h := range l.handles {
		out = append(out, h)
	}
	return out
}
