package process

import (
	"context"
	"errors"
	"fmt"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// Adopt re-attaches to a container started by an earlier server process, from the
// State Start returned or List found. The shim is recognised by pid and start time,
// so a recycled pid is never mistaken for it. A container that exited meanwhile is
// reported as a *runtime.GoneError carrying the exit status its shim recorded; its
// ports, which List may have held, are then released.
func (r *Runtime) Adopt(ctx context.Context, state runtime.State) (runtime.Handle, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := decodeState(state)
	if err != nil {
		return nil, err
	}
	h, err := r.attach(st)
	if err != nil {
		var gone *runtime.GoneError
		if errors.As(err, &gone) {
			r.ports.release(st.Dir, st.Bindings)
		}
		return nil, err
	}
	return h, nil
}

// attach watches the container described by st if its shim still runs.
func (r *Runtime) attach(st savedState) (*handle, error) {
	if gerr := goneIfRecorded(st); gerr != nil {
		return nil, gerr
	}
	if st.Shim.PID == 0 { // a directory List found without identity: no shim holds it
		return nil, &runtime.GoneError{Detail: "its shim never recorded the container's identity: it did not start, or died starting the application"}
	}
	cfg, cfgErr := readConfig(st.Dir)
	if cfgErr != nil {
		if st.Shim.alive() { // running, but we cannot know its environment: refuse
			return nil, fmt.Errorf("%w: %w", runtime.ErrInvalidState, cfgErr)
		}
		return nil, &runtime.GoneError{Detail: fmt.Sprintf("container directory unreadable (%v) and its shim is not running", cfgErr)}
	}
	sup, err := openShim(st.Shim)
	if err != nil {
		if gerr := goneIfRecorded(st); gerr != nil { // it exited just now
			return nil, gerr
		}
		detail := "its shim is no longer running and recorded no exit status"
		if errors.Is(err, errPidReused) {
			detail = fmt.Sprintf("shim pid %d belongs to another process now and no exit status was recorded", st.Shim.PID)
		}
		return nil, &runtime.GoneError{Detail: detail}
	}
	r.ports.reserve(st.Dir, st.Bindings)
	h := r.newHandle(st, cfg, sup)
	h.log.Info("container adopted", "pid", st.App.PID, "shim", st.Shim.PID)
	return h, nil
}

// goneIfRecorded returns a GoneError when the shim has recorded an exit status.
func goneIfRecorded(st savedState) error {
	exit, ok, err := readStatus(st.Dir)
	if err != nil {
		return &runtime.GoneError{Detail: "exit status unreadable: " + err.Error()}
	}
	if !ok {
		return nil
	}
	return &runtime.GoneError{Exit: &exit, Detail: "exited while no server watched"}
}
