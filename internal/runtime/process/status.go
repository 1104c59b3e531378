package process

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// statusFileName holds the exit status the shim records in the container directory.
const statusFileName = "status.json"

// exitRecord is the on-disk form of an exit status; the JSON names are a stable
// format shared by shims and servers of different versions.
type exitRecord struct {
	ExitCode   *int      `json:"exitCode,omitempty"`
	Signal     string    `json:"signal,omitempty"`
	Reason     string    `json:"reason"`
	FinishedAt time.Time `json:"finishedAt"`
}

func (r exitRecord) status() runtime.ExitStatus {
	return runtime.ExitStatus{ExitCode: r.ExitCode, Signal: r.Signal, Reason: r.Reason, FinishedAt: r.FinishedAt}
}

// waitRecord describes how a process ended from its wait status. A signal death
// reports 128+signal as the exit code, as Docker and ECS do.
func waitRecord(ps *os.ProcessState, finished time.Time) exitRecord {
	rec := exitRecord{Reason: ps.String(), FinishedAt: finished}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	switch {
	case ok && ws.Signaled():
		code := 128 + int(ws.Signal())
		rec.ExitCode = &code
		rec.Signal = unix.SignalName(ws.Signal())
	default:
		code := ps.ExitCode()
		rec.ExitCode = &code
	}
	return rec
}

// writeStatus records the exit status in dir atomically and durably.
func writeStatus(dir string, rec exitRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, statusFileName), b)
}

// readStatus returns the recorded exit status, ok=false when none was recorded.
func readStatus(dir string) (runtime.ExitStatus, bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, statusFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return runtime.ExitStatus{}, false, nil
	}
	if err != nil {
		return runtime.ExitStatus{}, false, err
	}
	var rec exitRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return runtime.ExitStatus{}, false, fmt.Errorf("%s: %w", statusFileName, err)
	}
	return rec.status(), true, nil
}

// writeFileAtomic replaces path with data so that a crash at any moment leaves either
// the old file or the complete new one: write a temporary file, fsync it, rename it
// over path, and fsync the directory so the rename itself survives a power loss.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
