package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// maxCheckErrors bounds how many of bbolt's consistency errors a
// corruption report quotes: one line, not one per page.
const maxCheckErrors = 3

// maxBucketDepth bounds the walk of nested buckets. Slipway nests none; a
// deeper chain can only come from damage.
const maxBucketDepth = 8

// openVerified opens the bbolt file at path for writing after proving that
// the file is whole, so that a damaged file is reported as ErrCorrupt in one
// line instead of crashing the server later. bbolt trusts its pages: a bad
// page id is dereferenced in the memory map (a fault, which kills a Go
// program unless the faulting goroutine asked for a panic), and a bad page
// type or freelist is a panic. So every step that reads pages runs in this
// goroutine with debug.SetPanicOnFault and recover():
//
//  1. a read-only open that loads no freelist checks the meta pages (bbolt
//     validates their checksums) and that the file holds every page its last
//     transaction counts (a truncated file does not);
//  2. a walk of every bucket, key and value touches every reachable page;
//  3. the writable open loads the freelist;
//  4. bbolt's own consistency check (tx.Check: double frees, unreachable or
//     doubly referenced pages, key order) then runs over pages already
//     proven readable, so its goroutine, which recovers panics but not
//     faults, cannot fault.
//
// What this cannot catch is a page that points back at its ancestor (a
// cycle), which both the walk and bbolt's check would follow forever;
// random damage (zeroed, torn, truncated or overwritten pages, a garbled
// freelist) does not produce one.
//
// An empty or missing file is a new store: bbolt initialises it. Whether
// that is wanted is the caller's decision (the server refuses when the data
// directory shows that a store existed).
func openVerified(path string) (*bolt.DB, error) {
	fi, err := os.Stat(path)
	existing := err == nil && fi.Size() > 0
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, openError(path, err)
	}
	if existing {
		if err := verifyPages(path, fi.Size()); err != nil {
			return nil, err
		}
	}
	db, err := guardedOpen(path, &bolt.Options{Timeout: openTimeout})
	if err != nil {
		return nil, err
	}
	if existing {
		if err := checkConsistency(path, db); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// verifyPages is steps 1 and 2 on a read-only handle.
func verifyPages(path string, size int64) error {
	db, err := guardedOpen(path, &bolt.Options{Timeout: openTimeout, ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	return guard(path, "reading its pages", func() error {
		return db.View(func(tx *bolt.Tx) error {
			if need := tx.Size(); need > size {
				return fmt.Errorf("%w: %s is truncated: it has %d bytes, its last transaction needs %d",
					ErrCorrupt, path, size, need)
			}
			return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return walkBucket(path, b, 0) })
		})
	})
}

// walkBucket reads every key and value of b and its nested buckets, so
// that every page they live on is read once under guard.
func walkBucket(path string, b *bolt.Bucket, depth int) error {
	if depth > maxBucketDepth {
		return fmt.Errorf("%w: %s: buckets nested deeper than %d", ErrCorrupt, path, maxBucketDepth)
	}
	c := b.Cursor()
	var sum byte
	for k, v := c.First(); k != nil; k, v = c.Next() {
		for _, x := range k {
			sum ^= x
		}
		if v == nil {
			if nb := b.Bucket(k); nb != nil {
				if err := walkBucket(path, nb, depth+1); err != nil {
					return err
				}
			}
			continue
		}
		for _, x := range v {
			sum ^= x
		}
	}
	_ = sum // the reads are the point: they fault here, under guard, if a page is bad
	return nil
}

// checkConsistency is step 4.
func checkConsistency(path string, db *bolt.DB) error {
	return guard(path, "checking its consistency", func() error {
		return db.View(func(tx *bolt.Tx) error {
			var msgs []string
			n := 0
			for err := range tx.Check() {
				if n++; n <= maxCheckErrors {
					msgs = append(msgs, err.Error())
				}
			}
			if n == 0 {
				return nil
			}
			detail := strings.Join(msgs, "; ")
			if n > maxCheckErrors {
				detail += fmt.Sprintf("; and %d more", n-maxCheckErrors)
			}
			return fmt.Errorf("%w: %s fails bbolt's consistency check: %s", ErrCorrupt, path, oneLine(detail))
		})
	})
}

// guardedOpen is bolt.Open under guard. bbolt panics or faults inside Open
// on a bad freelist page; the file it opened (and locked) is then closed
// here, since Open never returned the DB that would close it.
func guardedOpen(path string, opts *bolt.Options) (*bolt.DB, error) {
	var (
		mu     sync.Mutex
		opened []*os.File
	)
	opts.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		if err == nil {
			mu.Lock()
			opened = append(opened, f)
			mu.Unlock()
		}
		return f, err
	}
	var db *bolt.DB
	err := guard(path, "opening it", func() error {
		var err error
		db, err = bolt.Open(path, boltFileMode, opts)
		return err
	})
	if err == nil {
		return db, nil
	}
	if db == nil {
		mu.Lock()
		for _, f := range opened {
			f.Close()
		}
		mu.Unlock()
	}
	return nil, openError(path, err)
}

// guard runs fn, turning a panic or a memory fault in it (bbolt reading a
// bad page) into ErrCorrupt.
func guard(path, doing string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %s: bbolt failed %s: %s", ErrCorrupt, path, doing, oneLine(fmt.Sprint(p)))
		}
	}()
	return fn()
}

// openError classifies an error of bolt.Open.
func openError(path string, err error) error {
	var errno syscall.Errno
	switch {
	case errors.Is(err, ErrCorrupt):
		return err
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%w: %s (is another slipway server using this data dir?)", ErrLocked, path)
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS):
		return fmt.Errorf("%w: %s: %w", ErrReadOnly, path, err)
	case errors.As(err, &errno):
		return fmt.Errorf("open %s: %w", path, err)
	default:
		// bbolt's own verdicts on the file: invalid or mismatched meta pages,
		// bad checksums, a file too small to hold them.
		return fmt.Errorf("%w: %s: %s", ErrCorrupt, path, oneLine(err.Error()))
	}
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}
