package template

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Parameter is one entry of the Parameters section. Numeric attributes keep
// their written form; Default is a string as CloudFormation takes it (a list
// default is comma-separated).
type Parameter struct {
	Name                  string
	Type                  string
	Description           string
	Default               *string
	AllowedValues         []string
	AllowedPattern        string
	MinLength, MaxLength  *int
	MinValue, MaxValue    *float64
	NoEcho                bool
	ConstraintDescription string

	pattern *regexp.Regexp
}

var parameterKeys = map[string]bool{
	"Type": true, "Description": true, "Default": true, "AllowedValues": true,
	"AllowedPattern": true, "MinLength": true, "MaxLength": true, "MinValue": true,
	"MaxValue": true, "NoEcho": true, "ConstraintDescription": true,
}

// awsParameterTypes are the AWS-specific parameter types. Their values are
// ids of things in the AWS account; Slipway has no such account to look them
// up in, so it takes the values as given (as strings, or lists of them).
var awsParameterTypes = map[string]bool{
	"AWS::EC2::AvailabilityZone::Name": true, "AWS::EC2::Image::Id": true,
	"AWS::EC2::Instance::Id": true, "AWS::EC2::KeyPair::KeyName": true,
	"AWS::EC2::SecurityGroup::GroupName": true, "AWS::EC2::SecurityGroup::Id": true,
	"AWS::EC2::Subnet::Id": true, "AWS::EC2::Volume::Id": true, "AWS::EC2::VPC::Id": true,
	"AWS::Route53::HostedZone::Id": true, "AWS::SSM::Parameter::Name": true,
}

// ssmValuePrefix starts the types whose value is the name of an SSM
// parameter whose value is used instead.
const ssmValuePrefix = "AWS::SSM::Parameter::Value<"

// parameterKind classifies a parameter type: whether its value is a list,
// whether it must be numeric, whether it comes from SSM, and whether the type
// exists at all.
type parameterKind struct {
	list, number, ssm, known bool
}

func kindOf(typ string) parameterKind {
	switch {
	case typ == "String":
		return parameterKind{known: true}
	case typ == "Number":
		return parameterKind{number: true, known: true}
	case typ == "List<Number>":
		return parameterKind{list: true, number: true, known: true}
	case typ == "CommaDelimitedList":
		return parameterKind{list: true, known: true}
	case awsParameterTypes[typ] && typ != "AWS::SSM::Parameter::Name":
		return parameterKind{known: true}
	case typ == "AWS::SSM::Parameter::Name":
		return parameterKind{known: true}
	case strings.HasPrefix(typ, "List<") && strings.HasSuffix(typ, ">"):
		inner := typ[len("List<") : len(typ)-1]
		return parameterKind{list: true, known: awsParameterTypes[inner] && inner != "AWS::SSM::Parameter::Name"}
	case strings.HasPrefix(typ, ssmValuePrefix) && strings.HasSuffix(typ, ">"):
		name := typ[len(ssmValuePrefix) : len(typ)-1]
		if name == "List<String>" {
			return parameterKind{list: true, ssm: true, known: true}
		}
		inner := kindOf(name)
		ok := inner.known && !inner.ssm && !inner.number
		return parameterKind{list: inner.list, ssm: true, known: ok}
	}
	return parameterKind{}
}

func (t *Template) readParameters(doc *document) error {
	m, keys, err := section(doc, "Parameters")
	if err != nil {
		return err
	}
	if len(m) > MaxParameters {
		return formatErr("Number of parameters, %d, is greater than maximum allowed, %d", len(m), MaxParameters)
	}
	t.Parameters = make(map[string]*Parameter, len(m))
	for _, name := range keys {
		p, err := readParameter(name, m[name])
		if err != nil {
			return err
		}
		t.Parameters[name] = p
		t.ParameterOrder = append(t.ParameterOrder, name)
	}
	return nil
}

func readParameter(name string, v any) (*Parameter, error) {
	if !validLogicalID(name) {
		return nil, formatErr("Parameter name %s is non alphanumeric.", name)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, formatErr("Every Parameters object must contain a Type member.")
	}
	for k := range m {
		if !parameterKeys[k] {
			return nil, formatErr("Invalid template parameter property '%s'", k)
		}
	}
	p := &Parameter{Name: name}
	var ok2 bool
	if p.Type, ok2 = m["Type"].(string); !ok2 {
		return nil, formatErr("Every Parameters object must contain a Type member.")
	}
	if !kindOf(p.Type).known {
		return nil, formatErr("Unrecognized parameter type: %s", p.Type)
	}
	if err := p.readAttributes(m); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Parameter) readAttributes(m map[string]any) error {
	var err error
	str := func(key string) string {
		if v, ok := m[key]; ok && err == nil {
			s, isScalar := scalarString(v)
			if !isScalar {
				err = formatErr("Every %s member of parameter %s must be a string", key, p.Name)
			}
			return s
		}
		return ""
	}
	p.Description = str("Description")
	p.ConstraintDescription = str("ConstraintDescription")
	p.AllowedPattern = str("AllowedPattern")
	if _, has := m["Default"]; has {
		d := defaultString(m["Default"])
		p.Default = &d
	}
	noEcho := str("NoEcho")
	if err != nil {
		return err
	}
	p.NoEcho = strings.EqualFold(noEcho, "true")
	if p.AllowedPattern != "" {
		// CloudFormation matches the whole value (java.util.regex matches()).
		if p.pattern, err = regexp.Compile("^(?:" + p.AllowedPattern + ")$"); err != nil {
			return formatErr("Parameter %s has an invalid AllowedPattern: %s", p.Name, p.AllowedPattern)
		}
	}
	if err := p.readAllowedValues(m); err != nil {
		return err
	}
	return p.readBounds(m)
}

// defaultString renders a Default as CloudFormation takes it: a list
// default (allowed for list types) is joined with commas.
func defaultString(v any) string {
	if l, ok := v.([]any); ok {
		parts := make([]string, len(l))
		for i, e := range l {
			parts[i], _ = scalarString(e)
		}
		return strings.Join(parts, ",")
	}
	s, _ := scalarString(v)
	return s
}

func (p *Parameter) readAllowedValues(m map[string]any) error {
	v, ok := m["AllowedValues"]
	if !ok {
		return nil
	}
	l, isList := v.([]any)
	if !isList {
		return formatErr("Every AllowedValues member of parameter %s must be a list", p.Name)
	}
	for _, e := range l {
		s, isScalar := scalarString(e)
		if !isScalar {
			return formatErr("Every AllowedValues member of parameter %s must be a list of strings", p.Name)
		}
		p.AllowedValues = append(p.AllowedValues, s)
	}
	return nil
}

func (p *Parameter) readBounds(m map[string]any) error {
	for _, b := range []struct {
		key string
		dst **int
	}{{"MinLength", &p.MinLength}, {"MaxLength", &p.MaxLength}} {
		if v, ok := m[b.key]; ok {
			s, _ := scalarString(v)
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return formatErr("%s of parameter %s must be a non-negative integer", b.key, p.Name)
			}
			*b.dst = &n
		}
	}
	for _, b := range []struct {
		key string
		dst **float64
	}{{"MinValue", &p.MinValue}, {"MaxValue", &p.MaxValue}} {
		if v, ok := m[b.key]; ok {
			s, _ := scalarString(v)
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return formatErr("%s of parameter %s must be a number", b.key, p.Name)
			}
			*b.dst = &f
		}
	}
	return nil
}

// scalarString renders a scalar as the string CloudFormation sees; an
// absent value (YAML's null) is the empty string.
func scalarString(v any) (string, bool) {
	if v == nil {
		return "", true
	}
	if s, ok := stringValue(v); ok {
		return s, true
	}
	return fmt.Sprint(v), false
}

// IsList reports whether the parameter's value is a list (Ref gives a list).
func (p *Parameter) IsList() bool { return kindOf(p.Type).list }

// IsSSM reports whether the value names an SSM parameter whose value is used.
func (p *Parameter) IsSSM() bool { return kindOf(p.Type).ssm }
