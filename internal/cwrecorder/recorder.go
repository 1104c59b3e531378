// Package cwrecorder records the metrics AWS publishes for the resources
// Slipway runs, into the metric store, every few seconds:
//
//   - AWS/ApplicationELB, from the load balancer's counters: RequestCount,
//     HTTPCode_Target_2XX/3XX/4XX/5XX_Count, TargetResponseTime (with
//     percentiles), RequestCountPerTarget, HealthyHostCount and
//     UnHealthyHostCount per LoadBalancer and TargetGroup, and
//     HTTPCode_ELB_5XX_Count (and 502/503/504) per LoadBalancer;
//   - AWS/NetworkELB, from the layer-4 data plane's counters (nlb.go):
//     ActiveFlowCount, NewFlowCount, ProcessedBytes and
//     TCP_Client/Target/ELB_Reset_Count per LoadBalancer, HealthyHostCount
//     and UnHealthyHostCount per LoadBalancer and TargetGroup;
//   - AWS/ECS CPUUtilization and MemoryUtilization per ClusterName and
//     ServiceName, from the runtime's measurements against each task's
//     reservation, with ECS's statistics (Average is total use over total
//     reservation; Minimum and Maximum are the least and most loaded task).
//
// Both also carry Slipway's own dimension TaskDefinition ("family:revision"),
// the revision the counted targets or tasks run: a deployment's new revision
// is told from the old one by it.
package cwrecorder

import (
	"context"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/metricstore"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// Namespaces and Slipway's revision dimension.
const (
	NamespaceELB = "AWS/ApplicationELB"
	NamespaceECS = "AWS/ECS"
	// DimensionTaskDefinition is Slipway's extra dimension: the task
	// definition ("family:revision") of the targets or tasks counted.
	DimensionTaskDefinition = "TaskDefinition"
)

// Interval is how often the recorder samples, in service time (scaled by
// --time-scale, never below a second).
const Interval = 10 * time.Second

// topologyEvery bounds how often the topology is read from the state.
const topologyEvery = 10 * time.Second

// LoadBalancer is a source of load-balancer counters: lb.DataPlane, or a
// data plane in another process. Counters are cumulative since the data
// plane started; a decrease is taken for a restart.
type LoadBalancer interface {
	// Stats are the counters of every target group.
	Stats() lb.Stats
	// TargetHealth is the health of the group's registered targets.
	TargetHealth(targetGroupARN string) []lb.TargetHealth
}

// Usage is a source of per-container CPU and memory use (the container
// runtime; see runtime.UsageReporter).
type Usage interface {
	Usage(ctx context.Context) ([]runtime.ContainerUsage, error)
}

// Task is a running task as the recorder needs it.
type Task struct {
	ARN, Cluster, Service string
	// TaskDefinition is "family:revision".
	TaskDefinition string
	// CPU and MemoryMiB are the task's reservation (task cpu and memory,
	// else the sum of its containers', memoryReservation before memory).
	CPU, MemoryMiB int
}

// Topology is what the recorder reads from the state: which load balancers
// forward to each target group, and the running tasks.
type Topology struct {
	TargetGroupLoadBalancers map[string][]string
	Tasks                    []Task
}

// TopologySource reads the Topology (the server implements it over the
// state store).
type TopologySource interface {
	Topology(ctx context.Context) (Topology, error)
}

// Sink is where samples go (the metric store).
type Sink interface {
	Put(samples []metricstore.Sample) error
}

// Options configure a Recorder. LoadBalancers, NetworkLoadBalancers and
// Usage may be empty.
type Options struct {
	LoadBalancers        []LoadBalancer
	NetworkLoadBalancers []NetworkLoadBalancer
	Usage                []Usage
	Topology             TopologySource
	Sink                 Sink
	Clock                clock.Clock
	Logger               *slog.Logger
}

// Recorder samples its sources and writes the metrics.
type Recorder struct {
	opts   Options
	log    *slog.Logger
	topo   Topology
	topoAt time.Time

	ticks   int                  // ticks taken
	asked   map[string]bool      // unmapped groups and unknown tasks the topology was re-read for
	known   map[string]bool      // task ARNs of the topology
	prevLB  map[lbKey]lb.Counts  // last cumulative counts per source, group and revision
	prevCPU map[string]cpuMark   // last CPU time per task ARN + container
	prevNet map[netKey]netCounts // last cumulative network counts per source, group or listener
}

type lbKey struct {
	source   int
	group    string
	revision string // "" with total: the group's total
	total    bool
}

type cpuMark struct {
	cpu time.Duration
	at  time.Time
}

// New returns a Recorder.
func New(opts Options) *Recorder {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Recorder{opts: opts, log: opts.Logger.With("component", "cwrecorder"),
		prevLB: map[lbKey]lb.Counts{}, prevCPU: map[string]cpuMark{}, prevNet: map[netKey]netCounts{}, asked: map[string]bool{}}
}

// RealInterval is the recorder's sampling period in real time.
func (r *Recorder) RealInterval() time.Duration {
	d := r.opts.Clock.Real(Interval).Round(time.Second)
	return max(d, time.Second)
}

// Run samples at once (the baseline of counters that ran before it) and
// then every RealInterval until ctx ends.
func (r *Recorder) Run(ctx context.Context) error {
	if err := r.Tick(ctx, time.Now()); err != nil && ctx.Err() == nil {
		r.log.Warn("recording metrics", "err", err)
	}
	t := time.NewTicker(r.RealInterval())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := r.Tick(ctx, time.Now()); err != nil && ctx.Err() == nil {
				r.log.Warn("recording metrics", "err", err)
			}
		}
	}
}

// Tick takes one sample of every source and writes the metrics at now.
// Counters a data plane had at the first tick are its baseline; groups
// and revisions that appear later are counted from zero.
func (r *Recorder) Tick(ctx context.Context, now time.Time) error {
	defer func() { r.ticks++ }()
	var usage []runtime.ContainerUsage
	for _, src := range r.opts.Usage {
		u, err := src.Usage(ctx)
		if err != nil {
			r.log.Warn("reading container usage", "err", err)
			continue
		}
		usage = append(usage, u...)
	}
	stale := r.topoAt.IsZero() || now.Sub(r.topoAt) >= topologyEvery
	if stale {
		r.asked = map[string]bool{} // bounded: what asked since the last periodic read
	} else if now.Sub(r.topoAt) >= time.Second {
		stale = r.unmapped() || r.unknownTasks(usage)
	}
	if stale {
		topo, err := r.opts.Topology.Topology(ctx)
		if err != nil {
			return err
		}
		r.topo, r.topoAt = topo, now
		r.known = make(map[string]bool, len(topo.Tasks))
		for _, t := range topo.Tasks {
			r.known[t.ARN] = true
		}
	}
	var samples []metricstore.Sample
	for i, src := range r.opts.LoadBalancers {
		samples = r.loadBalancer(samples, i, src, now)
	}
	for i, src := range r.opts.NetworkLoadBalancers {
		samples = r.networkLoadBalancer(samples, i, src, now)
	}
	samples = r.ecs(samples, usage, now)
	if len(samples) == 0 {
		return nil
	}
	return r.opts.Sink.Put(samples)
}

// unknownTasks reports whether a runtime measures a task the topology did
// not list when last asked (a task just started); each asks once.
func (r *Recorder) unknownTasks(usage []runtime.ContainerUsage) bool {
	news := false
	for _, u := range usage {
		if !r.known[u.TaskARN] && !r.asked[u.TaskARN] {
			r.asked[u.TaskARN] = true
			news = true
		}
	}
	return news
}

// unmapped reports whether a data plane counts a target group the topology
// did not map to a load balancer when last asked (a listener just
// created); each such group asks once.
func (r *Recorder) unmapped() bool {
	news := false
	for _, src := range r.opts.LoadBalancers {
		for arn := range src.Stats().TargetGroups {
			if _, ok := r.topo.TargetGroupLoadBalancers[arn]; !ok && !r.asked[arn] {
				r.asked[arn] = true
				news = true
			}
		}
	}
	return news
}

// dimValue is the CloudWatch dimension value of an ELB ARN: what follows
// "loadbalancer/" (app/name/id) or the resource part (targetgroup/name/id).
func dimValue(arn string) string {
	if i := strings.Index(arn, ":loadbalancer/"); i >= 0 {
		return arn[i+len(":loadbalancer/"):]
	}
	if i := strings.LastIndex(arn, ":"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// latencyAggregate turns a latency histogram (of the interval) into the
// store's Aggregate in seconds: the count and sum are exact; each of the
// load balancer's buckets is spread over the store's finer ones, and the
// minimum and maximum are the bounds of the lowest and highest occupied
// buckets (the load balancer keeps no exact extremes).
func latencyAggregate(h lb.Histogram) metricstore.Aggregate {
	a := metricstore.Aggregate{Count: float64(h.Count), Sum: h.Sum.Seconds(), Hist: &metricstore.Histogram{},
		Min: math.Inf(1), Max: math.Inf(-1)}
	for i, n := range h.Counts {
		if n == 0 {
			continue
		}
		lo, hi := 0.0, h.Bounds[len(h.Bounds)-1].Seconds()
		if i > 0 {
			lo = h.Bounds[i-1].Seconds()
		}
		if i < len(h.Bounds) {
			hi = h.Bounds[i].Seconds()
		} else {
			lo = hi // the overflow bucket: at least its lower bound
		}
		a.Hist.AddRange(lo, hi, float64(n))
		a.Min, a.Max = math.Min(a.Min, lo), math.Max(a.Max, hi)
	}
	if a.Count > 0 {
		mean := a.Sum / a.Count
		a.Min, a.Max = math.Min(a.Min, mean), math.Max(a.Max, mean)
	}
	return a
}
