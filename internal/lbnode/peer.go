package lbnode

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// peer is the data plane process at the other end of a connection to our
// socket, held by a pidfd opened while the connection was up: signals and
// waits reach that process even if its pid is recycled later.
type peer struct {
	pid int
	mu  sync.Mutex // guards fd against use after close
	fd  int        // -1 where pidfds are unavailable: then kill(2) by pid
}

// peerOf returns the process on the other end of a unix connection, by
// SO_PEERCRED.
func peerOf(conn net.Conn) (*peer, error) {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return nil, fmt.Errorf("not a unix connection: %T", conn)
	}
	rc, err := uc.SyscallConn()
	if err != nil {
		return nil, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := rc.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return nil, err
	}
	if cerr != nil {
		return nil, cerr
	}
	p := &peer{pid: int(cred.Pid), fd: -1}
	if fd, err := unix.PidfdOpen(p.pid, 0); err == nil {
		p.fd = fd
	}
	return p, nil
}

// signal sends sig; nil when the process is gone already.
func (p *peer) signal(sig unix.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var err error
	if p.fd >= 0 {
		err = unix.PidfdSendSignal(p.fd, sig, nil, 0)
	} else {
		err = unix.Kill(p.pid, sig)
	}
	if errors.Is(err, unix.ESRCH) {
		return nil
	}
	return err
}

// exited reports whether the process has terminated.
func (p *peer) exited() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fd < 0 {
		return errors.Is(unix.Kill(p.pid, 0), unix.ESRCH)
	}
	fds := []unix.PollFd{{Fd: int32(p.fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0
}

// wait polls until the process has terminated or timeout passes.
func (p *peer) wait(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for !p.exited() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// terminate asks the process to stop (SIGTERM: it closes its listeners) and
// kills it if it has not after grace.
func (p *peer) terminate(grace time.Duration) error {
	if err := p.signal(unix.SIGTERM); err != nil {
		return err
	}
	if p.wait(grace) {
		return nil
	}
	if err := p.signal(unix.SIGKILL); err != nil {
		return err
	}
	if !p.wait(grace) {
		return fmt.Errorf("data plane process %d did not exit after SIGKILL", p.pid)
	}
	return nil
}

func (p *peer) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fd >= 0 {
		unix.Close(p.fd)
		p.fd = -1
	}
}
