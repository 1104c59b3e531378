package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/runtime/cgroupstat"
)

var (
	_ runtime.UsageReporter = (*Runtime)(nil)
	_ runtime.UsageSampler  = (*handle)(nil)
)

// statsTimeout bounds one stats call to the engine (the fallback).
const statsTimeout = 5 * time.Second

// maxStatsBody bounds what is read of the engine's stats answer.
const maxStatsBody = 1 << 20

// meter is how a handle measures its container: from the container's
// cgroup when this process can read it (the engine on this machine, in the
// same pid and cgroup namespace), else by asking the engine for one stats
// sample. The cgroup costs three small file reads; the engine reads the same
// files but answers over HTTP with a JSON document of a few KiB (see
// BenchmarkUsageSample).
type meter struct {
	task, container string
	memoryLimit     uint64
	cgroup          cgroupstat.Cgroup
	// viaEngine is set when the cgroup cannot be read.
	viaEngine bool
}

// newMeter finds the cgroup of the container's main process.
func (r *Runtime) newMeter(c container.InspectResponse) meter {
	m := meter{viaEngine: true}
	if c.Config != nil {
		m.task, m.container = c.Config.Labels[labelTaskARN], c.Config.Labels[labelContainer]
	}
	if c.HostConfig != nil && c.HostConfig.Memory > 0 {
		m.memoryLimit = uint64(c.HostConfig.Memory)
	} else if c.HostConfig != nil && c.HostConfig.CgroupParent != "" && c.Config != nil {
		m.memoryLimit = r.tasks.memoryLimit(c.Config.Labels[labelTaskID]) // the task's, which holds it
	}
	if r.mountsErr != nil || c.State == nil || c.State.Pid <= 0 {
		return m
	}
	cg, err := r.mounts.Of(c.State.Pid, c.ID)
	if err != nil {
		r.log.Debug("container's cgroup unreadable; measuring it through the engine", "id", shortID(c.ID), "err", err)
		return m
	}
	m.cgroup, m.viaEngine = cg, false
	return m
}

// engineSamplers bounds the engine stats calls Usage makes at once. Each
// waits for the engine's next collection (Engine 20.10 collects once a
// second), so they run side by side.
const engineSamplers = 32

// Usage measures every running container, each from its cgroup, or from
// the engine's stats when the cgroup cannot be read (those concurrently,
// see engineSamplers).
func (r *Runtime) Usage(ctx context.Context) ([]runtime.ContainerUsage, error) {
	hs := r.live.List()
	out := make([]runtime.ContainerUsage, 0, len(hs))
	var (
		buf  []byte
		mu   sync.Mutex // protects out for the engine samplers
		wg   sync.WaitGroup
		sema = make(chan struct{}, engineSamplers)
	)
	for _, h := range hs {
		if ctx.Err() != nil {
			break
		}
		if h.meter.viaEngine {
			wg.Add(1)
			sema <- struct{}{}
			go func() {
				defer func() { <-sema; wg.Done() }()
				if u, err := h.usage(ctx, nil); err == nil {
					mu.Lock()
					out = append(out, u)
					mu.Unlock()
				}
			}()
			continue
		}
		if u, err := h.usage(ctx, &buf); err == nil { // else exited meanwhile: no sample
			mu.Lock()
			out = append(out, u)
			mu.Unlock()
		}
	}
	wg.Wait()
	return out, ctx.Err()
}

// Usage measures the container as Runtime.Usage does.
func (h *handle) Usage(ctx context.Context) (runtime.ContainerUsage, error) {
	var buf []byte
	return h.usage(ctx, &buf)
}

func (h *handle) usage(ctx context.Context, buf *[]byte) (runtime.ContainerUsage, error) {
	m := h.meter
	u := runtime.ContainerUsage{TaskARN: m.task, ContainerName: m.container, MemoryLimitBytes: m.memoryLimit}
	if m.viaEngine {
		return h.usageFromEngine(ctx, u)
	}
	s, err := m.cgroup.Read(buf)
	if err != nil {
		if h.exited() {
			return u, fmt.Errorf("usage of %s: %w", shortID(h.id), runtime.ErrGone)
		}
		return u, fmt.Errorf("usage of %s: %w", shortID(h.id), err)
	}
	u.CPUTime, u.MemoryBytes = s.CPU, s.WorkingSet()
	return u, nil
}

// usageFromEngine takes one stats sample from the engine (no previous
// sample: the engine answers at once).
func (h *handle) usageFromEngine(ctx context.Context, u runtime.ContainerUsage) (runtime.ContainerUsage, error) {
	ctx, cancel := context.WithTimeout(ctx, statsTimeout)
	defer cancel()
	res, err := h.rt.cli.ContainerStats(ctx, h.id, client.ContainerStatsOptions{})
	if err != nil {
		return u, fmt.Errorf("stats of %s: %s", shortID(h.id), engineMessage(err))
	}
	defer res.Body.Close()
	var st container.StatsResponse
	if err := json.NewDecoder(io.LimitReader(res.Body, maxStatsBody)).Decode(&st); err != nil {
		return u, fmt.Errorf("stats of %s: %w", shortID(h.id), err)
	}
	s := cgroupstat.Sample{CPU: time.Duration(st.CPUStats.CPUUsage.TotalUsage), MemoryUsage: st.MemoryStats.Usage}
	if v, ok := st.MemoryStats.Stats["total_inactive_file"]; ok { // cgroup v1
		s.InactiveFile = v
	} else {
		s.InactiveFile = st.MemoryStats.Stats["inactive_file"]
	}
	u.CPUTime, u.MemoryBytes = s.CPU, s.WorkingSet()
	return u, nil
}
