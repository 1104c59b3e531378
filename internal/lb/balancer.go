package lb

import (
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// atomicCounter is padded so the round-robin cursors of different groups do not
// share a cache line.
type atomicCounter struct {
	_ [56]byte
	atomic.Uint64
}

// eligible reports whether b may get a new request. With anyHealthy only healthy
// (or health-check-disabled) targets qualify; otherwise ELB fails open to the targets
// that failed their checks. Targets still in "initial" never get traffic: a new task
// is only used once it has passed a health check (design rule 1), and a group with
// nothing but initial targets answers 503.
func eligible(b *backend, anyHealthy bool) bool {
	s := b.state.Load()
	if b.draining.Load() {
		return false
	}
	if anyHealthy {
		return s == hHealthy || s == hUnavailable
	}
	return s == hUnhealthy
}

func (g *group) anyHealthy() bool {
	for _, b := range g.targets {
		if s := b.state.Load(); (s == hHealthy || s == hUnavailable) && !b.draining.Load() {
			return true
		}
	}
	return false
}

// pick chooses a target for a new request; nil means the group has no target (503).
// exclude is the target that just failed, for the retry; it is only chosen again when
// there is no other candidate. sticky is the AWSALB cookie value, if any.
func (g *group) pick(exclude *backend, sticky []byte) *backend {
	n := len(g.targets)
	if n == 0 {
		return nil
	}
	healthy := g.anyHealthy()
	if g.stick.Enabled && len(sticky) > 0 {
		if b := g.byCookie[string(sticky)]; b != nil && b != exclude && eligible(b, healthy) {
			return b
		}
	}
	if n == 1 {
		if b := g.targets[0]; eligible(b, healthy) {
			return b
		}
		return nil
	}
	var b *backend
	if g.lor {
		b = g.pickLeast(exclude, healthy)
	} else {
		b = g.pickRoundRobin(exclude, healthy)
	}
	if b == nil && exclude != nil && eligible(exclude, healthy) {
		return exclude
	}
	return b
}

// pickRoundRobin walks the targets from a shared cursor. Targets in slow start are
// skipped with probability 1-factor, which ramps their share linearly.
func (g *group) pickRoundRobin(exclude *backend, healthy bool) *backend {
	n := uint64(len(g.targets))
	start := g.st.rr.Add(1)
	var fallback *backend
	var now int64
	for i := uint64(0); i < n; i++ {
		b := g.targets[(start+i)%n]
		if b == exclude || !eligible(b, healthy) {
			continue
		}
		if g.slowStart > 0 {
			if now == 0 {
				now = time.Now().UnixNano()
			}
			if f := b.slowStartFactor(now); f < 1 && rand.Float64() >= f {
				if fallback == nil {
					fallback = b
				}
				continue
			}
		}
		return b
	}
	return fallback
}

// pickLeast chooses the eligible target with the fewest in-flight requests, scanning
// from a random offset so ties spread out; slow start inflates a ramping target's load.
func (g *group) pickLeast(exclude *backend, healthy bool) *backend {
	n := len(g.targets)
	off := rand.IntN(n)
	var best *backend
	bestLoad := 0.0
	var now int64
	for i := 0; i < n; i++ {
		b := g.targets[(off+i)%n]
		if b == exclude || !eligible(b, healthy) {
			continue
		}
		load := float64(b.inflight.Load())
		if g.slowStart > 0 {
			if now == 0 {
				now = time.Now().UnixNano()
			}
			load = (load + 1) / b.slowStartFactor(now)
		}
		if best == nil || load < bestLoad {
			best, bestLoad = b, load
		}
	}
	return best
}

// chooseGroup picks the group of a forward action: the sticky one if the AWSALBTG
// cookie names a group with weight > 0, else weighted random.
func (a *action) chooseGroup(tgCookie []byte) *group {
	if len(a.groups) == 1 {
		return a.groups[0].g
	}
	if a.stick.Enabled && len(tgCookie) > 0 {
		for _, wg := range a.groups {
			if wg.weight > 0 && wg.g.tgCookie == string(tgCookie) {
				return wg.g
			}
		}
	}
	if a.total <= 0 {
		return nil
	}
	r := rand.IntN(a.total)
	for _, wg := range a.groups {
		if r < wg.weight {
			return wg.g
		}
		r -= wg.weight
	}
	return a.groups[len(a.groups)-1].g
}
