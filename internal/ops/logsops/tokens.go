package logsops

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/logstore"
)

// Page tokens. Describe tokens carry the sort key of the last item returned; event
// tokens carry a store position, "f/..." to read on forward and "b/..." to read on
// backward (the shape of CloudWatch's GetLogEvents tokens). All are opaque to
// clients; a token that does not decode is refused with errBadToken.

// nameToken encodes a Describe page's last sort key.
func nameToken(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("k:" + key))
}

func parseNameToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	key, ok := strings.CutPrefix(string(b), "k:")
	if err != nil || !ok {
		return "", errBadToken
	}
	return key, nil
}

// posToken encodes a position with its direction ('f' or 'b'): four fixed-width
// decimal fields, the timestamp shifted to be unsigned.
func posToken(dir byte, p logstore.Position) string {
	return fmt.Sprintf("%c/%020d%020d%010d%010d", dir, uint64(p.Timestamp)+1<<63, p.Seg, p.Off, p.Idx)
}

func parsePosToken(tok string) (byte, logstore.Position, error) {
	if len(tok) != 62 || (tok[0] != 'f' && tok[0] != 'b') || tok[1] != '/' {
		return 0, logstore.Position{}, errBadToken
	}
	d := tok[2:]
	ts, err1 := strconv.ParseUint(d[:20], 10, 64)
	seg, err2 := strconv.ParseUint(d[20:40], 10, 64)
	off, err3 := strconv.ParseUint(d[40:50], 10, 32)
	idx, err4 := strconv.ParseUint(d[50:60], 10, 32)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return 0, logstore.Position{}, errBadToken
	}
	return tok[0], logstore.Position{Timestamp: int64(ts - 1<<63), Seg: seg, Off: uint32(off), Idx: uint32(idx)}, nil
}

// timeBound turns an optional millisecond time into a position bound: the first
// position of that millisecond, or of the one after it when inclusiveEnd.
func timeBound(t *int64, inclusiveEnd bool) *logstore.Position {
	if t == nil {
		return nil
	}
	ms := *t
	if inclusiveEnd && ms < math.MaxInt64 {
		ms++
	}
	p := logstore.AtTime(ms)
	return &p
}
