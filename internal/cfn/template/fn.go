package template

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// CloudFormation's messages for misshapen string functions.
const (
	msgJoin   = "every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined."
	msgSelect = "Fn::Select requires a list argument with two elements: an integer index and a list"
	msgSplit  = "every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split."
	msgSub    = "One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string"
)

func (c *evalCtx) sub(arg any, depth int) (any, error) {
	str, varsRaw := subParts(arg)
	if l, isList := arg.([]any); (!isList && !isString(arg)) || (isList && (len(l) != 2 || varsRaw == nil || !isString(l[0]))) {
		return nil, templateErr(msgSub)
	}
	vars := make(map[string]any, len(varsRaw))
	for k, v := range varsRaw {
		r, err := c.eval(v, depth+1)
		if err != nil {
			return nil, err
		}
		vars[k] = r
	}
	parts, err := parseSub(str)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	isUnknownResult := false
	for _, p := range parts {
		if !p.variable {
			b.WriteString(p.text)
			continue
		}
		v, err := c.subVariable(p.text, vars, depth)
		if err != nil {
			return nil, err
		}
		if isUnknown(v) {
			isUnknownResult = true
			continue
		}
		s, ok := stringValue(v)
		if !ok {
			return nil, templateErr("variable %s in Fn::Sub expression does not resolve to a string", p.text)
		}
		b.WriteString(s)
	}
	if isUnknownResult {
		return unknown{}, nil
	}
	return b.String(), nil
}

// subVariable resolves one ${Name}: the variable map first, then parameters,
// pseudo parameters and resources (Ref), and "Res.Attr" (Fn::GetAtt).
func (c *evalCtx) subVariable(name string, vars map[string]any, depth int) (any, error) {
	if v, ok := vars[name]; ok {
		return v, nil
	}
	if _, isParam := c.e.refs[name]; isParam || IsPseudoParameter(name) || c.e.t.Resources[name] != nil {
		return c.ref(name, depth)
	}
	if res, attr, dotted := cutDot(name); dotted && c.e.t.Resources[res] != nil {
		return c.getAtt([]any{res, attr}, depth)
	}
	return nil, unresolvedDeps([]string{name}, blockResources)
}

func (c *evalCtx) join(arg any, depth int) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 2 {
		return nil, templateErr(msgJoin)
	}
	delim, ok := l[0].(string)
	if !ok {
		return nil, templateErr(msgJoin)
	}
	items, unknownList, err := c.evalList(l[1], depth)
	if err != nil || unknownList {
		return unknownOr(unknownList), wrapShape(err, msgJoin)
	}
	parts := make([]string, 0, len(items))
	for _, item := range items {
		if isUnknown(item) {
			return unknown{}, nil
		}
		s, ok := stringValue(item)
		if !ok {
			return nil, templateErr(msgJoin)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, delim), nil
}

// unknownOr returns unknown{} when the value is unknown, else nil.
func unknownOr(isUnknownValue bool) any {
	if isUnknownValue {
		return unknown{}
	}
	return nil
}

// wrapShape turns "expected a list" into the function's own message.
func wrapShape(err error, msg string) error {
	if errors.Is(err, errNotList) {
		return templateErr(msg)
	}
	return err
}

func (c *evalCtx) selectFn(arg any, depth int) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 2 {
		return nil, templateErr(msgSelect)
	}
	idx, err := c.evalString(l[0], depth, fnSelect)
	if err != nil || isUnknown(idx) {
		return idx, err
	}
	i, err := strconv.Atoi(idx.(string))
	if err != nil {
		return nil, templateErr("Fn::Select requires an integer index, not %s", idx)
	}
	items, unknownList, err := c.evalList(l[1], depth)
	if err != nil || unknownList {
		return unknownOr(unknownList), wrapShape(err, msgSelect)
	}
	if i < 0 || i >= len(items) {
		return nil, templateErr("Fn::Select  cannot select nonexistent value at index %d", i)
	}
	return items[i], nil
}

func (c *evalCtx) split(arg any, depth int) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 2 {
		return nil, templateErr(msgSplit)
	}
	delim, ok := l[0].(string)
	if !ok || delim == "" {
		return nil, templateErr(msgSplit)
	}
	s, err := c.evalString(l[1], depth, fnSplit)
	if err != nil || isUnknown(s) {
		return s, err
	}
	parts := strings.Split(s.(string), delim)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func (c *evalCtx) ifFn(arg any, depth int) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 3 {
		return nil, templateErr("Fn::If requires a list argument with three elements")
	}
	name, _ := l[0].(string)
	v, declared := c.e.conditions[name]
	if !declared {
		return nil, formatErr("Unresolved condition dependency %v in Fn::If", l[0])
	}
	if v {
		return c.eval(l[1], depth+1)
	}
	return c.eval(l[2], depth+1)
}

func (c *evalCtx) findInMap(arg any, depth int) (any, error) {
	l, ok := arg.([]any)
	withDefault := ok && len(l) == 4 && c.e.t.languageExtensions()
	if !ok || (len(l) != 3 && !withDefault) {
		return nil, templateErr("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
	}
	keys := make([]string, 3)
	for i := range keys {
		k, err := c.evalString(l[i], depth, fnFindInMap)
		if err != nil || isUnknown(k) {
			return k, err
		}
		keys[i] = k.(string)
	}
	if v, ok := c.e.t.Mappings[keys[0]][keys[1]][keys[2]]; ok {
		return v, nil
	}
	if withDefault {
		if m, ok := l[3].(map[string]any); ok {
			if d, has := m["DefaultValue"]; has {
				return c.eval(d, depth+1)
			}
		}
	}
	if c.e.t.Mappings[keys[0]] == nil {
		return nil, templateErr("Mapping named '%s' is not present in the 'Mappings' section of template.", keys[0])
	}
	return nil, templateErr("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
}

func (c *evalCtx) importValue(arg any, depth int) (any, error) {
	name, err := c.evalString(arg, depth, fnImportValue)
	if err != nil || isUnknown(name) {
		return name, err
	}
	if c.e.in.Exports != nil {
		if v, ok := c.e.in.Exports.Export(name.(string)); ok {
			return v, nil
		}
	}
	return nil, importErr(name.(string))
}

// importErr is CloudFormation's refusal of an import nobody exports.
func importErr(name string) error {
	return awserr.Wrap(ErrImport, CodeValidation, "No export named %s found.", name)
}

func (c *evalCtx) getAZs(arg any, depth int) (any, error) {
	region, err := c.evalString(arg, depth, fnGetAZs)
	if err != nil || isUnknown(region) {
		return region, err
	}
	r := region.(string)
	if r == "" {
		r = c.e.in.Pseudo.Region
	}
	var zones []string
	if c.e.in.AZs != nil {
		zones = c.e.in.AZs.AvailabilityZones(r)
	} else {
		zones = DefaultAvailabilityZones(r)
	}
	out := make([]any, len(zones))
	for i, z := range zones {
		out[i] = z
	}
	return out, nil
}

// DefaultAvailabilityZones is what Fn::GetAZs returns without an AZLookup:
// three zones named as AWS names them (us-east-1a, us-east-1b, us-east-1c).
func DefaultAvailabilityZones(region string) []string {
	return []string{region + "a", region + "b", region + "c"}
}

func (c *evalCtx) base64(arg any, depth int) (any, error) {
	s, err := c.evalString(arg, depth, fnBase64)
	if err != nil || isUnknown(s) {
		return s, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s.(string))), nil
}

// extension evaluates the functions of AWS::LanguageExtensions.
func (c *evalCtx) extension(fn string, arg any, depth int) (any, error) {
	v, err := c.eval(arg, depth+1)
	if err != nil || isUnknown(v) || containsUnknown(v) {
		return unknownOr(err == nil), err
	}
	switch fn {
	case fnLength:
		l, ok := v.([]any)
		if !ok {
			return nil, templateErr("Fn::Length requires a list or a function that returns a list")
		}
		return json.Number(strconv.Itoa(len(l))), nil
	default: // Fn::ToJsonString
		switch v.(type) {
		case map[string]any, []any:
		default:
			return nil, templateErr("Fn::ToJsonString requires an object or a list")
		}
		s, err := jsonString(v)
		if err != nil {
			return nil, templateErr("Fn::ToJsonString cannot render its argument: %v", err)
		}
		return s, nil
	}
}

func containsUnknown(v any) bool {
	switch x := v.(type) {
	case unknown:
		return true
	case map[string]any:
		for _, item := range x {
			if containsUnknown(item) {
				return true
			}
		}
	case []any:
		for _, item := range x {
			if containsUnknown(item) {
				return true
			}
		}
	}
	return false
}
