package elbv2

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/ops/elbops"
)

// form reads Query-protocol parameters as the AWS CLI and SDKs flatten
// them: "Name", "Matcher.HttpCode", "Names.member.1",
// "Targets.member.1.Id". prefix scopes it to one structure.
type form struct {
	v      url.Values
	prefix string
}

func (f form) key(name string) string { return f.prefix + name }

// has reports whether name was sent, as a value or as a structure or list
// (the SDKs send "Name=" for an empty list).
func (f form) has(name string) bool {
	k := f.key(name)
	if _, ok := f.v[k]; ok {
		return true
	}
	for key := range f.v {
		if strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

func (f form) str(name string) string { return f.v.Get(f.key(name)) }

func (f form) strPtr(name string) *string {
	if _, ok := f.v[f.key(name)]; !ok {
		return nil
	}
	s := f.str(name)
	return &s
}

func (f form) intPtr(name string) (*int, error) {
	s := f.strPtr(name)
	if s == nil {
		return nil, nil
	}
	n, err := strconv.Atoi(*s)
	if err != nil {
		return nil, elbops.Validation("Value '%s' at '%s' failed to satisfy constraint: Member must be an integer", *s, f.key(name))
	}
	return &n, nil
}

func (f form) boolPtr(name string) (*bool, error) {
	s := f.strPtr(name)
	if s == nil {
		return nil, nil
	}
	b, err := strconv.ParseBool(*s)
	if err != nil {
		return nil, elbops.Validation("Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean", *s, f.key(name))
	}
	return &b, nil
}

// sub scopes f to the structure name.
func (f form) sub(name string) form { return form{v: f.v, prefix: f.key(name) + "."} }

// indexes returns the member numbers of the list name in ascending order.
func (f form) indexes(name string) []int {
	p := f.key(name) + ".member."
	seen := map[int]bool{}
	for key := range f.v {
		rest, ok := strings.CutPrefix(key, p)
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(num); err == nil && n > 0 {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// list returns the structures of the list name, in member order.
func (f form) list(name string) []form {
	var out []form
	for _, n := range f.indexes(name) {
		out = append(out, form{v: f.v, prefix: f.key(name) + ".member." + strconv.Itoa(n) + "."})
	}
	return out
}

// strList returns the strings of the list name, in member order.
func (f form) strList(name string) []string {
	var out []string
	for _, n := range f.indexes(name) {
		out = append(out, f.v.Get(f.key(name)+".member."+strconv.Itoa(n)))
	}
	return out
}

// optional returns items when the list name was sent, non-nil even when
// empty, and nil when it was not: elbops reads nil as "not given".
func optional[T any](f form, name string, items []T) []T {
	if !f.has(name) {
		return nil
	}
	if items == nil {
		return []T{}
	}
	return items
}

// optStrList is strList for an optional list (see optional).
func (f form) optStrList(name string) []string { return optional(f, name, f.strList(name)) }

// page reads Marker and PageSize.
func (f form) page() (elbops.Page, error) {
	size, err := f.intPtr("PageSize")
	return elbops.Page{Marker: f.str("Marker"), PageSize: size}, err
}
