package docker

import (
	"context"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// UsageFromEngine measures h through the engine's stats, the fallback of a
// container whose cgroup cannot be read.
func UsageFromEngine(ctx context.Context, h runtime.Handle) (runtime.ContainerUsage, error) {
	hd := h.(*handle)
	return hd.usageFromEngine(ctx, runtime.ContainerUsage{TaskARN: hd.meter.task, ContainerName: hd.meter.container})
}

// MeasuredByCgroup reports whether h is measured from its cgroup.
func MeasuredByCgroup(h runtime.Handle) bool { return !h.(*handle).meter.viaEngine }

// TaskCgroupParent is the cgroup parent of the task's containers when
// tasks get cgroups of their own here, else "".
func TaskCgroupParent(rt *Runtime, taskID string) string {
	if !rt.tasks.enabled() {
		return ""
	}
	return rt.tasks.parent(taskID)
}

// TaskCgroupMemoryDir is the memory directory of the task's cgroup.
func TaskCgroupMemoryDir(rt *Runtime, taskID string) string { return rt.tasks.memoryDir(taskID) }

// TaskCgroupsWhy says why tasks get no cgroups of their own.
func TaskCgroupsWhy(rt *Runtime) string { return rt.tasks.why }
