package logstore

import (
	"fmt"
	"slices"
	"strings"
)

// EventOverhead is what CloudWatch Logs counts per event on top of its message
// when it sizes batches and pages.
const EventOverhead = 26

// Query selects the events of one group to read.
type Query struct {
	Group string
	// Streams names the streams to read; streams that do not exist are skipped.
	// With Prefix, only streams whose names start with it; with neither, all.
	Streams []string
	Prefix  string
	// After and Before bound the positions read, exclusively; nil is unbounded.
	After, Before *Position
	// Backward reads from the newest event down.
	Backward bool
	// Limit bounds the events returned (required, > 0); MaxBytes their size as
	// CloudWatch counts it (0: unbounded); MaxScan the events examined, matched or
	// not (0: unbounded), so a selective Match over much data returns in bounded
	// time with a page that may be empty but says where to go on.
	Limit, MaxBytes, MaxScan int
	// Match, when set, keeps only the events whose message it accepts.
	Match func(message []byte) bool
}

// ReadEvent is one event read back.
type ReadEvent struct {
	Stream      string
	Timestamp   int64
	IngestionMs int64
	Message     []byte
	Pos         Position
}

// Page is one page of a read.
type Page struct {
	// Events are in position order, or reverse order when reading backward.
	Events []ReadEvent
	// Last is the position of the last event examined, returned or not (the query's
	// own bound when none was): the next page continues after it (before it, when
	// reading backward).
	Last Position
	// More is true when the page ended before the query's range did.
	More bool
}

// Read returns one page of events. Expired events (older than the group's
// retention) are never returned, even before Run deletes them.
func (s *Store) Read(q Query) (Page, error) {
	if q.Limit <= 0 {
		return Page{}, fmt.Errorf("logstore: Read needs a positive Limit")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, ok := s.groups[q.Group]
	if !ok {
		return Page{}, fmt.Errorf("%w: %s", ErrGroupNotFound, q.Group)
	}
	lo, hi := First, Last
	if q.After != nil {
		lo = *q.After
	}
	if q.Before != nil {
		hi = *q.Before
	}
	if cut := AtTime(s.cutoff(g)); lo.Before(cut) {
		lo = cut
	}
	page := Page{Last: lo}
	if q.Backward {
		page.Last = hi
	}
	m := merger{backward: q.Backward}
	for _, st := range selectStreams(g, q) {
		if err := m.add(newStreamIter(st, lo, hi, q.Backward)); err != nil {
			return Page{}, err
		}
	}
	bytes, scanned := 0, 0
	for len(m.heads) > 0 {
		head := m.heads[0]
		size := len(head.msg) + EventOverhead
		matched := q.Match == nil || q.Match(head.msg)
		if matched && (len(page.Events) >= q.Limit || (q.MaxBytes > 0 && len(page.Events) > 0 && bytes+size > q.MaxBytes)) {
			page.More = true
			break
		}
		if q.MaxScan > 0 && scanned >= q.MaxScan {
			page.More = true
			break
		}
		if err := m.advance(); err != nil {
			return Page{}, err
		}
		scanned++
		page.Last = head.pos
		if matched {
			bytes += size
			page.Events = append(page.Events, ReadEvent{Stream: head.st.name, Timestamp: head.pos.Timestamp,
				IngestionMs: head.ingest, Message: head.msg, Pos: head.pos})
		}
	}
	return page, nil
}

// selectStreams returns the streams a query names, in name order.
func selectStreams(g *group, q Query) []*stream {
	var out []*stream
	switch {
	case len(q.Streams) > 0:
		for _, name := range q.Streams {
			if st, ok := g.streams[name]; ok && !slices.Contains(out, st) {
				out = append(out, st)
			}
		}
	default:
		for name, st := range g.streams {
			if strings.HasPrefix(name, q.Prefix) {
				out = append(out, st)
			}
		}
	}
	slices.SortFunc(out, func(a, b *stream) int { return strings.Compare(a.name, b.name) })
	return out
}

// merger merges stream iterators by their next event: heads[0] is the next event
// of the group, heads[i] that of iters[i], kept as a binary heap.
type merger struct {
	backward bool
	iters    []*streamIter
	heads    []item
}

func (m *merger) less(a, b item) bool {
	if m.backward {
		return b.pos.Before(a.pos)
	}
	return a.pos.Before(b.pos)
}

func (m *merger) add(it *streamIter) error {
	head, ok := it.next()
	if it.err != nil {
		return it.err
	}
	if !ok {
		return nil
	}
	m.iters, m.heads = append(m.iters, it), append(m.heads, head)
	m.up(len(m.heads) - 1)
	return nil
}

// advance consumes heads[0] and refills it from its iterator.
func (m *merger) advance() error {
	it := m.iters[0]
	head, ok := it.next()
	if it.err != nil {
		return it.err
	}
	last := len(m.heads) - 1
	if ok {
		m.heads[0] = head
	} else {
		m.heads[0], m.iters[0] = m.heads[last], m.iters[last]
		m.heads, m.iters = m.heads[:last], m.iters[:last]
	}
	m.down(0)
	return nil
}

func (m *merger) swap(i, j int) {
	m.heads[i], m.heads[j] = m.heads[j], m.heads[i]
	m.iters[i], m.iters[j] = m.iters[j], m.iters[i]
}

func (m *merger) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !m.less(m.heads[i], m.heads[p]) {
			return
		}
		m.swap(i, p)
		i = p
	}
}

func (m *merger) down(i int) {
	n := len(m.heads)
	for {
		l, r, min := 2*i+1, 2*i+2, i
		if l < n && m.less(m.heads[l], m.heads[min]) {
			min = l
		}
		if r < n && m.less(m.heads[r], m.heads[min]) {
			min = r
		}
		if min == i {
			return
		}
		m.swap(i, min)
		i = min
	}
}
