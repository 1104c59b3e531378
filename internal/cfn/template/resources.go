package template

import "strings"

var resourceKeys = map[string]bool{
	"Type": true, "Properties": true, "DependsOn": true, "Condition": true,
	"DeletionPolicy": true, "UpdateReplacePolicy": true, "Metadata": true,
	"CreationPolicy": true, "UpdatePolicy": true,
}

// The deletion and update-replace policies.
const (
	PolicyDelete               = "Delete"
	PolicyRetain               = "Retain"
	PolicyRetainExceptOnCreate = "RetainExceptOnCreate"
	PolicySnapshot             = "Snapshot"
)

func (t *Template) readResources(doc *document) error {
	m, keys, err := section(doc, "Resources")
	if err != nil {
		return err
	}
	if len(m) == 0 {
		return formatErr("At least one Resources member must be defined.")
	}
	if len(m) > MaxResources {
		return formatErr("Number of resources, %d, is greater than maximum allowed, %d", len(m), MaxResources)
	}
	t.Resources = make(map[string]*Resource, len(m))
	for _, id := range keys {
		r, err := t.readResource(id, m[id])
		if err != nil {
			return err
		}
		t.Resources[id] = r
		t.ResourceOrder = append(t.ResourceOrder, id)
	}
	return nil
}

func (t *Template) readResource(id string, v any) (*Resource, error) {
	if strings.HasPrefix(id, fnForEach) {
		return nil, formatErr("Fn::ForEach is not supported by Slipway; expand the loop in the template")
	}
	if !validLogicalID(id) {
		return nil, formatErr("Resource name %s is non alphanumeric.", id)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, formatErr("[/Resources/%s] Every Resources object must contain a Type member.", id)
	}
	for k := range m {
		if !resourceKeys[k] {
			return nil, formatErr("Invalid template resource property '%s'", k)
		}
	}
	r := &Resource{LogicalID: id}
	if r.Type, ok = m["Type"].(string); !ok || r.Type == "" {
		return nil, formatErr("[/Resources/%s] Every Resources object must contain a Type member.", id)
	}
	if p, has := m["Properties"]; has && p != nil {
		if r.Properties, ok = p.(map[string]any); !ok {
			return nil, formatErr("[/Resources/%s/Properties] Every Properties member must be an object.", id)
		}
	}
	if md, has := m["Metadata"]; has && md != nil {
		if r.Metadata, ok = md.(map[string]any); !ok {
			return nil, formatErr("[/Resources/%s/Metadata] Every Metadata member must be an object.", id)
		}
	}
	if c, has := m["Condition"]; has {
		if r.Condition, ok = c.(string); !ok {
			return nil, formatErr("[/Resources/%s/Condition] Every Condition member must be a string.", id)
		}
	}
	deps, err := dependsOn(id, m["DependsOn"])
	if err != nil {
		return nil, err
	}
	r.DependsOn = deps
	r.CreationPolicy, r.UpdatePolicy = m["CreationPolicy"], m["UpdatePolicy"]
	if r.DeletionPolicy, err = t.readPolicy(id, "DeletionPolicy", m); err != nil {
		return nil, err
	}
	if r.UpdateReplacePolicy, err = t.readPolicy(id, "UpdateReplacePolicy", m); err != nil {
		return nil, err
	}
	return r, nil
}

func dependsOn(id string, v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, formatErr("[/Resources/%s/DependsOn] DependsOn must be a string or a list of strings.", id)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, formatErr("[/Resources/%s/DependsOn] DependsOn must be a string or a list of strings.", id)
}

// readPolicy reads DeletionPolicy or UpdateReplacePolicy: a policy name, or
// with the language extensions a function that evaluates to one.
func (t *Template) readPolicy(id, key string, m map[string]any) (any, error) {
	v, has := m[key]
	if !has {
		return nil, nil
	}
	if s, ok := v.(string); ok {
		return s, checkPolicy(id, key, s)
	}
	if _, _, isFn := asFunction(v, false); isFn && t.languageExtensions() {
		return v, nil
	}
	return nil, formatErr("Unrecognized %s %v for resource %s", key, v, id)
}

// checkPolicy accepts the policies Slipway can honour. Snapshot is refused:
// none of the resource types Slipway runs or records can be snapshotted, and
// CloudFormation refuses Snapshot for such types too.
func checkPolicy(id, key, s string) error {
	switch s {
	case PolicyDelete, PolicyRetain, PolicyRetainExceptOnCreate:
		if key == "UpdateReplacePolicy" && s == PolicyRetainExceptOnCreate {
			return formatErr("Unrecognized %s %s for resource %s", key, s, id)
		}
		return nil
	case PolicySnapshot:
		return formatErr("%s Snapshot is not supported for resource %s", key, id)
	}
	return formatErr("Unrecognized %s %s for resource %s", key, s, id)
}
