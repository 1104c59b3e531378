package cloudformation

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// form reads Query parameters as the AWS CLI and SDKs flatten them:
// "StackName", "Parameters.member.1.ParameterKey", "Capabilities.member.1".
type form struct {
	v      url.Values
	prefix string
}

func (f form) str(name string) string { return f.v.Get(f.prefix + name) }

func (f form) has(name string) bool {
	k := f.prefix + name
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

func (f form) boolean(name string) (bool, error) {
	s := f.str(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean", s, lowerFirst(name))
	}
	return b, nil
}

func (f form) integer(name string) (int, error) {
	s := f.str(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have value greater than or equal to 1", s, lowerFirst(name))
	}
	return n, nil
}

// indexes returns the member numbers of list name, ascending.
func (f form) indexes(name string) []int {
	p := f.prefix + name + ".member."
	seen := map[int]bool{}
	for key := range f.v {
		rest, ok := strings.CutPrefix(key, p)
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(num); err == nil && n > 0 && n <= maxListMembers {
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

// maxListMembers bounds the lists a request may carry (CloudFormation's
// largest, Parameters, holds 200).
const maxListMembers = 1000

func (f form) list(name string) []form {
	var out []form
	for _, n := range f.indexes(name) {
		out = append(out, form{v: f.v, prefix: f.prefix + name + ".member." + strconv.Itoa(n) + "."})
	}
	return out
}

func (f form) strings(name string) []string {
	var out []string
	for _, n := range f.indexes(name) {
		out = append(out, f.v.Get(f.prefix+name+".member."+strconv.Itoa(n)))
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
