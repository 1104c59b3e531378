package awsproto

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Form reads Query-protocol parameters as the AWS CLI and SDKs flatten
// them: "Name", "Matcher.HttpCode", "Names.member.1",
// "Parameters.member.1.ParameterKey". Its prefix scopes it to one
// structure; the zero prefix is the request itself. Typed values (numbers,
// booleans) are parsed by each API, whose validation messages differ.
type Form struct {
	v      url.Values
	prefix string
}

// NewForm reads the request's parameters v.
func NewForm(v url.Values) Form { return Form{v: v} }

// Key is name's full parameter name within the structure f reads.
func (f Form) Key(name string) string { return f.prefix + name }

// Has reports whether name was sent, as a value or as a structure or list
// (the SDKs send "Name=" for an empty list).
func (f Form) Has(name string) bool {
	k := f.Key(name)
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

// Str is name's value, "" when it was not sent.
func (f Form) Str(name string) string { return f.v.Get(f.Key(name)) }

// StrPtr is name's value, nil when it was not sent.
func (f Form) StrPtr(name string) *string {
	if _, ok := f.v[f.Key(name)]; !ok {
		return nil
	}
	s := f.Str(name)
	return &s
}

// Sub scopes f to the structure name.
func (f Form) Sub(name string) Form { return Form{v: f.v, prefix: f.Key(name) + "."} }

// Indexes returns the member numbers of the list name in ascending order.
// There are at most as many as the request has parameters, which the
// server's body limit bounds.
func (f Form) Indexes(name string) []int {
	p := f.Key(name) + ".member."
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

// List returns the structures of the list name, in member order.
func (f Form) List(name string) []Form {
	var out []Form
	for _, n := range f.Indexes(name) {
		out = append(out, Form{v: f.v, prefix: f.memberKey(name, n) + "."})
	}
	return out
}

// StrList returns the strings of the list name, in member order.
func (f Form) StrList(name string) []string {
	var out []string
	for _, n := range f.Indexes(name) {
		out = append(out, f.v.Get(f.memberKey(name, n)))
	}
	return out
}

func (f Form) memberKey(name string, n int) string {
	return f.Key(name) + ".member." + strconv.Itoa(n)
}
