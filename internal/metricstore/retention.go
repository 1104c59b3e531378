package metricstore

import (
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// retentionBatch bounds the keys one retention transaction deletes, so a
// long-stopped server catches up without one huge transaction.
const retentionBatch = 20000

// EnforceRetention deletes the points older than their tier's retention and
// forgets series that received nothing for the longest retention. Points
// are keyed by time first, so expired ones are the first keys of each tier.
func (s *Store) EnforceRetention() error {
	now := s.opts.Now()
	for ti, t := range s.tiers {
		cutoff := now.Add(-t.Retention).Unix()
		for {
			n, err := s.deleteBefore(s.buckets[ti], cutoff)
			if err != nil || n < retentionBatch {
				if err != nil {
					return err
				}
				break
			}
		}
	}
	return s.forgetIdle(now.Add(-s.tiers[len(s.tiers)-1].Retention))
}

func (s *Store) deleteBefore(bucket []byte, cutoff int64) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		n = 0
		c := tx.Bucket(bucket).Cursor()
		var keys [][]byte
		for k, _ := c.First(); k != nil && len(keys) < retentionBatch; k, _ = c.Next() {
			if int64(binary.BigEndian.Uint64(k[:8])) >= cutoff {
				break
			}
			keys = append(keys, append([]byte(nil), k...))
		}
		b := tx.Bucket(bucket)
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(keys)
		return nil
	})
	return n, err
}

// forgetIdle removes series whose last write is before cutoff: all their
// points have expired with it.
func (s *Store) forgetIdle(cutoff time.Time) error {
	s.mu.Lock()
	var idle []*seriesRec
	for _, r := range s.byID {
		if r.LastWrite < cutoff.Unix() {
			idle = append(idle, r)
		}
	}
	s.mu.Unlock()
	if len(idle) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSeries)
		for _, r := range idle {
			if err := b.Delete(seriesKey(r.ID)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range idle {
		if r.LastWrite >= cutoff.Unix() {
			continue // written meanwhile: its record is saved again at the next flush
		}
		delete(s.byID, r.ID)
		k := r.metric().key()
		list := s.byKey[k]
		for i, x := range list {
			if x == r {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(s.byKey, k)
		} else {
			s.byKey[k] = list
		}
	}
	return nil
}
