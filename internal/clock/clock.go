// Package clock is the one place where `slipway server --time-scale N` takes
// effect: every timer whose length AWS states in minutes or seconds of
// service time (alarm periods and their evaluation, bake times, lifecycle-hook
// timeouts, scaling cooldowns) asks a Clock for its real length, which is the
// stated length divided by the scale.
//
// Wall time is never scaled: Now is the real time, so datapoint timestamps,
// retention and the times the APIs report stay true. Only durations shrink.
// The zero Clock runs at real speed.
package clock

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MaxScale bounds --time-scale: at 3600 an hour-long bake takes a second;
// beyond that, timers shorter than the schedulers' own granularity would
// stop meaning anything.
const MaxScale = 3600

// ErrBadScale reports a time scale outside [1, MaxScale].
var ErrBadScale = errors.New("time scale must be between 1 and 3600")

// Clock scales service-time durations to real ones. It is a small value,
// safe to copy and to use from any goroutine.
type Clock struct {
	// scale is the speed-up minus one, so that the zero value means 1.
	scaleMinus1 float64
}

// New returns a Clock running scale times faster than real time.
func New(scale float64) (Clock, error) {
	if !(scale >= 1 && scale <= MaxScale) { // also refuses NaN
		return Clock{}, fmt.Errorf("%w: %v", ErrBadScale, scale)
	}
	return Clock{scaleMinus1: scale - 1}, nil
}

// Real is the Clock that runs at real speed.
func Real() Clock { return Clock{} }

// Scale is the speed-up factor (1 for real time).
func (c Clock) Scale() float64 { return c.scaleMinus1 + 1 }

// Scaled reports whether the clock runs faster than real time.
func (c Clock) Scaled() bool { return c.scaleMinus1 != 0 }

// Now is the real wall-clock time (never scaled).
func (c Clock) Now() time.Time { return time.Now() }

// Real returns how long a timer of service-time length d lasts in real time.
func (c Clock) Real(d time.Duration) time.Duration {
	if c.scaleMinus1 == 0 {
		return d
	}
	return time.Duration(float64(d) / c.Scale())
}

// Service returns how much service time a real duration d amounts to (the
// inverse of Real), e.g. to report how far into a bake a deployment is.
func (c Clock) Service(d time.Duration) time.Duration {
	if c.scaleMinus1 == 0 {
		return d
	}
	return time.Duration(float64(d) * c.Scale())
}

// NewTimer starts a timer that fires after service time d.
func (c Clock) NewTimer(d time.Duration) *time.Timer { return time.NewTimer(c.Real(d)) }

// NewTicker starts a ticker with service-time period d; it panics if the
// real period is not positive, as time.NewTicker does.
func (c Clock) NewTicker(d time.Duration) *time.Ticker { return time.NewTicker(c.Real(d)) }

// Sleep waits for service time d or until ctx ends, returning ctx's error then.
func (c Clock) Sleep(ctx context.Context, d time.Duration) error {
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
