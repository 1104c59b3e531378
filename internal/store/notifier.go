package store

import "sync"

// Notifier broadcasts "something changed" to any number of waiters without
// queueing: a waiter that is slow simply sees one wake-up for many changes,
// which is what level-triggered controllers want.
type Notifier struct {
	mu  sync.Mutex // protects ch and rev
	ch  chan struct{}
	rev uint64
}

// NewNotifier returns a notifier with no changes yet.
func NewNotifier() *Notifier { return &Notifier{ch: make(chan struct{})} }

// Wait returns a channel that is closed at the next Notify, and the revision it
// was taken at.
func (n *Notifier) Wait() (<-chan struct{}, uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch, n.rev
}

// Revision returns how many changes have been notified.
func (n *Notifier) Revision() uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.rev
}

// Notify wakes every current waiter.
func (n *Notifier) Notify() {
	n.mu.Lock()
	close(n.ch)
	n.ch = make(chan struct{})
	n.rev++
	n.mu.Unlock()
}
