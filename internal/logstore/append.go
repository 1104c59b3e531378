package logstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Append stores events in a stream durably: it returns once they are fsynced (and
// then readable), or with an error, after which none of them is stored. cursor, when
// not empty, is kept with the events atomically and returned by Cursor until a later
// Append brings another: a shipper's position in its source. Events need not be in
// timestamp order; reads sort them.
func (s *Store) Append(group, name string, events []Event, cursor []byte) error {
	if len(events) == 0 {
		return nil
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	st, err := s.streamLocked(group, name)
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	bp, _ := s.blockBufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	b, m := encodeBlock(*bp, st.id, events, cursor, s.nowMs())
	size := int64(len(b))
	g := st.g
	g.wmu.Lock()
	seg, off, err := s.write(g, st, b)
	g.wmu.Unlock()
	*bp = b[:0]
	s.blockBufs.Put(bp) // written: the block's bytes are free again
	if err != nil {
		return err
	}
	m.off = uint32(off)
	if err := seg.syncTo(off + size); err != nil {
		return err
	}
	s.mu.Lock()
	if !seg.deleted {
		s.account(seg, size)
	}
	if !seg.deleted && !st.deleted {
		s.indexBlock(g, seg, m)
		if len(cursor) > 0 {
			pos := Position{Timestamp: m.minTs, Seg: seg.seq, Off: m.off}
			if !st.hasCursor || ingestBefore(st.cursorPos, pos) {
				st.cursor, st.cursorPos, st.hasCursor = append([]byte(nil), cursor...), pos, true
			}
		}
	}
	over := s.total > s.opts.MaxBytes
	s.mu.Unlock()
	if over {
		s.evict()
	}
	return nil
}

// write appends block b to the group's active segment, rolling to a new one when the
// active segment is full or old (g.wmu held).
func (s *Store) write(g *group, st *stream, b []byte) (*segment, int64, error) {
	s.mu.RLock()
	gone := g.deleted || st.deleted
	s.mu.RUnlock()
	if gone {
		return nil, 0, fmt.Errorf("%w: %s", ErrStreamNotFound, st.name)
	}
	now := s.nowMs()
	if a := g.active; a != nil && a.written.Load() > 0 &&
		(a.written.Load()+int64(len(b)) > s.opts.SegmentBytes || now-a.createdMs > s.opts.SegmentAge.Milliseconds()) {
		s.roll(g)
	}
	if g.active == nil {
		seg, err := s.newSegment(g, now)
		if err != nil {
			return nil, 0, err
		}
		g.active = seg
	}
	seg := g.active
	off, err := seg.append(b)
	if err != nil {
		if errors.Is(err, errSegmentBroken) {
			s.roll(g)
		}
		return nil, 0, fmt.Errorf("log store: appending to %s: %w", seg.path, err)
	}
	m, _ := parseHeader(b, off, off+int64(len(b)))
	seg.blocks = append(seg.blocks, m)
	return seg, off, nil
}

// newSegment creates the group's next segment (g.wmu held).
func (s *Store) newSegment(g *group, now int64) (*segment, error) {
	if err := os.MkdirAll(g.dir, 0o700); err != nil {
		return nil, err
	}
	if err := syncDir(filepath.Dir(g.dir)); err != nil {
		return nil, err
	}
	seq := s.segSeq.Add(1)
	if err := s.cat.claimSegSeq(seq); err != nil {
		return nil, err
	}
	seg, err := createSegment(g.dir, seq, g, now)
	if err != nil {
		return nil, fmt.Errorf("log store: %w", err)
	}
	s.mu.Lock()
	g.segs = append(g.segs, seg)
	s.mu.Unlock()
	return seg, nil
}

// roll seals the group's active segment (g.wmu held); the next append starts a new
// one. A segment that cannot be sealed is left as it is: the next Open scans and
// seals it.
func (s *Store) roll(g *group) {
	a := g.active
	if a == nil {
		return
	}
	g.active = nil
	if a.written.Load() == 0 { // nothing was ever written to it
		s.mu.Lock()
		s.deleteSegmentLocked(a)
		s.mu.Unlock()
		return
	}
	if err := a.syncTo(a.written.Load()); err != nil {
		s.log.Error("log segment fsync failed", "path", a.path, "err", err)
	}
	if err := a.seal(); err != nil {
		s.log.Error("log segment could not be sealed", "path", a.path, "err", err)
		a.blocks = nil
	}
	s.mu.Lock()
	if !a.deleted {
		s.account(a, a.size()-a.written.Load()) // the footer
	}
	s.mu.Unlock()
}

// account adds n bytes of seg to the sizes (Store.mu held).
func (s *Store) account(seg *segment, n int64) {
	seg.acct += n
	seg.g.bytes += n
	s.total += n
}
