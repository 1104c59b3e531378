package logstore

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Position orders the events of a group: by timestamp, then by ingestion order (the
// segment's sequence number, the block's offset in it and the event's index in the
// block). Sequence numbers start at 1, so a Position with a zero Seg sorts before
// every event of its timestamp.
type Position struct {
	Timestamp int64  `json:"t"`
	Seg       uint64 `json:"s"`
	Off       uint32 `json:"o"`
	Idx       uint32 `json:"i"`
}

// Before reports whether p sorts before q.
func (p Position) Before(q Position) bool {
	if p.Timestamp != q.Timestamp {
		return p.Timestamp < q.Timestamp
	}
	if p.Seg != q.Seg {
		return p.Seg < q.Seg
	}
	if p.Off != q.Off {
		return p.Off < q.Off
	}
	return p.Idx < q.Idx
}

// EventID is the event's id as CloudWatch Logs shows ids: 56 decimal digits. It is
// unique in the store and stable for the event's life.
func (p Position) EventID() string { return fmt.Sprintf("%020d%020d%016d", p.Seg, p.Off, p.Idx) }

// First and Last bound every position.
var (
	First = Position{Timestamp: math.MinInt64}
	Last  = Position{Timestamp: math.MaxInt64, Seg: math.MaxUint64, Off: math.MaxUint32, Idx: math.MaxUint32}
)

// AtTime is the first position of timestamp ts (before every event at ts).
func AtTime(ts int64) Position { return Position{Timestamp: ts} }

// Index chunks: a stream's index is a list of chunks, each a run of the stream's
// blocks in one segment, sorted by (min timestamp, first block). A chunk stays open
// for more blocks while they are in the same segment, do not start before its
// minimum, and it has fewer than chunkBlocks blocks and chunkBytes bytes; so the
// index costs 8 bytes per block plus one chunk per run, and a read decodes at most a
// chunk at a time.
const (
	chunkBlocks = 128
	chunkBytes  = 1 << 20
)

type chunk struct {
	seg          *segment
	st           *stream
	offs, lens   []uint32
	minTs, maxTs int64
	count        int64
	bytes        int64
	maxIngest    int64
}

func (c *chunk) firstPos() Position {
	return Position{Timestamp: c.minTs, Seg: c.seg.seq, Off: c.offs[0]}
}

// stream is the in-memory state of one log stream. Everything in it is protected by
// Store.mu.
type stream struct {
	id        uint64
	name      string
	g         *group
	createdMs int64
	deleted   bool

	chunks  []*chunk
	prefMax []int64 // prefMax[i] = max maxTs of chunks[0..i]
	open    *chunk

	// cursor is the newest shipping cursor appended to the stream, at cursorPos.
	cursor    []byte
	cursorPos Position
	hasCursor bool
}

// addBlock indexes a block of the stream.
func (st *stream) addBlock(seg *segment, m blockMeta) {
	c := st.open
	if c == nil || c.seg != seg || len(c.offs) >= chunkBlocks || c.bytes >= chunkBytes || m.minTs < c.minTs {
		c = &chunk{seg: seg, st: st, minTs: m.minTs, maxTs: m.maxTs, offs: []uint32{m.off}, lens: []uint32{m.length}}
		st.insert(c)
		st.open = c
		seg.chunks = append(seg.chunks, c)
	} else {
		c.offs, c.lens = append(c.offs, m.off), append(c.lens, m.length)
	}
	c.maxTs = max(c.maxTs, m.maxTs)
	c.count += int64(m.count)
	c.bytes += int64(m.length)
	c.maxIngest = max(c.maxIngest, m.ingest)
	st.fixPrefMax(st.indexOf(c))
}

// indexOf finds c in the stream's chunks; the open chunk is nearly always the last.
func (st *stream) indexOf(c *chunk) int {
	if n := len(st.chunks); n > 0 && st.chunks[n-1] == c {
		return n - 1
	}
	return slices.Index(st.chunks, c)
}

// insert places c by (minTs, first position); appends are usually at the end.
func (st *stream) insert(c *chunk) {
	n := len(st.chunks)
	i := n
	if n > 0 && c.firstPos().Before(st.chunks[n-1].firstPos()) {
		i = sort.Search(n, func(j int) bool { return c.firstPos().Before(st.chunks[j].firstPos()) })
	}
	st.chunks = slices.Insert(st.chunks, i, c)
	st.prefMax = slices.Insert(st.prefMax, i, c.maxTs)
}

// fixPrefMax recomputes prefMax from index i on.
func (st *stream) fixPrefMax(i int) {
	if i < 0 {
		i = 0
	}
	for ; i < len(st.chunks); i++ {
		m := st.chunks[i].maxTs
		if i > 0 {
			m = max(m, st.prefMax[i-1])
		}
		st.prefMax[i] = m
	}
}

// dropSegment removes the stream's chunks in seg.
func (st *stream) dropSegment(seg *segment) {
	st.chunks = slices.DeleteFunc(st.chunks, func(c *chunk) bool { return c.seg == seg })
	st.prefMax = st.prefMax[:len(st.chunks)]
	st.fixPrefMax(0)
	if st.open != nil && st.open.seg == seg {
		st.open = nil
	}
}

// stats summarises the stream's indexed events.
func (st *stream) stats() (first, last, lastIngest int64, events int64, ok bool) {
	for i, c := range st.chunks {
		if i == 0 || c.minTs < first {
			first = c.minTs
		}
		last, lastIngest = max(last, c.maxTs), max(lastIngest, c.maxIngest)
		events += c.count
	}
	return first, last, lastIngest, events, len(st.chunks) > 0
}

// item is one decoded event during a read.
type item struct {
	pos    Position
	ingest int64
	msg    []byte
	st     *stream
}

// itemHeap is a binary heap of items; less orders it.
type itemHeap struct {
	items []item
	less  func(a, b Position) bool
}

func (h *itemHeap) push(it item) {
	h.items = append(h.items, it)
	i := len(h.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(h.items[i].pos, h.items[p].pos) {
			break
		}
		h.items[i], h.items[p] = h.items[p], h.items[i]
		i = p
	}
}

func (h *itemHeap) pop() item {
	top := h.items[0]
	n := len(h.items) - 1
	h.items[0] = h.items[n]
	h.items[n] = item{}
	h.items = h.items[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.less(h.items[l].pos, h.items[m].pos) {
			m = l
		}
		if r < n && h.less(h.items[r].pos, h.items[m].pos) {
			m = r
		}
		if m == i {
			break
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
	return top
}

// streamIter yields a stream's events strictly between lo and hi, in position
// order (forward) or reverse order (backward). It decodes chunks lazily: forward, a
// chunk is loaded once no decoded event sorts before its minimum; backward, once no
// decoded event sorts after the maximum of it and every chunk before it (prefMax).
// Callers hold Store.mu (read) for the iterator's life.
type streamIter struct {
	st       *stream
	backward bool
	lo, hi   Position
	i        int
	h        itemHeap
	err      error
}

func newStreamIter(st *stream, lo, hi Position, backward bool) *streamIter {
	it := &streamIter{st: st, backward: backward, lo: lo, hi: hi}
	n := len(st.chunks)
	if backward {
		it.h.less = func(a, b Position) bool { return b.Before(a) }
		it.i = sort.Search(n, func(j int) bool { return st.chunks[j].minTs > hi.Timestamp }) - 1
	} else {
		it.h.less = Position.Before
		it.i = sort.Search(n, func(j int) bool { return st.prefMax[j] >= lo.Timestamp })
	}
	return it
}

// peek returns the next event without consuming it.
func (it *streamIter) peek() (item, bool) {
	it.fill()
	if len(it.h.items) == 0 {
		return item{}, false
	}
	return it.h.items[0], true
}

func (it *streamIter) next() (item, bool) {
	it.fill()
	if len(it.h.items) == 0 {
		return item{}, false
	}
	return it.h.pop(), true
}

func (it *streamIter) fill() {
	chunks := it.st.chunks
	for it.err == nil {
		var c *chunk
		if it.backward {
			if it.i < 0 || (len(it.h.items) > 0 && it.st.prefMax[it.i] < it.h.items[0].pos.Timestamp) {
				return
			}
			if it.st.prefMax[it.i] < it.lo.Timestamp {
				it.i = -1
				return
			}
			c = chunks[it.i]
			it.i--
		} else {
			if it.i >= len(chunks) || (len(it.h.items) > 0 && chunks[it.i].minTs > it.h.items[0].pos.Timestamp) {
				return
			}
			if chunks[it.i].minTs > it.hi.Timestamp {
				it.i = len(chunks)
				return
			}
			c = chunks[it.i]
			it.i++
		}
		it.err = it.load(c)
	}
}

// load decodes the chunk's events that fall between lo and hi into the heap.
func (it *streamIter) load(c *chunk) error {
	if c.maxTs < it.lo.Timestamp || c.minTs > it.hi.Timestamp {
		return nil
	}
	for k, off := range c.offs {
		m := blockMeta{off: off, length: c.lens[k]}
		b, err := c.seg.readBlock(m)
		if err != nil {
			return err
		}
		m, err = parseHeader(b, int64(off), int64(off)+int64(len(b)))
		if err != nil {
			return err
		}
		if m.maxTs < it.lo.Timestamp || m.minTs > it.hi.Timestamp {
			continue
		}
		err = decodeEvents(b, m, func(e decodedEvent) {
			p := Position{Timestamp: e.ts, Seg: c.seg.seq, Off: off, Idx: e.idx}
			if it.lo.Before(p) && p.Before(it.hi) {
				it.h.push(item{pos: p, ingest: m.ingest, msg: e.msg, st: it.st})
			}
		})
		if err != nil {
			return fmt.Errorf("%s: %w", c.seg.path, err)
		}
	}
	return nil
}
