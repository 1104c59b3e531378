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

// launch creates the container directory, starts the shim and waits for its report.
func (r *Runtime) launch(ctx context.Context, cfg containerConfig, bindings []runtime.Binding) (*handle, error) {
	cdir, err := os.MkdirTemp(r.stateDir, dirPrefix(cfg)+"-")
	if err != nil {
		return nil, fmt.Errorf("%w: container directory: %w", runtime.ErrCannotStart, err)
	}
	if cfg.Stdout == "" {
		cfg.Stdout, cfg.Stderr = filepath.Join(cdir, "stdout.log"), filepath.Join(cdir, "stderr.log")
	}
	if err := writeConfig(cdir, cfg); err != nil {
		os.RemoveAll(cdir)
		return nil, fmt.Errorf("%w: writing container config: %w", runtime.ErrCannotStart, err)
	}
	cmd, readyR, err := r.startShim(cdir)
	if err != nil {
		os.RemoveAll(cdir)
		return nil, fmt.Errorf("%w: starting shim: %w", runtime.ErrCannotStart, err)
	}
	shimID, _ := identify(cmd.Process.Pid) // our unreaped child: always in /proc
	msg, err := awaitReady(ctx, readyR)
	if err != nil {
		cmd.Process.Kill() //nolint:errcheck // the application follows by its parent-death signal
		cmd.Wait()         //nolint:errcheck // we only reap it
		err = fmt.Errorf("%w: %w%s", runtime.ErrCannotStart, err, shimLogTail(cdir))
		os.RemoveAll(cdir)
		return nil, err
	}
	if msg.Error != "" {
		cmd.Wait() //nolint:errcheck // the shim exits right after its report
		os.RemoveAll(cdir)
		if msg.NotFound {
			return nil, fmt.Errorf("%w: %w: %s", runtime.ErrCannotStart, runtime.ErrNotFound, msg.Error)
		}
		return nil, fmt.Errorf("%w: %s", runtime.ErrCannotStart, msg.Error)
	}
	st := savedState{Version: stateVersion, Dir: cdir, Shim: shimID, App: msg.App, Bindings: bindings}
	h := r.newHandle(st, cfg, &childShim{cmd: cmd})
	h.log.Info("container started", "pid", msg.App.PID, "shim", shimID.PID, "bindings", bindings)
	return h, nil
}

// startShim starts the shim in its own session, so that neither a terminal's signals
// nor the server's death reach it. Its only link to the server is the ready pipe,
// which it closes after reporting; its output goes to a file, never to a pipe.
func (r *Runtime) startShim(cdir string) (*exec.Cmd, *os.File, error) {
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
		ExtraFiles:  []*os.File{readyW}, // becomes readyFD
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
func dirPrefix(cfg containerConfig) string {
	name := strings.Trim(cfg.TaskID+"."+cfg.ContainerName, ".")
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
