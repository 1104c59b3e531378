package template

import "sort"

// References are what a value refers to, for a change set's Details: a
// changed parameter is a ParameterReference, a replaced resource a
// ResourceReference, a changed attribute a ResourceAttribute.
type References struct {
	// Parameters are parameters (not pseudo parameters) referred to.
	Parameters []string
	// Resources are resources referred to by Ref (or ${Res} in Fn::Sub).
	Resources []string
	// Attributes are "Res.Attr" read by Fn::GetAtt (or ${Res.Attr}).
	Attributes []string
}

// PropertyReferences returns, for each top-level property of a resource,
// what its value refers to (both branches of every Fn::If).
func (t *Template) PropertyReferences(logicalID string) map[string]References {
	r := t.Resources[logicalID]
	if r == nil {
		return nil
	}
	out := make(map[string]References, len(r.Properties))
	for name, v := range r.Properties {
		out[name] = t.References(v)
	}
	return out
}

// References returns what a value refers to.
func (t *Template) References(v any) References {
	params, res, attrs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	name := func(n string) {
		switch {
		case t.Parameters[n] != nil:
			params[n] = true
		case t.Resources[n] != nil:
			res[n] = true
		}
	}
	_ = walk(v, false, func(fn string, arg any, _ bool) (bool, error) {
		switch fn {
		case fnRef:
			if s, ok := arg.(string); ok {
				name(s)
			}
		case fnGetAtt:
			if r, a, ok := getAttTarget(arg); ok && a != "" {
				attrs[r+"."+a] = true
			}
		case fnSub:
			str, vars := subParts(arg)
			parts, _ := parseSub(str)
			for _, p := range parts {
				if _, isVar := vars[p.text]; !p.variable || isVar {
					continue
				}
				if r, a, dotted := cutDot(p.text); dotted && t.Resources[r] != nil {
					attrs[r+"."+a] = true
				} else {
					name(p.text)
				}
			}
		}
		return true, nil
	})
	return References{Parameters: sortedOrNil(params), Resources: sortedOrNil(res), Attributes: sortedOrNil(attrs)}
}

func sortedOrNil(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
