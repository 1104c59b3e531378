package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// procCPU is the CPU time a process has used, from /proc/PID/stat (0 when gone).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// pidOf finds the process running the executable path, and its parent (the shim).
func pidOf(path string) (pid, parent int) {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, err := os.Readlink("/proc/" + e.Name() + "/exe"); err == nil && exe == path {
			b, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
			s := string(b)
			f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
			if len(f) > 1 {
				parent, _ = strconv.Atoi(f[1])
			}
			return n, parent
		}
	}
	return 0, 0
}
