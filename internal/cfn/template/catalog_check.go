package template

// TypeCatalog describes the resource types Slipway accepts; the resource-type
// table (internal/cfn/resourcetype) implements it.
type TypeCatalog interface {
	// Known reports whether Slipway runs or records the type.
	Known(typ string) bool
	// HasAttribute reports whether Fn::GetAtt may read the attribute.
	HasAttribute(typ, attribute string) bool
}

// Check applies the checks that need the resource-type catalog: every
// resource type must be known, and every Fn::GetAtt (and ${Res.Attr} in
// Fn::Sub) must name an attribute the type has.
func (t *Template) Check(types TypeCatalog) error {
	var unknownTypes []string
	seen := map[string]bool{}
	for _, id := range t.ResourceOrder {
		typ := t.Resources[id].Type
		if !types.Known(typ) && !seen[typ] {
			seen[typ] = true
			unknownTypes = append(unknownTypes, typ)
		}
	}
	if len(unknownTypes) > 0 {
		return formatErr("Unrecognized resource types: %s", bracketList(unknownTypes))
	}
	for _, id := range t.ResourceOrder {
		r := t.Resources[id]
		for _, v := range []any{r.Properties, r.Metadata} {
			if err := t.checkAttributes(v, types); err != nil {
				return err
			}
		}
	}
	for _, name := range t.OutputOrder {
		if err := t.checkAttributes(t.Outputs[name].Value, types); err != nil {
			return err
		}
	}
	return nil
}

func (t *Template) checkAttributes(v any, types TypeCatalog) error {
	return walk(v, false, func(fn string, arg any, _ bool) (bool, error) {
		switch fn {
		case fnGetAtt:
			if res, attr, ok := getAttTarget(arg); ok && attr != "" {
				return true, t.checkAttribute(res, attr, types)
			}
		case fnSub:
			str, vars := subParts(arg)
			parts, _ := parseSub(str)
			for _, p := range parts {
				if _, isVar := vars[p.text]; !p.variable || isVar {
					continue
				}
				if res, attr, dotted := cutDot(p.text); dotted {
					if err := t.checkAttribute(res, attr, types); err != nil {
						return false, err
					}
				}
			}
		}
		return true, nil
	})
}

func (t *Template) checkAttribute(res, attr string, types TypeCatalog) error {
	r := t.Resources[res]
	if r == nil || types.HasAttribute(r.Type, attr) {
		return nil
	}
	return templateErr("resource %s does not support attribute type %s in Fn::GetAtt", res, attr)
}
