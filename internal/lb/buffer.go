package lb

import (
	"io"
	"sync"
)

// bufSize is the size of pooled I/O buffers. It is also the request-head limit: a
// request line plus headers that do not fit get 400 (ALB allows 16 KiB per line).
const bufSize = 16 << 10

// bufPool recycles I/O buffers. It holds array pointers, which convert to and from
// slices without allocating (a *[]byte would allocate a slice header on every Put).
type bufPool struct{ p sync.Pool }

func (bp *bufPool) get() []byte {
	if v := bp.p.Get(); v != nil {
		return v.(*[bufSize]byte)[:]
	}
	return new([bufSize]byte)[:]
}

func (bp *bufPool) put(b []byte) {
	if cap(b) != bufSize {
		return
	}
	bp.p.Put((*[bufSize]byte)(b[:bufSize]))
}

// reader is a minimal buffered reader whose buffer can be handed back to a pool
// while the connection is idle; bufio.Reader cannot give its buffer up.
type reader struct {
	src  io.Reader
	buf  []byte
	r, w int
	err  error // sticky read error, returned once buffered bytes are consumed
}

func (rd *reader) buffered() int { return rd.w - rd.r }

// bytes returns the unread buffered bytes without consuming them.
func (rd *reader) bytes() []byte { return rd.buf[rd.r:rd.w] }

// fill reads more data, compacting first if the buffer's tail is full.
// It returns an error only when no new byte could be read.
func (rd *reader) fill() error {
	if rd.err != nil {
		return rd.err
	}
	if rd.r > 0 && rd.w == len(rd.buf) {
		n := copy(rd.buf, rd.buf[rd.r:rd.w])
		rd.r, rd.w = 0, n
	}
	if rd.w == len(rd.buf) {
		return errBufferFull
	}
	n, err := rd.src.Read(rd.buf[rd.w:])
	rd.w += n
	if n > 0 {
		if err != nil {
			rd.err = err
		}
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	rd.err = err
	return err
}

// discard drops n buffered bytes (n <= buffered).
func (rd *reader) discard(n int) {
	rd.r += n
	if rd.r == rd.w {
		rd.r, rd.w = 0, 0
	}
}

// Read makes reader an io.Reader for splicing upgraded connections.
func (rd *reader) Read(p []byte) (int, error) {
	if rd.buffered() == 0 {
		if rd.err != nil {
			return 0, rd.err
		}
		if len(p) >= len(rd.buf) {
			return rd.src.Read(p)
		}
		if err := rd.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, rd.bytes())
	rd.discard(n)
	return n, nil
}

// writer is a minimal buffered writer with a poolable buffer; flush errors are sticky.
type writer struct {
	dst io.Writer
	buf []byte
	n   int
	err error
}

func (wr *writer) flush() error {
	if wr.err != nil {
		return wr.err
	}
	if wr.n == 0 {
		return nil
	}
	_, err := wr.dst.Write(wr.buf[:wr.n])
	wr.n = 0
	wr.err = err
	return err
}

func (wr *writer) write(p []byte) {
	if wr.n+len(p) > len(wr.buf) {
		if wr.flush() != nil {
			return
		}
		if len(p) >= len(wr.buf)/2 {
			// Large writes go straight out instead of being copied twice.
			if _, err := wr.dst.Write(p); err != nil {
				wr.err = err
			}
			return
		}
	}
	wr.n += copy(wr.buf[wr.n:], p)
}

func (wr *writer) writeString(s string) {
	if wr.n+len(s) > len(wr.buf) {
		if wr.flush() != nil {
			return
		}
		if len(s) > len(wr.buf) {
			if _, err := io.WriteString(wr.dst, s); err != nil {
				wr.err = err
			}
			return
		}
	}
	wr.n += copy(wr.buf[wr.n:], s)
}

// avail returns free space in the buffer, flushing if fewer than min bytes are free.
func (wr *writer) avail(min int) []byte {
	if len(wr.buf)-wr.n < min {
		wr.flush()
	}
	return wr.buf[wr.n:]
}

// Write makes writer an io.Writer.
func (wr *writer) Write(p []byte) (int, error) {
	wr.write(p)
	if wr.err != nil {
		return 0, wr.err
	}
	return len(p), nil
}
