package docker

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/runtime/cgroupstat"
)

// oomReason is ECS's reason for a container the kernel killed for memory.
const oomReason = "OutOfMemoryError: Container killed due to memory usage"

// stopGrace bounds engine calls made while cleaning up.
const stopGrace = 30 * time.Second

// waitRetry is how long the watcher waits before asking the engine again
// when a wait broke off (the engine restarted, a connection dropped).
const waitRetry = time.Second

// handle is a started or adopted container.
type handle struct {
	rt        *Runtime
	id        string
	bindings  []runtime.Binding
	hasHealth bool
	meter     meter
	log       *slog.Logger
	done      chan struct{}
	exit      runtime.ExitStatus // written before done is closed
}

var (
	_ runtime.Handle        = (*handle)(nil)
	_ runtime.HealthWatcher = (*handle)(nil)
	_ runtime.Identified    = (*handle)(nil)
)

// newHandle returns a handle for a running container and starts watching
// for its exit.
func (r *Runtime) newHandle(c container.InspectResponse, hasHealth bool) *handle {
	labels := map[string]string{}
	if c.Config != nil {
		labels = c.Config.Labels
	}
	h := &handle{
		rt: r, id: c.ID, bindings: bindingsOf(c), hasHealth: hasHealth, meter: r.newMeter(c), done: make(chan struct{}),
		log: r.log.With("task", labels[labelTaskID], "container", labels[labelContainer]),
	}
	r.live.Add(h)
	r.goWatch(h.watch)
	return h
}

// watch waits until the container no longer runs, then reads how it ended.
// A wait that breaks off is retried; a container that disappeared (removed
// behind our back) ends with what is known.
func (h *handle) watch() {
	for {
		res := h.rt.cli.ContainerWait(h.rt.ctx, h.id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
		select {
		case <-res.Result:
		case err := <-res.Error:
			if h.rt.ctx.Err() != nil {
				return // closing: a restarted server adopts the container
			}
			if !cerrdefs.IsNotFound(err) {
				h.log.Warn("waiting for the container broke off; retrying", "err", err)
				select {
				case <-time.After(waitRetry):
					continue
				case <-h.rt.ctx.Done():
					return
				}
			}
		}
		break
	}
	h.rt.live.Remove(h)
	h.exit = h.rt.exitStatus(h.rt.ctx, h.id)
	h.log.Info("container exited", "reason", h.exit.Reason)
	close(h.done)
}

// exitStatus reads how a container that no longer runs ended, as ECS
// records it: the exit code, and the OOM killer's verdict as the reason.
func (r *Runtime) exitStatus(ctx context.Context, id string) runtime.ExitStatus {
	insp, err := r.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if cerrdefs.IsNotFound(err) {
		return runtime.ExitStatus{Reason: "the container was removed before its exit status was read"}
	}
	if err != nil || insp.Container.State == nil {
		return runtime.ExitStatus{Reason: fmt.Sprintf("reading the exit status: %v", err)}
	}
	exit := exitOf(insp.Container.State)
	// A task's memory limit is its cgroup's (taskCgroups): the kernel's OOM
	// killer acts there, and the engine, which watches the container's own
	// cgroup, does not see it.
	if exit.Reason != oomReason && exit.Signal == "SIGKILL" && insp.Container.Config != nil {
		if dir := r.tasks.memoryDir(insp.Container.Config.Labels[labelTaskID]); dir != "" && cgroupstat.OOMKills(dir) > 0 {
			exit.Reason = oomReason
		}
	}
	return exit
}

func exitOf(st *container.State) runtime.ExitStatus {
	code := st.ExitCode
	out := runtime.ExitStatus{ExitCode: &code, Reason: "exit status " + strconv.Itoa(code)}
	if t, err := time.Parse(time.RFC3339Nano, st.FinishedAt); err == nil && t.Year() > 1 {
		out.FinishedAt = t
	}
	if code > 128 && code < 128+65 {
		out.Signal = signalName(code - 128)
	}
	switch {
	case st.OOMKilled:
		out.Reason = oomReason
	case st.Error != "":
		out.Reason = "CannotStartContainerError: " + st.Error
	case out.Signal != "":
		out.Reason = "exit status " + strconv.Itoa(code) + " (" + out.Signal + ")"
	}
	return out
}

// signalName names the signals a container is commonly stopped by.
func signalName(n int) string {
	names := map[int]string{1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM"}
	return names[n]
}

// RuntimeID is the engine's id of the container.
func (h *handle) RuntimeID() string { return h.id }

// State returns the JSON the agent persists for Adopt.
func (h *handle) State() runtime.State { return savedState{Version: stateVersion, ID: h.id}.encode() }

// Bindings are where the container's ports are reachable.
func (h *handle) Bindings() []runtime.Binding { return append([]runtime.Binding(nil), h.bindings...) }

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

// LogPaths returns no files: the engine keeps the container's output (see
// LogTail).
func (h *handle) LogPaths() (stdout, stderr string) { return "", "" }

// Stop asks the engine to stop the container: its stop signal (SIGTERM
// unless the image says otherwise), then SIGKILL after timeout.
func (h *handle) Stop(ctx context.Context, timeout time.Duration) error {
	if h.exited() {
		return nil
	}
	secs := int(math.Ceil(timeout.Seconds()))
	h.log.Info("stopping container", "timeout", timeout)
	if _, err := h.rt.cli.ContainerStop(ctx, h.id, client.ContainerStopOptions{Timeout: &secs}); err != nil && !cerrdefs.IsNotFound(err) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		h.log.Warn("stopping container", "err", err)
	}
	select {
	case <-h.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Kill sends SIGKILL now; it does not wait.
func (h *handle) Kill() error {
	if h.exited() {
		return nil
	}
	h.log.Info("killing container")
	_, err := h.rt.cli.ContainerKill(context.WithoutCancel(h.rt.ctx), h.id, client.ContainerKillOptions{Signal: "SIGKILL"})
	if err != nil && !cerrdefs.IsNotFound(err) && !cerrdefs.IsConflict(err) { // conflict: not running any more
		return fmt.Errorf("kill %s: %w", shortID(h.id), err)
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
