package logstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func openTest(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustCreate(t *testing.T, s *Store, group string, streams ...string) {
	t.Helper()
	if err := s.CreateGroup(GroupSettings{Name: group}); err != nil {
		t.Fatal(err)
	}
	for _, st := range streams {
		if err := s.CreateStream(group, st); err != nil {
			t.Fatal(err)
		}
	}
}

func events(ts ...int64) []Event {
	out := make([]Event, len(ts))
	for i, t := range ts {
		out[i] = Event{Timestamp: t, Message: []byte(fmt.Sprintf("m%d", t))}
	}
	return out
}

func messages(p Page) []string {
	var out []string
	for _, e := range p.Events {
		out = append(out, string(e.Message))
	}
	return out
}

func readAll(t *testing.T, s *Store, q Query) []string {
	t.Helper()
	var out []string
	for {
		p, err := s.Read(q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, messages(p)...)
		if !p.More {
			return out
		}
		last := p.Last
		if q.Backward {
			q.Before = &last
		} else {
			q.After = &last
		}
	}
}

func TestReadOrdersByTimestampAcrossAppendsAndStreams(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{})
	mustCreate(t, s, "g", "a", "b")
	for _, b := range []struct {
		stream string
		ts     []int64
	}{{"a", []int64{10, 30, 20}}, {"b", []int64{15, 25}}, {"a", []int64{5, 40}}} {
		if err := s.Append("g", b.stream, events(b.ts...), nil); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"m5", "m10", "m15", "m20", "m25", "m30", "m40"}
	if got := readAll(t, s, Query{Group: "g", Limit: 2}); !slices.Equal(got, want) {
		t.Fatalf("forward = %v, want %v", got, want)
	}
	slices.Reverse(want)
	if got := readAll(t, s, Query{Group: "g", Limit: 3, Backward: true}); !slices.Equal(got, want) {
		t.Fatalf("backward = %v, want %v", got, want)
	}
	if got := readAll(t, s, Query{Group: "g", Streams: []string{"b"}, Limit: 10}); !slices.Equal(got, []string{"m15", "m25"}) {
		t.Fatalf("stream b = %v", got)
	}
	from, to := AtTime(20), AtTime(30)
	p, err := s.Read(Query{Group: "g", After: &from, Before: &to, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	// AtTime(20) sorts before every event at 20, so 20 is in and 30 is out.
	if got := messages(p); !slices.Equal(got, []string{"m20", "m25"}) || p.More {
		t.Fatalf("range = %v more=%v", got, p.More)
	}
}

func TestMatchScanBudgetAndBytes(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{})
	mustCreate(t, s, "g", "a")
	var evs []Event
	for i := range 100 {
		evs = append(evs, Event{Timestamp: int64(i), Message: []byte(fmt.Sprintf("line %03d", i))})
	}
	if err := s.Append("g", "a", evs, nil); err != nil {
		t.Fatal(err)
	}
	only := func(m []byte) bool { return string(m) == "line 090" }
	p, err := s.Read(Query{Group: "g", Limit: 10, MaxScan: 50, Match: only})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) != 0 || !p.More || p.Last.Timestamp != 49 {
		t.Fatalf("budgeted page = %v more=%v last=%v", messages(p), p.More, p.Last)
	}
	if got := readAll(t, s, Query{Group: "g", Limit: 10, MaxScan: 50, Match: only}); !slices.Equal(got, []string{"line 090"}) {
		t.Fatalf("matched = %v", got)
	}
	p, _ = s.Read(Query{Group: "g", Limit: 100, MaxBytes: 3 * (8 + EventOverhead)})
	if len(p.Events) != 3 || !p.More {
		t.Fatalf("byte-bounded page has %d events", len(p.Events))
	}
}

func TestReopenKeepsEventsCursorsAndSettings(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "g", "a")
	if err := s.UpdateGroup("g", func(g *GroupSettings) error {
		g.RetentionDays, g.Tags = 7, map[string]string{"team": "x"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	if err := s.Append("g", "a", events(now, now+1), []byte("cursor-1")); err != nil {
		t.Fatal(err)
	}
	if err := s.Append("g", "a", events(now+2), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir, Options{})
	if got := readAll(t, s, Query{Group: "g", Limit: 10}); len(got) != 3 {
		t.Fatalf("after reopen: %v", got)
	}
	c, ok, err := s.Cursor("g", "a")
	if err != nil || !ok || string(c) != "cursor-1" {
		t.Fatalf("cursor = %q %v %v", c, ok, err)
	}
	g, _ := s.Group("g")
	if g.RetentionDays != 7 || g.Tags["team"] != "x" || g.StoredBytes == 0 {
		t.Fatalf("group = %+v", g)
	}
	info, _ := s.Stream("g", "a")
	if !info.HasEvents || info.FirstEventMs != now || info.LastEventMs != now+2 || info.LastIngestionMs == 0 {
		t.Fatalf("stream = %+v", info)
	}
	// Appends after a reopen go to a new segment and ids never repeat.
	if err := s.Append("g", "a", events(now+3), nil); err != nil {
		t.Fatal(err)
	}
	p, _ := s.Read(Query{Group: "g", Limit: 10})
	ids := map[string]bool{}
	for _, e := range p.Events {
		ids[e.Pos.EventID()] = true
	}
	if len(ids) != 4 || len(p.Events[0].Pos.EventID()) != 56 {
		t.Fatalf("ids = %v", ids)
	}
}

// TestTornTailIsCut makes the last segment look like one a crash left behind:
// unsealed (footer gone) with half a block at its end. Open keeps every whole
// block, drops the torn one and takes appends again.
func TestTornTailIsCut(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "g", "a")
	for i := range 5 {
		if err := s.Append("g", "a", events(int64(i)), nil); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	segs, _ := filepath.Glob(filepath.Join(dir, "segments", "g*", "*.seg"))
	if len(segs) != 1 {
		t.Fatalf("segments: %v", segs)
	}
	f, err := os.OpenFile(segs[0], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, end, ok := readFooter(f, mustSize(t, f))
	if !ok {
		t.Fatal("segment not sealed by Close")
	}
	torn, _ := encodeBlock(nil, 99, events(100), nil, 1)
	if err := f.Truncate(end); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(torn[:len(torn)-3], end); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s = openTest(t, dir, Options{})
	if got := readAll(t, s, Query{Group: "g", Limit: 10}); !slices.Equal(got, []string{"m0", "m1", "m2", "m3", "m4"}) {
		t.Fatalf("after recovery: %v", got)
	}
	if err := s.Append("g", "a", events(5), nil); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, s, Query{Group: "g", Limit: 10}); len(got) != 6 {
		t.Fatalf("after append: %v", got)
	}
}

func mustSize(t *testing.T, f *os.File) int64 {
	t.Helper()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func TestRetentionHidesThenDeletesExpiredEvents(t *testing.T) {
	clk := &clock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	s := openTest(t, t.TempDir(), Options{Now: clk.now, SegmentAge: time.Hour})
	mustCreate(t, s, "g", "a")
	day := int64(dayMs)
	old := clk.t.UnixMilli() - 3*day
	if err := s.Append("g", "a", events(old, old+1), nil); err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(2 * time.Hour) // the first segment is now older than SegmentAge
	s.Expire()
	fresh := clk.t.UnixMilli()
	if err := s.Append("g", "a", events(fresh), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateGroup("g", func(g *GroupSettings) error { g.RetentionDays = 1; return nil }); err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf("m%d", fresh)}
	if got := readAll(t, s, Query{Group: "g", Limit: 10}); !slices.Equal(got, want) {
		t.Fatalf("read with retention = %v", got)
	}
	before, _ := s.Group("g")
	s.Expire()
	after, _ := s.Group("g")
	if after.StoredBytes >= before.StoredBytes {
		t.Fatalf("expire kept the bytes: %d -> %d", before.StoredBytes, after.StoredBytes)
	}
	segs, _ := filepath.Glob(filepath.Join(s.dir, "segments", "g*", "*.seg"))
	if len(segs) != 1 {
		t.Fatalf("segments after expiry: %v", segs)
	}
	if got := readAll(t, s, Query{Group: "g", Limit: 10}); !slices.Equal(got, want) {
		t.Fatalf("read after expiry = %v", got)
	}
}

// TestBoundDeletesOldestSegments fills a store far past its bound: it stays within
// the bound plus one segment, and what remains is the newest events.
func TestBoundDeletesOldestSegments(t *testing.T) {
	const bound = 1 << 20
	s := openTest(t, t.TempDir(), Options{MaxBytes: bound})
	mustCreate(t, s, "g", "a")
	mustCreate(t, s, "h", "b")
	msg := make([]byte, 8000)
	var last int64 // the newest event of group g
	for i := range 500 {
		group, stream := "g", "a"
		if i%3 == 0 {
			group, stream = "h", "b"
		} else {
			last = int64(i)
		}
		if err := s.Append(group, stream, []Event{{Timestamp: int64(i), Message: msg}}, nil); err != nil {
			t.Fatal(err)
		}
		if used, _ := s.Usage(); used > bound+s.opts.SegmentBytes {
			t.Fatalf("after %d appends the store holds %d bytes, bound %d", i, used, bound)
		}
	}
	var onDisk int64
	segs, _ := filepath.Glob(filepath.Join(s.dir, "segments", "g*", "*.seg"))
	for _, p := range segs {
		st, _ := os.Stat(p)
		onDisk += st.Size()
	}
	if used, _ := s.Usage(); onDisk != used {
		t.Fatalf("files hold %d bytes, the store counts %d", onDisk, used)
	}
	p, err := s.Read(Query{Group: "g", Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	n := len(p.Events)
	if n == 0 || n > bound/8000 || p.Events[n-1].Timestamp != last {
		t.Fatalf("kept %d events of group g, want at most %d ending with %d", n, bound/8000, last)
	}
	if p.Events[0].Timestamp < 100 {
		t.Fatalf("oldest kept event %d should have been evicted", p.Events[0].Timestamp)
	}
}

func TestDeleteGroupAndStream(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir, Options{})
	mustCreate(t, s, "g", "a", "b")
	_ = s.Append("g", "a", events(1), nil)
	_ = s.Append("g", "b", events(2), nil)
	if err := s.DeleteStream("g", "a"); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, s, Query{Group: "g", Limit: 10}); !slices.Equal(got, []string{"m2"}) {
		t.Fatalf("after stream delete: %v", got)
	}
	if err := s.Append("g", "a", events(3), nil); !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("append to a deleted stream: %v", err)
	}
	if err := s.DeleteGroup("g"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Group("g"); !errors.Is(err, ErrGroupNotFound) {
		t.Fatalf("group after delete: %v", err)
	}
	if err := s.CreateGroup(GroupSettings{Name: "g"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateStream("g", "a"); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, s, Query{Group: "g", Limit: 10}); len(got) != 0 {
		t.Fatalf("a recreated group shows old events: %v", got)
	}
	if used, _ := s.Usage(); used != 0 {
		t.Fatalf("usage after deletes = %d", used)
	}
}
