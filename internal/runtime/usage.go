package runtime

import (
	"context"
	"time"
)

// ContainerUsage is one running container's resource use, as its runtime
// measures it. CloudWatch's AWS/ECS CPUUtilization and MemoryUtilization
// are computed from these against the task's reservation, and the task
// metadata endpoint's /stats shows the same figures in Docker's shape.
type ContainerUsage struct {
	TaskARN, ContainerName string
	// CPUTime is the CPU time (user and system) the container has used
	// since it started; it only grows while the container runs.
	CPUTime time.Duration
	// MemoryBytes is the memory the container uses now: the resident set
	// of its processes (process runtime) or its cgroup's usage less the
	// page cache it can give back (Docker: what `docker stats` shows).
	MemoryBytes uint64
	// MemoryLimitBytes is the hard memory limit the container runs under
	// (its own or its task's); 0 when none.
	MemoryLimitBytes uint64
}

// UsageReporter is implemented by runtimes that measure every container
// they run in one call, cheaply enough to be called every few seconds for
// hundreds of containers (it must not take a sample over time: the
// caller differences CPUTime between calls).
type UsageReporter interface {
	Usage(ctx context.Context) ([]ContainerUsage, error)
}

// UsageSampler is implemented by handles that measure their own container
// the way their runtime's UsageReporter does: one sample, now. The task
// metadata endpoint's /stats answers from it.
type UsageSampler interface {
	Usage(ctx context.Context) (ContainerUsage, error)
}
