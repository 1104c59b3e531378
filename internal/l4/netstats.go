package l4

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// ListenerStats are one listener's TCP reset counters, cumulative since the
// data plane started: what NLB's TCP_Client_Reset_Count,
// TCP_Target_Reset_Count and TCP_ELB_Reset_Count count per load balancer.
// A relayed connection that a side reset counts once, for the side whose
// reset ended it.
type ListenerStats struct {
	ClientResets uint64 // connections the client reset
	TargetResets uint64 // connections the target reset
	// ELBResets are the resets the data plane sent: connections over the
	// bounds, with no routable target, or on a listener that serves no TCP.
	ELBResets uint64
}

// NetworkStats are the data plane's counters: the target groups' (Stats)
// and every listener's resets, by listener ARN.
type NetworkStats struct {
	Stats
	Listeners map[string]ListenerStats
}

// NetworkStats returns a snapshot of every counter.
func (d *DataPlane) NetworkStats() NetworkStats {
	out := NetworkStats{Stats: d.Stats(), Listeners: map[string]ListenerStats{}}
	d.net.m.Range(func(k, v any) bool {
		c := v.(*listenerCounters)
		out.Listeners[k.(string)] = ListenerStats{ClientResets: c.client.Load(), TargetResets: c.target.Load(), ELBResets: c.elb.Load()}
		return true
	})
	return out
}

// retiredRetention is how long a removed listener's counters are still
// reported: the metrics recorder reads cumulative counts every
// cwrecorder.Interval (10 s at most) and counts the change since its last
// reading, so the counts since then are read well within it, even across a
// few missed readings. After it the counters are dropped, so that listeners
// created and deleted over a server's life do not grow the map.
const retiredRetention = 5 * time.Minute

// netCounters keeps the listeners' counters by listener ARN; a listener's
// live on for retiredRetention after it is removed.
type netCounters struct {
	m sync.Map

	mu      sync.Mutex           // guards retired
	retired map[string]time.Time // removed listeners' ARNs: when retire first saw them gone
}

// retire is told the listeners of each applied configuration: it notes
// when a listener with counters left it and drops the counters of those
// gone for longer than retiredRetention. A listener that comes back keeps
// its counters.
func (n *netCounters) retire(live []Listener, now time.Time) {
	keep := make(map[string]bool, len(live))
	for _, l := range live {
		keep[l.ARN] = true
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.retired == nil {
		n.retired = map[string]time.Time{}
	}
	n.m.Range(func(k, _ any) bool {
		arn := k.(string)
		switch since, ok := n.retired[arn]; {
		case keep[arn]:
			delete(n.retired, arn)
		case !ok:
			n.retired[arn] = now
		case now.Sub(since) >= retiredRetention:
			n.m.Delete(arn)
			delete(n.retired, arn)
		}
		return true
	})
}

type listenerCounters struct{ client, target, elb atomic.Uint64 }

// of returns the counters of the listener arn (nil for none: counts to
// nil are dropped).
func (n *netCounters) of(arn string) *listenerCounters {
	if arn == "" {
		return nil
	}
	if c, ok := n.m.Load(arn); ok {
		return c.(*listenerCounters)
	}
	c, _ := n.m.LoadOrStore(arn, &listenerCounters{})
	return c.(*listenerCounters)
}

// elbReset counts a reset the data plane sends on a connection of r's listener.
func (n *netCounters) elbReset(r *route) {
	if c := n.of(r.arn); c != nil {
		c.elb.Add(1)
	}
}

// resetWatch tells which side's reset ended a relayed connection; a relay
// holds one (relayState) and reports each direction's end to it.
type resetWatch struct {
	client   net.Conn
	counters *listenerCounters
	counted  atomic.Bool
}

// reset readies a pooled watch for another connection.
func (w *resetWatch) reset() {
	w.client, w.counters = nil, nil
	w.counted.Store(false)
}

// ended records why the direction reading src ended: a reset read from src
// is src's peer's, a broken pipe writing to the other side is that side's.
func (w *resetWatch) ended(src net.Conn, err error) {
	if w.counters == nil {
		return
	}
	var byClient bool
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		byClient = src == w.client
	case errors.Is(err, syscall.EPIPE):
		byClient = src != w.client
	default:
		return
	}
	if !w.counted.CompareAndSwap(false, true) {
		return
	}
	if byClient {
		w.counters.client.Add(1)
	} else {
		w.counters.target.Add(1)
	}
}
