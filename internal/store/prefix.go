package store

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
