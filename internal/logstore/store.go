package logstore

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Options.
const (
	DefaultMaxBytes     int64 = 1 << 30
	DefaultSegmentBytes int64 = 16 << 20
	DefaultSegmentAge         = time.Hour
)

// Sentinel errors; operations wrap them.
var (
	ErrGroupNotFound  = errors.New("log group not found")
	ErrGroupExists    = errors.New("log group already exists")
	ErrStreamNotFound = errors.New("log stream not found")
	ErrStreamExists   = errors.New("log stream already exists")
	ErrClosed         = errors.New("log store closed")
)

// Options configure a Store.
type Options struct {
	// MaxBytes bounds the store's segment files on disk (DefaultMaxBytes when 0).
	// Past it, whole segments are deleted oldest first, whatever their group.
	MaxBytes int64
	// SegmentBytes is the size at which a segment is sealed and a new one begun
	// (DefaultSegmentBytes, at most MaxBytes/16).
	SegmentBytes int64
	// SegmentAge is how long a segment takes appends before it is sealed, so that
	// retention can delete it as a whole (DefaultSegmentAge).
	SegmentAge time.Duration
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

// Event is one log event to append: a timestamp in milliseconds since the epoch and
// the message.
type Event struct {
	Timestamp int64
	Message   []byte
}

// GroupSettings are a log group's stored attributes.
type GroupSettings struct {
	Name               string
	RetentionDays      int // 0: never expire
	KMSKeyID           string
	Class              string
	DeletionProtection bool
	Tags               map[string]string
}

// GroupInfo is a log group as stored, with its creation time and size.
type GroupInfo struct {
	GroupSettings
	CreatedMs   int64
	StoredBytes int64
}

// StreamInfo is a log stream as stored. The event times are zero when HasEvents
// is false.
type StreamInfo struct {
	Name            string
	CreatedMs       int64
	HasEvents       bool
	FirstEventMs    int64
	LastEventMs     int64
	LastIngestionMs int64
}

// group is the in-memory state of a log group. rec, streams, segs, bytes and
// deleted are protected by Store.mu; active by wmu, which every append and every
// roll holds (lock order: wmu before Store.mu).
type group struct {
	rec     groupRecord
	dir     string
	streams map[string]*stream
	byID    map[uint64]*stream
	segs    []*segment
	bytes   int64
	deleted bool

	wmu    sync.Mutex
	active *segment
}

// Store is the durable log store: log groups and streams in a bbolt catalog, their
// events in append-only segment files per group. See the package documentation.
type Store struct {
	dir  string
	opts Options
	cat  *catalog
	log  *slog.Logger

	mu     sync.RWMutex // protects groups, total, closed and the groups' and streams' fields
	groups map[string]*group
	byID   map[uint64]*group
	total  int64
	closed bool

	segSeq  atomic.Uint64
	evictMu sync.Mutex // one eviction at a time
	// blockBufs recycles the buffers blocks are encoded in (*[]byte): a block is
	// garbage once written, and at tens of thousands of events per second new
	// ones would keep the collector busy.
	blockBufs sync.Pool
}

// Open opens the store in dir, creating it if needed, and recovers from a crash:
// torn appends are cut off, unsealed segments are sealed, and segments of deleted
// groups are removed.
func Open(dir string, opts Options) (*Store, error) {
	opts = withDefaults(opts)
	if err := os.MkdirAll(filepath.Join(dir, "segments"), 0o700); err != nil {
		return nil, fmt.Errorf("log store: %w", err)
	}
	cat, err := openCatalog(dir)
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, opts: opts, cat: cat, log: opts.Logger.With("component", "logstore"),
		groups: map[string]*group{}, byID: map[uint64]*group{}}
	if err := s.load(); err != nil {
		cat.close()
		s.closeSegments()
		return nil, err
	}
	return s, nil
}

func withDefaults(o Options) Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.SegmentBytes <= 0 {
		o.SegmentBytes = DefaultSegmentBytes
	}
	o.SegmentBytes = max(min(o.SegmentBytes, o.MaxBytes/16), 64<<10)
	if o.SegmentAge <= 0 {
		o.SegmentAge = DefaultSegmentAge
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func (s *Store) nowMs() int64 { return s.opts.Now().UnixMilli() }

// load reads the catalog and every segment into memory.
func (s *Store) load() error {
	l, err := s.cat.load()
	if err != nil {
		return err
	}
	for _, rec := range l.groups {
		g := s.newGroup(rec)
		for name, sr := range l.streams[rec.ID] {
			st := &stream{id: sr.ID, name: name, g: g, createdMs: sr.CreatedMs}
			g.streams[name], g.byID[sr.ID] = st, st
		}
	}
	s.segSeq.Store(l.segSeq)
	root := filepath.Join(s.dir, "segments")
	entries, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	for _, e := range entries {
		id, err := strconv.ParseUint(strings.TrimPrefix(e.Name(), "g"), 10, 64)
		g := s.byID[id]
		if err != nil || g == nil || !e.IsDir() {
			// A group deleted before its directory was removed (or a stray file).
			if rmErr := os.RemoveAll(filepath.Join(root, e.Name())); rmErr != nil {
				return rmErr
			}
			continue
		}
		if err := s.loadGroup(g); err != nil {
			return err
		}
	}
	for _, g := range s.groups {
		for _, st := range g.streams {
			if sc, ok := l.cursors[st.id]; ok && (!st.hasCursor || ingestBefore(st.cursorPos, sc.Pos)) {
				st.cursor, st.cursorPos, st.hasCursor = sc.Cursor, sc.Pos, true
			}
		}
	}
	return nil
}

func (s *Store) newGroup(rec groupRecord) *group {
	g := &group{rec: rec, dir: filepath.Join(s.dir, "segments", "g"+strconv.FormatUint(rec.ID, 10)),
		streams: map[string]*stream{}, byID: map[uint64]*stream{}}
	s.groups[rec.Name], s.byID[rec.ID] = g, g
	return g
}

// loadGroup opens the group's segments in sequence order and indexes their blocks.
func (s *Store) loadGroup(g *group) error {
	entries, err := os.ReadDir(g.dir)
	if err != nil {
		return err
	}
	var seqs []uint64
	for _, e := range entries {
		if seq, ok := parseSegName(e.Name()); ok {
			seqs = append(seqs, seq)
		} else if strings.HasSuffix(e.Name(), segExt) || strings.HasPrefix(e.Name(), ".") {
			os.Remove(filepath.Join(g.dir, e.Name()))
		}
	}
	slices.Sort(seqs)
	newest := map[*stream]blockMeta{}
	newestSeg := map[*stream]*segment{}
	for _, seq := range seqs {
		if seq > s.segSeq.Load() {
			s.segSeq.Store(seq)
		}
		seg, blocks, err := openSegment(filepath.Join(g.dir, segName(seq)), seq, g)
		if err != nil {
			return fmt.Errorf("log store: %w", err)
		}
		if len(blocks) == 0 {
			if err := seg.remove(); err != nil {
				return err
			}
			continue
		}
		for _, m := range blocks {
			s.indexBlock(g, seg, m)
			if st := g.byID[m.stream]; st != nil && m.cursorLen > 0 {
				newest[st], newestSeg[st] = m, seg
			}
		}
		g.segs = append(g.segs, seg)
		s.account(seg, seg.size())
	}
	for st, m := range newest {
		seg := newestSeg[st]
		b := make([]byte, m.cursorLen)
		if _, err := seg.f.ReadAt(b, int64(m.off)+headerSize); err != nil {
			return fmt.Errorf("log store: reading a cursor in %s: %w", seg.path, err)
		}
		st.cursor, st.cursorPos, st.hasCursor = b, Position{Timestamp: m.minTs, Seg: seg.seq, Off: m.off}, true
	}
	return nil
}

// indexBlock adds a durable block to the index (Store.mu held, or during load).
func (s *Store) indexBlock(g *group, seg *segment, m blockMeta) {
	if !seg.hasBlocks {
		seg.minTs, seg.maxTs, seg.hasBlocks = m.minTs, m.maxTs, true
	}
	seg.minTs, seg.maxTs = min(seg.minTs, m.minTs), max(seg.maxTs, m.maxTs)
	if st := g.byID[m.stream]; st != nil {
		st.addBlock(seg, m)
	}
}

// ingestBefore orders positions by ingestion (segment, offset) alone.
func ingestBefore(a, b Position) bool {
	if a.Seg != b.Seg {
		return a.Seg < b.Seg
	}
	return a.Off < b.Off
}

// Close seals the active segments and closes the store. Appends after Close fail
// with ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	groups := slices.Collect(maps.Values(s.groups))
	s.mu.Unlock()
	var errs []error
	for _, g := range groups {
		g.wmu.Lock()
		if g.active != nil {
			errs = append(errs, g.active.seal())
			g.active = nil
		}
		g.wmu.Unlock()
	}
	s.closeSegments()
	errs = append(errs, s.cat.close())
	return errors.Join(errs...)
}

func (s *Store) closeSegments() {
	for _, g := range s.groups {
		for _, seg := range g.segs {
			seg.f.Close()
		}
	}
}

// Usage returns the bytes the segments take on disk and the bound.
func (s *Store) Usage() (bytes, bound int64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.total, s.opts.MaxBytes
}

// CreateGroup creates a log group.
func (s *Store) CreateGroup(set GroupSettings) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if _, ok := s.groups[set.Name]; ok {
		return fmt.Errorf("%w: %s", ErrGroupExists, set.Name)
	}
	rec := groupRecord{Name: set.Name, CreatedMs: s.nowMs(), RetentionDays: set.RetentionDays, KMSKeyID: set.KMSKeyID,
		Class: set.Class, DeletionProtection: set.DeletionProtection, Tags: maps.Clone(set.Tags)}
	if err := s.cat.createGroup(&rec); err != nil {
		return err
	}
	s.newGroup(rec)
	return nil
}

// Group returns one group.
func (s *Store) Group(name string) (GroupInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, ok := s.groups[name]
	if !ok {
		return GroupInfo{}, fmt.Errorf("%w: %s", ErrGroupNotFound, name)
	}
	return g.info(), nil
}

func (g *group) info() GroupInfo {
	r := g.rec
	return GroupInfo{GroupSettings: GroupSettings{Name: r.Name, RetentionDays: r.RetentionDays, KMSKeyID: r.KMSKeyID,
		Class: r.Class, DeletionProtection: r.DeletionProtection, Tags: maps.Clone(r.Tags)},
		CreatedMs: r.CreatedMs, StoredBytes: g.bytes}
}

// Groups returns every group, sorted by name.
func (s *Store) Groups() []GroupInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]GroupInfo, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g.info())
	}
	slices.SortFunc(out, func(a, b GroupInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// UpdateGroup changes a group's settings through fn, which gets a copy to modify
// (its Name is ignored) and may refuse by returning an error.
func (s *Store) UpdateGroup(name string, fn func(*GroupSettings) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[name]
	if !ok {
		return fmt.Errorf("%w: %s", ErrGroupNotFound, name)
	}
	set := g.info().GroupSettings
	if err := fn(&set); err != nil {
		return err
	}
	rec := g.rec
	rec.RetentionDays, rec.KMSKeyID, rec.Class, rec.DeletionProtection, rec.Tags =
		set.RetentionDays, set.KMSKeyID, set.Class, set.DeletionProtection, maps.Clone(set.Tags)
	if err := s.cat.putGroup(rec); err != nil {
		return err
	}
	g.rec = rec
	return nil
}

// DeleteGroup deletes a group with its streams and events.
func (s *Store) DeleteGroup(name string) error {
	s.mu.RLock()
	g, ok := s.groups[name]
	s.mu.RUnlock()
	if !ok {
		return fmt.Errorf("%w: %s", ErrGroupNotFound, name)
	}
	g.wmu.Lock() // no append is half done while the group goes
	defer g.wmu.Unlock()
	s.mu.Lock()
	if g.deleted {
		s.mu.Unlock()
		return fmt.Errorf("%w: %s", ErrGroupNotFound, name)
	}
	ids := slices.Collect(maps.Keys(g.byID))
	if err := s.cat.deleteGroup(g.rec, ids); err != nil {
		s.mu.Unlock()
		return err
	}
	g.deleted = true
	delete(s.groups, name)
	delete(s.byID, g.rec.ID)
	s.total -= g.bytes
	for _, seg := range g.segs {
		seg.deleted = true
		seg.f.Close()
	}
	g.active = nil
	s.mu.Unlock()
	// The catalog no longer knows the group; a crash before this removal leaves a
	// directory that the next Open removes.
	return os.RemoveAll(g.dir)
}

// CreateStream creates a stream in a group.
func (s *Store) CreateStream(group, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[group]
	if !ok {
		return fmt.Errorf("%w: %s", ErrGroupNotFound, group)
	}
	if _, ok := g.streams[name]; ok {
		return fmt.Errorf("%w: %s", ErrStreamExists, name)
	}
	rec := streamRecord{CreatedMs: s.nowMs()}
	if err := s.cat.createStream(g.rec.ID, name, &rec); err != nil {
		return err
	}
	st := &stream{id: rec.ID, name: name, g: g, createdMs: rec.CreatedMs}
	g.streams[name], g.byID[rec.ID] = st, st
	return nil
}

// DeleteStream deletes a stream. Its events leave the index at once; their bytes
// stay in the group's segments until retention or the disk bound removes those.
func (s *Store) DeleteStream(group, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.streamLocked(group, name)
	if err != nil {
		return err
	}
	if err := s.cat.deleteStream(st.g.rec.ID, name, st.id); err != nil {
		return err
	}
	st.deleted = true
	delete(st.g.streams, name)
	delete(st.g.byID, st.id)
	for _, c := range st.chunks {
		c.seg.chunks = slices.DeleteFunc(c.seg.chunks, func(o *chunk) bool { return o == c })
	}
	st.chunks, st.prefMax, st.open = nil, nil, nil
	return nil
}

func (s *Store) streamLocked(group, name string) (*stream, error) {
	g, ok := s.groups[group]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrGroupNotFound, group)
	}
	st, ok := g.streams[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrStreamNotFound, name)
	}
	return st, nil
}

// Streams returns a group's streams, sorted by name.
func (s *Store) Streams(group string) ([]StreamInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, ok := s.groups[group]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrGroupNotFound, group)
	}
	out := make([]StreamInfo, 0, len(g.streams))
	for _, st := range g.streams {
		out = append(out, st.info())
	}
	slices.SortFunc(out, func(a, b StreamInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Stream returns one stream.
func (s *Store) Stream(group, name string) (StreamInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.streamLocked(group, name)
	if err != nil {
		return StreamInfo{}, err
	}
	return st.info(), nil
}

func (st *stream) info() StreamInfo {
	first, last, ingest, _, ok := st.stats()
	return StreamInfo{Name: st.name, CreatedMs: st.createdMs, HasEvents: ok,
		FirstEventMs: first, LastEventMs: last, LastIngestionMs: ingest}
}

// Cursor returns the cursor passed with the newest Append to the stream that had
// one: where its shipper stopped.
func (s *Store) Cursor(group, name string) ([]byte, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.streamLocked(group, name)
	if err != nil {
		return nil, false, err
	}
	return slices.Clone(st.cursor), st.hasCursor, nil
}
