package metricstore

import (
	"encoding/binary"
	"errors"
	"math"
)

// errCorrupt reports a stored point that does not decode.
var errCorrupt = errors.New("metricstore: corrupt point")

// Stored points are compact: most statistics of counters are small whole
// numbers, so a number is a uvarint whose low bit says what follows: 0 means
// the rest is a zigzag-encoded integer, 1 means eight bytes of float64 follow.
const (
	flagHist  = 1 << 0
	flagNoPct = 1 << 1
)

func putNum(b []byte, v float64) []byte {
	if v == math.Trunc(v) && math.Abs(v) < 1<<52 {
		i := int64(v)
		return binary.AppendUvarint(b, uint64((i<<1)^(i>>63))<<1)
	}
	b = binary.AppendUvarint(b, 1)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

func getNum(b []byte) (float64, []byte, error) {
	u, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, errCorrupt
	}
	b = b[n:]
	if u&1 == 0 {
		z := u >> 1
		return float64(int64(z>>1) ^ -int64(z&1)), b, nil
	}
	if len(b) < 8 {
		return 0, nil, errCorrupt
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), b[8:], nil
}

// encode appends the stored form of a to b.
func (a Aggregate) encode(b []byte) []byte {
	var flags byte
	if a.Hist != nil && !a.NoPercentiles {
		flags |= flagHist
	}
	if a.NoPercentiles {
		flags |= flagNoPct
	}
	b = append(b, flags)
	for _, v := range [...]float64{a.Count, a.Sum, a.Min, a.Max} {
		b = putNum(b, v)
	}
	if flags&flagHist == 0 {
		return b
	}
	b = putNum(b, a.Hist.Zeros)
	b = binary.AppendUvarint(b, uint64(len(a.Hist.Buckets)))
	prev := int32(0)
	for _, k := range a.Hist.Buckets {
		b = binary.AppendVarint(b, int64(k.Index-prev))
		prev = k.Index
		b = putNum(b, k.Count)
	}
	return b
}

// decodeAggregate parses what encode wrote.
func decodeAggregate(b []byte) (Aggregate, error) {
	var a Aggregate
	if len(b) == 0 {
		return a, errCorrupt
	}
	flags := b[0]
	b = b[1:]
	var err error
	for _, p := range [...]*float64{&a.Count, &a.Sum, &a.Min, &a.Max} {
		if *p, b, err = getNum(b); err != nil {
			return a, err
		}
	}
	a.NoPercentiles = flags&flagNoPct != 0
	if flags&flagHist == 0 {
		return a, nil
	}
	h := &Histogram{}
	if h.Zeros, b, err = getNum(b); err != nil {
		return a, err
	}
	n, k := binary.Uvarint(b)
	if k <= 0 || n > maxBuckets {
		return a, errCorrupt
	}
	b = b[k:]
	h.Buckets = make([]bucket, n)
	prev := int64(0)
	for i := range h.Buckets {
		d, k := binary.Varint(b)
		if k <= 0 {
			return a, errCorrupt
		}
		b = b[k:]
		prev += d
		h.Buckets[i].Index = int32(prev)
		if h.Buckets[i].Count, b, err = getNum(b); err != nil {
			return a, err
		}
	}
	a.Hist = h
	return a, nil
}
