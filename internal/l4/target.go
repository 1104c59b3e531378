package l4

import (
	"hash/maphash"
	"io"
	"net"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/lbtarget"
)

// Hot-path health codes mirrored from the state name for lock-free selection.
const (
	hInitial int32 = iota
	hHealthy
	hUnhealthy
	hUnused
	hDraining
	hUnavailable
)

func stateCode(state string) int32 {
	switch state {
	case lb.StateHealthy:
		return hHealthy
	case lb.StateUnhealthy:
		return hUnhealthy
	case lb.StateUnused:
		return hUnused
	case lb.StateDraining:
		return hDraining
	case lb.StateUnavailable:
		return hUnavailable
	}
	return hInitial
}

// targetKey identifies a target runtime. ELB identifies targets by id and port; the
// dial host is part of the key, so that a target re-registered at another address
// is a new target while the old one drains.
type targetKey struct {
	group string
	id    string
	port  int
	host  string
}

// target is the runtime of one registered (or draining) target. It outlives
// configuration versions, so that health, flows and counters carry over.
type target struct {
	key  targetKey
	t    lb.Target
	addr string // host:port to dial
	seed uint64 // rendezvous-hash seed, from the key

	state    atomic.Int32 // hot-path copy of health.State
	draining atomic.Bool  // set before the swap that removes the target
	active   atomic.Int64 // open connections and flows
	flows    atomic.Uint64
	bytesIn  atomic.Uint64 // client to target
	bytesOut atomic.Uint64 // target to client
	failed   atomic.Uint64 // connections that could not be made to the target

	mu      sync.Mutex // guards health, checker, drain and conns
	health  lb.TargetHealth
	checker *checker
	drain   *lbtarget.Drain
	conns   map[io.Closer]struct{} // what closes each connection or flow, for connection termination
}

func newTarget(key targetKey, t lb.Target) *target {
	tr := &target{key: key, t: t, addr: net.JoinHostPort(key.host, strconv.Itoa(key.port)), conns: map[io.Closer]struct{}{}}
	tr.seed = maphash.Comparable(keySeed, key)
	tr.health = lb.TargetHealth{Target: t, State: lb.StateInitial, Reason: lb.ReasonRegistrationInProgress,
		Description: "Target registration is in progress"}
	return tr
}

// keySeed makes rendezvous hashing stable for the process's life: a target keeps
// its score across configuration versions, so UDP and sticky flows stay put.
var keySeed = maphash.MakeSeed()

// setHealthLocked changes the health and reports the previous one and whether it changed.
func (t *target) setHealthLocked(state, reason, desc string) (lb.TargetHealth, bool) {
	prev := t.health
	if prev.State == state && prev.Reason == reason && prev.Description == desc {
		return prev, false
	}
	t.health.State, t.health.Reason, t.health.Description = state, reason, desc
	t.state.Store(stateCode(state))
	return prev, true
}

func (t *target) healthSnapshot() lb.TargetHealth {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.health
}

// track records a connection or flow (c closes it) so that connection
// termination can end it; it reports false when the target is draining and the
// caller must pick another.
func (t *target) track(c io.Closer) bool {
	t.active.Add(1)
	t.mu.Lock()
	t.conns[c] = struct{}{}
	t.mu.Unlock()
	// Apply flags draining before it swaps the routing; re-checking after
	// counting ourselves closes the race with a selection that read the old table.
	if t.draining.Load() {
		t.untrack(c)
		return false
	}
	t.flows.Add(1)
	return true
}

// untrack forgets a connection or flow; the last one out wakes a drain.
func (t *target) untrack(c io.Closer) {
	t.mu.Lock()
	delete(t.conns, c)
	ds := t.drain
	t.mu.Unlock()
	if t.active.Add(-1) == 0 && ds != nil {
		ds.Poke()
	}
}

// terminate closes every connection and flow of the target.
func (t *target) terminate() int {
	t.mu.Lock()
	cs := make([]io.Closer, 0, len(t.conns))
	for c := range t.conns {
		cs = append(cs, c)
	}
	t.mu.Unlock()
	for _, c := range cs {
		c.Close()
	}
	return len(cs)
}

func sortTargets(ts []*target) {
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].key.id != ts[j].key.id {
			return ts[i].key.id < ts[j].key.id
		}
		return ts[i].key.port < ts[j].key.port
	})
}
