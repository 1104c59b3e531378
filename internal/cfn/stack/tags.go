package stack

import (
	"maps"

	"github.com/slipway-dev/slipway/internal/cfn/resourcetype"
)

// withStackTags returns a resource's resolved properties with the stack's
// tags added to its Tags, as CloudFormation propagates stack tags to the
// resources whose type takes tags; a key the resource tags itself keeps the
// resource's value. A nested stack's provider gives its child the stack's
// tags itself. props is not changed.
func (e *Engine) withStackTags(typ string, props map[string]any, tags []Tag) map[string]any {
	t := e.cat.Lookup(typ)
	if len(tags) == 0 || t == nil || t.Kind == resourcetype.Nested {
		return props
	}
	if p, ok := t.Properties["Tags"]; !ok || p.Type != "array" {
		return props
	}
	own, _ := props["Tags"].([]any)
	if _, present := props["Tags"]; present && own == nil {
		return props // not a list: CheckProperties reports it
	}
	keys := map[string]bool{}
	for _, x := range own {
		if m, ok := x.(map[string]any); ok {
			if k, ok := m["Key"].(string); ok {
				keys[k] = true
			}
		}
	}
	merged := append([]any{}, own...)
	for _, tg := range tags {
		if !keys[tg.Key] {
			merged = append(merged, map[string]any{"Key": tg.Key, "Value": tg.Value})
		}
	}
	if len(merged) == len(own) {
		return props
	}
	out := maps.Clone(props)
	if out == nil {
		out = map[string]any{}
	}
	out["Tags"] = merged
	return out
}
