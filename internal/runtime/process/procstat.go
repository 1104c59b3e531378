package process

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// errNoProcess means /proc has no entry for the pid.
var errNoProcess = errors.New("no such process")

// procIdentity names a process across pid reuse: the kernel never gives two live
// processes the same pid, and a recycled pid gets a later start time.
type procIdentity struct {
	PID int `json:"pid"`
	// StartTime is field 22 of /proc/<pid>/stat: clock ticks after boot.
	StartTime uint64 `json:"startTime"`
}

// procStat is the part of /proc/<pid>/stat we use.
type procStat struct {
	state     byte // R, S, D, Z, X, ...
	startTime uint64
}

// exited reports whether the process has terminated (zombie or dead).
func (s procStat) exited() bool { return s.state == 'Z' || s.state == 'X' }

// readProcStat reads /proc/<pid>/stat. It fails with errNoProcess when there is none.
func readProcStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ESRCH) {
		return procStat{}, fmt.Errorf("pid %d: %w", pid, errNoProcess)
	}
	if err != nil {
		return procStat{}, err
	}
	return parseProcStat(b)
}

// parseProcStat parses a /proc/<pid>/stat line. The command name (field 2) may hold
// spaces and parentheses, so fields are counted from the last ')'.
func parseProcStat(b []byte) (procStat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("malformed /proc stat: %q", b)
	}
	fields := bytes.Fields(b[i+1:])
	// fields[0] is field 3 (state); field 22 (starttime) is fields[19].
	if len(fields) < 20 || len(fields[0]) != 1 {
		return procStat{}, fmt.Errorf("malformed /proc stat: %q", b)
	}
	start, err := strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("malformed /proc stat start time: %w", err)
	}
	return procStat{state: fields[0][0], startTime: start}, nil
}

// identify returns the identity of a live pid.
func identify(pid int) (procIdentity, error) {
	st, err := readProcStat(pid)
	if err != nil {
		return procIdentity{}, err
	}
	return procIdentity{PID: pid, StartTime: st.startTime}, nil
}

// alive reports whether the process named by id still runs: same pid, same start
// time, not a zombie.
func (id procIdentity) alive() bool {
	if id.PID <= 0 {
		return false
	}
	st, err := readProcStat(id.PID)
	return err == nil && st.startTime == id.StartTime && !st.exited()
}
