package lblink

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
)

// MaxFrame bounds one frame. A configuration of the largest size ECS and ELB
// allow (thousands of targets) is a few MiB of JSON.
const MaxFrame = 64 << 20

// frameReader reads frames from a connection.
type frameReader struct {
	r   *bufio.Reader
	buf []byte
}

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// read decodes the next frame into a fresh Message.
func (f *frameReader) read() (*Message, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(f.r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > MaxFrame {
		return nil, fmt.Errorf("%w: %d bytes", ErrFrameTooLarge, n)
	}
	if cap(f.buf) < int(n) {
		f.buf = make([]byte, n)
	}
	b := f.buf[:n]
	if _, err := io.ReadFull(f.r, b); err != nil {
		return nil, fmt.Errorf("reading a frame: %w", err)
	}
	m := new(Message)
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("decoding a frame: %w", err)
	}
	if cap(f.buf) > 1<<20 {
		f.buf = nil // do not keep a large configuration's buffer for the connection's life
	}
	return m, nil
}

// frameWriter writes frames to a buffered connection; flush sends them.
type frameWriter struct {
	w *bufio.Writer
}

func newFrameWriter(w io.Writer) *frameWriter {
	return &frameWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

func (f *frameWriter) write(m *Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encoding a %s frame: %w", m.Type, err)
	}
	if len(b) > MaxFrame {
		return fmt.Errorf("%w: %s of %d bytes", ErrFrameTooLarge, m.Type, len(b))
	}
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(b)))
	if _, err := f.w.Write(hdr[:]); err != nil {
		return err
	}
	_, err = f.w.Write(b)
	return err
}

func (f *frameWriter) flush() error { return f.w.Flush() }
