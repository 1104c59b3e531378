package template

// visitFunc is called for every function call found by walk; it returns
// whether walk should descend into the call's argument.
type visitFunc func(fn string, arg any, inCond bool) (descend bool, err error)

// walk visits every function call in v, depth first. inCond says whether v is
// a condition (where {"Condition": name} is a function).
func walk(v any, inCond bool, visit visitFunc) error {
	return walkDepth(v, inCond, visit, 0)
}

func walkDepth(v any, inCond bool, visit visitFunc, depth int) error {
	if depth > MaxDepth {
		return formatErr("the template is nested more than %d levels deep", MaxDepth)
	}
	if fn, arg, ok := asFunction(v, inCond); ok {
		descend, err := visit(fn, arg, inCond)
		if err != nil || !descend {
			return err
		}
		return walkDepth(arg, inCond || isConditionFunction(fn), visit, depth+1)
	}
	switch x := v.(type) {
	case map[string]any:
		if t, has := x[fnTransform]; has {
			// An Fn::Transform beside other keys (AWS::Include's snippet form)
			// is still a function call.
			if _, err := visit(fnTransform, t, inCond); err != nil {
				return err
			}
		}
		for _, k := range sortedKeys(x) {
			if err := walkDepth(x[k], inCond, visit, depth+1); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := walkDepth(e, inCond, visit, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// isConditionFunction reports whether fn's arguments are conditions.
func isConditionFunction(fn string) bool {
	return fn == fnAnd || fn == fnOr || fn == fnNot
}

// resourceRefs returns the resources that v refers to through Ref,
// Fn::GetAtt and Fn::Sub. With conds non-nil, only the branch of each Fn::If
// that the conditions choose is followed (CloudFormation evaluates conditions
// before it orders resources); with nil, both are.
func (t *Template) resourceRefs(v any, conds map[string]bool, into map[string]bool) error {
	var visit visitFunc
	visit = func(fn string, arg any, _ bool) (bool, error) {
		switch fn {
		case fnRef:
			if s, ok := arg.(string); ok && t.Resources[s] != nil {
				into[s] = true
			}
		case fnGetAtt:
			if res, _, ok := getAttTarget(arg); ok && t.Resources[res] != nil {
				into[res] = true
			}
		case fnSub:
			t.subRefs(arg, into)
		case fnIf:
			if conds != nil {
				l, ok := arg.([]any)
				if !ok || len(l) != 3 {
					return true, nil
				}
				name, _ := l[0].(string)
				branch := l[2]
				if conds[name] {
					branch = l[1]
				}
				return false, walk(branch, false, visit)
			}
		}
		return true, nil
	}
	return walk(v, false, visit)
}

// getAttTarget returns the resource and attribute of an Fn::GetAtt argument
// (["Res", "Attr"], or "Res.Attr"); the attribute is "" when it is a function.
func getAttTarget(arg any) (res, attr string, ok bool) {
	switch x := arg.(type) {
	case []any:
		if len(x) != 2 {
			return "", "", false
		}
		res, ok = x[0].(string)
		attr, _ = x[1].(string)
		return res, attr, ok && res != ""
	case string:
		for i := 0; i < len(x); i++ {
			if x[i] == '.' {
				return x[:i], x[i+1:], i > 0 && i < len(x)-1
			}
		}
	}
	return "", "", false
}

// subRefs adds the resources an Fn::Sub string names.
func (t *Template) subRefs(arg any, into map[string]bool) {
	str, vars := subParts(arg)
	parts, err := parseSub(str)
	if err != nil {
		return
	}
	for _, p := range parts {
		if !p.variable || vars[p.text] != nil {
			continue
		}
		res, _, _ := cutDot(p.text)
		if t.Resources[res] != nil {
			into[res] = true
		}
	}
}

// subParts splits an Fn::Sub argument into its string and its variable map.
func subParts(arg any) (string, map[string]any) {
	switch x := arg.(type) {
	case string:
		return x, nil
	case []any:
		if len(x) == 2 {
			s, _ := x[0].(string)
			m, _ := x[1].(map[string]any)
			return s, m
		}
	}
	return "", nil
}
