package template

import (
	"regexp"
	"sort"
)

// CloudFormation's quotas on a template's sections.
const (
	MaxResources  = 500
	MaxParameters = 200
	MaxOutputs    = 200
	MaxMappings   = 200
	// MaxDescriptionBytes bounds the template's Description.
	MaxDescriptionBytes = 1024
	// MaxLogicalIDLength bounds logical ids of resources, parameters,
	// outputs, mappings and conditions.
	MaxLogicalIDLength = 255
)

// FormatVersion is the only AWSTemplateFormatVersion there is.
const FormatVersion = "2010-09-09"

// Template is a parsed, format-checked template. It is immutable once Parse
// returns and may be shared between goroutines.
type Template struct {
	// Body is the template as submitted (GetTemplate returns it unchanged).
	Body []byte
	// Format is JSON or YAML.
	Format Format
	// FormatVersion is AWSTemplateFormatVersion, or "" when absent.
	FormatVersion string
	// Description is the template's Description.
	Description string
	// Metadata is the Metadata section, as written.
	Metadata map[string]any
	// Parameters by name; ParameterOrder is their declaration order.
	Parameters     map[string]*Parameter
	ParameterOrder []string
	// Mappings: map name → top-level key → second-level key → value (a string,
	// a number or a list of them).
	Mappings map[string]map[string]map[string]any
	// Conditions by name, unevaluated.
	Conditions map[string]any
	// Rules is the Rules section as written.
	Rules map[string]any
	// Transforms are the declared transforms, in order.
	Transforms []string
	// Resources by logical id; ResourceOrder is their declaration order.
	Resources     map[string]*Resource
	ResourceOrder []string
	// Outputs by name; OutputOrder is their declaration order.
	Outputs     map[string]*Output
	OutputOrder []string
}

// Resource is one entry of the Resources section.
type Resource struct {
	LogicalID string
	Type      string
	// Properties as written (intrinsic functions unevaluated); nil if absent.
	Properties map[string]any
	// DependsOn lists the explicit dependencies.
	DependsOn []string
	// Condition names the condition that must hold for the resource to exist.
	Condition string
	// DeletionPolicy and UpdateReplacePolicy are strings, or with the
	// AWS::LanguageExtensions transform possibly functions; see
	// Evaluator.Policies.
	DeletionPolicy      any
	UpdateReplacePolicy any
	// Metadata, CreationPolicy and UpdatePolicy are stored as written.
	Metadata       map[string]any
	CreationPolicy any
	UpdatePolicy   any
}

// Output is one entry of the Outputs section.
type Output struct {
	Name        string
	Description string
	Value       any
	// ExportName is the Export's Name (possibly a function), nil if none.
	ExportName any
	Condition  string
}

// HasTransform reports whether the template declares the named transform.
func (t *Template) HasTransform(name string) bool {
	for _, x := range t.Transforms {
		if x == name {
			return true
		}
	}
	return false
}

// languageExtensions reports whether AWS::LanguageExtensions is declared,
// which enables Fn::Length, Fn::ToJsonString, Fn::FindInMap's DefaultValue and
// functions in DeletionPolicy and UpdateReplacePolicy.
func (t *Template) languageExtensions() bool { return t.HasTransform(TransformLanguageExtensions) }

// ResourceTypes returns the distinct resource types the template uses, sorted.
func (t *Template) ResourceTypes() []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range t.ResourceOrder {
		if typ := t.Resources[id].Type; !seen[typ] {
			seen[typ] = true
			out = append(out, typ)
		}
	}
	sort.Strings(out)
	return out
}

var alphanumeric = regexp.MustCompile(`^[A-Za-z0-9]+$`)

func validLogicalID(id string) bool {
	return len(id) <= MaxLogicalIDLength && alphanumeric.MatchString(id)
}

// orderedKeys returns m's keys in declared order, falling back to sorted
// order for any key the decoder did not record.
func orderedKeys(m map[string]any, declared []string) []string {
	out := make([]string, 0, len(m))
	seen := make(map[string]bool, len(m))
	for _, k := range declared {
		if _, ok := m[k]; ok && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}
