package logstore

import (
	"context"
	"slices"
	"time"
)

// ExpireInterval is how often Run enforces retention and seals old segments.
const ExpireInterval = time.Minute

const dayMs = 24 * 60 * 60 * 1000

// Run enforces retention until ctx ends: every ExpireInterval it seals active
// segments older than SegmentAge and deletes the segments whose every event is
// older than their group's retention. Reads never return expired events, deleted
// or not.
func (s *Store) Run(ctx context.Context) error {
	t := time.NewTicker(ExpireInterval)
	defer t.Stop()
	for {
		s.Expire()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// cutoff returns the oldest timestamp a group keeps, or First's when it keeps all
// (Store.mu held).
func (s *Store) cutoff(g *group) int64 {
	if g.rec.RetentionDays <= 0 {
		return First.Timestamp
	}
	return s.nowMs() - int64(g.rec.RetentionDays)*dayMs
}

// Expire runs one retention pass (Run calls it; tests may too).
func (s *Store) Expire() {
	s.mu.RLock()
	groups := make([]*group, 0, len(s.groups))
	for _, g := range s.groups {
		groups = append(groups, g)
	}
	s.mu.RUnlock()
	now := s.nowMs()
	for _, g := range groups {
		g.wmu.Lock()
		if a := g.active; a != nil && now-a.createdMs > s.opts.SegmentAge.Milliseconds() {
			s.roll(g)
		}
		s.mu.Lock()
		cut := s.cutoff(g)
		var expired []*segment
		for _, seg := range g.segs {
			if seg != g.active && seg.hasBlocks && seg.maxTs < cut {
				expired = append(expired, seg)
			}
		}
		for _, seg := range expired {
			s.deleteSegmentLocked(seg)
		}
		s.mu.Unlock()
		if len(expired) > 0 {
			s.log.Info("expired log events deleted", "group", g.rec.Name, "segments", len(expired), "retention_days", g.rec.RetentionDays)
		}
		g.wmu.Unlock()
	}
}

// evict deletes whole segments, oldest first whatever their group, until the store
// is back under 90% of its bound. It is the disk bound's only effect: appends never
// fail or block because the store is full; the oldest events go instead.
func (s *Store) evict() {
	if !s.evictMu.TryLock() {
		return // another append is evicting
	}
	defer s.evictMu.Unlock()
	low := s.opts.MaxBytes / 10 * 9
	for {
		s.mu.RLock()
		over := s.total > low
		var oldest *segment
		for _, g := range s.groups {
			for _, seg := range g.segs {
				if oldest == nil || seg.seq < oldest.seq {
					oldest = seg
				}
			}
		}
		s.mu.RUnlock()
		if !over || oldest == nil {
			return
		}
		g := oldest.g
		g.wmu.Lock()
		if g.active == oldest {
			s.roll(g)
		}
		s.mu.Lock()
		if !oldest.deleted {
			s.log.Warn("log store at its bound: deleting the oldest log segment", "group", g.rec.Name,
				"segment", oldest.path, "bytes", oldest.acct, "bound", s.opts.MaxBytes)
			s.deleteSegmentLocked(oldest)
		}
		s.mu.Unlock()
		g.wmu.Unlock()
	}
}

// deleteSegmentLocked removes a sealed (or empty) segment from the index and the
// disk (Store.mu held, and the group's wmu). Streams whose newest shipping cursor is
// in it get that cursor saved in the catalog first, so a shipper resumes where it
// stopped, not from the start of its source.
func (s *Store) deleteSegmentLocked(seg *segment) {
	g := seg.g
	saved := map[uint64]savedCursor{}
	for _, st := range g.streams {
		if st.hasCursor && st.cursorPos.Seg == seg.seq {
			saved[st.id] = savedCursor{Pos: st.cursorPos, Cursor: st.cursor}
		}
	}
	if err := s.cat.saveCursors(saved); err != nil {
		s.log.Error("saving log shipping cursors", "group", g.rec.Name, "err", err)
	}
	dropped := map[*stream]bool{}
	for _, c := range seg.chunks {
		if !dropped[c.st] {
			c.st.dropSegment(seg)
			dropped[c.st] = true
		}
	}
	g.segs = slices.DeleteFunc(g.segs, func(o *segment) bool { return o == seg })
	g.bytes -= seg.acct
	s.total -= seg.acct
	seg.deleted = true
	if err := seg.remove(); err != nil {
		s.log.Error("removing log segment", "path", seg.path, "err", err)
	}
}
