package process

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	goruntime "runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ShimArg is the hidden subcommand that runs the shim: `slipway __shim DIR`.
const ShimArg = "__shim"

// DefaultShimCommand returns the ShimCommand for a slipway binary whose CLI routes
// ShimArg to ShimMain: this executable followed by "__shim".
func DefaultShimCommand() ([]string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("locating the slipway executable for the shim: %w", err)
	}
	return []string{exe, ShimArg}, nil
}

// readyFD is the file descriptor on which the shim reports the start (a readyMsg) to
// the server that launched it, then closes it: the only pipe between the two.
const readyFD = 3

// drainTimeout bounds how long the shim keeps reading logs after the application
// exited, in case a process that left its group still holds the pipes.
const drainTimeout = 2 * time.Second

// readyMsg is the shim's start report.
type readyMsg struct {
	App      procIdentity `json:"app"`
	Error    string       `json:"error,omitempty"`
	NotFound bool         `json:"notFound,omitempty"`
}

// ShimMain runs the supervisor shim for one container and returns its exit code. The
// CLI routes `slipway __shim DIR` here; args are the arguments after the program name,
// with or without the leading "__shim". DIR is the container directory, holding the
// container.json written by the server. See the package documentation.
func ShimMain(args []string) int {
	if len(args) > 0 && args[0] == ShimArg {
		args = args[1:]
	}
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: slipway __shim CONTAINER_DIR (internal; started by the process runtime)")
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("shim", os.Getpid())
	if err := runShim(args[0], log); err != nil {
		log.Error("shim failed", "err", err)
		return 1
	}
	return 0
}

// runShim starts the application, records who the shim and the application are,
// reports to the server, supervises the application until it exits and records its
// exit status.
func runShim(dir string, log *slog.Logger) error {
	// Pdeathsig is tied to the forking OS thread: keep this goroutine on one thread
	// for the shim's life, so the application dies only when the shim does.
	goruntime.LockOSThread()
	keep := []int{readyFD}
	if inheritLock(dir) {
		keep = append(keep, lockFD)
	}
	closeInheritedFDs(keep...)
	// The ready pipe came without close-on-exec; the application must not inherit it,
	// or the server would wait for its EOF until the application exits.
	syscall.CloseOnExec(readyFD)
	ready := os.NewFile(readyFD, "ready")
	defer ready.Close()
	// Signals are caught before the application starts, so a Stop right after Start
	// is forwarded rather than killing the shim.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT, unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1)
	app, err := startRecorded(dir, log)
	if err != nil {
		return reportStartFailure(dir, ready, err)
	}
	sendReady(ready, readyMsg{App: app.id}, log)
	ready.Close() // from here on nothing ties the shim to the server
	log.Info("container started", "pid", app.id.PID, "path", app.cmd.Path)
	rec := withOOMVerdict(app.cgroups, app.supervise(sigs, log))
	if err := writeStatus(dir, rec); err != nil {
		return fmt.Errorf("recording exit status: %w", err)
	}
	log.Info("container exited", "reason", rec.Reason)
	return nil
}

// startRecorded starts the application and records the shim's and its identity in
// dir before anyone is told it runs. Why no running application can go unlisted:
// until the record is on disk the shim holds the directory lock (inherited from the
// server, which took it before writing the config), so List waits rather than
// conclude nothing runs there; and if the shim dies before the record, the lock is
// released only as the shim exits, whereupon the kernel kills the application with
// its parent-death signal (os/exec checks, after setting it, that the parent has not
// died already). If the record cannot be written, the application is killed here.
func startRecorded(dir string, log *slog.Logger) (*shimApp, error) {
	self, err := identify(os.Getpid())
	if err != nil {
		return nil, fmt.Errorf("reading the shim's own start time: %w", err)
	}
	cfg, err := readConfig(dir)
	if err != nil {
		return nil, err
	}
	app, err := startApp(cfg, log)
	if err != nil {
		return nil, err
	}
	app.cgroups = cfg.Cgroups
	if err := joinCgroups(cfg.Cgroups, app.cmd.Process.Pid); err != nil {
		app.abort()
		return nil, err
	}
	if err := writeIdentity(dir, identityRecord{Shim: self, App: app.id}); err != nil {
		app.abort()
		return nil, fmt.Errorf("recording the container's identity: %w", err)
	}
	return app, nil
}

// closeInheritedFDs closes the descriptors above 2 that the shim inherited, except
// keep. os/exec passes on whatever descriptors its caller inherited without
// close-on-exec (a pipe from whoever started the server, say); held by a long-lived
// shim and its application, such a pipe would never see EOF. Descriptors the Go
// runtime opened itself carry close-on-exec and are left alone.
func closeInheritedFDs(keep ...int) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 || slices.Contains(keep, fd) {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err == nil && flags&unix.FD_CLOEXEC == 0 {
			unix.Close(fd)
		}
	}
}

// reportStartFailure tells the server why the application did not start and records
// it as the exit status, for a server that adopts instead of waiting.
func reportStartFailure(dir string, ready *os.File, err error) error {
	var se *startError
	notFound := errors.As(err, &se) && errors.Is(err, fs.ErrNotExist)
	msg := readyMsg{Error: err.Error(), NotFound: notFound}
	sendReady(ready, msg, slog.New(slog.DiscardHandler))
	rec := exitRecord{Reason: "CannotStartContainerError: " + err.Error(), FinishedAt: time.Now()}
	if werr := writeStatus(dir, rec); werr != nil {
		return errors.Join(err, werr)
	}
	return err
}

// sendReady writes msg to the server; a server that died meanwhile gets EPIPE, which
// is ignored: Go raises SIGPIPE only for descriptors 1 and 2. (The shim must not
// ignore SIGPIPE itself: the application would inherit the ignored disposition.)
func sendReady(ready *os.File, msg readyMsg, log *slog.Logger) {
	b, _ := json.Marshal(msg)
	if _, err := ready.Write(b); err != nil {
		log.Warn("server did not take the start report", "err", err)
	}
}

// shimApp is the running application and its log pumps.
type shimApp struct {
	cmd     *exec.Cmd
	id      procIdentity
	cgroups []string // the container's cgroups (see Limits)
	pipes   []*os.File
	pumps   sync.WaitGroup
	closers []io.Closer
}

// startApp starts the application in its own session (so its process group id is its
// pid), with stdout and stderr piped into bounded log files by the shim.
func startApp(cfg containerConfig, log *slog.Logger) (*shimApp, error) {
	a := &shimApp{}
	var logs []*boundedLog
	var writers []*os.File
	for _, path := range []string{cfg.Stdout, cfg.Stderr} {
		lf, err := openBoundedLog(path, cfg.LogMaxBytes, log)
		if err != nil {
			a.abandon(logs, writers)
			return nil, fmt.Errorf("opening log file: %w", err)
		}
		logs = append(logs, lf)
		r, w, err := os.Pipe()
		if err != nil {
			a.abandon(logs, writers)
			return nil, err
		}
		growPipe(r)
		a.pipes, writers = append(a.pipes, r), append(writers, w)
	}
	a.cmd = &exec.Cmd{
		Path: cfg.Path, Args: cfg.Args, Env: cfg.Env, Dir: cfg.Dir,
		Stdout: writers[0], Stderr: writers[1],
		SysProcAttr: &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGKILL},
	}
	if err := a.cmd.Start(); err != nil {
		a.abandon(logs, writers)
		return nil, &startError{err: err}
	}
	closeFiles(writers) // the application holds the write ends now
	for i, lf := range logs {
		a.closers = append(a.closers, lf)
		a.pumps.Go(func() { pump(lf, a.pipes[i]) })
	}
	id, err := identify(a.cmd.Process.Pid)
	if err != nil { // unexpected: until reaped it is at worst a zombie, still in /proc
		log.Warn("reading application start time", "err", err)
		id = procIdentity{PID: a.cmd.Process.Pid}
	}
	a.id = id
	return a, nil
}

// startError is a failure of exec itself (as opposed to preparing for it).
type startError struct{ err error }

func (e *startError) Error() string { return e.err.Error() }
func (e *startError) Unwrap() error { return e.err }

// abandon releases what startApp had opened when it cannot go on.
func (a *shimApp) abandon(logs []*boundedLog, writers []*os.File) {
	closeFiles(writers)
	closeFiles(a.pipes)
	for _, lf := range logs {
		lf.Close()
	}
}

// abort kills the application's process group and waits for it, for a start that
// cannot be completed.
func (a *shimApp) abort() {
	unix.Kill(-a.cmd.Process.Pid, unix.SIGKILL) //nolint:errcheck // it may have exited already
	a.cmd.Wait()                                //nolint:errcheck // the start failed; how it ended does not matter
	a.finishLogs()
}

// pumpPause is how long pump waits after a read that did not half fill its
// buffer; pipeSize is the capacity the shim asks for its pipes (Linux allows up
// to 1 MiB unprivileged), which holds what a container writes meanwhile.
const (
	pumpPause = 10 * time.Millisecond
	pipeSize  = 1 << 20
	pumpBuf   = 256 << 10
)

// growPipe enlarges a pipe's buffer where the kernel allows; a pipe that keeps
// its 64 KiB only makes pump read more often.
func growPipe(f *os.File) {
	unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, pipeSize) //nolint:errcheck // best effort
}

// pump copies a pipe into a log file until EOF or the drain deadline. After a read
// that did not half fill its buffer it waits pumpPause before reading again, so a
// container that writes line by line has its lines written (and indexed) a few
// hundred times per second rather than once per line; the container does not
// wait, since the pipe holds its output meanwhile (a container writing more than
// the pipe holds in pumpPause fills the buffer, and pump then reads without pause).
func pump(dst io.Writer, src *os.File) {
	buf := make([]byte, pumpBuf)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			dst.Write(buf[:n]) //nolint:errcheck // boundedLog never fails a write
		}
		if err != nil {
			return // EOF or the drain deadline
		}
		if n < len(buf)/2 {
			time.Sleep(pumpPause)
		}
	}
}

// supervise forwards signals to the application's process group until it exits,
// then ends the rest of its group, drains its logs and returns how it ended.
// SIGUSR1 stands for SIGKILL, which cannot be caught and so cannot be forwarded.
func (a *shimApp) supervise(sigs <-chan os.Signal, log *slog.Logger) exitRecord {
	waited := make(chan error, 1)
	go func() { waited <- a.cmd.Wait() }()
	pgid := a.cmd.Process.Pid
	for {
		select {
		case sig := <-sigs:
			fwd := sig.(syscall.Signal)
			if fwd == unix.SIGUSR1 {
				fwd = unix.SIGKILL
			}
			log.Info("forwarding signal to container", "signal", unix.SignalName(fwd))
			if err := unix.Kill(-pgid, fwd); err != nil && !errors.Is(err, unix.ESRCH) {
				log.Warn("forwarding signal", "signal", unix.SignalName(fwd), "err", err)
			}
		case <-waited:
			finished := time.Now()
			// Like a container's, the group ends with its main process. The leader
			// is reaped, but its pid stays reserved while the group has members.
			if err := unix.Kill(-pgid, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
				log.Warn("killing the rest of the container's process group", "err", err)
			}
			a.finishLogs()
			return waitRecord(a.cmd.ProcessState, finished)
		}
	}
}

// finishLogs waits for the log pumps to drain (bounded by drainTimeout) and closes
// the log files.
func (a *shimApp) finishLogs() {
	deadline := time.Now().Add(drainTimeout)
	for _, r := range a.pipes {
		r.SetReadDeadline(deadline) //nolint:errcheck // pipes are pollable; worst case we wait for EOF
	}
	a.pumps.Wait()
	closeFiles(a.pipes)
	for _, c := range a.closers {
		c.Close()
	}
}

func closeFiles(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}
