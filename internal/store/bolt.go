package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout of records this binary writes. Opening a data
// directory runs the migrations from its version up to this one.
const SchemaVersion = 1

const (
	metaBucket   = "_meta"
	schemaKey    = "schema_version"
	storeIDKey   = "store_id"
	boltFileName = "slipway.db"
	boltFileMode = 0o600
	openTimeout  = 5 * time.Second
)

// migrations[i] upgrades schema version i to i+1. Version 0 is an empty file.
var migrations = []func(*bolt.Tx) error{
	func(*bolt.Tx) error { return nil }, // 0 -> 1: buckets are created on first use.
}

// Bolt is the embedded, single-node Store on a bbolt file. Every Update is
// fsynced before it returns; concurrent Updates share one fsync (group
// commit, see commit.go).
type Bolt struct {
	db      *bolt.DB
	id      string
	changes *Notifier
	closed  atomic.Bool
	group   groupCommit
}

// FileName is the database file's name in the data directory.
const FileName = boltFileName

// OpenBolt opens (creating if needed) the database in dir and migrates it.
// An existing file is verified first (see openVerified): a damaged one is
// ErrCorrupt, one held by another process ErrLocked, one that cannot be
// written ErrReadOnly.
func OpenBolt(dir string) (*Bolt, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dir, boltFileName)
	db, err := openVerified(path)
	if err != nil {
		return nil, err
	}
	var id string
	err = db.Update(func(tx *bolt.Tx) error {
		if err := migrate(tx); err != nil {
			return err
		}
		var err error
		id, err = ensureID(tx)
		return err
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Bolt{db: db, id: id, changes: NewNotifier()}, nil
}

// ID is the store's identity: random, recorded in the file when the store
// was created (or first opened by a binary that records one) and never
// changed. A copy of the file (a backup restored) keeps it; a new store
// gets a new one. The agent records it with every container it starts, so
// that it never stops a container another store started.
func (b *Bolt) ID() string { return b.id }

// ensureID returns the store's identity, creating it on first open.
func ensureID(tx *bolt.Tx) (string, error) {
	meta := tx.Bucket([]byte(metaBucket))
	if v := meta.Get([]byte(storeIDKey)); len(v) > 0 {
		return string(v), nil
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("store: identity: %w", err)
	}
	id := hex.EncodeToString(raw[:])
	return id, meta.Put([]byte(storeIDKey), []byte(id))
}

func migrate(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists([]byte(metaBucket))
	if err != nil {
		return err
	}
	have := 0
	if v := meta.Get([]byte(schemaKey)); v != nil {
		if have, err = strconv.Atoi(string(v)); err != nil {
			return fmt.Errorf("store: bad schema version %q: %w", v, err)
		}
	}
	if have > SchemaVersion {
		return fmt.Errorf("%w: data has version %d, this binary knows %d", ErrSchemaTooNew, have, SchemaVersion)
	}
	for v := have; v < SchemaVersion; v++ {
		if err := migrations[v](tx); err != nil {
			return fmt.Errorf("store: migrate schema %d to %d: %w", v, v+1, err)
		}
	}
	return meta.Put([]byte(schemaKey), []byte(strconv.Itoa(SchemaVersion)))
}

// View implements Store.
func (b *Bolt) View(ctx context.Context, fn func(Tx) error) error {
	if b.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.db.View(func(tx *bolt.Tx) error { return fn(boltTx{tx: tx}) })
}

// Update implements Store.
func (b *Bolt) Update(ctx context.Context, fn func(Tx) error) error {
	if b.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	wrote, err := b.group.do(b.db, fn)
	if err == nil && wrote {
		b.changes.Notify()
	}
	return err
}

// Changes implements Store.
func (b *Bolt) Changes() *Notifier { return b.changes }

// Close implements Store.
func (b *Bolt) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	return b.db.Close()
}

// boltTx adapts a bbolt transaction; wrote records whether it changed
// anything, so that only real changes wake the controllers.
type boltTx struct {
	tx    *bolt.Tx
	wrote *bool
}

func (t boltTx) markWritten() {
	if t.wrote != nil {
		*t.wrote = true
	}
}

func (t boltTx) Get(b Bucket, key string) ([]byte, error) {
	bk := t.tx.Bucket([]byte(b))
	if bk == nil {
		return nil, fmt.Errorf("%s/%s: %w", b, key, ErrNotFound)
	}
	v := bk.Get([]byte(key))
	if v == nil {
		return nil, fmt.Errorf("%s/%s: %w", b, key, ErrNotFound)
	}
	// bbolt's slices are only valid inside the transaction.
	return bytes.Clone(v), nil
}

func (t boltTx) Put(b Bucket, key string, val []byte) error {
	t.markWritten()
	bk, err := t.tx.CreateBucketIfNotExists([]byte(b))
	if err != nil {
		return err
	}
	return bk.Put([]byte(key), val)
}

func (t boltTx) Delete(b Bucket, key string) error {
	bk := t.tx.Bucket([]byte(b))
	if bk == nil {
		return nil
	}
	t.markWritten()
	return bk.Delete([]byte(key))
}

func (t boltTx) Scan(b Bucket, prefix, after string, fn func(string, []byte) (bool, error)) error {
	bk := t.tx.Bucket([]byte(b))
	if bk == nil {
		return nil
	}
	c := bk.Cursor()
	p := []byte(prefix)
	var k, v []byte
	if after != "" && after >= prefix {
		k, v = c.Seek([]byte(after))
		if k != nil && string(k) == after {
			k, v = c.Next()
		}
	} else {
		k, v = c.Seek(p)
	}
	for ; k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		more, err := fn(string(k), bytes.Clone(v))
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func (t boltTx) NextSequence(b Bucket) (uint64, error) {
	bk, err := t.tx.CreateBucketIfNotExists([]byte(b))
	if err != nil {
		return 0, err
	}
	if !t.tx.Writable() {
		return 0, errors.New("store: NextSequence in a read-only transaction")
	}
	t.markWritten()
	return bk.NextSequence()
}
