package store

import "context"

// Prefixed returns a view of tx whose buckets are tx's buckets named
// prefix+name: records kept apart by a namespace (a region's) without a
// second store file or nested buckets, so one transaction still spans every
// namespace. An empty prefix returns tx itself.
func Prefixed(tx Tx, prefix string) Tx {
	if prefix == "" {
		return tx
	}
	return prefixedTx{tx: tx, prefix: prefix}
}

type prefixedTx struct {
	tx     Tx
	prefix string
}

func (p prefixedTx) bucket(b Bucket) Bucket { return Bucket(p.prefix) + b }

func (p prefixedTx) Get(b Bucket, key string) ([]byte, error) { return p.tx.Get(p.bucket(b), key) }

func (p prefixedTx) Put(b Bucket, key string, val []byte) error {
	return p.tx.Put(p.bucket(b), key, val)
}

func (p prefixedTx) Delete(b Bucket, key string) error { return p.tx.Delete(p.bucket(b), key) }

func (p prefixedTx) Scan(b Bucket, prefix, after string, fn func(key string, val []byte) (bool, error)) error {
	return p.tx.Scan(p.bucket(b), prefix, after, fn)
}

func (p prefixedTx) NextSequence(b Bucket) (uint64, error) { return p.tx.NextSequence(p.bucket(b)) }

// PrefixedStore returns s with every transaction seen through Prefixed:
// a namespace's records for code that takes a Store (ACM's, a region's).
// It shares s's change notifier; Close does not close s. An empty prefix
// returns s itself.
func PrefixedStore(s Store, prefix string) Store {
	if prefix == "" {
		return s
	}
	return prefixedStore{s: s, prefix: prefix}
}

type prefixedStore struct {
	s      Store
	prefix string
}

func (p prefixedStore) View(ctx context.Context, fn func(Tx) error) error {
	return p.s.View(ctx, func(tx Tx) error { return fn(Prefixed(tx, p.prefix)) })
}

func (p prefixedStore) Update(ctx context.Context, fn func(Tx) error) error {
	return p.s.Update(ctx, func(tx Tx) error { return fn(Prefixed(tx, p.prefix)) })
}

func (p prefixedStore) Changes() *Notifier { return p.s.Changes() }

// Close is a no-op: the view does not own the store.
func (p prefixedStore) Close() error { return nil }
