package cwrecorder

import (
	"context"
	"math"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/metricstore"
	"github.com/slipway-dev/slipway/internal/runtime"
)

const (
	lbARN = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/50dc6c495c0c9188"
	tgARN = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-tg/73e2d6bc24d8a067"
)

type fakeLB struct {
	stats  lb.Stats
	health []lb.TargetHealth
}

func (f *fakeLB) Stats() lb.Stats                       { return f.stats }
func (f *fakeLB) TargetHealth(string) []lb.TargetHealth { return f.health }

type fakeUsage struct{ u []runtime.ContainerUsage }

func (f *fakeUsage) Usage(context.Context) ([]runtime.ContainerUsage, error) { return f.u, nil }

type fakeTopo struct{ t Topology }

func (f *fakeTopo) Topology(context.Context) (Topology, error) { return f.t, nil }

func latency(counts ...uint64) lb.Histogram {
	var h lb.Counts
	h = h.Add(lb.Counts{}) // a histogram with the load balancer's bounds
	out := h.Latency
	for i, n := range counts {
		out.Counts[i] = n
		out.Count += n
		out.Sum += time.Duration(n) * out.Bounds[i] / 2
	}
	return out
}

func mkCounts(req, s2, s5, e503 uint64, lat lb.Histogram) lb.Counts {
	return lb.Counts{Requests: req, Status2xx: s2, Status5xx: s5, ELB503: e503, Latency: lat}
}

func sum(t *testing.T, ms *metricstore.Store, ns, name string, stat string, dims ...metricstore.Dimension) float64 {
	t.Helper()
	now := time.Now()
	w, err := ms.Query(metricstore.Query{Metric: metricstore.NewMetric(ns, name, dims...), Start: now.Add(-time.Hour).Truncate(time.Hour), End: now.Add(time.Hour).Truncate(time.Hour), Period: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(w) == 0 {
		return math.NaN()
	}
	switch stat {
	case "Sum":
		return w[0].Value.Sum
	case "Average":
		return w[0].Value.Average()
	case "Minimum":
		return w[0].Value.Min
	case "Maximum":
		return w[0].Value.Max
	}
	p, _ := w[0].Value.Percentile(99)
	return p
}

func TestRecorder(t *testing.T) {
	ms, err := metricstore.Open(metricstore.Options{Path: filepath.Join(t.TempDir(), "m.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	plane := &fakeLB{health: []lb.TargetHealth{{State: "healthy"}, {State: "healthy"}, {State: "unhealthy"}, {State: "draining"}}}
	usage := &fakeUsage{}
	topo := &fakeTopo{Topology{TargetGroupLoadBalancers: map[string][]string{tgARN: {lbARN}}, Tasks: []Task{
		{ARN: "t1", Cluster: "default", Service: "web", TaskDefinition: "web:1", CPU: 512, MemoryMiB: 1024},
		{ARN: "t2", Cluster: "default", Service: "web", TaskDefinition: "web:2", CPU: 512, MemoryMiB: 1024},
		{ARN: "t3", Cluster: "default", Service: "", TaskDefinition: "batch:1", CPU: 256},
	}}}
	r := New(Options{LoadBalancers: []LoadBalancer{plane}, Usage: []Usage{usage}, Topology: topo, Sink: ms})
	ctx := context.Background()
	t0 := time.Now()
	group := func(total, v1, v2 lb.Counts) {
		plane.stats = lb.Stats{TargetGroups: map[string]lb.GroupStats{tgARN: {Total: total, Revisions: map[string]lb.Counts{"web:1": v1, "web:2": v2}}}}
	}
	// The first tick is the baseline: counts since the data plane started
	// are not this interval's.
	group(mkCounts(100, 100, 0, 0, latency(100)), mkCounts(100, 100, 0, 0, latency(100)), lb.Counts{})
	usage.u = []runtime.ContainerUsage{{TaskARN: "t1", ContainerName: "app", CPUTime: time.Second, MemoryBytes: 256 << 20},
		{TaskARN: "t2", ContainerName: "app", CPUTime: 5 * time.Second, MemoryBytes: 512 << 20}}
	if err := r.Tick(ctx, t0); err != nil {
		t.Fatal(err)
	}
	// 10 s later: 60 more requests, 40 of them to web:2 (10 of which were
	// 500s from the target and 5 ELB 503s); t1 used 1 s of CPU (0.1 CPU =
	// 102.4 units of 512 = 20%), t2 used 5 s (0.5 CPU = 100%).
	group(mkCounts(160, 145, 15, 5, latency(130, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30)),
		mkCounts(120, 120, 0, 0, latency(120)), mkCounts(40, 25, 15, 5, latency(10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30)))
	usage.u = []runtime.ContainerUsage{{TaskARN: "t1", ContainerName: "app", CPUTime: 2 * time.Second, MemoryBytes: 256 << 20},
		{TaskARN: "t2", ContainerName: "app", CPUTime: 10 * time.Second, MemoryBytes: 512 << 20}}
	if err := r.Tick(ctx, t0.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	lbd := metricstore.Dimension{Name: "LoadBalancer", Value: "app/web/50dc6c495c0c9188"}
	tgd := metricstore.Dimension{Name: "TargetGroup", Value: "targetgroup/web-tg/73e2d6bc24d8a067"}
	rev2 := metricstore.Dimension{Name: DimensionTaskDefinition, Value: "web:2"}
	for _, c := range []struct {
		name, stat string
		dims       []metricstore.Dimension
		want       float64
	}{
		{"RequestCount", "Sum", []metricstore.Dimension{lbd, tgd}, 60},
		{"RequestCount", "Sum", []metricstore.Dimension{lbd}, 60},
		{"RequestCount", "Sum", []metricstore.Dimension{lbd, tgd, rev2}, 40},
		{"HTTPCode_Target_2XX_Count", "Sum", []metricstore.Dimension{lbd, tgd}, 45},
		{"HTTPCode_Target_5XX_Count", "Sum", []metricstore.Dimension{lbd, tgd, rev2}, 10},
		{"HTTPCode_ELB_5XX_Count", "Sum", []metricstore.Dimension{lbd}, 5},
		{"HealthyHostCount", "Average", []metricstore.Dimension{lbd, tgd}, 2},
		{"UnHealthyHostCount", "Maximum", []metricstore.Dimension{lbd, tgd}, 1},
		{"RequestCountPerTarget", "Sum", []metricstore.Dimension{tgd}, 30},
		{"TargetResponseTime", "Maximum", []metricstore.Dimension{lbd, tgd, rev2}, 0.25},
	} {
		if got := sum(t, ms, NamespaceELB, c.name, c.stat, c.dims...); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s %s %v = %v, want %v", c.name, c.stat, c.dims, got, c.want)
		}
	}
	// p99 of web:2: 30 of its 40 responses took 100-250 ms.
	if p := sum(t, ms, NamespaceELB, "TargetResponseTime", "p99", lbd, tgd, rev2); p < 0.2 || p > 0.25 {
		t.Errorf("TargetResponseTime p99 = %v, want within (0.2, 0.25]", p)
	}
	if got := sum(t, ms, NamespaceELB, "HTTPCode_ELB_5XX_Count", "Sum", lbd, tgd); !math.IsNaN(got) {
		t.Errorf("ELB errors are per load balancer on ALB, got a per-group %v", got)
	}
	svc := []metricstore.Dimension{{Name: "ClusterName", Value: "default"}, {Name: "ServiceName", Value: "web"}}
	for _, c := range []struct {
		name, stat string
		dims       []metricstore.Dimension
		want       float64
	}{
		{"CPUUtilization", "Average", svc, 60}, // (102.4 + 512) / 1024
		{"CPUUtilization", "Minimum", svc, 20},
		{"CPUUtilization", "Maximum", svc, 100},
		{"CPUUtilization", "Average", append(svc, rev2), 100},
		{"MemoryUtilization", "Average", svc, 37.5}, // 768 MiB of 2048
	} {
		if got := sum(t, ms, NamespaceECS, c.name, c.stat, c.dims...); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("%s %s %v = %v, want %v", c.name, c.stat, c.dims, got, c.want)
		}
	}
	// A restarted data plane (counters back near zero) counts from zero.
	group(mkCounts(7, 7, 0, 0, latency(7)), mkCounts(7, 7, 0, 0, latency(7)), lb.Counts{})
	if err := r.Tick(ctx, t0.Add(20*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := sum(t, ms, NamespaceELB, "RequestCount", "Sum", lbd, tgd); got != 67 {
		t.Errorf("after a data-plane restart RequestCount = %v, want 67", got)
	}
}

// BenchmarkRecorderTick is one tick for 200 tasks in 20 services behind 20
// target groups, with the real metric store (flushes excluded: see
// metricstore's BenchmarkRecorderTick).
func BenchmarkRecorderTick(b *testing.B) {
	ms, err := metricstore.Open(metricstore.Options{Path: filepath.Join(b.TempDir(), "m.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer ms.Close()
	plane := &fakeLB{stats: lb.Stats{TargetGroups: map[string]lb.GroupStats{}}, health: make([]lb.TargetHealth, 10)}
	topo := Topology{TargetGroupLoadBalancers: map[string][]string{}}
	usage := &fakeUsage{}
	for g := 0; g < 20; g++ {
		arn := tgARN + strconv.Itoa(g)
		topo.TargetGroupLoadBalancers[arn] = []string{lbARN}
		for i := 0; i < 10; i++ {
			task := "task-" + strconv.Itoa(g*10+i)
			topo.Tasks = append(topo.Tasks, Task{ARN: task, Cluster: "default", Service: "svc" + strconv.Itoa(g), TaskDefinition: "svc:" + strconv.Itoa(i%2), CPU: 256, MemoryMiB: 512})
			usage.u = append(usage.u, runtime.ContainerUsage{TaskARN: task, ContainerName: "app"})
		}
	}
	r := New(Options{LoadBalancers: []LoadBalancer{plane}, Usage: []Usage{usage}, Topology: &fakeTopo{topo}, Sink: ms})
	t0 := time.Now()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for g := 0; g < 20; g++ {
			c := mkCounts(uint64(n*100), uint64(n*95), uint64(n*5), 0, latency(uint64(n*50), uint64(n*40), uint64(n*10)))
			plane.stats.TargetGroups[tgARN+strconv.Itoa(g)] = lb.GroupStats{Total: c, Revisions: map[string]lb.Counts{"svc:0": c}}
		}
		for i := range usage.u {
			usage.u[i].CPUTime += 100 * time.Millisecond
		}
		if err := r.Tick(context.Background(), t0.Add(time.Duration(n)*10*time.Second)); err != nil {
			b.Fatal(err)
		}
	}
}
