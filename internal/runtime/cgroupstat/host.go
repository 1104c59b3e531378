package cgroupstat

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the kernel's USER_HZ, the unit of /proc/stat: 100 on every
// Linux architecture Go supports.
const clockTick = time.Second / 100

// SystemCPU is the machine's CPU time since boot over all CPUs, busy and
// idle, as the Docker Engine's stats report it (system_cpu_usage: the first
// seven fields of /proc/stat's "cpu" line, user to softirq).
func SystemCPU() (time.Duration, error) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	line, err := bufio.NewReaderSize(f, 512).ReadSlice('\n')
	if err != nil {
		return 0, fmt.Errorf("/proc/stat: %w", err)
	}
	return parseSystemCPU(line)
}

func parseSystemCPU(line []byte) (time.Duration, error) {
	f := bytes.Fields(line)
	if len(f) < 8 || string(f[0]) != "cpu" {
		return 0, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	var ticks uint64
	for _, v := range f[1:8] {
		n, err := strconv.ParseUint(string(v), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// HostMemory is the machine's memory (MemTotal of /proc/meminfo), which
// Docker's stats report as the limit of a container without one.
func HostMemory() (uint64, error) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kib, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/meminfo: %w", err)
			}
			return kib << 10, nil
		}
	}
	return 0, fmt.Errorf("/proc/meminfo: no MemTotal")
}

// OOMKills is the number of processes the kernel's OOM killer ended in the
// memory cgroup dir and below (oom_kill of memory.oom_control with cgroup
// v1, of memory.events with v2); 0 when unknown.
func OOMKills(dir string) uint64 {
	buf := make([]byte, 0, maxFile)
	for _, file := range []string{"memory.events", "memory.oom_control"} {
		if n, err := readKey(dir+"/"+file, "oom_kill", &buf); err == nil {
			return n
		}
	}
	return 0
}
