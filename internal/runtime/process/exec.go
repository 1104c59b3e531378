package process

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// execOutputLimit bounds what Exec returns: the tail, which holds the error a health
// check printed last.
const execOutputLimit = 4 << 10

// execWaitDelay bounds how long Exec waits for output after the command exited or
// was killed, in case a grandchild that left its process group holds the pipe.
const execWaitDelay = time.Second

// Exec runs argv with the container's environment and working directory. argv[0] is
// resolved like the container's own executable. When ctx ends first, the command's
// process group is killed and the error wraps ctx.Err().
func (h *handle) Exec(ctx context.Context, argv []string) (int, []byte, error) {
	if len(argv) == 0 || argv[0] == "" {
		return -1, nil, fmt.Errorf("exec: %w: empty command", runtime.ErrInvalidSpec)
	}
	if h.exited() {
		return -1, nil, fmt.Errorf("exec %s: %w", argv[0], runtime.ErrGone)
	}
	path, err := resolveExecutable(argv[0], lookupEnv(h.cfg.Env, "PATH"), h.cfg.Dir)
	if err != nil {
		return -1, nil, fmt.Errorf("exec: %w", err)
	}
	out := &tailBuffer{max: execOutputLimit}
	cmd := exec.CommandContext(ctx, path)
	cmd.Args, cmd.Env, cmd.Dir = argv, h.cfg.Env, h.cfg.Dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return unix.Kill(-cmd.Process.Pid, unix.SIGKILL) }
	cmd.WaitDelay = execWaitDelay
	err = cmd.Run()
	if err != nil && ctx.Err() != nil {
		return -1, out.bytes(), fmt.Errorf("exec %s: %w", argv[0], ctx.Err())
	}
	var ee *exec.ExitError
	if cmd.ProcessState != nil && (err == nil || errors.As(err, &ee) || errors.Is(err, exec.ErrWaitDelay)) {
		return *waitRecord(cmd.ProcessState, time.Time{}).ExitCode, out.bytes(), nil
	}
	return -1, out.bytes(), fmt.Errorf("exec %s: %w", argv[0], err)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(p) >= t.max {
		t.buf = append(t.buf[:0], p[len(p)-t.max:]...)
		return len(p), nil
	}
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]byte(nil), t.buf...)
}
