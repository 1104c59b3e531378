package lbtarget

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors of Drain.Await.
var (
	// ErrCanceled means the target was registered again while draining.
	ErrCanceled = errors.New("lbtarget: drain canceled by a new registration")
	// ErrStopped means the data plane stopped before the drain ended.
	ErrStopped = errors.New("lbtarget: data plane stopped")
)

// Drain follows one draining target: until what it has in flight reaches
// zero or its deregistration delay passes.
type Drain struct {
	pokeCh chan struct{} // the in-flight count hit zero
	cancel chan struct{} // registered again: stop draining
	done   chan struct{} // drain finished; the target is gone
}

// NewDrain returns a drain in progress.
func NewDrain() *Drain {
	return &Drain{pokeCh: make(chan struct{}, 1), cancel: make(chan struct{}), done: make(chan struct{})}
}

// Poke wakes Run: the target's in-flight count reached zero.
func (d *Drain) Poke() {
	select {
	case d.pokeCh <- struct{}{}:
	default:
	}
}

// Cancel ends the drain without finishing it (the target is registered again).
// It is called once, by the one that owns the target's drain field.
func (d *Drain) Cancel() { close(d.cancel) }

// Finish marks the drain finished, releasing Await. Called once.
func (d *Drain) Finish() { close(d.done) }

// Outcome is how Run ended.
type Outcome int

// Outcomes of Run.
const (
	Drained  Outcome = iota // nothing in flight any more
	Expired                 // the delay passed first
	Canceled                // Cancel was called
	Stopped                 // stop was closed
)

// Run waits until inFlight reports zero (checked again at every Poke), the
// delay passes, Cancel or stop.
func (d *Drain) Run(inFlight func() int64, delay time.Duration, stop <-chan struct{}) Outcome {
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for inFlight() > 0 {
		select {
		case <-d.pokeCh:
		case <-timer.C:
			return Expired
		case <-d.cancel:
			return Canceled
		case <-stop:
			return Stopped
		}
	}
	return Drained
}

// Await blocks until the drain finished (nil), was canceled (ErrCanceled),
// ctx ends (its error) or stop is closed (ErrStopped).
func (d *Drain) Await(ctx context.Context, stop <-chan struct{}) error {
	select {
	case <-d.done:
		return nil
	case <-d.cancel:
		return ErrCanceled
	case <-ctx.Done():
		return ctx.Err()
	case <-stop:
		return ErrStopped
	}
}
