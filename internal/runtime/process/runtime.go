package process

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// ErrStillRunning is returned by Remove for a container whose shim still runs.
var ErrStillRunning = errors.New("container is still running")

// ErrStillStarting is returned by List when a container's shim has neither recorded
// its identity nor exited within shimStartWait (say, exec hangs on a stuck network
// filesystem): List cannot tell whether it will run, so it does not guess.
var ErrStillStarting = errors.New("container's shim is still starting")

// ErrBadOptions is returned by New for unusable Options.
var ErrBadOptions = errors.New("process runtime: bad options")

// Options configure a process Runtime.
type Options struct {
	// ShimCommand runs the shim, e.g. {os.Executable(), "__shim"}; the container
	// directory is appended as the last argument. A name without a slash is looked up
	// on the server's PATH once, by New.
	ShimCommand []string
	// ShimEnv is added to the server's environment for the shim process (tests use it
	// to make the test binary act as the shim). The application never sees the
	// server's environment; see the package documentation.
	ShimEnv []string
	// StateDir holds one directory per container (config, exit status, shim log).
	// It is created if missing and must survive server restarts for Adopt to work.
	StateDir string
	// CgroupRoot is where the cgroup file system is mounted (default
	// /sys/fs/cgroup); "none" applies no cpu or memory limits (see Limits).
	CgroupRoot string
	// Logger receives state changes; nil discards them.
	Logger *slog.Logger
}

// Runtime is the process runtime. It is safe for concurrent use.
type Runtime struct {
	shim     []string
	shimEnv  []string
	stateDir string
	log      *slog.Logger
	ports    *ports
	live     runtime.LiveSet[*handle] // running containers, for Usage (usage.go)
	limits   Limits
}

var (
	_ runtime.Runtime = (*Runtime)(nil)
	_ runtime.Remover = (*Runtime)(nil)
	_ runtime.Lister  = (*Runtime)(nil)
)

// New returns a process Runtime.
func New(opts Options) (*Runtime, error) {
	if len(opts.ShimCommand) == 0 || opts.ShimCommand[0] == "" {
		return nil, fmt.Errorf("%w: ShimCommand is required", ErrBadOptions)
	}
	if opts.StateDir == "" {
		return nil, fmt.Errorf("%w: StateDir is required", ErrBadOptions)
	}
	shim := append([]string(nil), opts.ShimCommand...)
	if !strings.Contains(shim[0], "/") {
		path, err := exec.LookPath(shim[0])
		if err != nil {
			return nil, fmt.Errorf("%w: shim: %w", ErrBadOptions, err)
		}
		shim[0] = path
	}
	stateDir, err := filepath.Abs(opts.StateDir)
	if err != nil {
		return nil, fmt.Errorf("%w: StateDir: %w", ErrBadOptions, err)
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, fmt.Errorf("%w: StateDir: %w", ErrBadOptions, err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runtime{
		shim: shim, shimEnv: append([]string(nil), opts.ShimEnv...), stateDir: stateDir,
		log: log.With("runtime", "process"), ports: newPorts(), limits: newLimits(opts.CgroupRoot, log),
	}, nil
}

// Name returns "process".
func (r *Runtime) Name() string { return "process" }

// Start starts the container under a new shim and returns once the application runs.
func (r *Runtime) Start(ctx context.Context, spec runtime.Spec) (runtime.Handle, error) {
	if err := checkSupported(spec); err != nil {
		return nil, err
	}
	argv, err := commandLine(spec)
	if err != nil {
		return nil, err
	}
	dir, err := workingDir(spec.WorkingDir)
	if err != nil {
		return nil, err
	}
	cdir, lock, err := r.createDir(spec)
	if err != nil {
		return nil, err
	}
	// The directory is locked from before its config exists until Start is over, and
	// the shim shares the lock from its start to its exit: List waits while it is
	// held and the shim has not yet recorded who it is.
	defer lock.Close()
	h, err := r.startIn(ctx, cdir, lock, spec, argv, dir)
	if err != nil {
		os.RemoveAll(cdir) // before the deferred unlock: a List waiting on it then skips it
		return nil, err
	}
	return h, nil
}

// createDir creates and locks a new container directory under StateDir.
func (r *Runtime) createDir(spec runtime.Spec) (string, *os.File, error) {
	cdir, err := os.MkdirTemp(r.stateDir, dirPrefix(spec.TaskID, spec.ContainerName)+"-")
	if err != nil {
		return "", nil, fmt.Errorf("%w: container directory: %w", runtime.ErrCannotStart, err)
	}
	lock, err := lockDir(cdir, true)
	if err != nil {
		os.RemoveAll(cdir)
		return "", nil, fmt.Errorf("%w: locking the container directory: %w", runtime.ErrCannotStart, err)
	}
	return cdir, lock, nil
}

// startIn allocates the ports, writes the config into cdir and launches the shim.
func (r *Runtime) startIn(ctx context.Context, cdir string, lock *os.File, spec runtime.Spec, argv []string, dir string) (*handle, error) {
	bindings, err := r.bindingsFor(cdir, spec)
	if err != nil {
		return nil, err
	}
	cfg, err := r.config(cdir, spec, argv, dir, bindings)
	if err == nil {
		var h *handle
		if h, err = r.launch(ctx, cdir, lock, cfg); err == nil {
			return h, nil
		}
	}
	removeCgroups(cfg.Cgroups)
	r.ports.release(cdir, bindings)
	return nil, err
}

// config assembles what the shim needs: resolved executable, environment, log files,
// and the bindings, kept for List.
func (r *Runtime) config(cdir string, spec runtime.Spec, argv []string, dir string, bindings []runtime.Binding) (containerConfig, error) {
	env := withTaskAddress(containerEnv(os.Getenv, spec.Env, bindings), spec)
	for i := range bindings {
		bindings[i].BindIP = bindIP(env)
	}
	path, err := resolveExecutable(argv[0], lookupEnv(env, "PATH"), dir)
	if err != nil {
		return containerConfig{}, fmt.Errorf("%w: %w%s", runtime.ErrCannotStart, err, imageHint(spec))
	}
	maxBytes := spec.LogMaxBytes
	if maxBytes <= 0 {
		maxBytes = runtime.DefaultLogMaxBytes
	}
	cfg := containerConfig{
		Layout:  layoutVersion,
		TaskARN: spec.TaskARN, TaskID: spec.TaskID, ContainerName: spec.ContainerName, StoreID: spec.StoreID,
		Path: path, Args: argv, Env: env, Dir: dir, LogMaxBytes: maxBytes, Bindings: bindings,
	}
	logDir := cdir
	if spec.LogDir != "" {
		logDir, err = filepath.Abs(spec.LogDir)
		if err == nil {
			err = os.MkdirAll(logDir, 0o755)
		}
		if err != nil {
			return containerConfig{}, fmt.Errorf("%w: log directory: %w", runtime.ErrCannotStart, err)
		}
	}
	cfg.Stdout, cfg.Stderr = filepath.Join(logDir, "stdout.log"), filepath.Join(logDir, "stderr.log")
	cfg.Cgroups, err = r.limits.create(cdir, spec.TaskID, spec.Resources)
	if len(cfg.Cgroups) > 0 {
		cfg.MemoryLimit = memoryLimit(spec.Resources)
	}
	return cfg, err
}

// Remove deletes the bookkeeping of an exited container (its directory under
// StateDir) and drops the runtime's hold on its ports. The agent calls it once it
// has durably recorded the exit, or for a container List found that it does not
// want; after it, Adopt reports the container gone without an exit status. A
// container whose shim runs (or is starting) is refused with ErrStillRunning.
func (r *Runtime) Remove(state runtime.State) error {
	st, err := decodeState(state)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(st.Dir, configFileName)); err != nil {
		return fmt.Errorf("%w: %s is not a container directory: %w", runtime.ErrInvalidState, st.Dir, err)
	}
	if st.Shim.alive() { // directories of older servers have no lock: ask /proc too
		return fmt.Errorf("remove %s: %w", st.Dir, ErrStillRunning)
	}
	lock, err := lockDir(st.Dir, false)
	if errors.Is(err, errLocked) {
		return fmt.Errorf("remove %s: %w", st.Dir, ErrStillRunning)
	}
	if err != nil {
		return fmt.Errorf("remove %s: %w", st.Dir, err)
	}
	defer lock.Close()
	if cfg, err := readConfig(st.Dir); err == nil {
		removeCgroups(cfg.Cgroups)
	}
	if err := os.RemoveAll(st.Dir); err != nil {
		return fmt.Errorf("remove %s: %w", st.Dir, err)
	}
	r.ports.release(st.Dir, st.Bindings)
	return nil
}
