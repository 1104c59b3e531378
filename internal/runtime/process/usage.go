package process

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
)

var (
	_ runtime.UsageReporter = (*Runtime)(nil)
	_ runtime.UsageSampler  = (*handle)(nil)
)

// clockTick is the kernel's USER_HZ, the unit of /proc's CPU times: 100 on
// every Linux architecture Go supports.
const clockTick = time.Second / 100

// Usage measures every running container from one read of
// /proc/<pid>/stat of its application process: user and system time,
// including that of children it has waited for, and its resident set. A
// container's other processes that are still running are not counted
// (a cgroup would not tell them either: the shim moves the application
// into its cgroups after it started, and what it had allocated stays
// charged where it was).
func (r *Runtime) Usage(ctx context.Context) ([]runtime.ContainerUsage, error) {
	hs := r.live.List()
	out := make([]runtime.ContainerUsage, 0, len(hs))
	buf := make([]byte, 0, 512)
	for _, h := range hs {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		if u, ok := h.usage(&buf); ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// Usage measures the container as Runtime.Usage does.
func (h *handle) Usage(context.Context) (runtime.ContainerUsage, error) {
	buf := make([]byte, 0, 512)
	u, ok := h.usage(&buf)
	if !ok {
		return u, fmt.Errorf("usage of %s: %w", h.cfg.ContainerName, errNoProcess)
	}
	return u, nil
}

func (h *handle) usage(buf *[]byte) (runtime.ContainerUsage, bool) {
	u, ok := readUsage(h.state.App, buf)
	u.TaskARN, u.ContainerName, u.MemoryLimitBytes = h.cfg.TaskARN, h.cfg.ContainerName, uint64(max(h.cfg.MemoryLimit, 0))
	return u, ok
}

// pageSize is the unit of /proc's resident set.
var pageSize = uint64(os.Getpagesize())

// readUsage reads one process's usage; false when it is gone or is not the
// process id names any more.
func readUsage(id procIdentity, buf *[]byte) (runtime.ContainerUsage, bool) {
	f, err := os.Open("/proc/" + strconv.Itoa(id.PID) + "/stat")
	if err != nil {
		return runtime.ContainerUsage{}, false
	}
	b := (*buf)[:cap(*buf)]
	n, err := f.Read(b)
	f.Close()
	if err != nil || n == len(b) {
		return runtime.ContainerUsage{}, false
	}
	return parseUsage(b[:n], id.StartTime)
}

// parseUsage parses /proc/<pid>/stat: fields 14-17 are utime, stime,
// cutime and cstime in clock ticks, 22 the start time, 24 the resident set
// in pages (numbered from 1; fields after the command are counted from the
// last ')').
func parseUsage(b []byte, startTime uint64) (runtime.ContainerUsage, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return runtime.ContainerUsage{}, false
	}
	f := bytes.Fields(b[i+1:]) // f[0] is field 3
	if len(f) < 22 {
		return runtime.ContainerUsage{}, false
	}
	num := func(field int) uint64 {
		v, _ := strconv.ParseUint(string(f[field-3]), 10, 64)
		return v
	}
	if num(22) != startTime || f[0][0] == 'Z' || f[0][0] == 'X' {
		return runtime.ContainerUsage{}, false
	}
	ticks := num(14) + num(15) + num(16) + num(17)
	return runtime.ContainerUsage{CPUTime: time.Duration(ticks) * clockTick, MemoryBytes: num(24) * pageSize}, true
}
