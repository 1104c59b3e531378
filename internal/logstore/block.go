package logstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// On-disk records. A segment file is a sequence of data blocks, each holding the
// events of one append to one stream, and, once the segment is sealed, a footer
// that lists the blocks and a trailer that points at the footer:
//
//	data block: header (56 bytes) | cursor | events
//	  header: magic "SLB1" | body length u32 | CRC-32C u32 of header[12:] and body |
//	          event count u32 | stream id u64 | min ts i64 | max ts i64 |
//	          ingestion time i64 | cursor length u32 | reserved u32
//	  event:  uvarint(ts - min ts) | uvarint(len) | message
//	footer:   magic "SLBF" | body length u32 | CRC-32C u32 of body | entries (48 bytes each)
//	trailer:  footer offset u64 | magic "SLBE"
//
// All integers are little-endian; timestamps are milliseconds since the epoch.
const (
	blockMagic   uint32 = 0x31424c53 // "SLB1"
	footerMagic  uint32 = 0x46424c53 // "SLBF"
	trailerMagic uint32 = 0x45424c53 // "SLBE"

	headerSize  = 56
	footerHead  = 12
	entrySize   = 48
	trailerSize = 12
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errCorrupt marks a record that fails its checks; recovery stops at it.
var errCorrupt = errors.New("logstore: corrupt record")

// blockMeta is what the index needs of a data block, without its events.
type blockMeta struct {
	off, length uint32 // position of the whole block (header included) in its segment
	stream      uint64
	count       uint32
	cursorLen   uint32
	minTs       int64
	maxTs       int64
	ingest      int64
}

// encodeBlock builds one data block for events of stream in buf (grown as
// needed); it returns the block and its metadata (offset left for the caller).
func encodeBlock(buf []byte, stream uint64, events []Event, cursor []byte, ingest int64) ([]byte, blockMeta) {
	minTs, maxTs := events[0].Timestamp, events[0].Timestamp
	size := headerSize + len(cursor)
	for _, e := range events {
		minTs, maxTs = min(minTs, e.Timestamp), max(maxTs, e.Timestamp)
		size += len(e.Message) + 2*binary.MaxVarintLen64
	}
	if cap(buf) < size {
		buf = make([]byte, 0, size)
	}
	b := append(buf[:0], make([]byte, headerSize)...)
	b = append(b, cursor...)
	for _, e := range events {
		b = binary.AppendUvarint(b, uint64(e.Timestamp-minTs))
		b = binary.AppendUvarint(b, uint64(len(e.Message)))
		b = append(b, e.Message...)
	}
	m := blockMeta{length: uint32(len(b)), stream: stream, count: uint32(len(events)),
		cursorLen: uint32(len(cursor)), minTs: minTs, maxTs: maxTs, ingest: ingest}
	le := binary.LittleEndian
	le.PutUint32(b[0:], blockMagic)
	le.PutUint32(b[4:], uint32(len(b)-headerSize))
	le.PutUint32(b[12:], m.count)
	le.PutUint64(b[16:], stream)
	le.PutUint64(b[24:], uint64(minTs))
	le.PutUint64(b[32:], uint64(maxTs))
	le.PutUint64(b[40:], uint64(ingest))
	le.PutUint32(b[48:], m.cursorLen)
	le.PutUint32(b[8:], crc32.Checksum(b[12:], castagnoli))
	return b, m
}

// parseHeader reads a data block header at off. It checks the magic and that the
// body fits in size bytes of file; the CRC needs the body (checkBlock).
func parseHeader(h []byte, off, size int64) (blockMeta, error) {
	le := binary.LittleEndian
	if len(h) < headerSize || le.Uint32(h) != blockMagic {
		return blockMeta{}, fmt.Errorf("%w: no block at offset %d", errCorrupt, off)
	}
	bodyLen := int64(le.Uint32(h[4:]))
	m := blockMeta{
		off: uint32(off), length: uint32(headerSize + bodyLen), count: le.Uint32(h[12:]),
		stream: le.Uint64(h[16:]), minTs: int64(le.Uint64(h[24:])), maxTs: int64(le.Uint64(h[32:])),
		ingest: int64(le.Uint64(h[40:])), cursorLen: le.Uint32(h[48:]),
	}
	if off+headerSize+bodyLen > size || int64(m.cursorLen) > bodyLen || m.count == 0 || m.minTs > m.maxTs {
		return blockMeta{}, fmt.Errorf("%w: block at offset %d overruns the segment", errCorrupt, off)
	}
	return m, nil
}

// checkBlock verifies a whole block's CRC.
func checkBlock(b []byte) error {
	if crc32.Checksum(b[12:], castagnoli) != binary.LittleEndian.Uint32(b[8:]) {
		return fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	return nil
}

// decodedEvent is one event of a block as decoded, before it gets its stream name.
type decodedEvent struct {
	ts  int64
	idx uint32
	msg []byte
}

// decodeEvents calls fn for each event of a whole block (header included).
func decodeEvents(b []byte, m blockMeta, fn func(decodedEvent)) error {
	p := b[headerSize+int(m.cursorLen):]
	for i := uint32(0); i < m.count; i++ {
		d, n := binary.Uvarint(p)
		if n <= 0 {
			return fmt.Errorf("%w: event %d of block at %d", errCorrupt, i, m.off)
		}
		p = p[n:]
		l, n := binary.Uvarint(p)
		if n <= 0 || l > uint64(len(p)-n) {
			return fmt.Errorf("%w: event %d of block at %d", errCorrupt, i, m.off)
		}
		p = p[n:]
		fn(decodedEvent{ts: m.minTs + int64(d), idx: i, msg: p[:l:l]})
		p = p[l:]
	}
	return nil
}

// encodeFooter builds the footer and trailer that seal a segment whose blocks are
// blocks, the footer starting at off.
func encodeFooter(blocks []blockMeta, off int64) []byte {
	b := make([]byte, footerHead, footerHead+entrySize*len(blocks)+trailerSize)
	le := binary.LittleEndian
	for _, m := range blocks {
		var e [entrySize]byte
		le.PutUint32(e[0:], m.off)
		le.PutUint32(e[4:], m.length)
		le.PutUint64(e[8:], m.stream)
		le.PutUint32(e[16:], m.count)
		le.PutUint32(e[20:], m.cursorLen)
		le.PutUint64(e[24:], uint64(m.minTs))
		le.PutUint64(e[32:], uint64(m.maxTs))
		le.PutUint64(e[40:], uint64(m.ingest))
		b = append(b, e[:]...)
	}
	le.PutUint32(b[0:], footerMagic)
	le.PutUint32(b[4:], uint32(len(b)-footerHead))
	le.PutUint32(b[8:], crc32.Checksum(b[footerHead:], castagnoli))
	b = le.AppendUint64(b, uint64(off))
	return le.AppendUint32(b, trailerMagic)
}

// parseFooter decodes a footer (without the trailer) read from a segment of size
// bytes whose footer starts at off.
func parseFooter(b []byte, off int64) ([]blockMeta, error) {
	le := binary.LittleEndian
	if len(b) < footerHead || le.Uint32(b) != footerMagic || int(le.Uint32(b[4:])) != len(b)-footerHead ||
		(len(b)-footerHead)%entrySize != 0 || crc32.Checksum(b[footerHead:], castagnoli) != le.Uint32(b[8:]) {
		return nil, fmt.Errorf("%w: bad footer", errCorrupt)
	}
	out := make([]blockMeta, 0, (len(b)-footerHead)/entrySize)
	for p := b[footerHead:]; len(p) > 0; p = p[entrySize:] {
		m := blockMeta{off: le.Uint32(p), length: le.Uint32(p[4:]), stream: le.Uint64(p[8:]), count: le.Uint32(p[16:]),
			cursorLen: le.Uint32(p[20:]), minTs: int64(le.Uint64(p[24:])), maxTs: int64(le.Uint64(p[32:])), ingest: int64(le.Uint64(p[40:]))}
		if int64(m.off)+int64(m.length) > off || m.length < headerSize {
			return nil, fmt.Errorf("%w: footer entry beyond the blocks", errCorrupt)
		}
		out = append(out, m)
	}
	return out, nil
}
