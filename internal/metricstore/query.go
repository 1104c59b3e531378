package metricstore

import (
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrBadQuery reports a query the store cannot answer (a period that is not
// a whole number of seconds, an inverted range).
var ErrBadQuery = errors.New("metricstore: bad query")

// MaxQueryPoints bounds the stored points one Query reads (CloudWatch's
// GetMetricData answers at most 100,800 datapoints per call).
const MaxQueryPoints = 2_000_000

// Query asks for one metric's statistics in periods.
type Query struct {
	Metric Metric
	// Unit selects the series of one unit; "" merges every unit's.
	Unit string
	// Start and End bound the periods: the first starts at Start, the last
	// ends at or before End. Start should be aligned as CloudWatch rounds it.
	Start, End time.Time
	// Period is a whole number of seconds.
	Period time.Duration
}

// Window is one period's statistics; periods without data are left out.
type Window struct {
	Start time.Time
	Value Aggregate
	// Unit is the unit of the data ("" when units were mixed or unset).
	Unit string
}

// Query returns the periods of q that hold data, in time order.
func (s *Store) Query(q Query) ([]Window, error) {
	if q.Period < time.Second || q.Period%time.Second != 0 || !q.End.After(q.Start) {
		return nil, fmt.Errorf("%w: period %v over [%v, %v)", ErrBadQuery, q.Period, q.Start, q.End)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, ErrClosed
	}
	var ids []uint32
	unit, mixed := "", false
	for _, r := range s.byKey[q.Metric.key()] {
		if q.Unit != "" && r.Unit != q.Unit {
			continue
		}
		if len(ids) > 0 && r.Unit != unit {
			mixed = true
		}
		unit = r.Unit
		ids = append(ids, r.ID)
	}
	if mixed {
		unit = ""
	}
	if len(ids) == 0 {
		return nil, nil
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	ti := s.tierFor(q)
	res := s.tiers[ti].resSeconds()
	period, start, end := int64(q.Period/time.Second), q.Start.Unix(), q.End.Unix()
	if n := (end - start) / res * int64(len(ids)); n > MaxQueryPoints {
		return nil, fmt.Errorf("%w: the query would read %d points (at most %d)", ErrBadQuery, n, MaxQueryPoints)
	}
	tx, err := s.db.Begin(false)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	b := tx.Bucket(s.buckets[ti])
	var out []Window
	for ws := start; ws+period <= end; ws += period {
		var agg Aggregate
		for ts := s.tiers[ti].align(ws); ts < ws+period; ts += res {
			for _, id := range ids {
				a, err := s.point(b, pointKey{tier: uint8(ti), ts: ts, id: id})
				if err != nil {
					return nil, err
				}
				agg = agg.Merge(a)
			}
		}
		if !agg.Empty() {
			out = append(out, Window{Start: time.Unix(ws, 0).UTC(), Value: agg, Unit: unit})
		}
	}
	return out, nil
}

// point reads one point from the head or the file. Caller holds mu.
func (s *Store) point(b *bolt.Bucket, pk pointKey) (Aggregate, error) {
	if e := s.head[pk]; e != nil {
		return e.agg, nil
	}
	v := b.Get(pointBytes(pk.ts, pk.id))
	if v == nil {
		return Aggregate{}, nil
	}
	a, err := decodeAggregate(v)
	if err != nil {
		return a, fmt.Errorf("%w: at %d", err, pk.ts)
	}
	return a, nil
}

// tierFor picks the coarsest tier whose buckets tile q's periods and that
// still holds q's start; failing that, the coarsest that tiles them.
func (s *Store) tierFor(q Query) int {
	period, start := int64(q.Period/time.Second), q.Start.Unix()
	oldest := s.opts.Now().Unix() - start
	best, fallback := -1, 0
	for i, t := range s.tiers {
		r := t.resSeconds()
		if period%r != 0 || start%r != 0 {
			continue
		}
		fallback = i
		if oldest <= int64(t.Retention/time.Second) {
			best = i
		}
	}
	if best < 0 {
		return fallback
	}
	return best
}

// List returns every series, in no particular order.
func (s *Store) List() []Series {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Series, 0, len(s.byID))
	for _, r := range s.byID {
		out = append(out, Series{Metric: r.metric(), Unit: r.Unit, LastWrite: time.Unix(r.LastWrite, 0)})
	}
	return out
}
