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

// relayState is one relayed connection, shared by its two directions. The data
// plane pools it with its callbacks bound, so a relay allocates only the raw
// connections' handles.
type relayState struct {
	idle     time.Duration
	armed    time.Time    // when relay set the first deadlines
	last     atomic.Int64 // unix nanos of the last byte moved either way
	finished atomic.Int32 // directions that have ended
	resets   resetWatch   // which side reset it (netstats.go)

	client, up net.Conn
	raw        bool            // plain TCP on both sides: dirs move the bytes
	dirs       [2]rawDirection // client to target, target to client
	in         int64           // bytes client to target, set before done
	done       chan struct{}   // capacity 1: the client-to-target direction ended
	runIn      func()          // the client-to-target direction, bound once
}

// getRelay returns a pooled relayState, or a new one with its callbacks bound.
func (d *DataPlane) getRelay() *relayState {
	if rs, ok := d.relays.Get().(*relayState); ok {
		return rs
	}
	rs := &relayState{done: make(chan struct{}, 1)}
	rs.dirs[0].bind(&d.copyBufs, d.pipes)
	rs.dirs[1].bind(&d.copyBufs, d.pipes)
	rs.runIn = func() {
		rs.in = d.pipe(rs.up, rs.client, rs, rs.direction(0))
		rs.done <- struct{}{}
	}
	return rs
}

// putRelay returns rs to the pool once both directions have ended.
func (d *DataPlane) putRelay(rs *relayState) {
	rs.dirs[0].release()
	rs.dirs[1].release()
	rs.client, rs.up, rs.raw, rs.in = nil, nil, false, 0
	rs.finished.Store(0)
	rs.resets.reset()
	d.relays.Put(rs)
}

// direction is the raw mover of direction i, or nil when the pair copies.
func (rs *relayState) direction(i int) *rawDirection {
	if !rs.raw {
		return nil
	}
	return &rs.dirs[i]
}

// abort closes both sides.
func (rs *relayState) abort() {
	rs.client.Close()
	rs.up.Close()
}

// relay moves bytes both ways between client and up until both directions have
// ended (the first EOF is passed on as a half-close) or neither carried a byte
// for idle; then it closes both. It returns the bytes moved client to target and
// target to client. Resets end up in counters (nil: not counted).
func (d *DataPlane) relay(client, up net.Conn, idle time.Duration, counters *listenerCounters) (in, out int64) {
	now := time.Now()
	rs := d.getRelay()
	rs.idle, rs.armed, rs.client, rs.up = idle, now, client, up
	rs.resets.client, rs.resets.counters = client, counters
	rs.last.Store(now.UnixNano())
	if cr, ur, ok := rawConns(client, up); ok {
		rs.raw = true
		rs.dirs[0].start(ur, cr)
		rs.dirs[1].start(cr, ur)
	}
	// Both directions' first deadlines, in two calls (each direction renews
	// its own: src's read and dst's write).
	client.SetDeadline(now.Add(idle))
	up.SetDeadline(now.Add(idle))
	d.spawn(rs.runIn)
	out = d.pipe(client, up, rs, rs.direction(1))
	<-rs.done
	in = rs.in
	client.Close()
	up.Close()
	d.putRelay(rs)
	return in, out
}

// pipe copies src to dst until src's EOF, an error, or idleness (then it aborts
// both). Deadlines follow the bytes moved, so a transfer that keeps moving never
// times out, and a stalled write counts as idle too. Plain TCP on Linux moves
// through raw non-blocking calls and splice (rd); other pairs copy through a
// pooled buffer.
func (d *DataPlane) pipe(dst, src net.Conn, rs *relayState, rd *rawDirection) int64 {
	var step func() (int64, error)
	if rd != nil {
		step = rd.stepFn
	} else {
		step = d.copyStep(dst, src)
	}
	var total int64
	// This direction's deadlines are armed+idle (relay set the first ones).
	// They move only once they are more than a tenth of idle old: two
	// deadline changes less per step, at the price of a deadline up to
	// idle/10 early, which the timeout case below sees through.
	armed, renew := rs.armed, rs.idle/10
	for {
		n, err := step()
		total += n
		if n > 0 {
			now := time.Now()
			rs.last.Store(now.UnixNano())
			if now.Sub(armed) > renew {
				armed = now
				src.SetReadDeadline(now.Add(rs.idle))
				dst.SetWriteDeadline(now.Add(rs.idle))
			}
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
			now := time.Now()
			if last := time.Unix(0, rs.last.Load()); n > 0 || now.Sub(last) < rs.idle {
				// This side waited, but bytes moved (here or the other way)
				// within idle: wait until idle after the last of them.
				armed = last
				src.SetReadDeadline(last.Add(rs.idle))
				dst.SetWriteDeadline(last.Add(rs.idle))
				continue
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
