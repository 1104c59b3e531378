package l4

import (
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"
)

// spliceChunk is the most one splice call moves (and the size of the pipes).
const spliceChunk = 1 << 20

// copyBufSize is the buffer of a direction that copies: a TLS side, or a plain TCP
// direction until a read fills it (see rawio_linux.go).
const copyBufSize = 32 << 10

// relayState is shared by a connection's two directions.
type relayState struct {
	idle     time.Duration
	last     atomic.Int64 // unix nanos of the last byte moved either way
	finished atomic.Int32 // directions that have ended
	abort    func()       // closes both sides
	resets   resetWatch   // which side reset it (netstats.go)
}

// relay moves bytes both ways between client and up until both directions have
// ended (the first EOF is passed on as a half-close) or neither carried a byte
// for idle; then it closes both. It returns the bytes moved client to target and
// target to client. Resets end up in counters (nil: not counted).
func (d *DataPlane) relay(client, up net.Conn, idle time.Duration, counters *listenerCounters) (in, out int64) {
	rs := &relayState{idle: idle, abort: func() { client.Close(); up.Close() }}
	rs.resets.client, rs.resets.counters = client, counters
	rs.last.Store(time.Now().UnixNano())
	done := make(chan struct{})
	d.spawn(func() {
		defer close(done)
		in = d.pipe(up, client, rs)
	})
	out = d.pipe(client, up, rs)
	<-done
	client.Close()
	up.Close()
	return in, out
}

// pipe copies src to dst until src's EOF, an error, or idleness (then it aborts
// both). Deadlines are renewed per step, so a transfer that keeps moving never
// times out, and a stalled write counts as idle too. Plain TCP on Linux moves
// through raw non-blocking calls and splice (rawDirection); other pairs copy
// through a pooled buffer.
func (d *DataPlane) pipe(dst, src net.Conn, rs *relayState) int64 {
	step := d.copyStep(dst, src)
	if rd := newRawDirection(dst, src, &d.copyBufs, d.pipes); rd != nil {
		defer rd.release()
		step = rd.step
	}
	var total int64
	for {
		deadline := time.Now().Add(rs.idle)
		src.SetReadDeadline(deadline)
		dst.SetWriteDeadline(deadline)
		n, err := step()
		total += n
		if n > 0 {
			rs.last.Store(time.Now().UnixNano())
		}
		switch {
		case err == nil:
			continue
		case errors.Is(err, io.EOF):
			// The first direction to end half-closes its peer; the second needs
			// not, as relay closes both right after.
			if rs.finished.Add(1) == 1 {
				closeWrite(dst)
			}
			return total
		case errors.Is(err, os.ErrDeadlineExceeded):
			if n > 0 || time.Since(time.Unix(0, rs.last.Load())) < rs.idle {
				continue // this side waited, but bytes moved (here or the other way) within idle
			}
		}
		rs.resets.ended(src, err)
		rs.finished.Add(1)
		rs.abort()
		return total
	}
}

// copyStep returns a step that reads once into a pooled buffer and writes what
// it read.
func (d *DataPlane) copyStep(dst, src net.Conn) func() (int64, error) {
	return func() (int64, error) {
		bp := d.copyBufs.Get().(*[]byte)
		defer d.copyBufs.Put(bp)
		nr, err := src.Read(*bp)
		if nr > 0 {
			nw, werr := dst.Write((*bp)[:nr])
			if werr != nil {
				return int64(nw), werr
			}
		}
		return int64(nr), err
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
