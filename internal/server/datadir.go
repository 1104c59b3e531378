package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/slipway-dev/slipway/internal/runtime/process"
	"github.com/slipway-dev/slipway/internal/store"
)

// What the data directory holds besides the store.
const (
	nodeIDFile    = "node-id"
	containersDir = "containers"
	logsDir       = "logs"
)

// Errors of the data-directory checks at start-up.
var (
	// ErrDataDirReadOnly reports a data directory (or store file) the server cannot write.
	ErrDataDirReadOnly = errors.New("the data dir is read-only")
	// ErrStoreLost reports a store file that is missing or empty beside the
	// traces of a store that existed: starting afresh would forget it.
	ErrStoreLost = errors.New("store lost")
)

// maxListedPIDs bounds the shim pids a start-up error names.
const maxListedPIDs = 5

// openStore checks the data directory and opens its store. It never
// replaces a store silently: a missing or empty slipway.db beside the
// traces of an earlier store (its node id, container directories, running
// tasks, task logs) is ErrStoreLost, and a damaged one is store.ErrCorrupt;
// both say how to recover. A directory the server cannot write is
// ErrDataDirReadOnly.
func openStore(dir string) (*store.Bolt, error) {
	if err := checkWritable(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, store.FileName)
	fi, err := os.Stat(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("data dir %s: %w", dir, err)
	}
	if err != nil || fi.Size() == 0 {
		state := "is missing"
		if err == nil {
			state = "is empty (0 bytes)"
		}
		tr, err := surveyTraces(dir)
		if err != nil {
			return nil, err
		}
		if !tr.none() {
			return nil, fmt.Errorf("%w: %s %s, but %s holds a previous store (%s): starting a new, empty store would forget every cluster, service and task. Restore %s from a backup, or %s",
				ErrStoreLost, path, state, dir, tr, path, tr.moveAside(dir))
		}
	}
	db, err := store.OpenBolt(dir)
	switch {
	case errors.Is(err, store.ErrCorrupt):
		tr, _ := surveyTraces(dir)
		return nil, fmt.Errorf("%w. Restore it from a backup, or %s", err, tr.moveAside(dir))
	case errors.Is(err, store.ErrReadOnly):
		return nil, fmt.Errorf("%w: %w; make it writable", ErrDataDirReadOnly, err)
	}
	return db, err
}

// checkWritable creates dir if needed and proves that the server can write
// in it (a read-only mount or a directory of another user cannot be), and
// that it can write the store file if there is one.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		if readOnly(err) {
			return fmt.Errorf("%w: cannot create %s (%v); create it writable, or choose another with --data-dir", ErrDataDirReadOnly, dir, cause(err))
		}
		return fmt.Errorf("create data dir: %w", err)
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		if readOnly(err) {
			return fmt.Errorf("%w: %s (%v): the server keeps its store, container state and logs there; make it writable, or choose another with --data-dir",
				ErrDataDirReadOnly, dir, cause(err))
		}
		return fmt.Errorf("data dir %s: %w", dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	path := filepath.Join(dir, store.FileName)
	db, err := os.OpenFile(path, os.O_RDWR, 0)
	if err == nil {
		return db.Close()
	}
	if readOnly(err) {
		return fmt.Errorf("%w: %s is read-only (%v); make it writable", ErrDataDirReadOnly, path, cause(err))
	}
	return nil // missing: the store creates it; other errors: the store reports them
}

// readOnly reports errors of writing where one may not.
func readOnly(err error) bool {
	return errors.Is(err, syscall.EROFS) || errors.Is(err, fs.ErrPermission)
}

// cause is the system's words for err ("read-only file system").
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// traces are what a store leaves in its data directory besides its file.
type traces struct {
	nodeID     bool
	containers process.Survey
	taskLogs   int
}

func surveyTraces(dir string) (traces, error) {
	var tr traces
	if b, err := os.ReadFile(filepath.Join(dir, nodeIDFile)); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		tr.nodeID = true
	}
	var err error
	if tr.containers, err = process.SurveyStateDir(filepath.Join(dir, containersDir)); err != nil {
		return tr, fmt.Errorf("data dir %s: %w", dir, err)
	}
	if logs, err := os.ReadDir(filepath.Join(dir, logsDir)); err == nil {
		tr.taskLogs = len(logs)
	}
	return tr, nil
}

func (tr traces) none() bool {
	return !tr.nodeID && tr.containers.Containers == 0 && tr.taskLogs == 0
}

// String lists the traces: "a node id, 3 container directories, 2 running tasks".
func (tr traces) String() string {
	var parts []string
	if tr.nodeID {
		parts = append(parts, "a node id")
	}
	if n := tr.containers.Containers; n > 0 {
		parts = append(parts, plural(n, "container directory", "container directories"))
	}
	if n := len(tr.containers.RunningShims); n > 0 {
		parts = append(parts, plural(n, "running task container", "running task containers"))
	}
	if tr.taskLogs > 0 {
		parts = append(parts, plural(tr.taskLogs, "task log directory", "task log directories"))
	}
	return strings.Join(parts, ", ")
}

// moveAside says how to start afresh, and what becomes of running containers.
func (tr traces) moveAside(dir string) string {
	advice := fmt.Sprintf("start a new store after moving the data dir aside (mv %s %s.lost)", dir, dir)
	pids := tr.containers.RunningShims
	if len(pids) == 0 {
		return advice
	}
	shown := pids[:min(len(pids), maxListedPIDs)]
	list := strings.Trim(strings.ReplaceAll(fmt.Sprint(shown), " ", ", "), "[]")
	if len(pids) > len(shown) {
		list += ", ..."
	}
	return fmt.Sprintf("%s; its %s then keep running unmanaged (stop them with kill: their supervisors are pids %s)",
		advice, plural(len(pids), "running container", "running containers"), list)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// RunningContainers counts the containers running under the data directory
// dataDir (their supervisors alive), server or not.
func RunningContainers(dataDir string) (int, error) {
	s, err := process.SurveyStateDir(filepath.Join(dataDir, containersDir))
	return len(s.RunningShims), err
}
