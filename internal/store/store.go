// Package store keeps Slipway's desired and observed state: a small transactional
// key-value interface with ordered scans, a change notifier for controllers, and
// a bbolt implementation with a versioned schema.
package store

import (
	"context"
	"errors"
)

// Sentinel errors returned (wrapped) by Store implementations.
var (
	// ErrNotFound reports a key that does not exist in its bucket.
	ErrNotFound = errors.New("store: not found")
	// ErrSchemaTooNew reports a data directory written by a newer Slipway.
	ErrSchemaTooNew = errors.New("store: schema is newer than this binary understands")
	// ErrClosed reports use of a closed store.
	ErrClosed = errors.New("store: closed")
	// ErrCorrupt reports a database file that is damaged (truncated,
	// overwritten, not a database): opening it would lose or misread state.
	ErrCorrupt = errors.New("store: the database file is damaged")
	// ErrLocked reports a database file another process holds open.
	ErrLocked = errors.New("store: the database file is in use")
	// ErrReadOnly reports a database file or directory this process cannot write.
	ErrReadOnly = errors.New("store: the database file is read-only")
)

// Bucket names one collection of records (clusters, services, tasks, ...).
type Bucket string

// Store is a transactional key-value store. Values are opaque bytes; the state
// package encodes records as JSON.
type Store interface {
	// View runs fn in a read-only, consistent snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction that is durable when Update
	// returns nil. fn may be called more than once (concurrent writers are
	// batched and a failed batch is retried), so it must not have side effects
	// beyond the transaction other than assigning its results.
	Update(ctx context.Context, fn func(Tx) error) error
	// Changes returns the notifier that fires after every committed Update.
	Changes() *Notifier
	// Close releases the store; later calls return ErrClosed.
	Close() error
}

// Tx is one transaction. Keys are ordered byte-wise within a bucket.
type Tx interface {
	// Get returns the value of key, or ErrNotFound.
	Get(b Bucket, key string) ([]byte, error)
	// Put sets key to val. Only valid in Update.
	Put(b Bucket, key string, val []byte) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(b Bucket, key string) error
	// Scan calls fn for keys with the given prefix that sort after `after`
	// (all of them when after is ""), in key order, until fn returns false.
	Scan(b Bucket, prefix, after string, fn func(key string, val []byte) (bool, error)) error
	// NextSequence returns a new, strictly increasing number for the bucket.
	NextSequence(b Bucket) (uint64, error)
}
