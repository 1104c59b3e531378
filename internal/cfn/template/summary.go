package template

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// The capabilities a template may need acknowledged.
const (
	CapabilityIAM        = "CAPABILITY_IAM"
	CapabilityNamedIAM   = "CAPABILITY_NAMED_IAM"
	CapabilityAutoExpand = "CAPABILITY_AUTO_EXPAND"
)

// iamNameProperties are, per IAM type, the property that gives the resource
// a custom name: with it set, CloudFormation requires CAPABILITY_NAMED_IAM.
var iamNameProperties = map[string]string{
	"AWS::IAM::Role":            "RoleName",
	"AWS::IAM::InstanceProfile": "InstanceProfileName",
	"AWS::IAM::ManagedPolicy":   "ManagedPolicyName",
	"AWS::IAM::User":            "UserName",
	"AWS::IAM::Group":           "GroupName",
}

// ParameterSummary is a parameter as ValidateTemplate and GetTemplateSummary
// describe it.
type ParameterSummary struct {
	ParameterKey  string
	ParameterType string
	DefaultValue  *string
	NoEcho        bool
	Description   string
	AllowedValues []string
}

// Summary is what ValidateTemplate and GetTemplateSummary return about a
// template (ValidateTemplate returns a subset).
type Summary struct {
	Description        string
	Parameters         []ParameterSummary
	Capabilities       []string
	CapabilitiesReason string
	DeclaredTransforms []string
	ResourceTypes      []string
	Version            string
	// Metadata is the template's Metadata section as JSON text, "" if none.
	Metadata string
}

// Summarize describes the template.
func (t *Template) Summarize() Summary {
	s := Summary{
		Description:        t.Description,
		DeclaredTransforms: append([]string(nil), t.Transforms...),
		ResourceTypes:      t.ResourceTypes(),
		Version:            t.FormatVersion,
	}
	for _, name := range t.ParameterOrder {
		p := t.Parameters[name]
		s.Parameters = append(s.Parameters, ParameterSummary{
			ParameterKey: name, ParameterType: p.Type, DefaultValue: p.Default,
			NoEcho: p.NoEcho, Description: p.Description, AllowedValues: p.AllowedValues,
		})
	}
	if t.Metadata != nil {
		b, _ := json.Marshal(t.Metadata)
		s.Metadata = string(b)
	}
	s.Capabilities, s.CapabilitiesReason = t.capabilities()
	return s
}

// capabilities applies CloudFormation's rule: IAM resources need
// CAPABILITY_IAM, or CAPABILITY_NAMED_IAM when any has a custom name; a
// template with transforms needs CAPABILITY_AUTO_EXPAND.
func (t *Template) capabilities() ([]string, string) {
	iamTypes := map[string]bool{}
	named := false
	for _, id := range t.ResourceOrder {
		r := t.Resources[id]
		if !strings.HasPrefix(r.Type, "AWS::IAM::") {
			continue
		}
		iamTypes[r.Type] = true
		if prop, ok := iamNameProperties[r.Type]; ok && r.Properties[prop] != nil {
			named = true
		}
	}
	var caps []string
	var reason string
	if len(iamTypes) > 0 {
		caps = append(caps, CapabilityIAM)
		if named {
			caps = []string{CapabilityNamedIAM}
		}
		reason = "The following resource(s) require capabilities: " + bracketList(sortedSet(iamTypes))
	}
	if len(t.Transforms) > 0 {
		caps = append(caps, CapabilityAutoExpand)
	}
	sort.Strings(caps)
	return caps, reason
}

// RequireCapabilities refuses an operation that did not acknowledge every
// capability the template needs, in CloudFormation's words. Acknowledging
// CAPABILITY_NAMED_IAM covers CAPABILITY_IAM.
func RequireCapabilities(needed, given []string) error {
	has := map[string]bool{}
	for _, c := range given {
		has[c] = true
	}
	if has[CapabilityNamedIAM] {
		has[CapabilityIAM] = true
	}
	var missing []string
	for _, c := range needed {
		if !has[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return awserr.Wrap(ErrCapabilities, CodeInsufficientCapabilities, "Requires capabilities : %s", bracketList(missing))
}

// IdentifierCatalog gives a type's primary identifier (the resource-type
// table implements it).
type IdentifierCatalog interface {
	PrimaryIdentifier(typ string) []string
}

// ResourceIdentifierSummary is one entry of GetTemplateSummary's
// ResourceIdentifierSummaries: the resources of one type and the
// properties that identify one (for resource import).
type ResourceIdentifierSummary struct {
	ResourceType        string
	LogicalResourceIds  []string
	ResourceIdentifiers []string
}

// ResourceIdentifierSummaries groups the template's resources by type, with
// each type's identifying properties, sorted by type.
func (t *Template) ResourceIdentifierSummaries(c IdentifierCatalog) []ResourceIdentifierSummary {
	byType := map[string][]string{}
	for _, id := range t.ResourceOrder {
		typ := t.Resources[id].Type
		byType[typ] = append(byType[typ], id)
	}
	out := make([]ResourceIdentifierSummary, 0, len(byType))
	for _, typ := range sortedKeys(byType) {
		out = append(out, ResourceIdentifierSummary{ResourceType: typ, LogicalResourceIds: byType[typ], ResourceIdentifiers: c.PrimaryIdentifier(typ)})
	}
	return out
}
