package l4

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// spliceChunk is how much one direction moves between deadline renewals when
// both sides are plain TCP: (*net.TCPConn).ReadFrom of an io.LimitedReader over a
// *net.TCPConn is spliced by the kernel on Linux (no copy through user space).
const spliceChunk = 1 << 20

// copyBufSize is the buffer of a direction that cannot splice (a TLS side).
const copyBufSize = 32 << 10

// relay moves bytes both ways between client and up until both directions have
// ended (each end's EOF is passed on as a half-close) or neither carried a byte
// for idle; then it closes both. It returns the bytes moved client to target and
// target to client.
func (d *DataPlane) relay(client, up net.Conn, idle time.Duration) (in, out int64) {
	var last atomic.Int64 // unix nanos of the last byte moved either way
	last.Store(time.Now().UnixNano())
	abort := func() { client.Close(); up.Close() }
	done := make(chan struct{})
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer close(done)
		in = pipe(up, client, idle, &last, abort, &d.copyBufs)
	}()
	out = pipe(client, up, idle, &last, abort, &d.copyBufs)
	<-done
	client.Close()
	up.Close()
	return in, out
}

// pipe copies src to dst until src's EOF (then half-closes dst), an error, or
// idleness (then aborts both). Deadlines are renewed per chunk, so a transfer that
// keeps moving never times out, and a stalled write counts as idle too.
func pipe(dst, src net.Conn, idle time.Duration, last *atomic.Int64, abort func(), bufs *sync.Pool) int64 {
	dt, _ := dst.(*net.TCPConn)
	st, _ := src.(*net.TCPConn)
	var buf []byte
	if dt == nil || st == nil {
		bp := bufs.Get().(*[]byte)
		defer bufs.Put(bp)
		buf = *bp
	}
	var total int64
	lr := &io.LimitedReader{R: st}
	for {
		deadline := time.Now().Add(idle)
		src.SetReadDeadline(deadline)
		dst.SetWriteDeadline(deadline)
		var n int64
		var err error
		eof := false
		if buf == nil {
			lr.N = spliceChunk
			n, err = dt.ReadFrom(lr)
			eof = err == nil && lr.N > 0 // ReadFrom stops early only at EOF
		} else {
			var nr int
			nr, err = src.Read(buf)
			if nr > 0 {
				nw, werr := dst.Write(buf[:nr])
				n = int64(nw)
				if werr != nil {
					err = werr
				}
			}
			if errors.Is(err, io.EOF) {
				eof, err = true, nil
			}
		}
		total += n
		if n > 0 {
			last.Store(time.Now().UnixNano())
		}
		switch {
		case eof:
			closeWrite(dst)
			return total
		case err == nil:
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
			if n > 0 || time.Since(time.Unix(0, last.Load())) < idle {
				continue // this side waited, but bytes moved (here or the other way) within idle
			}
		}
		abort()
		return total
	}
}

// closeWrite passes an EOF on: a TCP FIN, or TLS close_notify.
func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	c.Close()
}
