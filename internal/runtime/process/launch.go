package process

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// shimLogName is the shim's own log (its stdout and stderr) in the container directory.
const shimLogName = "shim.log"

// errShimExited means the shim ended before reporting whether the application started.
var errShimExited = errors.New("shim exited before reporting the start")

// launch writes the config into the container directory cdir (created and locked
// by Start), starts the shim with the lock and waits for its report.
func (r *Runtime) launch(ctx context.Context, cdir string, lock *os.File, cfg containerConfig) (*handle, error) {
	if err := writeConfig(cdir, cfg); err != nil {
		return nil, fmt.Errorf("%w: writing container config: %w", runtime.ErrCannotStart, err)
	}
	cmd, readyR, err := r.startShim(cdir, lock)
	if err != nil {
		return nil, fmt.Errorf("%w: starting shim: %w", runtime.ErrCannotStart, err)
	}
	msg, err := awaitReady(ctx, readyR)
	if err == nil && msg.Error == "" {
		var st savedState
		if st, err = startedState(cdir, cfg); err == nil {
			h := r.newHandle(st, cfg, &childShim{cmd: cmd})
			h.log.Info("container started", "pid", st.App.PID, "shim", st.Shim.PID, "bindings", st.Bindings)
			return h, nil
		}
	}
	if err != nil {
		cmd.Process.Kill() //nolint:errcheck // the application follows by its parent-death signal
		cmd.Wait()         //nolint:errcheck // we only reap it
		return nil, fmt.Errorf("%w: %w%s", runtime.ErrCannotStart, err, shimLogTail(cdir))
	}
	cmd.Wait() //nolint:errcheck // the shim exits right after its report
	if msg.NotFound {
		return nil, fmt.Errorf("%w: %w: %s", runtime.ErrCannotStart, runtime.ErrNotFound, msg.Error)
	}
	return nil, fmt.Errorf("%w: %s", runtime.ErrCannotStart, msg.Error)
}

// startedState is the State of a container whose shim reported the start. The
// identity comes from the file the shim wrote, not from the report, so that List
// rebuilds exactly this State from the directory.
func startedState(cdir string, cfg containerConfig) (savedState, error) {
	id, ok, err := readIdentity(cdir)
	if err == nil && !ok {
		err = errors.New("the shim reported the start without recording the container's identity")
	}
	if err != nil {
		return savedState{}, err
	}
	return savedState{Version: stateVersion, Dir: cdir, Shim: id.Shim, App: id.App, Bindings: cfg.Bindings}, nil
}

// startShim starts the shim in its own session, so that neither a terminal's signals
// nor the server's death reach it. Its only link to the server is the ready pipe,
// which it closes after reporting; its output goes to a file, never to a pipe.
//
// lock becomes the shim's descriptor lockFD: sharing the open file, the shim holds
// the directory lock for as long as it lives, whatever happens to the server.
func (r *Runtime) startShim(cdir string, lock *os.File) (*exec.Cmd, *os.File, error) {
	logf, err := os.OpenFile(filepath.Join(cdir, shimLogName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	defer logf.Close()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	defer readyW.Close()
	args := append(append([]string(nil), r.shim...), cdir)
	cmd := &exec.Cmd{
		Path: r.shim[0], Args: args, Dir: "/",
		Env:    append(os.Environ(), r.shimEnv...),
		Stdout: logf, Stderr: logf,
		ExtraFiles:  []*os.File{readyW, lock}, // become readyFD and lockFD
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	if err := cmd.Start(); err != nil {
		readyR.Close()
		return nil, nil, err
	}
	return cmd, readyR, nil
}

// awaitReady reads the shim's start report, giving up when ctx ends.
func awaitReady(ctx context.Context, readyR *os.File) (readyMsg, error) {
	type result struct {
		msg readyMsg
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var m readyMsg
		err := json.NewDecoder(readyR).Decode(&m)
		ch <- result{m, err}
	}()
	select {
	case res := <-ch:
		readyR.Close()
		if errors.Is(res.err, io.EOF) || errors.Is(res.err, io.ErrUnexpectedEOF) {
			return res.msg, errShimExited
		}
		return res.msg, res.err
	case <-ctx.Done():
		readyR.Close() // unblocks the decoder
		<-ch
		return readyMsg{}, ctx.Err()
	}
}

// shimLogTail returns the end of the shim's log, for start errors.
func shimLogTail(cdir string) string {
	b, err := os.ReadFile(filepath.Join(cdir, shimLogName))
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 1024 {
		b = b[len(b)-1024:]
	}
	return "; shim log: " + strings.TrimSpace(string(b))
}

// dirPrefix names a container directory after its task and container, for people
// reading StateDir; a random suffix makes it unique.
func dirPrefix(taskID, containerName string) string {
	name := strings.Trim(taskID+"."+containerName, ".")
	if name == "" {
		name = "container"
	}
	clean := []rune(name)
	for i, c := range clean {
		ok := c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !ok {
			clean[i] = '_'
		}
	}
	if len(clean) > 64 {
		clean = clean[:64]
	}
	return string(clean)
}
