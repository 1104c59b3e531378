package process

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"golang.org/x/sys/unix"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// handle is a started or adopted container. Both kinds behave alike; they differ
// only in how the shim is watched (supervisor).
type handle struct {
	rt    *Runtime
	log   *slog.Logger
	state savedState
	cfg   containerConfig
	sup   supervisor
	done  chan struct{}
	exit  runtime.ExitStatus // written before done is closed
}

var _ runtime.Handle = (*handle)(nil)

// newHandle returns a handle and starts watching the shim.
func (r *Runtime) newHandle(st savedState, cfg containerConfig, sup supervisor) *handle {
	h := &handle{
		rt: r, state: st, cfg: cfg, sup: sup, done: make(chan struct{}),
		log: r.log.With("task", cfg.TaskID, "container", cfg.ContainerName),
	}
	r.live.Add(h)
	go h.watch()
	return h
}

// watch waits for the shim to exit, then takes the exit status it recorded.
func (h *handle) watch() {
	h.sup.wait()
	exit, ok, err := readStatus(h.state.Dir)
	switch {
	case err != nil:
		exit = runtime.ExitStatus{Reason: "reading the recorded exit status: " + err.Error()}
	case !ok:
		exit = runtime.ExitStatus{Reason: "the container's supervisor (shim) exited without recording an exit status"}
	}
	h.exit = exit
	h.rt.live.Remove(h)
	h.rt.ports.release(h.state.Dir, h.state.Bindings)
	h.log.Info("container exited", "reason", exit.Reason)
	close(h.done)
}

// State returns the JSON the agent persists for Adopt.
func (h *handle) State() runtime.State { return h.state.encode() }

// Bindings returns the host ports in use.
func (h *handle) Bindings() []runtime.Binding {
	return append([]runtime.Binding(nil), h.state.Bindings...)
}

// Done is closed once the container has exited and its status is known.
func (h *handle) Done() <-chan struct{} { return h.done }

// Exit reports how the container ended; valid after Done.
func (h *handle) Exit() runtime.ExitStatus {
	select {
	case <-h.done:
		return h.exit
	default:
		return runtime.ExitStatus{Reason: "still running"}
	}
}

// LogPaths returns the current stdout and stderr log files.
func (h *handle) LogPaths() (stdout, stderr string) { return h.cfg.Stdout, h.cfg.Stderr }

// Stop asks the container to stop with SIGTERM (forwarded by the shim to the
// application's process group), then kills it after timeout.
func (h *handle) Stop(ctx context.Context, timeout time.Duration) error {
	if h.exited() {
		return nil
	}
	h.log.Info("stopping container", "timeout", timeout)
	if err := h.sup.signal(unix.SIGTERM); err != nil {
		h.log.Warn("signalling shim", "signal", "SIGTERM", "err", err)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-h.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	}
	if err := h.Kill(); err != nil {
		return err
	}
	select {
	case <-h.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Kill kills the application's process group now. It asks the shim (SIGUSR1, since
// SIGKILL cannot be forwarded); if the shim cannot be signalled it kills the group
// itself, after checking the application's start time so a recycled pid is spared.
func (h *handle) Kill() error {
	if h.exited() {
		return nil
	}
	h.log.Info("killing container")
	err := h.sup.signal(unix.SIGUSR1)
	if err == nil {
		return nil
	}
	if !h.state.App.alive() {
		return nil // the shim is gone and so is the application
	}
	h.log.Warn("shim cannot be signalled; killing the application directly", "err", err)
	if kerr := unix.Kill(-h.state.App.PID, unix.SIGKILL); kerr != nil && !errors.Is(kerr, unix.ESRCH) {
		return errors.Join(err, kerr)
	}
	return nil
}

func (h *handle) exited() bool {
	select {
	case <-h.done:
		return true
	default:
		return false
	}
}
