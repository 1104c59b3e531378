package store

import (
	"encoding/json"
	"fmt"
)

// GetJSON reads key from bucket b and decodes it into a T.
func GetJSON[T any](tx Tx, b Bucket, key string) (T, error) {
	var v T
	raw, err := tx.Get(b, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decode %s/%s: %w", b, key, err)
	}
	return v, nil
}

// PutJSON encodes v and stores it under key in bucket b.
func PutJSON(tx Tx, b Bucket, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s/%s: %w", b, key, err)
	}
	return tx.Put(b, key, raw)
}

// ScanJSON decodes every record under prefix (after `after`) in key order and
// calls fn with it until fn returns false.
func ScanJSON[T any](tx Tx, b Bucket, prefix, after string, fn func(key string, v T) bool) error {
	return tx.Scan(b, prefix, after, func(key string, raw []byte) (bool, error) {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return false, fmt.Errorf("decode %s/%s: %w", b, key, err)
		}
		return fn(key, v), nil
	})
}

// ListJSON returns every record under prefix in key order.
func ListJSON[T any](tx Tx, b Bucket, prefix string) ([]T, error) {
	var out []T
	err := ScanJSON(tx, b, prefix, "", func(_ string, v T) bool {
		out = append(out, v)
		return true
	})
	return out, err
}
