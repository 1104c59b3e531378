package template

import (
	"fmt"
	"reflect"
)

// Rule functions (the Rules section only).
const (
	fnContains         = "Fn::Contains"
	fnEachMemberEquals = "Fn::EachMemberEquals"
	fnEachMemberIn     = "Fn::EachMemberIn"
)

// checkRules checks the Rules section's shape. Fn::RefAll, Fn::ValueOf and
// Fn::ValueOfAll read the AWS account's resources (all VPC ids, a subnet's
// tags), which Slipway has no account to read, so they are refused rather
// than answered wrongly.
func (t *Template) checkRules() error {
	for _, name := range sortedKeys(t.Rules) {
		rule, ok := t.Rules[name].(map[string]any)
		if !ok {
			return formatErr("Every Rules member %s must be an object with Assertions", name)
		}
		asserts, ok := rule["Assertions"].([]any)
		if !ok || len(asserts) == 0 {
			return formatErr("Every Rules member %s must be an object with Assertions", name)
		}
		for _, v := range []any{rule["RuleCondition"], rule["Assertions"]} {
			err := walk(v, true, func(fn string, arg any, _ bool) (bool, error) {
				switch fn {
				case fnAnd, fnOr, fnNot, fnEquals, fnContains, fnEachMemberEquals, fnEachMemberIn, fnFindInMap:
					return true, nil
				case fnRef:
					if s, _ := arg.(string); t.Parameters[s] == nil && !IsPseudoParameter(s) {
						return false, formatErr("Unresolved dependencies [%v]. Rules can only refer to parameters", arg)
					}
					return true, nil
				}
				return false, formatErr("Rules function %s is not supported by Slipway (it reads the AWS account, which Slipway does not have)", fn)
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRules evaluates every rule whose RuleCondition holds; an assertion
// that fails refuses the parameters with its AssertDescription.
func (e *Evaluator) checkRules() error {
	for _, name := range sortedKeys(e.t.Rules) {
		rule := e.t.Rules[name].(map[string]any)
		if cond, has := rule["RuleCondition"]; has {
			ok, err := e.ruleValue(cond)
			if err != nil || !ok {
				return err
			}
		}
		for _, a := range rule["Assertions"].([]any) {
			m, _ := a.(map[string]any)
			ok, err := e.ruleValue(m["Assert"])
			if err != nil {
				return err
			}
			if !ok {
				desc, _ := m["AssertDescription"].(string)
				if desc == "" {
					desc = fmt.Sprintf("Assertion of rule %s failed", name)
				}
				return paramErr("%s", desc)
			}
		}
	}
	return nil
}

func (e *Evaluator) ruleValue(v any) (bool, error) {
	fn, arg, ok := asFunction(v, true)
	if !ok {
		return false, formatErr("Every Assert and RuleCondition must be a rule function")
	}
	l, _ := arg.([]any)
	switch fn {
	case fnContains, fnEachMemberEquals, fnEachMemberIn:
		if len(l) != 2 {
			return false, templateErr("every %s object requires two parameters", fn)
		}
		c := &evalCtx{e: e, unresolved: map[string]bool{}}
		a, err := c.eval(l[0], 0)
		if err != nil {
			return false, err
		}
		b, err := c.eval(l[1], 0)
		if err != nil {
			return false, err
		}
		return ruleCompare(fn, normalize(a), normalize(b)), nil
	case fnAnd, fnOr:
		for _, item := range l {
			r, err := e.ruleValue(item)
			if err != nil {
				return false, err
			}
			if r == (fn == fnOr) {
				return r, nil
			}
		}
		return fn == fnAnd, nil
	case fnNot:
		if len(l) != 1 {
			return false, templateErr("every Fn::Not object requires a list of one condition")
		}
		r, err := e.ruleValue(l[0])
		return !r, err
	}
	r, err := e.evalConditionFn(fn, arg, map[string]bool{}, 0)
	b, _ := r.(bool)
	return b, err
}

// ruleCompare is Fn::Contains [list, value], Fn::EachMemberEquals [list,
// value] and Fn::EachMemberIn [list, allowed].
func ruleCompare(fn string, a, b any) bool {
	list, _ := a.([]any)
	switch fn {
	case fnContains:
		for _, x := range list {
			if reflect.DeepEqual(x, b) {
				return true
			}
		}
		return false
	case fnEachMemberEquals:
		for _, x := range list {
			if !reflect.DeepEqual(x, b) {
				return false
			}
		}
		return true
	default:
		allowed, _ := b.([]any)
		for _, x := range list {
			if !ruleCompare(fnContains, allowed, x) {
				return false
			}
		}
		return true
	}
}
