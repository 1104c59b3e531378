package lbtarget

import "time"

// Quick re-probing of a new target that is not listening yet.
const (
	QuickProbeFirst = 100 * time.Millisecond
	QuickProbeMax   = time.Second
)

// Schedule runs one target's health checks until stop or closing is closed:
// check right away (a new registration) and then every interval, as ELB does.
// Beyond ELB: while the target is still in its initial state (initial) and
// the last check found nothing listening (check returned refused), it is
// checked again sooner, after 100 ms doubling up to 1 s, so a deploy waits for
// the application to listen rather than for the next interval. check is told
// whether the check is on the regular schedule: only those may count toward
// the unhealthy threshold (a passing quick check may make the target healthy).
func Schedule(interval time.Duration, stop, closing <-chan struct{}, initial func() bool, check func(regular bool) (refused bool)) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	due := time.Now()
	quick := QuickProbeFirst
	for {
		select {
		case <-timer.C:
		case <-stop:
			return
		case <-closing:
			return
		}
		regular := !time.Now().Before(due)
		refused := check(regular)
		if regular {
			due = time.Now().Add(interval)
		}
		wait := time.Until(due)
		if refused && initial() && quick < wait {
			wait, quick = quick, min(quick*2, QuickProbeMax)
		}
		timer.Reset(max(wait, 0))
	}
}
