// Package cpuload tells how much of a shared machine's CPU other processes
// took during a benchmark, so that a run that competed for the cores is
// reported as such beside its figures.
package cpuload

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/stat (100 on every Linux
// architecture Go supports).
const clockTicks = 100

// Sample is the machine's busy CPU time and this process's own CPU time
// at one moment. Two samples tell how much CPU other processes used in
// between: on a shared machine, a run that competed for the cores says
// little about Slipway, so the table reports it beside the figures.
type Sample struct {
	at          time.Time
	machineBusy time.Duration
	self        time.Duration
	ok          bool
}

// Take samples the machine and this process now.
func Take() Sample {
	s := Sample{at: time.Now()}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return s
	}
	var busy int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i != 3 && i != 4 && i < 8 { // idle and iowait are not busy; guest time is already in user
			busy += n
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return s
	}
	s.machineBusy = time.Duration(busy) * time.Second / clockTicks
	s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	s.ok = true
	return s
}

// ForeignShare is the share of the machine's CPU capacity that other
// processes used between two samples (-1 when unknown).
func ForeignShare(from, to Sample) float64 {
	if !from.ok || !to.ok {
		return -1
	}
	capacity := to.at.Sub(from.at).Seconds() * float64(runtime.NumCPU())
	foreign := (to.machineBusy - from.machineBusy - (to.self - from.self)).Seconds()
	return max(0, foreign/capacity)
}

// Since is the wall time from an earlier sample to this one.
func (s Sample) Since(earlier Sample) time.Duration { return s.at.Sub(earlier.at) }

// SelfCPU is the CPU time this process used between two samples (-1 when
// unknown): what a phase cost, which other processes' load inflates far
// less than its wall time.
func SelfCPU(from, to Sample) time.Duration {
	if !from.ok || !to.ok {
		return -1
	}
	return to.self - from.self
}
