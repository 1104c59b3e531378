//go:build unix

package lb

import (
	"io"
	"net"
	"syscall"
	"unsafe"
)

// fdIO reads and writes a non-blocking TCP socket with raw system calls through
// syscall.RawConn, parking on the runtime poller only on EAGAIN.
//
// Why: net.Conn's Read and Write enter the scheduler's syscall state. On a busy,
// oversubscribed machine a socket write that wakes the peer is often preempted by the
// kernel; sysmon then sees a "long syscall", hands the P to another thread and keeps
// ticking every 20µs, and the resulting thread wake-ups cost more than the proxying
// itself. Non-blocking socket calls never block, so they can skip that state safely.
type fdIO struct {
	rc  syscall.RawConn
	rfn func(uintptr) bool // method values, allocated once per connection
	wfn func(uintptr) bool
	xfn func(uintptr) bool

	// Read and Write state are separate: a spliced (WebSocket) connection reads and
	// writes from two goroutines at once.
	p    []byte // read target
	n    int
	rerr error
	w    []byte // write source
	wn   int
	werr error

	xw    *writer // exchange: write this, then read into xr
	xr    *reader
	xdone bool
}

func newFdIO(nc net.Conn) *fdIO {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	f := &fdIO{rc: rc}
	f.rfn, f.wfn, f.xfn = f.readStep, f.writeStep, f.exchangeStep
	return f
}

func rawRead(fd uintptr, p []byte) (int, syscall.Errno) {
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		if e != syscall.EINTR {
			return int(r), e
		}
	}
}

func rawWrite(fd uintptr, p []byte) (int, syscall.Errno) {
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		if e != syscall.EINTR {
			return int(r), e
		}
	}
}

// Read implements io.Reader.
func (f *fdIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	f.p, f.n, f.rerr = p, 0, nil
	err := f.rc.Read(f.rfn)
	f.p = nil
	if err != nil {
		return 0, err
	}
	return f.n, f.rerr
}

func (f *fdIO) readStep(fd uintptr) bool {
	n, e := rawRead(fd, f.p)
	switch {
	case e == syscall.EAGAIN:
		return false
	case e != 0:
		f.rerr = e
	case n == 0:
		f.rerr = io.EOF
	default:
		f.n = n
	}
	return true
}

// Write implements io.Writer.
func (f *fdIO) Write(p []byte) (int, error) {
	f.w, f.wn, f.werr = p, 0, nil
	err := f.rc.Write(f.wfn)
	f.w = nil
	if err == nil {
		err = f.werr
	}
	return f.wn, err
}

func (f *fdIO) writeStep(fd uintptr) bool {
	for f.wn < len(f.w) {
		n, e := rawWrite(fd, f.w[f.wn:])
		if e == syscall.EAGAIN {
			return false
		}
		if e != 0 {
			f.werr = e
			return true
		}
		f.wn += n
	}
	return true
}

// exchange sends w's buffer and then reads the first response bytes into r, inside one
// RawConn.Read. RawRead resets the descriptor's readiness before its first callback, so
// a plain Write-then-Read always costs a failed (EAGAIN) read before parking. Writing
// after that reset means no readiness edge can be missed (a target cannot answer before
// it has the request), so the first read usually finds the response. Pooled connections
// carry no unread bytes (put checks, get peeks after idleness), which makes this safe.
// It reports whether the request was completely written (false: nothing or part was).
func (f *fdIO) exchange(w *writer, r *reader) (bool, error) {
	f.xw, f.xr, f.xdone, f.wn, f.rerr, f.werr = w, r, false, 0, nil, nil
	err := f.rc.Read(f.xfn)
	f.xw, f.xr = nil, nil
	if err == nil {
		err = f.werr
	}
	if err == nil {
		err = f.rerr
	}
	if err != nil || f.xdone {
		if err == nil {
			w.n = 0
		}
		return f.xdone, err
	}
	// Send buffer full: finish the ordinary way.
	if _, err := f.Write(w.buf[f.wn:w.n]); err != nil {
		return false, err
	}
	w.n = 0
	return true, r.fill()
}

func (f *fdIO) exchangeStep(fd uintptr) bool {
	if !f.xdone {
		w := f.xw
		for f.wn < w.n {
			n, e := rawWrite(fd, w.buf[f.wn:w.n])
			if e == syscall.EAGAIN {
				return true // leave the rest to Write
			}
			if e != 0 {
				f.werr = e
				return true
			}
			f.wn += n
		}
		f.xdone = true
		return false // wait for readability before the first read
	}
	r := f.xr
	n, e := rawRead(fd, r.buf[r.w:])
	switch {
	case e == syscall.EAGAIN:
		return false
	case e != 0:
		f.rerr = e
	case n == 0:
		f.rerr = io.EOF
		r.err = io.EOF
	default:
		r.w += n
	}
	return true
}
