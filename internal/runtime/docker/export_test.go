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
