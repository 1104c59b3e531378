package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
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
	var need int64
	if err := db.View(func(tx *bolt.Tx) error { need = tx.Size(); return nil }); err != nil {
		return openError(path, err)
	}
	if need > size {
		return fmt.Errorf("%w: %s is truncated: it has %d bytes, its last transaction needs %d", ErrCorrupt, path, size, need)
	}
	if err := checkFreelistPage(path, db.Info().PageSize, size); err != nil {
		return err
	}
	return guard(path, "reading its pages", func() error {
		return db.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return walkBucket(path, b, 0) })
		})
	})
}

// bbolt's file format, as far as checkFreelistPage reads it: a page starts
// with a header (id u64, flags u16, count u16, overflow u32); pages 0 and 1
// hold a meta record after it (magic, version, page size, flags u32; root
// bucket 16 bytes; freelist, high-water mark and txid u64; an FNV-1a
// checksum of what precedes it).
const (
	pageHeaderSize   = 16
	freelistPageFlag = 0x10
	metaMagic        = 0xED0CDAED
	metaVersion      = 2
	metaSumOffset    = 56
	noFreelist       = ^uint64(0)
)

// checkFreelistPage proves, reading the file rather than the memory map,
// that the freelist page the current meta page names lies in the file and
// holds as many ids as its header claims. bbolt takes that count on trust:
// an absurd one makes it slice the map far beyond its end (a fatal error
// under the race detector's pointer checks) or allocate without bound.
func checkFreelistPage(path string, pageSize int, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return openError(path, err)
	}
	defer f.Close()
	var best []byte
	for id := range int64(2) {
		m := make([]byte, metaSumOffset+8)
		if _, err := f.ReadAt(m, id*int64(pageSize)+pageHeaderSize); err != nil {
			continue
		}
		h := fnv.New64a()
		h.Write(m[:metaSumOffset])
		valid := le.Uint32(m) == metaMagic && le.Uint32(m[4:]) == metaVersion && le.Uint64(m[metaSumOffset:]) == h.Sum64()
		if valid && (best == nil || le.Uint64(m[48:]) > le.Uint64(best[48:])) {
			best = m
		}
	}
	if best == nil {
		return nil // bbolt, which opened it, knows better; its own checks follow
	}
	freelist, hwm := le.Uint64(best[32:]), le.Uint64(best[40:])
	if freelist == noFreelist {
		return nil
	}
	head := make([]byte, pageHeaderSize+8)
	if freelist >= hwm {
		return fmt.Errorf("%w: %s: its freelist page %d lies beyond its last page %d", ErrCorrupt, path, freelist, hwm)
	}
	at := int64(freelist) * int64(pageSize)
	if _, err := f.ReadAt(head, at); err != nil {
		return fmt.Errorf("%w: %s: reading freelist page %d: %v", ErrCorrupt, path, freelist, err)
	}
	if le.Uint16(head[8:]) != freelistPageFlag {
		return fmt.Errorf("%w: %s: page %d, which the meta page names as the freelist, is not one", ErrCorrupt, path, freelist)
	}
	ids, extra := uint64(le.Uint16(head[10:])), uint64(0)
	if ids == 0xFFFF { // the real count is the first element
		ids, extra = le.Uint64(head[pageHeaderSize:]), 1
	}
	room := (uint64(le.Uint32(head[12:])) + 1) * uint64(pageSize)
	if ids > room/8 || pageHeaderSize+(ids+extra)*8 > room || int64(room) > size-at {
		return fmt.Errorf("%w: %s: freelist page %d claims %d free pages, more than it can hold", ErrCorrupt, path, freelist, ids)
	}
	return nil
}

var le = binary.LittleEndian

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
