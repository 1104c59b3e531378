package cwrecorder

import (
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/metricstore"
)

// ALB's dimension names.
const (
	dimLoadBalancer = "LoadBalancer"
	dimTargetGroup  = "TargetGroup"
)

// Target health states that count as healthy or unhealthy, in ELB's words
// (draining and unused targets count as neither, as on ALB).
const (
	healthHealthy   = "healthy"
	healthUnhealthy = "unhealthy"
	healthInitial   = "initial"
)

// healthCounts counts a group's healthy and unhealthy targets, and those
// registered (initial ones too; draining and unused ones are neither).
func healthCounts(ths []lb.TargetHealth) (healthy, unhealthy, registered int) {
	for _, th := range ths {
		switch th.State {
		case healthHealthy:
			healthy++
		case healthUnhealthy:
			unhealthy++
		}
		if th.State == healthHealthy || th.State == healthUnhealthy || th.State == healthInitial {
			registered++
		}
	}
	return healthy, unhealthy, registered
}

// baseline records the counts a key starts from when it is new: what the
// data plane had at the first tick (counted before the recorder ran), or
// zero for a group or revision that appeared since.
func (r *Recorder) baseline(k lbKey, cur lb.Counts) {
	if _, seen := r.prevLB[k]; seen {
		return
	}
	if r.ticks == 0 {
		r.prevLB[k] = cur
	} else {
		r.prevLB[k] = lb.Counts{}
	}
}

// delta returns cur minus the last counts under k, and whether there were
// last counts; a counter that went down means the data plane restarted,
// and then cur is the delta.
func (r *Recorder) delta(k lbKey, cur lb.Counts) (lb.Counts, bool) {
	prev, ok := r.prevLB[k]
	r.prevLB[k] = cur
	if !ok {
		return lb.Counts{}, false
	}
	if cur.Requests < prev.Requests || cur.Latency.Count < prev.Latency.Count {
		return cur, true
	}
	d := lb.Counts{
		Requests: cur.Requests - prev.Requests, Status2xx: cur.Status2xx - prev.Status2xx,
		Status3xx: cur.Status3xx - prev.Status3xx, Status4xx: cur.Status4xx - prev.Status4xx,
		Status5xx: cur.Status5xx - prev.Status5xx, ELB502: cur.ELB502 - prev.ELB502,
		ELB503: cur.ELB503 - prev.ELB503, ELB504: cur.ELB504 - prev.ELB504,
		TargetConnectionErrors: cur.TargetConnectionErrors - prev.TargetConnectionErrors,
		Latency: lb.Histogram{Bounds: cur.Latency.Bounds, Counts: make([]uint64, len(cur.Latency.Counts)),
			Sum: cur.Latency.Sum - prev.Latency.Sum, Count: cur.Latency.Count - prev.Latency.Count},
	}
	for i := range d.Latency.Counts {
		d.Latency.Counts[i] = cur.Latency.Counts[i]
		if i < len(prev.Latency.Counts) {
			d.Latency.Counts[i] -= prev.Latency.Counts[i]
		}
	}
	return d, true
}

func elb5xx(c lb.Counts) uint64 { return c.ELB502 + c.ELB503 + c.ELB504 }

// counts appends the count and latency metrics of d under dims; with elb,
// also the load balancer's own error counts (ALB has those per load
// balancer only).
func counts(out []metricstore.Sample, dims []metricstore.Dimension, d lb.Counts, elb bool, now time.Time) []metricstore.Sample {
	add := func(name, unit string, v metricstore.Aggregate) {
		out = append(out, metricstore.Sample{Metric: metricstore.NewMetric(NamespaceELB, name, dims...), Unit: unit, Time: now, Value: v})
	}
	count := func(name string, n uint64) {
		if n > 0 { // ALB reports counts only when they are not zero
			add(name, "Count", metricstore.Value(float64(n)))
		}
	}
	count("RequestCount", d.Requests)
	count("HTTPCode_Target_2XX_Count", d.Status2xx)
	count("HTTPCode_Target_3XX_Count", d.Status3xx)
	count("HTTPCode_Target_4XX_Count", d.Status4xx)
	if e := elb5xx(d); d.Status5xx > e {
		count("HTTPCode_Target_5XX_Count", d.Status5xx-e)
	}
	if elb {
		count("HTTPCode_ELB_5XX_Count", elb5xx(d))
		count("HTTPCode_ELB_502_Count", d.ELB502)
		count("HTTPCode_ELB_503_Count", d.ELB503)
		count("HTTPCode_ELB_504_Count", d.ELB504)
	}
	count("TargetConnectionErrorCount", d.TargetConnectionErrors)
	if d.Latency.Count > 0 {
		add("TargetResponseTime", "Seconds", latencyAggregate(d.Latency))
	}
	return out
}

// loadBalancer appends the ALB metrics of one data plane.
func (r *Recorder) loadBalancer(out []metricstore.Sample, src int, plane LoadBalancer, now time.Time) []metricstore.Sample {
	st := plane.Stats()
	perLB := map[string]lb.Counts{}
	for tgARN, g := range st.TargetGroups {
		totalKey := lbKey{source: src, group: tgARN, total: true}
		r.baseline(totalKey, g.Total)
		for rev, c := range g.Revisions {
			r.baseline(lbKey{source: src, group: tgARN, revision: rev}, c)
		}
		lbs := r.topo.TargetGroupLoadBalancers[tgARN]
		if len(lbs) == 0 {
			// ALB reports target groups only while a load balancer uses
			// them. The counts stay in the baseline: those of the moment a
			// listener starts forwarding, before the topology shows it, are
			// reported once it does.
			continue
		}
		d, ok := r.delta(totalKey, g.Total)
		revs := map[string]lb.Counts{}
		for rev, c := range g.Revisions {
			if dr, rok := r.delta(lbKey{source: src, group: tgARN, revision: rev}, c); rok && rev != "" {
				revs[rev] = dr
			}
		}
		// ALB lets one load balancer use a target group; should several
		// here, the counts (kept per group) go to the first.
		lbDim, tgDim := dimValue(lbs[0]), dimValue(tgARN)
		dims := []metricstore.Dimension{{Name: dimLoadBalancer, Value: lbDim}, {Name: dimTargetGroup, Value: tgDim}}
		healthy, unhealthy, registered := healthCounts(plane.TargetHealth(tgARN))
		for name, n := range map[string]int{"HealthyHostCount": healthy, "UnHealthyHostCount": unhealthy} {
			out = append(out, metricstore.Sample{Metric: metricstore.NewMetric(NamespaceELB, name, dims...), Unit: "Count", Time: now,
				Value: metricstore.Value(float64(n))})
		}
		if !ok {
			continue
		}
		out = counts(out, dims, d, false, now)
		perLB[lbDim] = perLB[lbDim].Add(d)
		// ALB divides by the healthy targets (by all of them when none is healthy).
		per := healthy
		if per == 0 {
			per = registered
		}
		if d.Requests > 0 && per > 0 {
			v := metricstore.Value(float64(d.Requests) / float64(per))
			for _, ds := range [][]metricstore.Dimension{dims[1:], dims} {
				out = append(out, metricstore.Sample{Metric: metricstore.NewMetric(NamespaceELB, "RequestCountPerTarget", ds...), Unit: "None", Time: now, Value: v})
			}
		}
		for rev, dr := range revs {
			out = counts(out, append(append([]metricstore.Dimension(nil), dims...), metricstore.Dimension{Name: DimensionTaskDefinition, Value: rev}), dr, false, now)
		}
	}
	for lbDim, d := range perLB {
		out = counts(out, []metricstore.Dimension{{Name: dimLoadBalancer, Value: lbDim}}, d, true, now)
	}
	return out
}
