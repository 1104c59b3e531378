package l4

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
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

// netCounters keeps the listeners' counters by listener ARN; a listener's
// live on after it is removed, as the target groups' do.
type netCounters struct{ m sync.Map }

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
