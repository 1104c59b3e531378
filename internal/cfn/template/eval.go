package template

import (
	"encoding/json"
	"strconv"
)

// noValue is what Ref AWS::NoValue evaluates to: the enclosing key or list
// item is removed.
type noValue struct{}

// unknown is a value that depends on a resource not created yet.
type unknown struct{}

// evalCtx is one evaluation: which resolver, whether unknown values are
// allowed (preview), and which resources were not resolved.
type evalCtx struct {
	e          *Evaluator
	r          Resolver
	preview    bool
	unresolved map[string]bool
}

func (c *evalCtx) eval(v any, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, formatErr("the template is nested more than %d levels deep", MaxDepth)
	}
	if fn, arg, ok := asFunction(v, false); ok {
		return c.call(fn, arg, depth+1)
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			r, err := c.eval(item, depth+1)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); !drop {
				out[k] = r
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for _, item := range x {
			r, err := c.eval(item, depth+1)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); !drop {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return v, nil
}

func (c *evalCtx) call(fn string, arg any, depth int) (any, error) {
	switch fn {
	case fnRef:
		return c.ref(arg, depth)
	case fnGetAtt:
		return c.getAtt(arg, depth)
	case fnSub:
		return c.sub(arg, depth)
	case fnJoin:
		return c.join(arg, depth)
	case fnSelect:
		return c.selectFn(arg, depth)
	case fnSplit:
		return c.split(arg, depth)
	case fnIf:
		return c.ifFn(arg, depth)
	case fnFindInMap:
		return c.findInMap(arg, depth)
	case fnImportValue:
		return c.importValue(arg, depth)
	case fnGetAZs:
		return c.getAZs(arg, depth)
	case fnBase64:
		return c.base64(arg, depth)
	case fnCidr:
		return c.cidr(arg, depth)
	case fnEquals, fnAnd, fnOr, fnNot:
		return c.e.evalConditionFn(fn, arg, map[string]bool{}, depth)
	case fnLength, fnToJSONString:
		if c.e.t.languageExtensions() {
			return c.extension(fn, arg, depth)
		}
	case fnTransform:
		return nil, transformSupported(transformName(arg))
	}
	return nil, c.e.t.unsupportedFunction(fn)
}

// unresolvedRef records a reference to a resource that has no physical id
// (or attribute) yet.
func (c *evalCtx) unresolvedRef(logicalID string) any {
	c.unresolved[logicalID] = true
	return unknown{}
}

func (c *evalCtx) ref(arg any, depth int) (any, error) {
	name, ok := arg.(string)
	if !ok && c.e.t.languageExtensions() {
		v, err := c.evalString(arg, depth, fnRef)
		if err != nil || isUnknown(v) {
			return v, err
		}
		name = v.(string)
	} else if !ok {
		return nil, templateErr("every Ref object must have a single String value.")
	}
	if v, isParam := c.e.refs[name]; isParam {
		return v, nil
	}
	if IsPseudoParameter(name) {
		return c.e.pseudo(name), nil
	}
	if c.e.t.Resources[name] == nil {
		return nil, unresolvedDeps([]string{name}, blockResources)
	}
	if c.r != nil {
		if v, ok := c.r.Ref(name); ok {
			return v, nil
		}
	}
	return c.unresolvedRef(name), nil
}

func (e *Evaluator) pseudo(name string) any {
	p := e.in.Pseudo
	switch name {
	case PseudoAccountID:
		return p.AccountID
	case PseudoRegion:
		return p.Region
	case PseudoStackName:
		return p.StackName
	case PseudoStackID:
		return p.StackID
	case PseudoPartition:
		return p.Partition
	case PseudoURLSuffix:
		return p.URLSuffix
	case PseudoNotificationARNs:
		out := make([]any, len(p.NotificationARNs))
		for i, a := range p.NotificationARNs {
			out[i] = a
		}
		return out
	}
	return noValue{}
}

func (c *evalCtx) getAtt(arg any, depth int) (any, error) {
	res, attr, ok := getAttTarget(arg)
	if !ok {
		return nil, templateErr("every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
	}
	if l, isList := arg.([]any); isList && attr == "" {
		v, err := c.evalString(l[1], depth, fnGetAtt)
		if err != nil || isUnknown(v) {
			return v, err
		}
		attr = v.(string)
	}
	if c.e.t.Resources[res] == nil {
		return nil, templateErr("instance of Fn::GetAtt references undefined resource %s", res)
	}
	if c.r != nil {
		if v, ok := c.r.GetAtt(res, attr); ok {
			return v, nil
		}
	}
	return c.unresolvedRef(res), nil
}

// evalString evaluates v and requires a string (or a number, as its text).
func (c *evalCtx) evalString(v any, depth int, fn string) (any, error) {
	r, err := c.eval(v, depth+1)
	if err != nil || isUnknown(r) {
		return r, err
	}
	s, ok := stringValue(r)
	if !ok {
		return nil, templateErr("every %s argument must be a string", fn)
	}
	return s, nil
}

// evalList evaluates v and requires a list.
func (c *evalCtx) evalList(v any, depth int) (list []any, unknownList bool, err error) {
	r, err := c.eval(v, depth+1)
	if err != nil {
		return nil, false, err
	}
	if isUnknown(r) {
		return nil, true, nil
	}
	l, ok := r.([]any)
	if !ok {
		return nil, false, errNotList
	}
	return l, false, nil
}

var errNotList = templateErr("expected a list")

func isUnknown(v any) bool { _, ok := v.(unknown); return ok }

// stringValue is a scalar's text: strings, numbers and booleans are all
// strings to CloudFormation's string functions. Go numbers are accepted too,
// for values a Resolver returns.
func stringValue(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// finish replaces unknown values by KnownAfterApply. It copies a map or
// list only when something in it changes, so that values shared with the
// resolver or the parameters are never written.
func finish(v any) (any, bool) {
	switch x := v.(type) {
	case unknown:
		return KnownAfterApply, true
	case map[string]any:
		var out map[string]any
		for k, item := range x {
			f, changed := finish(item)
			if !changed {
				continue
			}
			if out == nil {
				out = make(map[string]any, len(x))
				for k2, v2 := range x {
					out[k2] = v2
				}
			}
			out[k] = f
		}
		if out != nil {
			return out, true
		}
	case []any:
		var out []any
		for i, item := range x {
			f, changed := finish(item)
			if !changed {
				continue
			}
			if out == nil {
				out = append([]any(nil), x...)
			}
			out[i] = f
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}
