package logstore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// segExt names segment files: <seq as 16 hex digits>.seg in the group's directory.
const segExt = ".seg"

// segment is one append-only file of a group. Only the group's writer appends to
// it, under group.wmu; readers pread whole blocks from it under Store.mu.RLock;
// it is deleted (closed and unlinked) under Store.mu.Lock, so no read is in flight.
type segment struct {
	seq  uint64
	path string
	f    *os.File
	g    *group

	// written is the file size including blocks not yet fsynced. The writer
	// changes it under group.wmu; syncTo reads it.
	written atomic.Int64
	// blocks lists the blocks of an unsealed segment, for its footer; nil once sealed.
	blocks []blockMeta
	sealed bool
	// The fields below are protected by Store.mu.
	minTs, maxTs int64
	hasBlocks    bool
	chunks       []*chunk
	deleted      bool
	createdMs    int64
	acct         int64 // bytes counted in the group's and store's sizes

	smu     sync.Mutex // protects synced, syncing, syncErr; scond waits on it
	scond   *sync.Cond
	synced  int64
	syncing bool
}

func segName(seq uint64) string { return fmt.Sprintf("%016x%s", seq, segExt) }

func parseSegName(name string) (uint64, bool) {
	hex, ok := strings.CutSuffix(name, segExt)
	if !ok || len(hex) != 16 {
		return 0, false
	}
	seq, err := strconv.ParseUint(hex, 16, 64)
	return seq, err == nil
}

func newSegment(seq uint64, path string, f *os.File, g *group) *segment {
	s := &segment{seq: seq, path: path, f: f, g: g}
	s.scond = sync.NewCond(&s.smu)
	return s
}

// createSegment creates a new, empty segment file and makes its name durable.
func createSegment(dir string, seq uint64, g *group, nowMs int64) (*segment, error) {
	path := filepath.Join(dir, segName(seq))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	s := newSegment(seq, path, f, g)
	s.createdMs = nowMs
	return s, nil
}

// append writes one block at the end of the segment and returns its offset. On a
// failed write it cuts the file back, so a later block never follows a torn one.
func (s *segment) append(b []byte) (int64, error) {
	off := s.written.Load()
	if _, err := s.f.WriteAt(b, off); err != nil {
		if terr := s.f.Truncate(off); terr != nil {
			return 0, errors.Join(err, terr, errSegmentBroken)
		}
		return 0, err
	}
	s.written.Store(off + int64(len(b)))
	return off, nil
}

// errSegmentBroken marks a segment that could not be cut back after a failed write;
// the writer seals it and moves on to a new one.
var errSegmentBroken = errors.New("logstore: segment left in an unknown state")

// syncTo returns once the first n bytes of the segment are durable. Concurrent
// callers share fsyncs: one syncs everything written so far while the others wait
// (group commit), so the fsync rate does not grow with the number of writers.
func (s *segment) syncTo(n int64) error {
	s.smu.Lock()
	defer s.smu.Unlock()
	for s.synced < n {
		if s.syncing {
			s.scond.Wait()
			continue
		}
		s.syncing = true
		target := s.written.Load()
		s.smu.Unlock()
		err := s.f.Sync()
		s.smu.Lock()
		s.syncing = false
		s.scond.Broadcast()
		if err != nil {
			return fmt.Errorf("fsync %s: %w", s.path, err)
		}
		s.synced = max(s.synced, target)
	}
	return nil
}

// seal writes the footer and trailer after the last block and fsyncs, so a later
// open reads the block list in one read instead of scanning the file.
func (s *segment) seal() error {
	if s.sealed {
		return nil
	}
	off := s.written.Load()
	if _, err := s.f.WriteAt(encodeFooter(s.blocks, off), off); err != nil {
		return fmt.Errorf("sealing %s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("sealing %s: %w", s.path, err)
	}
	s.sealed, s.blocks = true, nil
	return nil
}

// readBlock reads the whole block (header included) described by m.
func (s *segment) readBlock(m blockMeta) ([]byte, error) {
	b := make([]byte, m.length)
	if _, err := s.f.ReadAt(b, int64(m.off)); err != nil {
		return nil, fmt.Errorf("reading %s at %d: %w", s.path, m.off, err)
	}
	return b, nil
}

// size is the segment's size on disk.
func (s *segment) size() int64 {
	st, err := s.f.Stat()
	if err != nil {
		return s.written.Load()
	}
	return st.Size()
}

// remove closes and deletes the segment file.
func (s *segment) remove() error {
	s.f.Close()
	if err := os.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// openSegment opens an existing segment and returns its blocks. A sealed segment's
// blocks come from its footer. An unsealed one (the server stopped or crashed while
// it was being written) is scanned block by block with every checksum verified, cut
// after the last whole block (a torn append was never acknowledged: its fsync had not
// returned), and sealed, so that every segment is sealed after open and appends go to
// new segments.
func openSegment(path string, seq uint64, g *group) (*segment, []blockMeta, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	s := newSegment(seq, path, f, g)
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if blocks, end, ok := readFooter(f, st.Size()); ok {
		s.written.Store(end)
		s.synced, s.sealed = end, true
		return s, blocks, nil
	}
	blocks, end, err := scanBlocks(f, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if end < st.Size() {
		if err := f.Truncate(end); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("cutting the torn tail of %s: %w", path, err)
		}
	}
	s.written.Store(end)
	s.synced, s.blocks = end, blocks
	if err := s.seal(); err != nil {
		f.Close()
		return nil, nil, err
	}
	return s, blocks, nil
}

// readFooter reads the block list of a sealed segment; ok is false when the segment
// is not (validly) sealed. end is where the blocks end (the footer's offset).
func readFooter(f *os.File, size int64) (blocks []blockMeta, end int64, ok bool) {
	if size < footerHead+trailerSize {
		return nil, 0, false
	}
	var t [trailerSize]byte
	if _, err := f.ReadAt(t[:], size-trailerSize); err != nil || binary.LittleEndian.Uint32(t[8:]) != trailerMagic {
		return nil, 0, false
	}
	off := int64(binary.LittleEndian.Uint64(t[:]))
	if off < 0 || off > size-trailerSize-footerHead {
		return nil, 0, false
	}
	b := make([]byte, size-trailerSize-off)
	if _, err := f.ReadAt(b, off); err != nil {
		return nil, 0, false
	}
	blocks, err := parseFooter(b, off)
	if err != nil {
		return nil, 0, false
	}
	return blocks, off, true
}

// scanBlocks reads an unsealed segment from the start and returns its whole,
// checksummed blocks and the offset after the last of them.
func scanBlocks(f *os.File, size int64) ([]blockMeta, int64, error) {
	r := bufio.NewReaderSize(io.NewSectionReader(f, 0, size), 1<<20)
	var blocks []blockMeta
	var off int64
	h := make([]byte, headerSize)
	for off+headerSize <= size {
		if _, err := io.ReadFull(r, h); err != nil {
			return nil, 0, err
		}
		m, err := parseHeader(h, off, size)
		if err != nil {
			break // a torn or never-written tail
		}
		b := make([]byte, m.length)
		copy(b, h)
		if _, err := io.ReadFull(r, b[headerSize:]); err != nil {
			return nil, 0, err
		}
		if checkBlock(b) != nil {
			break
		}
		blocks = append(blocks, m)
		off += int64(m.length)
	}
	return blocks, off, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
