// Package metricstore is Slipway's durable store of CloudWatch metrics:
// datapoints per namespace, metric name, dimension set and unit, rolled up
// as they arrive into fixed tiers of resolution (one second to one hour,
// see DefaultTiers) that are each kept for a bounded time.
//
// Writes are cheap: a datapoint is merged into the in-memory "head" (the
// open bucket of each tier), and the head is written to a bbolt file in one
// transaction every FlushInterval, so Slipway's recorder costs one fsync
// per interval however many series it writes. A caller that must not lose
// what it wrote (PutMetricData) calls Flush, which shares the commit with
// concurrent callers. A crash loses at most the unflushed head of
// recorder data; the file is never left half-written (bbolt commits
// atomically).
//
// Disk use is bounded: at most MaxSeries series, each holding at most
// sum(Retention/Resolution) points over all tiers (about 61,000 with the
// default tiers, typically 20-60 bytes each); buckets past their tier's
// retention are deleted once a minute, and series that received nothing
// for the longest retention are forgotten.
package metricstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Errors of the store.
var (
	// ErrTooManySeries reports a write that would create a series beyond MaxSeries.
	ErrTooManySeries = errors.New("metricstore: too many metrics")
	// ErrClosed reports use of a closed store.
	ErrClosed = errors.New("metricstore: closed")
)

// DefaultMaxSeries bounds the number of series (metric, dimensions, unit).
const DefaultMaxSeries = 10000

// DefaultFlushInterval is how often the head is written to disk.
const DefaultFlushInterval = 5 * time.Second

var bucketSeries = []byte("series")

// Options configure a Store.
type Options struct {
	// Path is the database file (created if missing).
	Path string
	// Tiers are the resolutions kept (DefaultTiers when nil). Each
	// resolution is a whole number of seconds and divides the next.
	Tiers []Tier
	// MaxSeries bounds the series kept (DefaultMaxSeries when 0).
	MaxSeries int
	// FlushInterval is how often Run writes the head (DefaultFlushInterval when 0).
	FlushInterval time.Duration
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

// Sample is one write: an Aggregate of values of one metric at one time.
type Sample struct {
	Metric Metric
	Unit   string
	Time   time.Time
	Value  Aggregate
}

// Series describes one stored series.
type Series struct {
	Metric Metric
	Unit   string
	// LastWrite is when the series last received data (wall time of the write).
	LastWrite time.Time
}

// seriesRec is a series as stored and held in memory.
type seriesRec struct {
	ID         uint32      `json:"id"`
	Namespace  string      `json:"namespace"`
	Name       string      `json:"name"`
	Dimensions []Dimension `json:"dimensions,omitempty"`
	Unit       string      `json:"unit,omitempty"`
	LastWrite  int64       `json:"lastWrite"` // Unix seconds
	saved      int64       // LastWrite as last written to disk
}

func (r *seriesRec) metric() Metric {
	return Metric{Namespace: r.Namespace, Name: r.Name, Dimensions: r.Dimensions}
}

type pointKey struct {
	tier uint8
	ts   int64
	id   uint32
}

// entry is a head point: a merged copy of what is (or will be) on disk.
type entry struct {
	agg   Aggregate
	dirty bool
}

// Store is the metric store. It is safe for concurrent use.
type Store struct {
	opts    Options
	db      *bolt.DB
	tiers   []Tier
	buckets [][]byte // bucket name per tier

	flushMu sync.Mutex // serializes flushes

	mu       sync.RWMutex // protects everything below; queries hold it shared
	closed   bool
	byKey    map[string][]*seriesRec // metric key -> its series (one per unit)
	byID     map[uint32]*seriesRec
	nextID   uint32
	head     map[pointKey]*entry
	newDirty int // dirty entries since the last flush (for stats)
}

// Open opens (or creates) the store at opts.Path.
func Open(opts Options) (*Store, error) {
	if opts.Tiers == nil {
		opts.Tiers = DefaultTiers
	}
	if opts.MaxSeries == 0 {
		opts.MaxSeries = DefaultMaxSeries
	}
	if opts.FlushInterval == 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	for i, t := range opts.Tiers {
		if t.Resolution < time.Second || t.Resolution%time.Second != 0 || (i > 0 && t.Resolution%opts.Tiers[i-1].Resolution != 0) {
			return nil, fmt.Errorf("metricstore: bad tier resolution %v", t.Resolution)
		}
	}
	if err := os.MkdirAll(filepath.Dir(opts.Path), 0o700); err != nil {
		return nil, err
	}
	db, err := bolt.Open(opts.Path, 0o600, &bolt.Options{Timeout: 5 * time.Second, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("metricstore: open %s: %w", opts.Path, err)
	}
	s := &Store{
		opts: opts, db: db, tiers: opts.Tiers,
		byKey: map[string][]*seriesRec{}, byID: map[uint32]*seriesRec{}, head: map[pointKey]*entry{},
	}
	for _, t := range s.tiers {
		s.buckets = append(s.buckets, []byte("t"+strconv.FormatInt(t.resSeconds(), 10)))
	}
	if err := s.load(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// load creates the buckets and reads the series catalog.
func (s *Store) load() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range append([][]byte{bucketSeries}, s.buckets...) {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketSeries).ForEach(func(k, v []byte) error {
			r := &seriesRec{}
			if err := json.Unmarshal(v, r); err != nil {
				return fmt.Errorf("metricstore: series %x: %w", k, err)
			}
			r.saved = r.LastWrite
			s.addSeries(r)
			if r.ID >= s.nextID {
				s.nextID = r.ID + 1
			}
			return nil
		})
	})
}

func (s *Store) addSeries(r *seriesRec) {
	k := r.metric().key()
	s.byKey[k] = append(s.byKey[k], r)
	s.byID[r.ID] = r
}

// series returns (creating it if needed) the series of m and unit. Caller holds mu.
func (s *Store) series(m Metric, unit string) (*seriesRec, error) {
	k := m.key()
	for _, r := range s.byKey[k] {
		if r.Unit == unit {
			return r, nil
		}
	}
	if len(s.byID) >= s.opts.MaxSeries {
		return nil, fmt.Errorf("%w: the limit is %d", ErrTooManySeries, s.opts.MaxSeries)
	}
	r := &seriesRec{ID: s.nextID, Namespace: m.Namespace, Name: m.Name, Dimensions: m.Dimensions, Unit: unit}
	s.nextID++
	s.addSeries(r)
	return r, nil
}

func pointBytes(ts int64, id uint32) []byte {
	var k [12]byte
	binary.BigEndian.PutUint64(k[:8], uint64(ts))
	binary.BigEndian.PutUint32(k[8:], id)
	return k[:]
}

// Put merges samples into the store. They are durable after the next
// flush (Flush, or Run's interval). A sample that would create a series
// beyond MaxSeries fails the call after the samples before it were taken.
func (s *Store) Put(samples []Sample) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	var rtx *bolt.Tx // opened on the first head miss
	defer func() {
		if rtx != nil {
			_ = rtx.Rollback()
		}
	}()
	now := s.opts.Now().Unix()
	for _, smp := range samples {
		if smp.Value.Empty() {
			continue
		}
		r, err := s.series(smp.Metric, smp.Unit)
		if err != nil {
			return err
		}
		r.LastWrite = now
		sec := smp.Time.Unix()
		for ti, t := range s.tiers {
			if sec < now-int64(t.Retention/time.Second) {
				continue // older than this tier keeps
			}
			pk := pointKey{tier: uint8(ti), ts: t.align(sec), id: r.ID}
			e := s.head[pk]
			if e == nil {
				if rtx == nil {
					if rtx, err = s.db.Begin(false); err != nil {
						return err
					}
				}
				e = &entry{}
				if v := rtx.Bucket(s.buckets[ti]).Get(pointBytes(pk.ts, pk.id)); v != nil {
					if e.agg, err = decodeAggregate(v); err != nil {
						return fmt.Errorf("%w: %s at %d", err, s.buckets[ti], pk.ts)
					}
				}
				s.head[pk] = e
			}
			e.agg = e.agg.Merge(smp.Value)
			if !e.dirty {
				e.dirty = true
				s.newDirty++
			}
		}
	}
	return nil
}

type flushItem struct {
	pk  pointKey
	val []byte
}

// Flush writes every dirty head point and changed series record in one
// transaction; it returns once they are durable. Concurrent callers share
// commits: one that waits for another's flush then writes only what is
// still dirty.
func (s *Store) Flush() error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	items := make([]flushItem, 0, s.newDirty)
	for pk, e := range s.head {
		if e.dirty {
			items = append(items, flushItem{pk, e.agg.encode(nil)})
			e.dirty = false
		}
	}
	s.newDirty = 0
	var recs [][2][]byte
	var saved []*seriesRec
	for _, r := range s.byID {
		if r.LastWrite/60 != r.saved/60 { // LastWrite is kept to the minute on disk
			b, _ := json.Marshal(r)
			recs = append(recs, [2][]byte{seriesKey(r.ID), b})
			saved = append(saved, r)
		}
	}
	s.mu.Unlock()
	err := s.writeFlush(items, recs)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		for _, it := range items { // write them again next time
			if e := s.head[it.pk]; e != nil && !e.dirty {
				e.dirty = true
				s.newDirty++
			}
		}
		return err
	}
	for _, r := range saved {
		r.saved = r.LastWrite
	}
	s.evict()
	return nil
}

func seriesKey(id uint32) []byte { return binary.BigEndian.AppendUint32(nil, id) }

func (s *Store) writeFlush(items []flushItem, recs [][2][]byte) error {
	if len(items) == 0 && len(recs) == 0 {
		return nil
	}
	// Sorted keys fill bbolt's pages in order: the head's points of one
	// time are adjacent on disk, so a flush dirties few pages.
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i].pk, items[j].pk
		if a.tier != b.tier {
			return a.tier < b.tier
		}
		if a.ts != b.ts {
			return a.ts < b.ts
		}
		return a.id < b.id
	})
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, it := range items {
			if err := tx.Bucket(s.buckets[it.pk.tier]).Put(pointBytes(it.pk.ts, it.pk.id), it.val); err != nil {
				return err
			}
		}
		b := tx.Bucket(bucketSeries)
		for _, kv := range recs {
			if err := b.Put(kv[0], kv[1]); err != nil {
				return err
			}
		}
		return nil
	})
}

// evict drops clean head points whose bucket closed more than one
// resolution ago: writes for them are rare (late datapoints) and read them
// back from disk. Caller holds mu exclusively, so no query is between
// reading the head and the file.
func (s *Store) evict() {
	now := s.opts.Now().Unix()
	for pk, e := range s.head {
		if e.dirty {
			continue
		}
		res := s.tiers[pk.tier].resSeconds()
		if pk.ts+2*res < now {
			delete(s.head, pk)
		}
	}
}

// Run flushes every FlushInterval and enforces retention every minute
// until ctx ends; then it flushes once more.
func (s *Store) Run(ctx context.Context) error {
	flush := time.NewTicker(s.opts.FlushInterval)
	defer flush.Stop()
	retain := time.NewTicker(time.Minute)
	defer retain.Stop()
	for {
		select {
		case <-ctx.Done():
			return s.Flush()
		case <-flush.C:
			if err := s.Flush(); err != nil && !errors.Is(err, ErrClosed) {
				s.opts.Logger.Error("metric store flush failed", "err", err)
			}
		case <-retain.C:
			if err := s.EnforceRetention(); err != nil && !errors.Is(err, ErrClosed) {
				s.opts.Logger.Error("metric store retention failed", "err", err)
			}
		}
	}
}

// Close flushes the head and closes the file.
func (s *Store) Close() error {
	err := s.Flush()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	if errors.Is(err, ErrClosed) {
		return nil
	}
	return errors.Join(err, s.db.Close())
}
