package cwrecorder

import (
	"math"
	"time"

	"github.com/slipway-dev/slipway/internal/metricstore"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// unreservedCPU is what a task that reserves no CPU (no task cpu, no
// container cpu) is measured against: one vCPU. ECS leaves the meaning of
// utilization of such tasks open.
const unreservedCPU = 1024

type taskUse struct {
	cpu      time.Duration // CPU time used in the interval
	interval time.Duration
	memory   uint64
	measured bool // CPU known for the interval
}

// usageOf differences the containers' CPU time since the last tick and
// sums them per task.
func (r *Recorder) usageOf(usage []runtime.ContainerUsage, now time.Time) map[string]*taskUse {
	byTask := map[string]*taskUse{}
	seen := map[string]bool{}
	for _, u := range usage {
		key := u.TaskARN + "\x00" + u.ContainerName
		seen[key] = true
		t := byTask[u.TaskARN]
		if t == nil {
			t = &taskUse{}
			byTask[u.TaskARN] = t
		}
		t.memory += u.MemoryBytes
		prev, ok := r.prevCPU[key]
		r.prevCPU[key] = cpuMark{cpu: u.CPUTime, at: now}
		if ok && u.CPUTime >= prev.cpu && now.After(prev.at) {
			t.cpu += u.CPUTime - prev.cpu
			t.interval = max(t.interval, now.Sub(prev.at))
			t.measured = true
		}
	}
	for k := range r.prevCPU {
		if !seen[k] {
			delete(r.prevCPU, k)
		}
	}
	return byTask
}

// group accumulates ECS's service utilization statistics.
type group struct {
	dims             []metricstore.Dimension
	used, reserved   float64
	n                int
	minUtil, maxUtil float64
}

func (g *group) add(used, reserved float64) {
	u := used / reserved * 100
	if g.n == 0 {
		g.minUtil, g.maxUtil = u, u
	}
	g.n++
	g.used += used
	g.reserved += reserved
	g.minUtil, g.maxUtil = math.Min(g.minUtil, u), math.Max(g.maxUtil, u)
}

// sample is the group's statistic set: Average is total use over total
// reservation (ECS's formula), Minimum and Maximum the least and most
// loaded task, SampleCount the tasks.
func (g *group) sample(name string, now time.Time) metricstore.Sample {
	avg := g.used / g.reserved * 100
	return metricstore.Sample{Metric: metricstore.NewMetric(NamespaceECS, name, g.dims...), Unit: "Percent", Time: now,
		Value: metricstore.StatisticSet(float64(g.n), avg*float64(g.n), g.minUtil, g.maxUtil)}
}

// ecs appends AWS/ECS CPUUtilization and MemoryUtilization per service
// and per service and task definition.
func (r *Recorder) ecs(out []metricstore.Sample, usage []runtime.ContainerUsage, now time.Time) []metricstore.Sample {
	if len(usage) == 0 && len(r.prevCPU) == 0 {
		return out
	}
	byTask := r.usageOf(usage, now)
	cpu, mem := map[string]*group{}, map[string]*group{}
	var order []string
	get := func(m map[string]*group, key string, dims []metricstore.Dimension) *group {
		g := m[key]
		if g == nil {
			g = &group{dims: dims}
			m[key] = g
			order = append(order, key)
		}
		return g
	}
	for _, t := range r.topo.Tasks {
		u := byTask[t.ARN]
		if u == nil || t.Service == "" {
			continue
		}
		svc := []metricstore.Dimension{{Name: "ClusterName", Value: t.Cluster}, {Name: "ServiceName", Value: t.Service}}
		rev := append(append([]metricstore.Dimension(nil), svc...), metricstore.Dimension{Name: DimensionTaskDefinition, Value: t.TaskDefinition})
		keys := map[string][]metricstore.Dimension{t.Cluster + "\x00" + t.Service: svc, t.Cluster + "\x00" + t.Service + "\x00" + t.TaskDefinition: rev}
		for key, dims := range keys {
			if u.measured {
				reserved := float64(t.CPU)
				if reserved == 0 {
					reserved = unreservedCPU
				}
				used := u.cpu.Seconds() / u.interval.Seconds() * 1024 // CPU units, 1024 per CPU
				get(cpu, key, dims).add(used, reserved)
			}
			if t.MemoryMiB > 0 {
				get(mem, key, dims).add(float64(u.memory)/(1<<20), float64(t.MemoryMiB))
			}
		}
	}
	for _, key := range order {
		if g := cpu[key]; g != nil && g.n > 0 {
			out = append(out, g.sample("CPUUtilization", now))
			cpu[key] = nil
		}
		if g := mem[key]; g != nil && g.n > 0 {
			out = append(out, g.sample("MemoryUtilization", now))
			mem[key] = nil
		}
	}
	return out
}
