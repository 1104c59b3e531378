package template

import (
	"regexp"
	"strings"
)

// OutputValue is an output as DescribeStacks shows it.
type OutputValue struct {
	Key         string
	Value       string
	Description string
	// ExportName is "" when the output is not exported.
	ExportName string
}

var exportName = regexp.MustCompile(`^[A-Za-z0-9:-]+$`)

// Outputs resolves the outputs whose condition holds, in declaration order.
// A list value is shown comma-separated, as CloudFormation shows it.
func (e *Evaluator) Outputs(r Resolver) ([]OutputValue, error) {
	var out []OutputValue
	var unresolved []string
	for _, name := range e.t.OutputOrder {
		o := e.t.Outputs[name]
		if o.Condition != "" && !e.conditions[o.Condition] {
			continue
		}
		ov, err := e.output(o, r)
		if u, ok := err.(*UnresolvedError); ok {
			unresolved = append(unresolved, u.Resources...)
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ov)
	}
	if len(unresolved) > 0 {
		seen := map[string]bool{}
		for _, u := range unresolved {
			seen[u] = true
		}
		return nil, &UnresolvedError{Resources: sortedSet(seen)}
	}
	return out, nil
}

func (e *Evaluator) output(o *Output, r Resolver) (OutputValue, error) {
	ov := OutputValue{Key: o.Name, Description: o.Description}
	v, err := e.Resolve(o.Value, r)
	if err != nil {
		return ov, err
	}
	ov.Value = outputString(v)
	if o.ExportName != nil {
		n, err := e.Resolve(o.ExportName, r)
		if err != nil {
			return ov, err
		}
		s, ok := stringValue(n)
		if !ok || !exportName.MatchString(s) {
			return ov, formatErr("Output %s is malformed. The Name field of every Export member must be specified and consist only of alphanumeric characters, colons, or hyphens.", o.Name)
		}
		ov.ExportName = s
	}
	return ov, nil
}

func outputString(v any) string {
	if l, ok := v.([]any); ok {
		parts := make([]string, len(l))
		for i, item := range l {
			parts[i] = outputString(item)
		}
		return strings.Join(parts, ",")
	}
	if s, ok := stringValue(v); ok {
		return s
	}
	if v == nil {
		return ""
	}
	s, _ := jsonString(v)
	return s
}
