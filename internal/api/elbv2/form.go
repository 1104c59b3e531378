package elbv2

import (
	"strconv"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
)

// form reads Query-protocol parameters as the AWS CLI and SDKs flatten
// them: "Name", "Matcher.HttpCode", "Names.member.1",
// "Targets.member.1.Id".
type form = awsproto.Form

// intPtr parses name, nil when it was not sent.
func intPtr(f form, name string) (*int, error) {
	s := f.StrPtr(name)
	if s == nil {
		return nil, nil
	}
	n, err := strconv.Atoi(*s)
	if err != nil {
		return nil, elbops.Validation("Value '%s' at '%s' failed to satisfy constraint: Member must be an integer", *s, f.Key(name))
	}
	return &n, nil
}

// boolPtr parses name, nil when it was not sent.
func boolPtr(f form, name string) (*bool, error) {
	s := f.StrPtr(name)
	if s == nil {
		return nil, nil
	}
	b, err := strconv.ParseBool(*s)
	if err != nil {
		return nil, elbops.Validation("Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean", *s, f.Key(name))
	}
	return &b, nil
}

// optional returns items when the list name was sent, non-nil even when
// empty, and nil when it was not: elbops reads nil as "not given".
func optional[T any](f form, name string, items []T) []T {
	if !f.Has(name) {
		return nil
	}
	if items == nil {
		return []T{}
	}
	return items
}

// optStrList is StrList for an optional list (see optional).
func optStrList(f form, name string) []string { return optional(f, name, f.StrList(name)) }

// page reads Marker and PageSize.
func page(f form) (elbops.Page, error) {
	size, err := intPtr(f, "PageSize")
	return elbops.Page{Marker: f.Str("Marker"), PageSize: size}, err
}
