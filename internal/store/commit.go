package store

import (
	"sync"

	bolt "go.etcd.io/bbolt"
)

// groupCommit runs concurrent updates in shared transactions so they share
// one fsync, without the fixed delay of bbolt's Batch: a write that finds no
// commit under way commits at once; writes that arrive meanwhile wait for
// that commit and then go together in the next one.
type groupCommit struct {
	mu         sync.Mutex // protects pending and committing
	pending    []*commitCall
	committing bool
}

type commitCall struct {
	fn   func(Tx) error
	done chan commitResult
}

type commitResult struct {
	wrote bool
	err   error
}

// do runs fn in a durable transaction and reports whether it wrote.
func (g *groupCommit) do(db *bolt.DB, fn func(Tx) error) (bool, error) {
	c := &commitCall{fn: fn, done: make(chan commitResult, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	lead := !g.committing
	g.committing = true
	g.mu.Unlock()
	if lead {
		go g.loop(db)
	}
	r := <-c.done
	return r.wrote, r.err
}

// loop commits batches until none is pending.
func (g *groupCommit) loop(db *bolt.DB) {
	for {
		g.mu.Lock()
		batch := g.pending
		g.pending = nil
		if len(batch) == 0 {
			g.committing = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		commitBatch(db, batch)
	}
}

// commitBatch runs every call in one transaction. If any call fails, the
// transaction is rolled back and each call runs alone, so one bad write
// never fails the others (this is why Update's fn may run twice).
func commitBatch(db *bolt.DB, batch []*commitCall) {
	if len(batch) > 1 {
		wrote := make([]bool, len(batch))
		fns := make([]func(Tx) error, len(batch))
		for i, c := range batch {
			fns[i] = c.fn
		}
		if err := runWrite(db, fns, wrote); err == nil {
			for i, c := range batch {
				c.done <- commitResult{wrote: wrote[i]}
			}
			return
		}
	}
	for _, c := range batch {
		wrote := []bool{false}
		err := runWrite(db, []func(Tx) error{c.fn}, wrote)
		c.done <- commitResult{wrote: wrote[0] && err == nil, err: err}
	}
}

// runWrite runs fns in one read-write transaction and commits it, durably,
// only if one of them wrote: a pass that changed nothing costs no fsync.
func runWrite(db *bolt.DB, fns []func(Tx) error, wrote []bool) error {
	tx, err := db.Begin(true)
	if err != nil {
		return err
	}
	// A panicking fn must not leave the writer lock held.
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	for i, fn := range fns {
		if err := fn(boltTx{tx: tx, wrote: &wrote[i]}); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	for _, w := range wrote {
		if w {
			return tx.Commit()
		}
	}
	return tx.Rollback()
}
