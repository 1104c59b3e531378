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
}

var (
	_ runtime.Runtime = (*Runtime)(nil)
	_ runtime.Remover = (*Runtime)(nil)
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
		log: log.With("runtime", "process"), ports: newPorts(),
	}, nil
}

// Name returns "process".
func (r *Runtime) Name() string { return "process" }

// Start starts the container under a new shim and returns once the application runs.
func (r *Runtime) Start(ctx context.Context, spec runtime.Spec) (runtime.Handle, error) {
	argv, err := commandLine(spec)
	if err != nil {
		return nil, err
	}
	dir, err := workingDir(spec.WorkingDir)
	if err != nil {
		return nil, err
	}
	bindings, err := r.ports.allocate(spec.PortMappings)
	if err != nil {
		return nil, err
	}
	cfg, err := r.config(spec, argv, dir, bindings)
	if err == nil {
		var h *handle
		if h, err = r.launch(ctx, cfg, bindings); err == nil {
			return h, nil
		}
	}
	r.ports.release(bindings)
	return nil, err
}

// config assembles what the shim needs: resolved executable, environment, log files.
func (r *Runtime) config(spec runtime.Spec, argv []string, dir string, bindings []runtime.Binding) (containerConfig, error) {
	env := containerEnv(os.Getenv, spec.Env, bindings)
	path, err := resolveExecutable(argv[0], lookupEnv(env, "PATH"), dir)
	if err != nil {
		return containerConfig{}, fmt.Errorf("%w: %w", runtime.ErrCannotStart, err)
	}
	maxBytes := spec.LogMaxBytes
	if maxBytes <= 0 {
		maxBytes = runtime.DefaultLogMaxBytes
	}
	cfg := containerConfig{
		TaskARN: spec.TaskARN, TaskID: spec.TaskID, ContainerName: spec.ContainerName,
		Path: path, Args: argv, Env: env, Dir: dir, LogMaxBytes: maxBytes,
	}
	if spec.LogDir != "" { // else launch puts the logs in the container directory
		logDir, err := filepath.Abs(spec.LogDir)
		if err == nil {
			err = os.MkdirAll(logDir, 0o755)
		}
		if err != nil {
			return containerConfig{}, fmt.Errorf("%w: log directory: %w", runtime.ErrCannotStart, err)
		}
		cfg.Stdout, cfg.Stderr = filepath.Join(logDir, "stdout.log"), filepath.Join(logDir, "stderr.log")
	}
	return cfg, nil
}

// Remove deletes the bookkeeping of an exited container (its directory under
// StateDir). The agent calls it once it has durably recorded the exit; after it,
// Adopt reports the container gone without an exit status.
func (r *Runtime) Remove(state runtime.State) error {
	st, err := decodeState(state)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(st.Dir, configFileName)); err != nil {
		return fmt.Errorf("%w: %s is not a container directory: %w", runtime.ErrInvalidState, st.Dir, err)
	}
	if st.Shim.alive() {
		return fmt.Errorf("remove %s: %w", st.Dir, ErrStillRunning)
	}
	return os.RemoveAll(st.Dir)
}
