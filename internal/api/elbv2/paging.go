package elbv2

import (
	"cmp"
	"slices"

	"github.com/slipway-dev/slipway/internal/state"
)

// maxPageSize is ELB's largest PageSize.
const maxPageSize = 400

// pageParams reads Marker and PageSize.
func pageParams(f form) (after string, size int, err error) {
	after, err = state.DecodeToken(f.str("Marker"))
	if err != nil {
		return "", 0, validation("Invalid marker '%s'", f.str("Marker"))
	}
	ps, err := f.intPtr("PageSize")
	if err != nil {
		return "", 0, err
	}
	size = maxPageSize
	if ps != nil {
		if *ps < 1 || *ps > maxPageSize {
			return "", 0, validation("Page size '%d' must be between 1 and %d", *ps, maxPageSize)
		}
		size = *ps
	}
	return after, size, nil
}

// page sorts items by key, drops repeats (a resource asked for twice is
// described once; keys are unique per resource), and returns the items
// after the marker, at most size of them, and the NextMarker ("" on the
// last page).
func page[T any](f form, items []T, key func(T) string) ([]T, string, error) {
	after, size, err := pageParams(f)
	if err != nil {
		return nil, "", err
	}
	slices.SortFunc(items, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	items = slices.CompactFunc(items, func(a, b T) bool { return key(a) == key(b) })
	start := 0
	if after != "" {
		for start < len(items) && key(items[start]) <= after {
			start++
		}
	}
	rest := items[start:]
	if len(rest) <= size {
		return rest, "", nil
	}
	return rest[:size], state.EncodeToken(key(rest[size-1])), nil
}
