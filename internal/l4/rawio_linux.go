//go:build linux

package l4

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// Raw, non-blocking socket I/O for plain TCP relaying, through syscall.RawConn:
// the runtime poller parks a goroutine only on EAGAIN.
//
// Why not io.Copy: net.Conn's Read, Write and splice enter the scheduler's
// syscall state. On loopback and on a busy machine a socket write that wakes the
// peer does the peer's work inside the call, sysmon takes it for a long syscall,
// hands the P to another thread and keeps ticking every 20 µs, and those thread
// wake-ups cost more than the relaying (internal/lb found the same). Non-blocking
// calls never block, so they can skip that state.
//
// A direction starts by copying through a pooled buffer, taken only once the
// socket is readable, so a short exchange needs no pipe; once a read fills the
// buffer (bulk data) it splices through a pipe from the data plane's pool: the
// bytes no longer cross user space.

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

const (
	spliceMove     = 0x1 // SPLICE_F_MOVE
	spliceNonblock = 0x2 // SPLICE_F_NONBLOCK
)

func rawSplice(in, out uintptr, n int) (int, syscall.Errno) {
	for {
		r, _, e := syscall.RawSyscall6(syscall.SYS_SPLICE, in, 0, out, 0, uintptr(n), spliceMove|spliceNonblock)
		if e != syscall.EINTR {
			return int(r), e
		}
	}
}

// kpipe is a kernel pipe that spliced bytes pass through.
type kpipe struct{ r, w int }

func (p *kpipe) close() {
	syscall.Close(p.r)
	syscall.Close(p.w)
}

// pipePool keeps up to cap(free) empty pipes for reuse: creating one costs three
// system calls, closing it two.
type pipePool struct{ free chan *kpipe }

func newPipePool() *pipePool { return &pipePool{free: make(chan *kpipe, 256)} }

func (pp *pipePool) get() *kpipe {
	select {
	case p := <-pp.free:
		return p
	default:
	}
	var fds [2]int
	if err := syscall.Pipe2(fds[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		return nil
	}
	// As Go's own splice: a 1 MiB pipe moves a chunk in one call (best effort).
	syscall.Syscall(syscall.SYS_FCNTL, uintptr(fds[1]), syscall.F_SETPIPE_SZ, spliceChunk)
	return &kpipe{r: fds[0], w: fds[1]}
}

// put returns an empty pipe to the pool (a pipe still holding bytes is closed).
func (pp *pipePool) put(p *kpipe, empty bool) {
	if !empty {
		p.close()
		return
	}
	select {
	case pp.free <- p:
	default:
		p.close()
	}
}

// drain closes every pooled pipe (Run's shutdown).
func (pp *pipePool) drain() {
	for {
		select {
		case p := <-pp.free:
			p.close()
		default:
			return
		}
	}
}

// rawDirection is one direction of a plain TCP relay. The poller callbacks are
// method values bound once (bind) and kept while the relay state that holds
// the direction is pooled; their state lives here, so a step allocates nothing.
type rawDirection struct {
	src, dst syscall.RawConn
	bufs     *sync.Pool
	pipes    *pipePool
	pipe     *kpipe // set once the direction splices
	inPipe   int    // bytes spliced into the pipe, not yet out

	stepFn                           func() (int64, error)
	readFn, writeFn, fillFn, drainFn func(uintptr) bool
	bp                               *[]byte // the buffer of the current copy step
	n                                int     // bytes read into bp
	full                             bool    // the read filled bp
	out                              []byte  // what remains to write
	errno                            syscall.Errno
}

// bind sets the pools and binds the callbacks, once per rawDirection.
func (r *rawDirection) bind(bufs *sync.Pool, pipes *pipePool) {
	r.bufs, r.pipes = bufs, pipes
	r.stepFn = r.step
	r.readFn, r.writeFn, r.fillFn, r.drainFn = r.readStep, r.writeStep, r.fillStep, r.drainStep
}

// start readies r to move src to dst.
func (r *rawDirection) start(dst, src syscall.RawConn) { r.src, r.dst = src, dst }

// rawConns returns the raw connections of a pair of TCP connections; ok is
// false for any other pair (TLS), which copies.
func rawConns(a, b net.Conn) (ra, rb syscall.RawConn, ok bool) {
	at, ok1 := a.(*net.TCPConn)
	bt, ok2 := b.(*net.TCPConn)
	if !ok1 || !ok2 {
		return nil, nil, false
	}
	ra, err1 := at.SyscallConn()
	rb, err2 := bt.SyscallConn()
	return ra, rb, err1 == nil && err2 == nil
}

// step moves one buffer or one splice chunk from src to dst. It returns the bytes
// moved, io.EOF at src's end, or the error (os.ErrDeadlineExceeded from the
// deadlines the caller sets). A write that times out keeps what it has not
// written (the buffer, or the bytes in the pipe) for the next step, which
// writes them before reading more: the caller goes on when the other
// direction kept the connection busy, and no byte may be skipped.
func (r *rawDirection) step() (int64, error) {
	if r.pipe != nil {
		return r.spliceStep()
	}
	if len(r.out) > 0 {
		return r.flush()
	}
	r.errno = 0
	err := r.src.Read(r.readFn)
	switch {
	case err != nil:
		return 0, err
	case r.errno != 0:
		r.putBuf()
		return 0, r.errno
	case r.n == 0:
		r.putBuf()
		return 0, io.EOF
	}
	r.full = r.n == len(*r.bp)
	r.out = (*r.bp)[:r.n]
	return r.flush()
}

// flush writes what remains of the current buffer to dst.
func (r *rawDirection) flush() (int64, error) {
	before := len(r.out)
	r.errno = 0
	err := r.dst.Write(r.writeFn)
	if err == nil && r.errno != 0 {
		err = r.errno
	}
	w := before - len(r.out)
	if len(r.out) > 0 && errors.Is(err, os.ErrDeadlineExceeded) {
		return int64(w), err // the rest waits for the next step
	}
	r.out = nil
	r.putBuf()
	if err == nil && r.full {
		r.pipe = r.pipes.get() // a full buffer: bulk data, splice from now on (stay copying without a pipe)
	}
	return int64(w), err
}

func (r *rawDirection) putBuf() {
	r.bufs.Put(r.bp)
	r.bp = nil
}

// readStep takes a buffer only once the socket has something to read.
func (r *rawDirection) readStep(fd uintptr) bool {
	r.bp = r.bufs.Get().(*[]byte)
	r.n, r.errno = rawRead(fd, *r.bp)
	if r.errno == syscall.EAGAIN {
		r.putBuf() // hold no buffer while the socket is idle
		r.errno = 0
		return false
	}
	return true
}

func (r *rawDirection) writeStep(fd uintptr) bool {
	for len(r.out) > 0 {
		n, e := rawWrite(fd, r.out)
		if e == syscall.EAGAIN {
			return false
		}
		if e != 0 {
			r.errno = e
			return true
		}
		r.out = r.out[n:]
	}
	return true
}

func (r *rawDirection) spliceStep() (int64, error) {
	if r.inPipe == 0 { // else a drain timed out: its bytes go first
		r.errno = 0
		err := r.src.Read(r.fillFn)
		switch {
		case err != nil:
			return 0, err
		case r.errno != 0:
			return 0, r.errno
		case r.inPipe == 0:
			return 0, io.EOF
		}
	}
	moved := r.inPipe
	r.errno = 0
	err := r.dst.Write(r.drainFn)
	if err == nil && r.errno != 0 {
		err = r.errno
	}
	return int64(moved - r.inPipe), err
}

func (r *rawDirection) fillStep(fd uintptr) bool {
	n, e := rawSplice(fd, uintptr(r.pipe.w), spliceChunk)
	if e == syscall.EAGAIN {
		return false
	}
	r.errno, r.inPipe = e, max(n, 0) // a failed call returns -1
	return true
}

func (r *rawDirection) drainStep(fd uintptr) bool {
	for r.inPipe > 0 {
		n, e := rawSplice(uintptr(r.pipe.r), fd, r.inPipe)
		if e == syscall.EAGAIN {
			return false
		}
		if e != 0 {
			r.errno = e
			return true
		}
		r.inPipe -= n
	}
	return true
}

// release gives the pipe back (closed if it still holds bytes) and forgets
// the connections; the callbacks stay bound.
func (r *rawDirection) release() {
	if r.pipe != nil {
		r.pipes.put(r.pipe, r.inPipe == 0)
		r.pipe = nil
	}
	if r.bp != nil { // a write that timed out, then the connection ended
		r.putBuf()
	}
	r.inPipe, r.out, r.full, r.src, r.dst = 0, nil, false, nil, nil
}

// pooled is the number of pipes waiting for reuse.
func (pp *pipePool) pooled() int { return len(pp.free) }
