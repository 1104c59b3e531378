package logstore

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The catalog is a small bbolt file beside the segments: the log groups and streams
// with their settings and tags, the id counter, the highest segment sequence number
// ever used (so event ids never repeat after every segment was deleted) and the
// shipping cursors of streams whose newest cursor block was deleted. It changes only
// on group and stream operations and when a segment is created or deleted, never per
// append, so it adds no fsync to ingestion.
const (
	catalogFile   = "catalog.db"
	bucketGroups  = "groups"  // group name -> groupRecord (JSON)
	bucketStreams = "streams" // group id (8 bytes, big-endian) + stream name -> streamRecord (JSON)
	bucketMeta    = "meta"    // counters
	bucketCursors = "cursors" // stream id (8 bytes) -> savedCursor (JSON)
	keyNextID     = "nextID"
	keySegSeq     = "segSeq"
)

// groupRecord is a stored log group.
type groupRecord struct {
	ID                 uint64            `json:"id"`
	Name               string            `json:"name"`
	CreatedMs          int64             `json:"created"`
	RetentionDays      int               `json:"retentionDays,omitempty"`
	KMSKeyID           string            `json:"kmsKeyId,omitempty"`
	Class              string            `json:"class,omitempty"`
	DeletionProtection bool              `json:"deletionProtection,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
}

// streamRecord is a stored log stream.
type streamRecord struct {
	ID        uint64 `json:"id"`
	CreatedMs int64  `json:"created"`
}

// savedCursor is a stream's shipping cursor kept after the block holding it went.
type savedCursor struct {
	Pos    Position `json:"pos"`
	Cursor []byte   `json:"cursor"`
}

type catalog struct{ db *bolt.DB }

func openCatalog(dir string) (*catalog, error) {
	path := filepath.Join(dir, catalogFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open %s (is another slipway server using this data dir?): %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range []string{bucketGroups, bucketStreams, bucketMeta, bucketCursors} {
			if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &catalog{db: db}, nil
}

func (c *catalog) close() error { return c.db.Close() }

func u64key(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func streamKey(group uint64, name string) []byte { return append(u64key(group), name...) }

func getCounter(tx *bolt.Tx, key string) uint64 {
	if v := tx.Bucket([]byte(bucketMeta)).Get([]byte(key)); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func putCounter(tx *bolt.Tx, key string, v uint64) error {
	return tx.Bucket([]byte(bucketMeta)).Put([]byte(key), u64key(v))
}

// nextID allocates an id for a group or stream; ids are never reused.
func nextID(tx *bolt.Tx) (uint64, error) {
	id := getCounter(tx, keyNextID) + 1
	return id, putCounter(tx, keyNextID, id)
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

// loaded is the catalog's content at open.
type loaded struct {
	groups  []groupRecord
	streams map[uint64]map[string]streamRecord // group id -> name -> record
	cursors map[uint64]savedCursor
	segSeq  uint64
}

func (c *catalog) load() (loaded, error) {
	l := loaded{streams: map[uint64]map[string]streamRecord{}, cursors: map[uint64]savedCursor{}}
	err := c.db.View(func(tx *bolt.Tx) error {
		l.segSeq = getCounter(tx, keySegSeq)
		err := tx.Bucket([]byte(bucketGroups)).ForEach(func(_, v []byte) error {
			var g groupRecord
			if err := json.Unmarshal(v, &g); err != nil {
				return fmt.Errorf("catalog group: %w", err)
			}
			l.groups = append(l.groups, g)
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Bucket([]byte(bucketStreams)).ForEach(func(k, v []byte) error {
			var s streamRecord
			if len(k) < 8 || json.Unmarshal(v, &s) != nil {
				return fmt.Errorf("catalog stream %q: corrupt record", k)
			}
			gid := binary.BigEndian.Uint64(k)
			if l.streams[gid] == nil {
				l.streams[gid] = map[string]streamRecord{}
			}
			l.streams[gid][string(k[8:])] = s
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket([]byte(bucketCursors)).ForEach(func(k, v []byte) error {
			var sc savedCursor
			if len(k) == 8 && json.Unmarshal(v, &sc) == nil {
				l.cursors[binary.BigEndian.Uint64(k)] = sc
			}
			return nil
		})
	})
	return l, err
}

// createGroup stores a new group, assigning its id.
func (c *catalog) createGroup(g *groupRecord) error {
	return c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketGroups))
		if b.Get([]byte(g.Name)) != nil {
			return ErrGroupExists
		}
		id, err := nextID(tx)
		if err != nil {
			return err
		}
		g.ID = id
		return putJSON(b, []byte(g.Name), g)
	})
}

func (c *catalog) putGroup(g groupRecord) error {
	return c.db.Update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket([]byte(bucketGroups)), []byte(g.Name), g) })
}

// deleteGroup removes a group, its streams and their saved cursors.
func (c *catalog) deleteGroup(g groupRecord, streamIDs []uint64) error {
	return c.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket([]byte(bucketGroups)).Delete([]byte(g.Name)); err != nil {
			return err
		}
		sb := tx.Bucket([]byte(bucketStreams))
		prefix := u64key(g.ID)
		cur := sb.Cursor()
		var keys [][]byte
		for k, _ := cur.Seek(prefix); k != nil && len(k) >= 8 && string(k[:8]) == string(prefix); k, _ = cur.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			if err := sb.Delete(k); err != nil {
				return err
			}
		}
		for _, id := range streamIDs {
			if err := tx.Bucket([]byte(bucketCursors)).Delete(u64key(id)); err != nil {
				return err
			}
		}
		return nil
	})
}

// createStream stores a new stream of group gid, assigning its id.
func (c *catalog) createStream(gid uint64, name string, s *streamRecord) error {
	return c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketStreams))
		if b.Get(streamKey(gid, name)) != nil {
			return ErrStreamExists
		}
		id, err := nextID(tx)
		if err != nil {
			return err
		}
		s.ID = id
		return putJSON(b, streamKey(gid, name), s)
	})
}

func (c *catalog) deleteStream(gid uint64, name string, id uint64) error {
	return c.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket([]byte(bucketStreams)).Delete(streamKey(gid, name)); err != nil {
			return err
		}
		return tx.Bucket([]byte(bucketCursors)).Delete(u64key(id))
	})
}

// claimSegSeq records seq as used, so it survives the deletion of its segment.
func (c *catalog) claimSegSeq(seq uint64) error {
	return c.db.Update(func(tx *bolt.Tx) error {
		if getCounter(tx, keySegSeq) >= seq {
			return nil
		}
		return putCounter(tx, keySegSeq, seq)
	})
}

// saveCursors keeps the shipping cursors of streams whose newest cursor block is
// about to be deleted.
func (c *catalog) saveCursors(cs map[uint64]savedCursor) error {
	if len(cs) == 0 {
		return nil
	}
	return c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketCursors))
		for id, sc := range cs {
			if err := putJSON(b, u64key(id), sc); err != nil {
				return err
			}
		}
		return nil
	})
}
