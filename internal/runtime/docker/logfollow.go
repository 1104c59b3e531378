package docker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// Following a container's output (runtime.LogFollower) from the engine's own
// log stream: GET /containers/ID/logs with follow and timestamps, stdout and
// stderr multiplexed, each frame one line (or, for a line longer than 16 KiB or
// one the container had not ended, part of one) prefixed with the time the
// engine received it. The stream ends when the container has exited and all
// its output was sent. A cursor is the time of the last entry read and how
// many entries of that same time were read (the engine's `since` includes the
// entries at its time), so a reader resumes exactly after it, in a later
// server too. The engine keeps the output in its json-file log (two files of
// Spec.LogMaxBytes) until the container is removed; it does not say when it
// rotated output away, so Gaps is always 0.

const (
	// logCursorVersion is the encoding of the cursors this runtime hands out:
	// version, unix nanoseconds, entries at that time already read.
	logCursorVersion = 1
	logCursorSize    = 1 + 8 + 8
	// logBuffer bounds the entries read ahead of Next.
	logBuffer = 4096
	// maxFrame bounds one frame of the stream (the engine's lines are at most
	// 16 KiB plus the timestamp).
	maxFrame = 1 << 20
)

var _ runtime.LogFollower = (*Runtime)(nil)

type logPos struct {
	t time.Time
	n uint64 // entries at exactly t already read
}

func (p logPos) cursor() runtime.LogCursor {
	b := make([]byte, 0, logCursorSize)
	b = append(b, logCursorVersion)
	b = binary.LittleEndian.AppendUint64(b, uint64(p.t.UnixNano()))
	return binary.LittleEndian.AppendUint64(b, p.n)
}

func decodeLogCursor(c runtime.LogCursor) (logPos, error) {
	if len(c) == 0 {
		return logPos{}, nil
	}
	if len(c) != logCursorSize || c[0] != logCursorVersion {
		return logPos{}, fmt.Errorf("%w: not a docker runtime log cursor", runtime.ErrInvalidState)
	}
	le := binary.LittleEndian
	return logPos{t: time.Unix(0, int64(le.Uint64(c[1:]))), n: le.Uint64(c[9:])}, nil
}

// FollowLogs follows the output of the container that state describes, from
// right after the entry whose cursor is after.
func (r *Runtime) FollowLogs(ctx context.Context, state runtime.State, after runtime.LogCursor) (runtime.LogReader, error) {
	st, err := decodeState(state)
	if err != nil {
		return nil, err
	}
	from, err := decodeLogCursor(after)
	if err != nil {
		return nil, err
	}
	opts := client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Follow: true, Timestamps: true}
	if !from.t.IsZero() {
		opts.Since = strconv.FormatInt(from.t.Unix(), 10) + "." + fmt.Sprintf("%09d", from.t.Nanosecond())
	}
	rctx, cancel := context.WithCancel(r.ctx)
	rd := &logReader{entries: make(chan runtime.LogEntry, logBuffer), cancel: cancel}
	rc, err := r.cli.ContainerLogs(rctx, st.ID, opts)
	if cerrdefs.IsNotFound(err) {
		cancel()
		close(rd.entries)
		return rd, nil
	}
	if err != nil {
		cancel()
		return nil, fmt.Errorf("following the output of %s: %s", shortID(st.ID), engineMessage(err))
	}
	rd.wg.Add(1)
	go func() {
		defer rd.wg.Done()
		defer close(rd.entries)
		defer rc.Close()
		rd.setErr(pumpFrames(rctx, rc, from, rd.entries))
	}()
	return rd, nil
}

// pumpFrames turns the multiplexed stream into entries, skipping those at or
// before from.
func pumpFrames(ctx context.Context, rc io.Reader, from logPos, out chan<- runtime.LogEntry) error {
	br := bufio.NewReaderSize(rc, 64<<10)
	var hdr [8]byte
	pos := logPos{t: from.t}
	skip := from.n
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		size := binary.BigEndian.Uint32(hdr[4:])
		if size > maxFrame {
			return fmt.Errorf("a log frame of %d bytes", size)
		}
		frame := make([]byte, size)
		if _, err := io.ReadFull(br, frame); err != nil {
			return err
		}
		e, ok := parseFrame(hdr[0], frame)
		if !ok {
			continue
		}
		if e.Time.Before(from.t) || e.Time.Equal(from.t) && skip > 0 {
			if e.Time.Equal(from.t) {
				skip--
			}
			continue
		}
		if e.Time.Equal(pos.t) {
			pos.n++
		} else {
			pos = logPos{t: e.Time, n: 1}
		}
		e.Cursor = pos.cursor()
		select {
		case out <- e:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// parseFrame reads one frame: stream 1 is stdout, 2 stderr; the payload is
// "TIMESTAMP line\n" (no newline: the line continues in the next frame).
func parseFrame(stream byte, frame []byte) (runtime.LogEntry, bool) {
	ts, line, ok := bytes.Cut(frame, []byte(" "))
	if !ok {
		ts, line = bytes.TrimSuffix(frame, []byte("\n")), nil // an empty line
	}
	t, err := time.Parse(time.RFC3339Nano, string(ts))
	if err != nil {
		return runtime.LogEntry{}, false
	}
	e := runtime.LogEntry{Time: t, Stream: runtime.StreamStdout, Line: line}
	if stream == 2 {
		e.Stream = runtime.StreamStderr
	}
	if ok {
		if l, had := bytes.CutSuffix(line, []byte("\n")); had {
			e.Line = l
		} else {
			e.Partial = true
		}
	}
	return e, true
}

// logReader hands out the entries a pump reads.
type logReader struct {
	entries chan runtime.LogEntry
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu  sync.Mutex // protects err
	err error
}

func (rd *logReader) setErr(err error) {
	rd.mu.Lock()
	rd.err = err
	rd.mu.Unlock()
}

// Next waits for at least one entry and returns up to max.
func (rd *logReader) Next(ctx context.Context, max int) ([]runtime.LogEntry, error) {
	var out []runtime.LogEntry
	select {
	case e, ok := <-rd.entries:
		if !ok {
			return nil, rd.end()
		}
		out = append(out, e)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for len(out) < max {
		select {
		case e, ok := <-rd.entries:
			if !ok {
				return out, nil
			}
			out = append(out, e)
		default:
			return out, nil
		}
	}
	return out, nil
}

// end is what Next returns once every entry was read: io.EOF, or why the
// stream broke off (a reader started again from the last cursor resumes).
func (rd *logReader) end() error {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if rd.err != nil && !errors.Is(rd.err, context.Canceled) {
		return fmt.Errorf("the engine's log stream broke off: %w", rd.err)
	}
	return io.EOF
}

// Gaps is 0: the engine does not tell when it rotated output away.
func (rd *logReader) Gaps() int { return 0 }

// Close stops the pump.
func (rd *logReader) Close() error {
	rd.cancel()
	for range rd.entries { // let a pump blocked on a full buffer end
	}
	rd.wg.Wait()
	return nil
}
