package agent

import (
	"context"
	"encoding/json"
	goruntime "runtime"
	"time"

	"github.com/moby/moby/api/types/container"

	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/runtime/cgroupstat"
)

// statsMark is a container's previous /stats sample, its precpu_stats.
type statsMark struct {
	read        time.Time
	cpu, system time.Duration
}

// containerStats answers /stats as ECS does, in the Docker Engine's stats
// shape, from the runtime's own measurement of the container
// (runtime.UsageSampler): the figures CloudWatch's AWS/ECS metrics are
// computed from. memory_stats.usage is the working set (usage less the
// inactive page cache), so a client computing Docker's "usage - cache" gets
// the same figure; precpu_stats is the container's previous /stats sample,
// empty at the first. null when the runtime cannot measure it (not
// started, exited).
func (r *runner) containerStats(ctx context.Context, name string) json.RawMessage {
	s, ok := r.handleOf(name).(runtime.UsageSampler)
	if !ok {
		return json.RawMessage("null")
	}
	u, err := s.Usage(ctx)
	if err != nil {
		return json.RawMessage("null")
	}
	now := time.Now().UTC()
	system, _ := cgroupstat.SystemCPU()
	limit := u.MemoryLimitBytes
	if limit == 0 {
		limit, _ = cgroupstat.HostMemory()
	}
	out := container.StatsResponse{
		ID: name, Name: "/" + containerMetadata(r.current(), r.td, name).DockerName, OSType: "linux", Read: now,
		CPUStats: container.CPUStats{CPUUsage: container.CPUUsage{TotalUsage: uint64(u.CPUTime)},
			SystemUsage: uint64(system), OnlineCPUs: uint32(goruntime.NumCPU())},
		MemoryStats: container.MemoryStats{Usage: u.MemoryBytes, Limit: limit, Stats: map[string]uint64{}},
	}
	if id := r.runtimeID(name); id != "" {
		out.ID = id
	}
	if prev, ok := r.statsPrev.Swap(name, statsMark{read: now, cpu: u.CPUTime, system: system}); ok {
		p := prev.(statsMark)
		out.PreRead = p.read
		out.PreCPUStats = container.CPUStats{CPUUsage: container.CPUUsage{TotalUsage: uint64(p.cpu)},
			SystemUsage: uint64(p.system), OnlineCPUs: out.CPUStats.OnlineCPUs}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

// taskStats answers /task/stats: every container's stats by its id.
func (r *runner) taskStats(ctx context.Context) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for _, cd := range r.td.Spec.ContainerDefinitions {
		id := cd.Name
		if rid := r.runtimeID(cd.Name); rid != "" {
			id = rid
		}
		out[id] = r.containerStats(ctx, cd.Name)
	}
	return out
}

// runtimeID is the container's runtime id (Docker's), "" before it started
// or when its runtime has none.
func (r *runner) runtimeID(name string) string {
	t := r.current()
	if c := t.Container(name); c != nil {
		return c.RuntimeID
	}
	return ""
}
