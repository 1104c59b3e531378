package template

import (
	"encoding/json"
	"fmt"
	"sort"
)

var topLevelKeys = map[string]bool{
	"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true,
	"Parameters": true, "Rules": true, "Mappings": true, "Conditions": true,
	"Transform": true, "Resources": true, "Outputs": true,
}

// Parse decodes a template body (JSON or YAML) and checks its format as
// CloudFormation does before it evaluates anything: sections and their
// members, names, function shapes, references to undeclared parameters,
// resources, conditions and mappings, transforms, and dependency cycles.
// Checks that need the resource-type catalog are Template.Check's.
func Parse(body []byte) (*Template, error) {
	doc, err := decode(body)
	if err != nil {
		return nil, err
	}
	t := &Template{Body: body, Format: doc.format}
	if err := t.readSections(doc); err != nil {
		return nil, err
	}
	if err := t.checkReferences(); err != nil {
		return nil, err
	}
	if err := t.checkRules(); err != nil {
		return nil, err
	}
	if _, err := t.StaticGraph(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Template) readSections(doc *document) error {
	var unknown []string
	for k := range doc.root {
		if !topLevelKeys[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		return formatErr("Invalid template property or properties %s", bracketList(unknown))
	}
	readers := []func(*document) error{
		t.readHeader, t.readTransforms, t.readParameters, t.readMappings,
		t.readConditions, t.readResources, t.readOutputs,
	}
	for _, read := range readers {
		if err := read(doc); err != nil {
			return err
		}
	}
	return nil
}

func (t *Template) readHeader(doc *document) error {
	if v, ok := doc.root["AWSTemplateFormatVersion"]; ok {
		s, isStr := v.(string)
		if !isStr || s != FormatVersion {
			return formatErr("Unsupported AWSTemplateFormatVersion %s; the only version is %s", fmt.Sprint(v), FormatVersion)
		}
		t.FormatVersion = s
	}
	if v, ok := doc.root["Description"]; ok {
		s, isStr := v.(string)
		if !isStr {
			return formatErr("Every Description member must be a string.")
		}
		if len(s) > MaxDescriptionBytes {
			return formatErr("Description length is greater than %d bytes", MaxDescriptionBytes)
		}
		t.Description = s
	}
	if v, ok := doc.root["Metadata"]; ok {
		m, isMap := v.(map[string]any)
		if !isMap {
			return formatErr("Every Metadata member must be an object.")
		}
		t.Metadata = m
	}
	if v, ok := doc.root["Rules"]; ok {
		m, isMap := v.(map[string]any)
		if !isMap {
			return formatErr("Every Rules member must be an object.")
		}
		t.Rules = m
	}
	return nil
}

// section returns a top-level section that must be an object, and its keys in
// declared order.
func section(doc *document, name string) (map[string]any, []string, error) {
	v, ok := doc.root[name]
	if !ok || v == nil {
		return nil, nil, nil
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		return nil, nil, formatErr("The %s section must be an object.", name)
	}
	return m, orderedKeys(m, doc.order[name]), nil
}

func (t *Template) readMappings(doc *document) error {
	m, keys, err := section(doc, "Mappings")
	if err != nil {
		return err
	}
	if len(m) > MaxMappings {
		return formatErr("Number of mappings, %d, is greater than maximum allowed, %d", len(m), MaxMappings)
	}
	t.Mappings = make(map[string]map[string]map[string]any, len(m))
	for _, name := range keys {
		if !validLogicalID(name) {
			return formatErr("Mapping name %s is non alphanumeric.", name)
		}
		top, ok := m[name].(map[string]any)
		if !ok {
			return formatErr("Every Mappings member %s must be a map", name)
		}
		t.Mappings[name] = map[string]map[string]any{}
		for k1, v1 := range top {
			second, ok := v1.(map[string]any)
			if !ok {
				return formatErr("Every Mappings member %s must be a map", name)
			}
			for _, v2 := range second {
				if !mappingValue(v2) {
					return formatErr("Every Mappings attribute must be a String or a List.")
				}
			}
			t.Mappings[name][k1] = second
		}
	}
	return nil
}

func mappingValue(v any) bool {
	switch x := v.(type) {
	case string, json.Number, bool:
		return true
	case []any:
		for _, e := range x {
			switch e.(type) {
			case string, json.Number, bool:
			default:
				return false
			}
		}
		return true
	}
	return false
}

func (t *Template) readConditions(doc *document) error {
	m, _, err := section(doc, "Conditions")
	if err != nil {
		return err
	}
	t.Conditions = m
	for name, c := range m {
		if !validLogicalID(name) {
			return formatErr("Condition name %s is non alphanumeric.", name)
		}
		fn, _, ok := asFunction(c, true)
		switch {
		case !ok:
			return formatErr("Conditions can only be boolean operations on parameters and other conditions")
		case fn != fnAnd && fn != fnOr && fn != fnNot && fn != fnEquals && fn != fnCondition && fn != fnFindInMap:
			return formatErr("Conditions can only be boolean operations on parameters and other conditions")
		}
	}
	return nil
}

// sortedKeys returns a map's keys in sorted order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
