package awsmodel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// CheckJSON returns what in a JSON protocol answer to op does not fit the
// model: members its shapes do not have, values of another type, nulls
// (AWS leaves a member out instead) and enum values the model does not
// list. Each problem names the member's path ("services[0].deployments").
func (m *Model) CheckJSON(op string, body []byte) []string {
	out, _, err := m.output(op)
	if err != nil {
		return []string{err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{fmt.Sprintf("%s: answer is not JSON: %v", op, err)}
	}
	if out == nil {
		if obj, ok := v.(map[string]any); !ok || len(obj) > 0 {
			return []string{fmt.Sprintf("%s has no output, answered %s", op, body)}
		}
		return nil
	}
	var problems []string
	m.walkJSON(out, v, op, &problems)
	return problems
}

func (m *Model) walkJSON(s *Shape, v any, path string, problems *[]string) {
	bad := func(format string, args ...any) {
		*problems = append(*problems, path+": "+fmt.Sprintf(format, args...))
	}
	if v == nil {
		bad("null (AWS leaves the member out)")
		return
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("%T, want an object", v)
			return
		}
		byWire := map[string]Ref{}
		for name, ref := range s.Members {
			byWire[ref.wireName(name)] = ref
		}
		for _, k := range sortedKeys(obj) {
			ref, ok := byWire[k]
			if !ok {
				bad("member %q is not in the model", k)
				continue
			}
			m.walkJSON(m.Shapes[ref.Shape], obj[k], path+"."+k, problems)
		}
	case "list":
		arr, ok := v.([]any)
		if !ok {
			bad("%T, want a list", v)
			return
		}
		for i, e := range arr {
			m.walkJSON(m.Shapes[s.Member.Shape], e, fmt.Sprintf("%s[%d]", path, i), problems)
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("%T, want a map", v)
			return
		}
		for _, k := range sortedKeys(obj) {
			m.walkJSON(m.Shapes[s.Value.Shape], obj[k], path+"."+k, problems)
		}
	case "string", "blob":
		str, ok := v.(string)
		if !ok {
			bad("%T, want a string", v)
			return
		}
		if len(s.Enum) > 0 && !contains(s.Enum, str) {
			bad("%q is not one of the model's values %v", str, s.Enum)
		}
	case "integer", "long", "double", "float":
		n, ok := v.(json.Number)
		if !ok {
			bad("%T, want a number", v)
			return
		}
		if s.Type == "integer" || s.Type == "long" {
			if strings.ContainsAny(n.String(), ".eE") {
				bad("%s, want an integer", n)
			}
		}
	case "timestamp":
		if _, ok := v.(json.Number); !ok { // JSON protocols send epoch seconds
			bad("%T, want epoch seconds", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("%T, want a boolean", v)
		}
	}
}

func sortedKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// Lookup returns the values at path in a decoded JSON answer: dot-separated
// members, "[]" after a member for every element of a list
// ("services[].deployments[].rolloutState"). found is false when a member
// on the way is missing from any object reached (an empty list reaches
// none, and is found).
func Lookup(v any, path string) (values []any, found bool) {
	cur := []any{v}
	for _, part := range strings.Split(path, ".") {
		each := strings.HasSuffix(part, "[]")
		part = strings.TrimSuffix(part, "[]")
		var next []any
		for _, c := range cur {
			obj, ok := c.(map[string]any)
			if !ok {
				return nil, false
			}
			e, ok := obj[part]
			if !ok {
				return nil, false
			}
			if each {
				arr, ok := e.([]any)
				if !ok {
					return nil, false
				}
				next = append(next, arr...)
			} else {
				next = append(next, e)
			}
		}
		cur = next
	}
	return cur, true
}
