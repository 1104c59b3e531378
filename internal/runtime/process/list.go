package process

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// listPollInterval is how often List looks again at a directory whose shim is
// starting (it holds the lock but has not yet recorded its identity).
const listPollInterval = 10 * time.Millisecond

// shimStartWait bounds how long List waits for one starting shim. A shim records its
// identity within milliseconds of starting, unless exec itself hangs.
const shimStartWait = 30 * time.Second

// List returns the containers in StateDir that have not been Removed, found from
// their directories alone: the config the server wrote before starting the shim
// (task, container, bindings) and the identity the shim wrote once the application
// ran. The host ports of running ones are held again, so Start never hands them out;
// Adopt or Remove releases them.
//
// A directory without a config is skipped: the server died (or a Start is under
// way) before it wrote it, and no shim starts before it exists. A directory with a
// config but no identity whose lock nobody holds is listed with Running false: its
// shim never started or died before the application could outlive it; Adopt reports
// it gone (with the start failure the shim recorded, if any) and Remove deletes it.
// One whose lock is held is starting: List waits for it, up to ctx and
// shimStartWait (then ErrStillStarting). Directories written by servers older than
// this layout are skipped: they carry no identity or lock, and only the agent's
// records know them. List fails rather than omit a directory it cannot read.
func (r *Runtime) List(ctx context.Context) ([]runtime.Found, error) {
	entries, err := os.ReadDir(r.stateDir)
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	var found []runtime.Found
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		f, ok, err := r.inspect(ctx, filepath.Join(r.stateDir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("listing containers: %s: %w", e.Name(), err)
		}
		if ok {
			found = append(found, f)
		}
	}
	return found, nil
}

// inspect reads one container directory; ok is false for directories that are no
// (or no longer, or not yet) containers List reports.
func (r *Runtime) inspect(ctx context.Context, dir string) (f runtime.Found, ok bool, err error) {
	cfg, err := readConfig(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return f, false, nil
	}
	if err != nil {
		return f, false, err
	}
	if cfg.Layout < layoutVersion {
		return f, false, nil
	}
	st, err := awaitIdentity(ctx, dir)
	if errors.Is(err, fs.ErrNotExist) { // a failed Start removed it meanwhile
		return f, false, nil
	}
	if err != nil {
		return f, false, err
	}
	st.Bindings = cfg.Bindings
	_, exited, err := readStatus(dir)
	if err != nil {
		return f, false, err
	}
	running := !exited && st.Shim.PID > 0 && st.Shim.alive()
	if running {
		r.ports.reserve(dir, st.Bindings)
	}
	return runtime.Found{
		TaskARN: cfg.TaskARN, TaskID: cfg.TaskID, ContainerName: cfg.ContainerName, StoreID: cfg.StoreID,
		State: st.encode(), Running: running,
	}, true, nil
}

// awaitIdentity returns the State of the container in dir: with the identities its
// shim recorded, or without when the lock is free and none was recorded (then no
// shim runs for dir, and none will: only Start starts shims, in directories it
// creates). While the lock is held without a record, the shim is starting: wait.
func awaitIdentity(ctx context.Context, dir string) (savedState, error) {
	st := savedState{Version: stateVersion, Dir: dir}
	deadline := time.NewTimer(shimStartWait)
	defer deadline.Stop()
	tick := time.NewTicker(listPollInterval)
	defer tick.Stop()
	for {
		id, ok, err := readIdentity(dir)
		if err == nil && !ok {
			var lock *os.File
			if lock, err = lockDir(dir, false); err == nil {
				lock.Close()
				// The shim may have recorded its identity and exited since we looked.
				id, ok, err = readIdentity(dir)
				if err == nil && !ok {
					return st, nil
				}
			}
		}
		if ok {
			st.Shim, st.App = id.Shim, id.App
			return st, nil
		}
		if !errors.Is(err, errLocked) {
			return st, err
		}
		select {
		case <-ctx.Done():
			return st, fmt.Errorf("waiting for a starting shim: %w", ctx.Err())
		case <-deadline.C:
			return st, fmt.Errorf("%w after %v", ErrStillStarting, shimStartWait)
		case <-tick.C:
		}
	}
}
