package process

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// Following a container's output (runtime.LogFollower): a reader tails the
// container's stdout.log and stderr.log through their indexes (logindex.go), so
// each line carries the time the shim read it, moves on to the next generation when
// a file is rotated, and ends once the shim recorded the container's exit (or died)
// and every byte was read. The shim never waits for a reader.

const (
	// followPollMin and followPollMax bound how often an idle reader looks for
	// new output: soon after output arrived, less often the longer none comes.
	followPollMin = 100 * time.Millisecond
	followPollMax = 500 * time.Millisecond
	// followReadBytes bounds what one poll reads of each stream.
	followReadBytes = 256 << 10
	// cursorVersion is the encoding of the cursors this runtime hands out.
	cursorVersion = 1
	cursorSize    = 1 + 4*8
)

var _ runtime.LogFollower = (*Runtime)(nil)

// filePos is a position in one stream: a generation and an offset in its file. Gen
// 0 means nothing read yet (start at the oldest file).
type filePos struct {
	Gen uint64
	Off int64
}

// appendCursor appends the cursor of positions out and errPos to b.
func appendCursor(b []byte, out, errPos filePos) []byte {
	b = append(b, cursorVersion)
	for _, p := range []filePos{out, errPos} {
		b = binary.LittleEndian.AppendUint64(b, p.Gen)
		b = binary.LittleEndian.AppendUint64(b, uint64(p.Off))
	}
	return b
}

func decodeCursor(c runtime.LogCursor) (out, errPos filePos, err error) {
	if len(c) == 0 {
		return out, errPos, nil
	}
	if len(c) != cursorSize || c[0] != cursorVersion {
		return out, errPos, fmt.Errorf("%w: not a process runtime log cursor", runtime.ErrInvalidState)
	}
	le := binary.LittleEndian
	out = filePos{Gen: le.Uint64(c[1:]), Off: int64(le.Uint64(c[9:]))}
	errPos = filePos{Gen: le.Uint64(c[17:]), Off: int64(le.Uint64(c[25:]))}
	if out.Off < 0 || errPos.Off < 0 {
		return filePos{}, filePos{}, fmt.Errorf("%w: bad log cursor", runtime.ErrInvalidState)
	}
	return out, errPos, nil
}

// FollowLogs follows the output of the container that state describes.
func (r *Runtime) FollowLogs(_ context.Context, state runtime.State, after runtime.LogCursor) (runtime.LogReader, error) {
	st, err := decodeState(state)
	if err != nil {
		return nil, err
	}
	out, errPos, err := decodeCursor(after)
	if err != nil {
		return nil, err
	}
	cfg, err := readConfig(st.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return &followReader{gone: true}, nil // removed: nothing left to read
	}
	if err != nil {
		return nil, err
	}
	return &followReader{state: st, streams: [2]*streamFollower{
		{name: runtime.StreamStdout, path: cfg.Stdout, pos: out},
		{name: runtime.StreamStderr, path: cfg.Stderr, pos: errPos},
	}}, nil
}

// followReader merges a container's two streams. It polls only when every
// entry it queued has been returned, and a returned entry is valid only until
// the next Next, so each poll reuses the buffers of the one before (the queue,
// the cursors' slab, the streams' read buffers): following allocates little.
type followReader struct {
	state   savedState
	streams [2]*streamFollower
	queue   []runtime.LogEntry
	qbuf    []runtime.LogEntry
	slab    []byte
	gone    bool
	idle    time.Duration
}

// Next implements runtime.LogReader.
func (f *followReader) Next(ctx context.Context, limit int) ([]runtime.LogEntry, error) {
	for {
		if len(f.queue) > 0 {
			n := min(max(limit, 1), len(f.queue))
			out := f.queue[:n:n]
			f.queue = f.queue[n:]
			return out, nil
		}
		if f.gone {
			return nil, io.EOF
		}
		if f.poll(false); len(f.queue) > 0 {
			f.idle = 0
			continue
		}
		// Nothing new: has the container ended? Its files are complete once it
		// has, so one more poll (taking what is not yet indexed) reads the rest.
		if f.ended() {
			if f.poll(true); len(f.queue) == 0 {
				f.gone = true
				return nil, io.EOF
			}
			continue
		}
		f.idle = min(max(2*f.idle, followPollMin), followPollMax)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(f.idle):
		}
	}
}

// ended reports whether the container's output is complete: the shim recorded its
// exit (after closing the log files), or the shim is gone, or so is the directory.
func (f *followReader) ended() bool {
	if _, ok, err := readStatus(f.state.Dir); ok || err != nil {
		return true
	}
	if _, err := os.Stat(f.state.Dir); errors.Is(err, fs.ErrNotExist) {
		return true
	}
	return f.state.Shim.PID == 0 || !f.state.Shim.alive()
}

// poll reads what both streams have and queues it merged by time, each entry with
// the cursor after it: its own stream's position after it and the other stream's
// position after the last of its entries queued before it.
func (f *followReader) poll(ended bool) {
	var lists [2][]streamEntry
	pos := [2]filePos{}
	for i, s := range f.streams {
		pos[i] = s.pos
		lists[i] = s.poll(ended)
	}
	a, b := lists[0], lists[1]
	f.queue, f.slab = f.qbuf[:0], f.slab[:0]
	if need := (len(a) + len(b)) * cursorSize; cap(f.slab) < need {
		f.slab = make([]byte, 0, need)
	}
	for len(a) > 0 || len(b) > 0 {
		var e streamEntry
		var i int
		if len(b) == 0 || len(a) > 0 && !b[0].Time.Before(a[0].Time) {
			e, a, i = a[0], a[1:], 0
		} else {
			e, b, i = b[0], b[1:], 1
		}
		pos[i] = e.pos
		start := len(f.slab)
		f.slab = appendCursor(f.slab, pos[0], pos[1])
		e.Cursor = f.slab[start:len(f.slab):len(f.slab)]
		f.queue = append(f.queue, e.LogEntry)
	}
	f.qbuf = f.queue[:0]
}

// Gaps implements runtime.LogReader.
func (f *followReader) Gaps() int {
	n := 0
	for _, s := range f.streams {
		if s != nil {
			n += s.gaps
		}
	}
	return n
}

// Close implements runtime.LogReader.
func (f *followReader) Close() error {
	for _, s := range f.streams {
		if s != nil {
			s.closeFiles()
		}
	}
	return nil
}

// streamEntry is an entry with its stream's position after it.
type streamEntry struct {
	runtime.LogEntry
	pos filePos
}

// streamFollower tails one stream's files.
type streamFollower struct {
	name, path string
	// pos is the position after the last entry returned; it is where the files
	// are read from until they are opened.
	pos       filePos
	data, idx *os.File
	gen       uint64 // generation of the open files; 0 for a file without index
	off       int64  // offset of the next byte to read
	idxOff    int64
	recs      []idxRecord // records whose end is past off
	lastNano  int64
	partial   []byte // an unfinished line
	gaps      int
	buf       []byte        // read buffer, reused by every poll
	out       []streamEntry // a poll's entries, reused likewise
}

func (s *streamFollower) closeFiles() {
	for _, f := range []*os.File{s.data, s.idx} {
		if f != nil {
			f.Close()
		}
	}
	s.data, s.idx = nil, nil
}

// poll returns the stream's new entries. With ended, the files are complete:
// bytes not yet indexed are read too, and an unfinished line is handed on.
func (s *streamFollower) poll(ended bool) []streamEntry {
	if s.data == nil && !s.open() {
		return nil
	}
	if s.buf == nil {
		s.buf = make([]byte, followReadBytes)
	}
	out, used := s.out[:0], 0
	for used < len(s.buf) {
		end := s.committed(ended)
		if end <= s.off {
			if !s.next() {
				break
			}
			continue
		}
		n := int(min(end-s.off, int64(len(s.buf)-used)))
		got, err := s.data.ReadAt(s.buf[used:used+n], s.off)
		if got == 0 && err != nil {
			break
		}
		out = s.split(out, s.buf[used:used+got])
		used += got
	}
	s.out = out
	if ended && len(s.partial) > 0 && s.atEnd() {
		out = append(out, s.entry(s.partial, false, s.off))
		s.partial = nil
	}
	return out
}

// committed is the offset up to which the open file may be read: the end of the
// last index record, or, once the container ended (or for a file without index),
// the file's size.
func (s *streamFollower) committed(ended bool) int64 {
	if s.idx != nil {
		recs, off, err := readRecords(s.idx, s.idxOff, 4096)
		if err == nil {
			s.idxOff = off
			for _, r := range recs {
				if r.end > s.off {
					s.recs = append(s.recs, r)
				}
			}
		}
	}
	end := s.off
	if n := len(s.recs); n > 0 {
		end = max(end, s.recs[n-1].end)
	}
	if ended || s.idx == nil {
		if st, err := s.data.Stat(); err == nil {
			end = max(end, st.Size())
		}
	}
	return end
}

// atEnd reports whether nothing is left to read in this generation or a later one.
func (s *streamFollower) atEnd() bool {
	st, err := s.data.Stat()
	return err != nil || s.off >= st.Size()
}

// split cuts buf (the bytes at s.off) into line entries; an unfinished line waits
// in s.partial, handed on in MaxLogLine pieces when it grows that long.
func (s *streamFollower) split(out []streamEntry, buf []byte) []streamEntry {
	for len(buf) > 0 {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			s.partial = append(s.partial, buf...)
			s.off += int64(len(buf))
			for len(s.partial) >= runtime.MaxLogLine {
				rest := int64(len(s.partial) - runtime.MaxLogLine)
				out = append(out, s.entry(s.partial[:runtime.MaxLogLine], true, s.off-rest))
				s.partial = append([]byte(nil), s.partial[runtime.MaxLogLine:]...)
			}
			return out
		}
		line := buf[:i]
		if len(s.partial) > 0 {
			line = append(s.partial, line...)
			s.partial = nil
		}
		s.off += int64(i + 1)
		for len(line) > runtime.MaxLogLine {
			rest := int64(len(line) - runtime.MaxLogLine + 1) // and the newline
			out = append(out, s.entry(line[:runtime.MaxLogLine], true, s.off-rest))
			line = line[runtime.MaxLogLine:]
		}
		out = append(out, s.entry(line, false, s.off))
		buf = buf[i+1:]
	}
	return out
}

// entry makes an entry that ends at offset end of the open file, with the time of
// the index record that covers end (the last record's, if none does yet). A piece
// of a line that began in the previous file ends at offset 0 at the earliest.
func (s *streamFollower) entry(line []byte, partial bool, end int64) streamEntry {
	end = max(end, 0)
	for len(s.recs) > 0 && s.recs[0].end < end {
		s.lastNano = s.recs[0].nano
		s.recs = s.recs[1:]
	}
	t := time.Now()
	switch {
	case len(s.recs) > 0:
		t = time.Unix(0, s.recs[0].nano)
	case s.lastNano != 0:
		t = time.Unix(0, s.lastNano)
	}
	s.pos = filePos{Gen: s.gen, Off: end}
	return streamEntry{LogEntry: runtime.LogEntry{Time: t, Stream: s.name, Line: line, Partial: partial}, pos: s.pos}
}

// open opens the file to read from pos: the generation pos names, or the oldest
// one when pos names none (or one already rotated away: a gap).
func (s *streamFollower) open() bool {
	cur, curErr := readIndexGen(indexPath(s.path))
	rot, rotErr := readIndexGen(indexPath(rotatedPath(s.path)))
	switch {
	case curErr != nil && rotErr == nil:
		return false // a rotation is under way: look again at the next poll
	case curErr != nil:
		return s.openFile(s.path, 0, s.pos.Off) // no index: a file of an older shim
	}
	switch {
	case s.pos.Gen == cur:
		return s.openFile(s.path, cur, s.pos.Off)
	case rotErr == nil && s.pos.Gen == rot:
		return s.openFile(rotatedPath(s.path), rot, s.pos.Off)
	case s.pos.Gen != 0:
		s.gaps++ // its file was rotated away before it was read
	}
	if rotErr == nil && rot+1 == cur {
		return s.openFile(rotatedPath(s.path), rot, 0)
	}
	return s.openFile(s.path, cur, 0)
}

// openFile opens a data file (and its index when gen > 0) to read from off.
func (s *streamFollower) openFile(path string, gen uint64, off int64) bool {
	data, err := os.Open(path)
	if err != nil {
		return false
	}
	s.closeFiles()
	s.data, s.gen, s.off, s.idxOff, s.recs = data, gen, off, idxHeaderSize, nil
	if gen > 0 {
		idx, err := os.Open(indexPath(path))
		if err != nil {
			data.Close()
			s.data = nil
			return false
		}
		if g, err := readIndexHeader(idx); err != nil || g != gen {
			idx.Close()
			data.Close()
			s.data = nil
			return false
		}
		s.idx = idx
	}
	if s.pos.Gen != gen {
		s.pos = filePos{Gen: gen, Off: off}
	}
	return true
}

// next moves on to the next generation once the open one is complete (a newer one
// exists); it reports whether it did.
func (s *streamFollower) next() bool {
	if s.gen == 0 {
		return false
	}
	cur, err := readIndexGen(indexPath(s.path))
	if err != nil || cur <= s.gen {
		return false
	}
	// The shim indexes every write before it rotates, so the old file is wholly
	// indexed; drain what the index says before leaving it.
	if end := s.committed(false); end > s.off {
		return true
	}
	want := s.gen + 1
	if rot, err := readIndexGen(indexPath(rotatedPath(s.path))); err == nil && rot == want {
		return s.openFile(rotatedPath(s.path), rot, 0)
	}
	if cur != want {
		s.gaps++
		if rot, err := readIndexGen(indexPath(rotatedPath(s.path))); err == nil && rot < cur {
			return s.openFile(rotatedPath(s.path), rot, 0)
		}
	}
	return s.openFile(s.path, cur, 0)
}
