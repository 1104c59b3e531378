package cwrecorder

import (
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/metricstore"
)

// NamespaceNLB is network load balancers' namespace.
const NamespaceNLB = "AWS/NetworkELB"

// NetworkLoadBalancer is a source of network load balancers' counters:
// l4.DataPlane, or a data plane in another process. Counters are
// cumulative since the data plane started; a decrease is taken for a
// restart.
type NetworkLoadBalancer interface {
	// NetworkStats are the counters of every target group and listener.
	NetworkStats() l4.NetworkStats
	// TargetHealth is the health of the group's registered targets.
	TargetHealth(targetGroupARN string) []lb.TargetHealth
}

// netKey names one cumulative counter set of a network source: a target
// group's total or a listener's resets.
type netKey struct {
	source   int
	arn      string
	listener bool
}

// netCounts are the cumulative counts the recorder takes deltas of.
type netCounts struct {
	flows, bytes                          uint64
	clientResets, targetResets, elbResets uint64
}

func groupCounts(t l4.TargetStats) netCounts {
	return netCounts{flows: t.Flows, bytes: t.BytesIn + t.BytesOut}
}

func listenerCounts(s l4.ListenerStats) netCounts {
	return netCounts{clientResets: s.ClientResets, targetResets: s.TargetResets, elbResets: s.ELBResets}
}

// netDelta returns cur minus the last counts under k (a counter that went
// down means the data plane restarted: cur is the delta), and whether
// there were last counts; the first counts of a key are its baseline,
// those the data plane had at the first tick or zero for a key that
// appeared since.
func (r *Recorder) netDelta(k netKey, cur netCounts) (netCounts, bool) {
	prev, ok := r.prevNet[k]
	r.prevNet[k] = cur
	if !ok {
		if r.ticks > 0 {
			return cur, true // appeared since the first tick: counted from zero
		}
		return netCounts{}, false
	}
	if cur.flows < prev.flows || cur.bytes < prev.bytes || cur.clientResets < prev.clientResets ||
		cur.targetResets < prev.targetResets || cur.elbResets < prev.elbResets {
		return cur, true
	}
	return netCounts{flows: cur.flows - prev.flows, bytes: cur.bytes - prev.bytes, clientResets: cur.clientResets - prev.clientResets,
		targetResets: cur.targetResets - prev.targetResets, elbResets: cur.elbResets - prev.elbResets}, true
}

// nlbTotals are one load balancer's metrics of an interval.
type nlbTotals struct {
	active int64
	netCounts
}

// listenerLoadBalancer is the LoadBalancer dimension of a listener's ARN
// (…:listener/net/NAME/ID/LISTENER-ID → net/NAME/ID), or "".
func listenerLoadBalancer(arn string) string {
	_, rest, ok := strings.Cut(arn, ":listener/")
	if !ok {
		return ""
	}
	if i := strings.LastIndexByte(rest, '/'); i > 0 {
		return rest[:i]
	}
	return ""
}

// networkLoadBalancer appends the AWS/NetworkELB metrics of one data plane:
// per LoadBalancer ActiveFlowCount (flows open now), NewFlowCount,
// ProcessedBytes (payload both ways; the data plane does not see TCP/IP
// headers) and the TCP_Client/Target/ELB_Reset_Count of its listeners;
// per LoadBalancer and TargetGroup HealthyHostCount and UnHealthyHostCount.
// A group's counts before the topology maps it to its load balancer stay
// in its baseline, as for ALB.
func (r *Recorder) networkLoadBalancer(out []metricstore.Sample, src int, plane NetworkLoadBalancer, now time.Time) []metricstore.Sample {
	st := plane.NetworkStats()
	perLB := map[string]*nlbTotals{}
	totals := func(lbDim string) *nlbTotals {
		if perLB[lbDim] == nil {
			perLB[lbDim] = &nlbTotals{}
		}
		return perLB[lbDim]
	}
	for tgARN, g := range st.TargetGroups {
		lbs := r.topo.TargetGroupLoadBalancers[tgARN]
		k := netKey{source: src, arn: tgARN}
		if len(lbs) == 0 {
			if _, seen := r.prevNet[k]; !seen && r.ticks == 0 {
				r.prevNet[k] = groupCounts(g.Total)
			}
			continue
		}
		lbDim := dimValue(lbs[0])
		t := totals(lbDim)
		t.active += g.Total.Active
		if d, ok := r.netDelta(k, groupCounts(g.Total)); ok {
			t.flows += d.flows
			t.bytes += d.bytes
		}
		dims := []metricstore.Dimension{{Name: dimLoadBalancer, Value: lbDim}, {Name: dimTargetGroup, Value: dimValue(tgARN)}}
		healthy, unhealthy, _ := healthCounts(plane.TargetHealth(tgARN))
		out = append(out, nlbSample("HealthyHostCount", "Count", float64(healthy), now, dims),
			nlbSample("UnHealthyHostCount", "Count", float64(unhealthy), now, dims))
	}
	for arn, ls := range st.Listeners {
		lbDim := listenerLoadBalancer(arn)
		if lbDim == "" {
			continue
		}
		t := totals(lbDim)
		if d, ok := r.netDelta(netKey{source: src, arn: arn, listener: true}, listenerCounts(ls)); ok {
			t.clientResets += d.clientResets
			t.targetResets += d.targetResets
			t.elbResets += d.elbResets
		}
	}
	for lbDim, t := range perLB {
		dims := []metricstore.Dimension{{Name: dimLoadBalancer, Value: lbDim}}
		out = append(out,
			nlbSample("ActiveFlowCount", "Count", float64(t.active), now, dims),
			nlbSample("NewFlowCount", "Count", float64(t.flows), now, dims),
			nlbSample("ProcessedBytes", "Bytes", float64(t.bytes), now, dims),
			nlbSample("TCP_Client_Reset_Count", "Count", float64(t.clientResets), now, dims),
			nlbSample("TCP_Target_Reset_Count", "Count", float64(t.targetResets), now, dims),
			nlbSample("TCP_ELB_Reset_Count", "Count", float64(t.elbResets), now, dims))
	}
	return out
}

func nlbSample(name, unit string, v float64, now time.Time, dims []metricstore.Dimension) metricstore.Sample {
	return metricstore.Sample{Metric: metricstore.NewMetric(NamespaceNLB, name, dims...), Unit: unit, Time: now, Value: metricstore.Value(v)}
}
