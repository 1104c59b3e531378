package template

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Pseudo holds the pseudo parameters' values for one stack.
type Pseudo struct {
	AccountID, Region, StackName, StackID, Partition, URLSuffix string
	NotificationARNs                                            []string
}

// ExportLookup finds a value exported by another stack (Fn::ImportValue).
type ExportLookup interface {
	Export(name string) (value string, ok bool)
}

// AZLookup lists a region's availability zones (Fn::GetAZs).
type AZLookup interface {
	AvailabilityZones(region string) []string
}

// SSMLookup reads an SSM parameter's value, for the
// AWS::SSM::Parameter::Value<...> parameter types. Slipway has no parameter
// store of its own; without a lookup every such parameter fails as a missing
// SSM parameter does on AWS.
type SSMLookup interface {
	SSMParameter(name string) (value string, ok bool)
}

// Inputs are what an Evaluator binds a template to.
type Inputs struct {
	// Parameters are the values given, by name. UsePreviousValue is the
	// caller's to resolve: it passes the previous value.
	Parameters map[string]string
	Pseudo     Pseudo
	Exports    ExportLookup
	AZs        AZLookup
	SSM        SSMLookup
}

// ParameterValue is a parameter's value as a stack records it.
type ParameterValue struct {
	Key string
	// Value is the value given or defaulted.
	Value string
	// ResolvedValue is the SSM parameter's value, for SSM parameter types.
	ResolvedValue string
	NoEcho        bool
}

// resolveParameters applies CloudFormation's parameter rules: every value
// given must be declared, every declared parameter needs a value or a
// default, and values meet their constraints.
func (t *Template) resolveParameters(in Inputs) (map[string]ParameterValue, map[string]any, error) {
	var unknown, missing []string
	for k := range in.Parameters {
		if t.Parameters[k] == nil {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		return nil, nil, paramErr("Parameters: %s do not exist in the template", bracketList(unknown))
	}
	values := map[string]ParameterValue{}
	refs := map[string]any{}
	for _, name := range t.ParameterOrder {
		p := t.Parameters[name]
		v, given := in.Parameters[name]
		if !given && p.Default == nil {
			missing = append(missing, name)
			continue
		}
		if !given {
			v = *p.Default
		}
		pv := ParameterValue{Key: name, Value: v, NoEcho: p.NoEcho}
		effective := v
		if p.IsSSM() {
			resolved, ok := lookupSSM(in.SSM, v)
			if !ok {
				return nil, nil, paramErr("Unable to fetch parameters [%s] from parameter store for this account.", v)
			}
			pv.ResolvedValue, effective = resolved, resolved
		}
		if err := p.check(effective); err != nil {
			return nil, nil, err
		}
		values[name] = pv
		refs[name] = p.refValue(effective)
	}
	if len(missing) > 0 {
		return nil, nil, paramErr("Parameters: %s must have values", bracketList(missing))
	}
	return values, refs, nil
}

func lookupSSM(l SSMLookup, name string) (string, bool) {
	if l == nil {
		return "", false
	}
	return l.SSMParameter(name)
}

// refValue is what Ref returns: a string, or for list types a list of
// strings. Number parameters are strings too, as CloudFormation documents.
func (p *Parameter) refValue(v string) any {
	if !p.IsList() {
		return v
	}
	items := splitList(v)
	out := make([]any, len(items))
	for i, s := range items {
		out[i] = s
	}
	return out
}

// splitList splits a list parameter's value; an empty value is an empty list.
func splitList(v string) []string {
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// check applies the parameter's constraints to a value. For list types each
// item is checked (AllowedValues, AllowedPattern and numbers apply per item).
func (p *Parameter) check(v string) error {
	items := []string{v}
	if p.IsList() {
		items = splitList(v)
	}
	for _, item := range items {
		if err := p.checkItem(item); err != nil {
			return err
		}
	}
	return nil
}

func (p *Parameter) checkItem(v string) error {
	k := kindOf(p.Type)
	if k.number {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return paramErr("Parameter '%s' must be a number", p.Name)
		}
	}
	if len(p.AllowedValues) > 0 && !contains(p.AllowedValues, v) {
		return p.constraint("Parameter '%s' must be one of AllowedValues", p.Name)
	}
	if p.pattern != nil && !p.pattern.MatchString(v) {
		return p.constraint("Parameter '%s' must match pattern %s", p.Name, p.AllowedPattern)
	}
	n := utf8.RuneCountInString(v)
	if p.MinLength != nil && n < *p.MinLength {
		return p.constraint("Parameter '%s' must contain at least %d characters", p.Name, *p.MinLength)
	}
	if p.MaxLength != nil && n > *p.MaxLength {
		return p.constraint("Parameter '%s' must contain at most %d characters", p.Name, *p.MaxLength)
	}
	if k.number {
		f, _ := strconv.ParseFloat(v, 64)
		if p.MinValue != nil && f < *p.MinValue {
			return p.constraint("Parameter '%s' must be a number not less than %s", p.Name, trimFloat(*p.MinValue))
		}
		if p.MaxValue != nil && f > *p.MaxValue {
			return p.constraint("Parameter '%s' must be a number not greater than %s", p.Name, trimFloat(*p.MaxValue))
		}
	}
	return nil
}

// constraint words a constraint failure: with a ConstraintDescription,
// CloudFormation shows it instead of its own explanation.
func (p *Parameter) constraint(format string, args ...any) error {
	if p.ConstraintDescription != "" {
		return paramErr("Parameter %s failed to satisfy constraint: %s", p.Name, p.ConstraintDescription)
	}
	return paramErr(format, args...)
}

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// ParameterValues returns the stack's parameters in declaration order.
func (e *Evaluator) ParameterValues() []ParameterValue {
	out := make([]ParameterValue, 0, len(e.params))
	for _, name := range e.t.ParameterOrder {
		out = append(out, e.params[name])
	}
	return out
}

// sortedSet returns a set's members sorted.
func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// jsonString renders a resolved value as JSON text (Fn::ToJsonString).
func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
