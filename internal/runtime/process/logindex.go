package process

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// The log index: beside each container log file (stdout.log) the shim keeps
// stdout.log.idx, which says when each piece of the file was written. The log file
// itself stays plain text. The index is a 16-byte header (magic "SLIX", version,
// generation) and one 16-byte record per write: the file's size after the write and
// the time (Unix nanoseconds) the shim read those bytes from the container. A write
// of data is followed by its record, so a reader treats the bytes past the last
// record as not yet written, and reads each line with the time of the record that
// covers its end.
//
// The generation numbers the files of a stream: a rotation moves stdout.log and its
// index to stdout.log.1 and stdout.log.1.idx, and starts a new pair with the next
// generation, so a reader knows which file follows which and when one it had not
// finished was rotated away.
const (
	idxMagic      = "SLIX"
	idxVersion    = 1
	idxHeaderSize = 16
	idxRecordSize = 16
	idxSuffix     = ".idx"
)

// idxRecord is one index record.
type idxRecord struct {
	end  int64
	nano int64
}

// rotatedPath is where a stream's previous file goes.
func rotatedPath(path string) string { return path + ".1" }

func indexPath(logPath string) string { return logPath + idxSuffix }

// logIndex appends records to one index file.
type logIndex struct {
	f   *os.File
	gen uint64
}

// openLogIndex opens the index of the log file at path, continuing an existing one
// or starting one with the generation after that of the rotated file.
func openLogIndex(path string) (*logIndex, error) {
	ip := indexPath(path)
	if gen, err := readIndexGen(ip); err == nil {
		f, err := os.OpenFile(ip, os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		return &logIndex{f: f, gen: gen}, nil
	}
	gen := uint64(1)
	if prev, err := readIndexGen(indexPath(rotatedPath(path))); err == nil {
		gen = prev + 1
	}
	f, err := os.OpenFile(ip, os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	var h [idxHeaderSize]byte
	copy(h[:], idxMagic)
	binary.LittleEndian.PutUint32(h[4:], idxVersion)
	binary.LittleEndian.PutUint64(h[8:], gen)
	if _, err := f.Write(h[:]); err != nil {
		f.Close()
		return nil, err
	}
	return &logIndex{f: f, gen: gen}, nil
}

// record notes that the log file now ends at end, written at t.
func (x *logIndex) record(end int64, t time.Time) error {
	var r [idxRecordSize]byte
	binary.LittleEndian.PutUint64(r[:], uint64(end))
	binary.LittleEndian.PutUint64(r[8:], uint64(t.UnixNano()))
	_, err := x.f.Write(r[:])
	return err
}

func (x *logIndex) close() error { return x.f.Close() }

// errNoIndex marks a log file without a (valid) index: one written by an older
// shim, or whose index was lost.
var errNoIndex = errors.New("no log index")

// readIndexGen returns the generation in an index file's header.
func readIndexGen(path string) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return readIndexHeader(f)
}

func readIndexHeader(f *os.File) (uint64, error) {
	var h [idxHeaderSize]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		return 0, fmt.Errorf("%w: %v", errNoIndex, err)
	}
	if string(h[:4]) != idxMagic || binary.LittleEndian.Uint32(h[4:]) != idxVersion {
		return 0, errNoIndex
	}
	return binary.LittleEndian.Uint64(h[8:]), nil
}

// readRecords reads the whole records of an index from byte offset off on.
func readRecords(f *os.File, off int64, max int) ([]idxRecord, int64, error) {
	buf := make([]byte, idxRecordSize*max)
	n, err := f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, off, err
	}
	n -= n % idxRecordSize
	out := make([]idxRecord, 0, n/idxRecordSize)
	for p := buf[:n]; len(p) > 0; p = p[idxRecordSize:] {
		out = append(out, idxRecord{end: int64(binary.LittleEndian.Uint64(p)), nano: int64(binary.LittleEndian.Uint64(p[8:]))})
	}
	return out, off + int64(n), nil
}
