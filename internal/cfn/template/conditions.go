package template

import "reflect"

// condition evaluates a named condition once, memoised; visiting guards
// against loops (Parse refused cycles already; this keeps evaluation total).
func (e *Evaluator) condition(name string, visiting map[string]bool) (bool, error) {
	if v, done := e.conditions[name]; done {
		return v, nil
	}
	body, declared := e.t.Conditions[name]
	if !declared {
		return false, formatErr("Unresolved condition dependency %s in Fn::Condition", name)
	}
	if visiting[name] {
		return false, formatErr("Circular dependency between conditions: [%s]", name)
	}
	visiting[name] = true
	v, err := e.conditionValue(body, visiting, 0)
	if err != nil {
		return false, err
	}
	e.conditions[name] = v
	return v, nil
}

// conditionValue evaluates a condition expression to a boolean.
func (e *Evaluator) conditionValue(v any, visiting map[string]bool, depth int) (bool, error) {
	fn, arg, ok := asFunction(v, true)
	if !ok {
		if b, isBool := v.(bool); isBool {
			return b, nil
		}
		if s, isStr := v.(string); isStr && (s == "true" || s == "false") {
			return s == "true", nil
		}
		return false, formatErr("Conditions can only be boolean operations on parameters and other conditions")
	}
	r, err := e.evalConditionFn(fn, arg, visiting, depth+1)
	if err != nil {
		return false, err
	}
	b, isBool := r.(bool)
	if !isBool {
		s, _ := r.(string)
		if s != "true" && s != "false" {
			return false, formatErr("Conditions can only be boolean operations on parameters and other conditions")
		}
		b = s == "true"
	}
	return b, nil
}

// evalConditionFn evaluates Fn::Equals, Fn::And, Fn::Or, Fn::Not and
// Condition; Fn::FindInMap may yield a boolean too.
func (e *Evaluator) evalConditionFn(fn string, arg any, visiting map[string]bool, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, formatErr("the template is nested more than %d levels deep", MaxDepth)
	}
	l, _ := arg.([]any)
	switch fn {
	case fnCondition:
		name, _ := arg.(string)
		return e.condition(name, visiting)
	case fnNot:
		if len(l) != 1 {
			return nil, templateErr("every Fn::Not object requires a list of one condition")
		}
		v, err := e.conditionValue(l[0], visiting, depth)
		return !v, err
	case fnAnd, fnOr:
		if len(l) < 2 || len(l) > 10 {
			return nil, templateErr("every %s object requires a list of at least 2 and at most 10 conditions", fn)
		}
		for _, item := range l {
			v, err := e.conditionValue(item, visiting, depth)
			if err != nil {
				return nil, err
			}
			if v == (fn == fnOr) {
				return v, nil
			}
		}
		return fn == fnAnd, nil
	case fnEquals:
		if len(l) != 2 {
			return nil, templateErr("every Fn::Equals object requires a list of 2 string parameters.")
		}
		return e.equals(l[0], l[1], depth)
	}
	c := &evalCtx{e: e, unresolved: map[string]bool{}}
	return c.call(fn, arg, depth)
}

// equals compares two values the way CloudFormation does: scalars by their
// text (so 80 equals "80"), lists and maps item by item.
func (e *Evaluator) equals(a, b any, depth int) (bool, error) {
	c := &evalCtx{e: e, unresolved: map[string]bool{}}
	va, err := c.eval(a, depth+1)
	if err != nil {
		return false, err
	}
	vb, err := c.eval(b, depth+1)
	if err != nil {
		return false, err
	}
	if len(c.unresolved) > 0 {
		return false, formatErr("Unresolved dependencies %s. Cannot reference resources in the Conditions block of the template", bracketList(sortedSet(c.unresolved)))
	}
	return reflect.DeepEqual(normalize(va), normalize(vb)), nil
}

// normalize renders scalars as strings, recursively.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			out[k] = normalize(item)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = normalize(item)
		}
		return out
	}
	if s, ok := stringValue(v); ok {
		return s
	}
	return v
}
