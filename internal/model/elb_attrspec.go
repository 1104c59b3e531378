package model

import (
	"maps"
	"slices"
)

// attrSpec is one attribute ELB lists for a resource: its default and how a
// value is checked (nil: any value of at most maxAttrValue printable ASCII
// characters, spaces allowed).
type attrSpec struct {
	def   string
	check func(key, v string) error
	// onlyDefault: no value but def is accepted (see onlyDefault).
	onlyDefault bool
}

// maxAttrValue bounds an attribute value that is only stored and echoed.
const maxAttrValue = 1024

// attrTable is the attributes of one kind of resource, by key.
type attrTable map[string]attrSpec

// defaults returns every key with its default.
func (t attrTable) defaults() map[string]string {
	out := make(map[string]string, len(t))
	for k, s := range t {
		out[k] = s.def
	}
	return out
}

// apply validates attrs against t and returns current with them set;
// unknown is the error for a key t does not list. current is not changed.
func (t attrTable) apply(current map[string]string, attrs []TargetGroupAttribute, unknown func(key string) error) (map[string]string, error) {
	if len(attrs) == 0 {
		return nil, elbInvalid("At least one attribute must be specified")
	}
	next := t.defaults()
	for k, v := range current {
		if _, ok := t[k]; ok {
			next[k] = v
		}
	}
	for _, a := range attrs {
		spec, ok := t[a.Key]
		if !ok {
			return nil, unknown(a.Key)
		}
		check := spec.check
		if check == nil {
			check = echoedText
		}
		if err := check(a.Key, a.Value); err != nil {
			return nil, err
		}
		next[a.Key] = a.Value
	}
	for _, a := range attrs {
		if spec := t[a.Key]; spec.onlyDefault && a.Value != spec.def {
			return nil, elbErr(ELBInvalidConfiguration,
				"Attribute '%s' can only be '%s' on Slipway: its load balancer does not apply another value yet", a.Key, spec.def)
		}
	}
	return next, nil
}

// sortedAttributes returns attrs (defaults of t filled in for missing keys)
// sorted by key.
func sortedAttributes(t attrTable, attrs map[string]string) []TargetGroupAttribute {
	all := t.defaults()
	for k, v := range attrs {
		if _, ok := t[k]; ok {
			all[k] = v
		}
	}
	out := make([]TargetGroupAttribute, 0, len(all))
	for _, k := range slices.Sorted(maps.Keys(all)) {
		out = append(out, TargetGroupAttribute{Key: k, Value: all[k]})
	}
	return out
}

// echoedText accepts a value that is stored and echoed: printable ASCII
// (spaces allowed, no control characters), at most maxAttrValue bytes.
func echoedText(key, v string) error {
	if len(v) > maxAttrValue {
		return elbInvalid("The value of attribute '%s' cannot be longer than '%d' characters", key, maxAttrValue)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return elbInvalid("The value of attribute '%s' can only contain printable ASCII characters", key)
		}
	}
	return nil
}

// onlyDefault is an attribute that has a meaning here which the data plane
// does not apply yet: a value other than def would be accepted and ignored,
// so apply refuses it (after every value's own check, so that a malformed
// value is still ValidationError).
func onlyDefault(def string, check func(key, v string) error) attrSpec {
	return attrSpec{def: def, check: check, onlyDefault: true}
}

func boolAttr(key, v string) error { return oneOf(key, v, "true", "false") }

func intRange(lo, hi int) func(key, v string) error {
	return func(key, v string) error { return intAttr(key, v, lo, hi) }
}

func enumAttr(allowed ...string) func(key, v string) error {
	return func(key, v string) error { return oneOf(key, v, allowed...) }
}
