package model

import (
	"math"
	"strconv"
	"time"
)

// Time is a timestamp that encodes in JSON as AWS JSON 1.1 does: seconds
// since the epoch as a number with millisecond precision. Records use it for
// every time a client sees, so they can be sent without conversion.
type Time struct{ time.Time }

// At returns t as a Time, truncated to milliseconds.
func At(t time.Time) Time { return Time{t.UTC().Truncate(time.Millisecond)} }

// Ptr returns a pointer to a Time for t, for optional timestamps.
func Ptr(t time.Time) *Time { v := At(t); return &v }

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("0"), nil
	}
	return strconv.AppendFloat(nil, float64(t.UnixMilli())/1000, 'f', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler; it also reads RFC 3339 strings.
func (t *Time) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" || s == "0" {
		*t = Time{}
		return nil
	}
	if len(s) > 1 && s[0] == '"' {
		parsed, err := time.Parse(`"`+time.RFC3339Nano+`"`, s)
		if err != nil {
			return err
		}
		*t = At(parsed)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return err
	}
	*t = Time{time.UnixMilli(int64(math.Round(f * 1000))).UTC()}
	return nil
}
