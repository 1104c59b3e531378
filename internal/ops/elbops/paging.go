package elbops

import (
	"cmp"
	"slices"

	"github.com/slipway-dev/slipway/internal/state"
)

// MaxPageSize is ELB's largest PageSize.
const MaxPageSize = 400

// params checks the marker and the page size.
func (p Page) params() (after string, size int, err error) {
	after, err = state.DecodeToken(p.Marker)
	if err != nil {
		return "", 0, Validation("Invalid marker '%s'", p.Marker)
	}
	size = MaxPageSize
	if p.PageSize != nil {
		if *p.PageSize < 1 || *p.PageSize > MaxPageSize {
			return "", 0, Validation("Page size '%d' must be between 1 and %d", *p.PageSize, MaxPageSize)
		}
		size = *p.PageSize
	}
	return after, size, nil
}

// page sorts items by key, drops repeats (a resource asked for twice is
// described once; keys are unique per resource), and returns the items
// after the marker, at most size of them, and the NextMarker ("" on the
// last page).
func page[T any](p Page, items []T, key func(T) string) ([]T, string, error) {
	after, size, err := p.params()
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
