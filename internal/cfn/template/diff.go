package template

import (
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// PropertyDiff is one difference between a resource's resolved properties
// before and after an update, at the deepest level where they differ: what
// a change set shows with IncludePropertyValues.
type PropertyDiff struct {
	// Property is the top-level property ("ContainerDefinitions").
	Property string
	// Path is a JSON pointer under the resource ("/Properties/ContainerDefinitions/0/Image").
	Path string
	// Before and After are the values there; nil where absent.
	Before, After any
}

// DiffProperties lists the differences between two resolved property maps,
// sorted by path. Scalars compare by their text, as CloudFormation compares
// template values (80 and "80" are the same); lists compare item by item,
// and a list whose length changes differs as a whole.
func DiffProperties(before, after map[string]any) []PropertyDiff {
	var out []PropertyDiff
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	for _, k := range sortedSet(keys) {
		diffValue(k, "/Properties/"+escapePointer(k), before[k], after[k], &out)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func diffValue(prop, path string, a, b any, out *[]PropertyDiff) {
	switch x := a.(type) {
	case map[string]any:
		if y, ok := b.(map[string]any); ok {
			keys := map[string]bool{}
			for k := range x {
				keys[k] = true
			}
			for k := range y {
				keys[k] = true
			}
			for _, k := range sortedSet(keys) {
				diffValue(prop, path+"/"+escapePointer(k), x[k], y[k], out)
			}
			return
		}
	case []any:
		if y, ok := b.([]any); ok && len(x) == len(y) {
			for i := range x {
				diffValue(prop, path+"/"+strconv.Itoa(i), x[i], y[i], out)
			}
			return
		}
	}
	if !reflect.DeepEqual(normalize(a), normalize(b)) {
		*out = append(*out, PropertyDiff{Property: prop, Path: path, Before: a, After: b})
	}
}

// escapePointer escapes a key for a JSON pointer (RFC 6901).
func escapePointer(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}
