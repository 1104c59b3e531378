package template

// block names the part of the template a value is in, for messages such as
// "Unresolved resource dependencies [X] in the Outputs block of the template".
type block string

const (
	blockResources  block = "Resources"
	blockOutputs    block = "Outputs"
	blockConditions block = "Conditions"
)

// checkReferences checks, without evaluating anything, that every function
// has a valid shape and refers only to things the template declares.
func (t *Template) checkReferences() error {
	for _, name := range sortedKeys(t.Conditions) {
		if err := t.checkValue(t.Conditions[name], blockConditions, true); err != nil {
			return err
		}
	}
	if err := t.conditionCycles(); err != nil {
		return err
	}
	for _, id := range t.ResourceOrder {
		if err := t.checkResource(t.Resources[id]); err != nil {
			return err
		}
	}
	for _, name := range t.OutputOrder {
		o := t.Outputs[name]
		if err := t.checkConditionName(o.Condition, blockOutputs); err != nil {
			return err
		}
		if err := t.checkValue(o.Value, blockOutputs, false); err != nil {
			return err
		}
		if err := t.checkValue(o.ExportName, blockOutputs, false); err != nil {
			return err
		}
	}
	return nil
}

func (t *Template) checkResource(r *Resource) error {
	var missing []string
	for _, d := range r.DependsOn {
		if t.Resources[d] == nil {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		return unresolvedDeps(missing, blockResources)
	}
	if err := t.checkConditionName(r.Condition, blockResources); err != nil {
		return err
	}
	for _, v := range []any{r.Properties, r.Metadata, r.DeletionPolicy, r.UpdateReplacePolicy, r.CreationPolicy, r.UpdatePolicy} {
		if err := t.checkValue(v, blockResources, false); err != nil {
			return err
		}
	}
	return nil
}

func (t *Template) checkConditionName(name string, b block) error {
	if name != "" && t.Conditions[name] == nil {
		return formatErr("Unresolved condition dependencies [%s] in the %s block of the template", name, b)
	}
	return nil
}

func unresolvedDeps(names []string, b block) error {
	return formatErr("Unresolved resource dependencies %s in the %s block of the template", bracketList(names), b)
}

// checkValue checks every function call in v.
func (t *Template) checkValue(v any, b block, inCond bool) error {
	return walk(v, inCond, func(fn string, arg any, inCond bool) (bool, error) {
		return true, t.checkFunction(fn, arg, b, inCond)
	})
}

func (t *Template) checkFunction(fn string, arg any, b block, inCond bool) error {
	switch fn {
	case fnRef:
		return t.checkRef(arg, b)
	case fnGetAtt:
		return t.checkGetAtt(arg, b)
	case fnSub:
		return t.checkSub(arg, b)
	case fnIf:
		return t.checkIf(arg)
	case fnCondition:
		name, ok := arg.(string)
		if !ok || t.Conditions[name] == nil {
			return formatErr("Unresolved condition dependency %v in Fn::Condition", arg)
		}
	case fnFindInMap:
		return t.checkFindInMap(arg)
	case fnImportValue:
		return t.checkImportValue(arg)
	case fnAnd, fnOr:
		if l, ok := arg.([]any); !ok || len(l) < 2 || len(l) > 10 {
			return templateErr("every %s object requires a list of at least 2 and at most 10 conditions", fn)
		}
	case fnNot:
		if l, ok := arg.([]any); !ok || len(l) != 1 {
			return templateErr("every Fn::Not object requires a list of one condition")
		}
	case fnEquals:
		if l, ok := arg.([]any); !ok || len(l) != 2 {
			return templateErr("every Fn::Equals object requires a list of 2 string parameters.")
		}
	case fnJoin, fnSelect, fnSplit, fnBase64, fnGetAZs, fnCidr:
		return nil // shapes are checked when evaluated, with the values known
	case fnLength, fnToJSONString:
		if !t.languageExtensions() {
			return t.unsupportedFunction(fn)
		}
	case fnTransform:
		return transformSupported(transformName(arg))
	default:
		return t.unsupportedFunction(fn)
	}
	return nil
}

func transformName(arg any) string {
	if m, ok := arg.(map[string]any); ok {
		s, _ := m["Name"].(string)
		return s
	}
	return ""
}

func (t *Template) checkRef(arg any, b block) error {
	name, ok := arg.(string)
	if !ok {
		if _, _, isFn := asFunction(arg, false); isFn && t.languageExtensions() {
			return nil // the language extensions allow Ref to a function's result
		}
		return templateErr("every Ref object must have a single String value.")
	}
	switch {
	case IsPseudoParameter(name) || t.Parameters[name] != nil:
		return nil
	case t.Resources[name] != nil && b == blockConditions:
		return formatErr("Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", name)
	case t.Resources[name] != nil:
		return nil
	}
	return unresolvedDeps([]string{name}, b)
}

func (t *Template) checkGetAtt(arg any, b block) error {
	res, attr, ok := getAttTarget(arg)
	if !ok {
		return templateErr("every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
	}
	if l, isList := arg.([]any); isList && attr == "" {
		if _, _, isFn := asFunction(l[1], false); !isFn {
			return templateErr("every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
		}
	}
	if t.Resources[res] == nil {
		return templateErr("instance of Fn::GetAtt references undefined resource %s", res)
	}
	if b == blockConditions {
		return formatErr("Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", res)
	}
	return nil
}

func (t *Template) checkSub(arg any, b block) error {
	str, vars := subParts(arg)
	if l, isList := arg.([]any); (!isList && str == "" && arg != "") || (isList && (len(l) != 2 || vars == nil || !isString(l[0]))) {
		return templateErr("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
	}
	parts, err := parseSub(str)
	if err != nil {
		return err
	}
	var missing []string
	for _, p := range parts {
		if !p.variable {
			continue
		}
		if _, ok := vars[p.text]; ok || IsPseudoParameter(p.text) || t.Parameters[p.text] != nil {
			continue
		}
		res, attr, dotted := cutDot(p.text)
		if t.Resources[res] != nil && (!dotted || attr != "") {
			if b == blockConditions {
				return formatErr("Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", res)
			}
			continue
		}
		missing = append(missing, p.text)
	}
	if len(missing) > 0 {
		return unresolvedDeps(missing, b)
	}
	return nil
}

func isString(v any) bool { _, ok := v.(string); return ok }

func (t *Template) checkIf(arg any) error {
	l, ok := arg.([]any)
	if !ok || len(l) != 3 {
		return templateErr("Fn::If requires a list argument with three elements")
	}
	name, ok := l[0].(string)
	if !ok || t.Conditions[name] == nil {
		return formatErr("Unresolved condition dependency %v in Fn::If", l[0])
	}
	return nil
}

func (t *Template) checkFindInMap(arg any) error {
	l, ok := arg.([]any)
	withDefault := ok && len(l) == 4 && t.languageExtensions()
	if !ok || (len(l) != 3 && !withDefault) {
		return templateErr("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
	}
	if name, isStr := l[0].(string); isStr && t.Mappings[name] == nil && !withDefault {
		return templateErr("Mapping named '%s' is not present in the 'Mappings' section of template.", name)
	}
	return nil
}

// checkImportValue enforces CloudFormation's rule that the imported name can
// be known before any resource exists.
func (t *Template) checkImportValue(arg any) error {
	refs := map[string]bool{}
	if err := t.resourceRefs(arg, nil, refs); err != nil {
		return err
	}
	bad := len(refs) > 0
	_ = walk(arg, false, func(fn string, _ any, _ bool) (bool, error) {
		bad = bad || fn == fnImportValue || fn == fnGetAZs
		return true, nil
	})
	if bad {
		return templateErr("the attribute in Fn::ImportValue must not depend on any resources, imported values, or Fn::GetAZs")
	}
	return nil
}

// conditionCycles refuses conditions that refer to each other in a loop.
func (t *Template) conditionCycles() error {
	deps := map[string][]string{}
	for name, c := range t.Conditions {
		_ = walk(c, true, func(fn string, arg any, _ bool) (bool, error) {
			if s, ok := arg.(string); ok && fn == fnCondition {
				deps[name] = append(deps[name], s)
			}
			return true, nil
		})
	}
	if cyc := cycles(sortedKeys(t.Conditions), deps); len(cyc) > 0 {
		return formatErr("Circular dependency between conditions: %s", bracketList(cyc))
	}
	return nil
}
