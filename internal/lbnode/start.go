package lbnode

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
	"time"
)

// EnvNode is set in the environment of the data plane process. A process
// that has it never starts another (a data plane command that is not one,
// such as a test binary whose TestMain does not route "__lb", would
// otherwise start servers that start data planes, without end).
const EnvNode = "SLIPWAY_LB_NODE"

// Start-up bounds.
const (
	readyTimeout = 15 * time.Second
	maxLogBytes  = 10 << 20
)

// errNoReport means the process ended before reporting.
var errNoReport = errors.New("the data plane process exited before reporting that it listens")

// start starts the data plane process and waits until it listens.
func (s *Supervisor) start(ctx context.Context) error {
	if os.Getenv(EnvNode) == "1" {
		return fmt.Errorf("%w: refusing to start a data plane from within one (does the program route %q to lbnode.Main?)", ErrBadOptions, Arg)
	}
	logPath := filepath.Join(s.opts.Dir, logName)
	rotateLog(logPath)
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer readyR.Close()
	args := append(append([]string(nil), s.opts.Command...),
		"--dir", s.opts.Dir, "--host", s.opts.Host, "--identity", s.opts.Identity)
	cmd := &exec.Cmd{
		Path: s.opts.Command[0], Args: args, Dir: "/",
		Env:    append(append(os.Environ(), s.opts.Env...), EnvNode+"=1"),
		Stdout: logf, Stderr: logf,
		ExtraFiles: []*os.File{readyW}, // becomes readyFD
		// A session of its own: neither the terminal's signals nor the
		// server's death reach it.
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	err = cmd.Start()
	readyW.Close()
	if err != nil {
		return fmt.Errorf("starting the load-balancer data plane %s: %w", s.opts.Command[0], err)
	}
	go cmd.Wait() //nolint:errcheck // only reaps it; how it ended is in its log
	msg, err := awaitReady(ctx, readyR)
	if err == nil && msg.Error != "" {
		err = errors.New(msg.Error)
	}
	if err != nil {
		cmd.Process.Kill() //nolint:errcheck // it may have exited already
		return fmt.Errorf("the load-balancer data plane did not start: %w%s", err, logTail(logPath))
	}
	s.log.Info("load-balancer data plane started", "pid", msg.PID, "socket", s.sock)
	return nil
}

// awaitReady reads the start report, giving up when ctx ends or readyTimeout passes.
func awaitReady(ctx context.Context, r *os.File) (readyMsg, error) {
	r.SetReadDeadline(time.Now().Add(readyTimeout))
	stop := context.AfterFunc(ctx, func() { r.SetReadDeadline(time.Now()) })
	defer stop()
	var m readyMsg
	err := json.NewDecoder(r).Decode(&m)
	switch {
	case err == nil:
		return m, nil
	case ctx.Err() != nil:
		return m, ctx.Err()
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return m, errNoReport
	case errors.Is(err, os.ErrDeadlineExceeded):
		return m, fmt.Errorf("no report within %s", readyTimeout)
	}
	return m, err
}

// rotateLog keeps the log bounded: at a start, a log over maxLogBytes
// becomes lb.log.1 (replacing the previous one).
func rotateLog(path string) {
	if st, err := os.Stat(path); err == nil && st.Size() > maxLogBytes {
		_ = os.Rename(path, path+".1")
	}
}

// logTail returns the end of the process's log, for start errors.
func logTail(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > 1024 {
		_, _ = f.Seek(-1024, io.SeekEnd)
	}
	b, _ := io.ReadAll(io.LimitReader(f, 1024))
	if len(b) == 0 {
		return ""
	}
	return "; " + path + " ends: " + strings.TrimSpace(string(b))
}
