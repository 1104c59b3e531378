package process

import (
	"errors"
	"os"
	"os/exec"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// pollInterval is how often a shim is checked where pidfds are unavailable.
const pollInterval = 100 * time.Millisecond

// errPidReused means the recorded pid now belongs to another process.
var errPidReused = errors.New("pid belongs to another process now")

// supervisor is how the server reaches a shim: signal it, learn when it exits.
type supervisor interface {
	// signal sends sig to the shim; nil if the shim has already exited.
	signal(sig unix.Signal) error
	// wait blocks until the shim has exited.
	wait()
}

// childShim is a shim this server process started: the kernel tells us of its exit
// through wait(2), and os.Process signals it through a pidfd.
type childShim struct{ cmd *exec.Cmd }

func (c *childShim) signal(sig unix.Signal) error {
	err := c.cmd.Process.Signal(sig)
	if errors.Is(err, os.ErrProcessDone) {
		return nil
	}
	return err
}

func (c *childShim) wait() { c.cmd.Wait() } //nolint:errcheck // the exit status that counts is the recorded one

// pidfdShim is a shim started by an earlier server: not our child, so we learn of its
// exit by polling its pidfd, which becomes readable when the process terminates and
// always refers to the same process, whatever happens to its pid.
type pidfdShim struct {
	mu sync.Mutex // guards fd against use after close (fd numbers are reused)
	fd int
}

// openShim attaches to the shim named by id: by pidfd where the kernel offers it,
// else by polling /proc. It fails with errNoProcess when the shim has exited and
// errPidReused when its pid now names another process.
func openShim(id procIdentity) (supervisor, error) {
	fd, err := unix.PidfdOpen(id.PID, 0)
	if errors.Is(err, unix.ESRCH) {
		return nil, errNoProcess
	}
	if err != nil { // ENOSYS (kernel < 5.3) or a seccomp filter: fall back to polling
		if err := checkIdentity(id); err != nil {
			return nil, err
		}
		return &polledShim{id: id}, nil
	}
	// Check the start time after opening: if the pid was recycled before the open, the
	// pidfd names the new process and its start time differs.
	if err := checkIdentity(id); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &pidfdShim{fd: fd}, nil
}

func checkIdentity(id procIdentity) error {
	st, err := readProcStat(id.PID)
	if err != nil {
		return errNoProcess
	}
	if st.startTime != id.StartTime {
		return errPidReused
	}
	return nil
}

func (p *pidfdShim) signal(sig unix.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fd < 0 {
		return nil
	}
	err := unix.PidfdSendSignal(p.fd, sig, nil, 0)
	if errors.Is(err, unix.ESRCH) {
		return nil
	}
	return err
}

func (p *pidfdShim) wait() {
	fds := []unix.PollFd{{Fd: int32(p.fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, -1)
		if n > 0 || (err != nil && !errors.Is(err, unix.EINTR)) {
			break
		}
	}
	p.mu.Lock()
	unix.Close(p.fd)
	p.fd = -1
	p.mu.Unlock()
}

// polledShim watches a shim through /proc where pidfds are unavailable; the start
// time check before each signal keeps a recycled pid safe.
type polledShim struct{ id procIdentity }

func (p *polledShim) signal(sig unix.Signal) error {
	if !p.id.alive() {
		return nil
	}
	err := unix.Kill(p.id.PID, sig)
	if errors.Is(err, unix.ESRCH) {
		return nil
	}
	return err
}

func (p *polledShim) wait() {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for p.id.alive() {
		<-t.C
	}
}
