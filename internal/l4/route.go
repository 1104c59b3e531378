package l4

import (
	"hash/maphash"
	"net/netip"
	"time"
)

// route is one listener's immutable routing, published by Apply with an atomic
// pointer store; a new connection or flow loads it once.
type route struct {
	version  uint64
	arn      string // the listener's
	protocol string
	idle     time.Duration // TCP idle timeout
	forward  []weighted
	total    int // sum of weights
}

type weighted struct {
	g      *groupRT
	weight int
}

// groupRT is one target group as a route sees it: its settings and the targets
// registered in this version (draining ones are not in the list).
type groupRT struct {
	tg      *TargetGroup
	targets []*target
}

func newRoute(version uint64, l *Listener, groups map[string]*groupRT) *route {
	r := &route{version: version, arn: l.ARN, protocol: l.Protocol, idle: l.IdleTimeout}
	if r.idle == 0 {
		r.idle = DefaultTCPIdleTimeout
	}
	for _, w := range l.Forward {
		weight := w.Weight
		if len(l.Forward) == 1 {
			weight = 1 // a single group takes everything whatever its weight
		}
		if weight > 0 {
			r.forward = append(r.forward, weighted{g: groups[w.ARN], weight: weight})
			r.total += weight
		}
	}
	return r
}

// flowSeed keys the flow hash; per process, as the hash only has to spread flows.
var flowSeed = maphash.MakeSeed()

// flowHash is the hash NLB selects by: the client's address and port (the rest of
// the 5-tuple is the listener's and the same for all its flows).
func flowHash(client netip.AddrPort) uint64 { return maphash.Comparable(flowSeed, client) }

// sourceHash is source_ip stickiness: the client's address alone.
func sourceHash(client netip.AddrPort) uint64 { return maphash.Comparable(flowSeed, client.Addr()) }

// mix is splitmix64's finalizer: it decorrelates a flow hash from a target seed.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// pick chooses the target group by the flow hash in proportion to the weights,
// then the target within it (see pickTarget). avoid, if not nil, is not chosen
// (a retry after a failed connect).
func (r *route) pick(client netip.AddrPort, avoid *target) (*groupRT, *target) {
	if len(r.forward) == 0 {
		return nil, nil
	}
	h := flowHash(client)
	g := r.forward[0].g
	if len(r.forward) > 1 {
		x := int(h % uint64(r.total))
		for _, w := range r.forward {
			if x < w.weight {
				g = w.g
				break
			}
			x -= w.weight
		}
	}
	if g.tg.SourceIPStickiness {
		h = sourceHash(client)
	}
	return g, g.pickTarget(h, avoid)
}

// pickTarget is rendezvous hashing over the group's routable targets: each scores
// mix(hash ^ seed) and the highest wins, so a target that joins or leaves moves only
// the flows it wins or held. Routable means healthy, or unavailable (checks
// disabled); when none is, traffic fails open to the unhealthy ones, as ELB does.
// Targets still in "initial" get none; avoid is never chosen.
func (g *groupRT) pickTarget(h uint64, avoid *target) *target {
	var best, bestUnhealthy *target
	var score, scoreUnhealthy uint64
	for _, t := range g.targets {
		if t == avoid || t.draining.Load() {
			continue
		}
		s := mix(h ^ t.seed)
		switch st := t.state.Load(); {
		case (st == hHealthy || st == hUnavailable) && (best == nil || s > score):
			best, score = t, s
		case st == hUnhealthy && (bestUnhealthy == nil || s > scoreUnhealthy):
			bestUnhealthy, scoreUnhealthy = t, s
		}
	}
	if best != nil {
		return best
	}
	return bestUnhealthy
}
