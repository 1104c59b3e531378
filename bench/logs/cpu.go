package main

import (
	"os"
	goruntime "runtime"
	"strconv"
	"strings"
	"time"
)

// busySample is the machine's busy CPU time at one moment, from /proc/stat.
type busySample struct {
	at   time.Time
	busy time.Duration
}

func sampleBusy() busySample {
	s := busySample{at: time.Now()}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	for i, v := range f[1:min(len(f), 9)] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i != 3 && i != 4 { // idle and iowait
			s.busy += time.Duration(n) * 10 * time.Millisecond // USER_HZ is 100
		}
	}
	return s
}

// busyShare is the share of the machine's CPUs that were busy between samples.
func busyShare(from, to busySample) float64 {
	wall := to.at.Sub(from.at) * time.Duration(goruntime.NumCPU())
	if wall <= 0 {
		return 0
	}
	return float64(to.busy-from.busy) / float64(wall)
}
