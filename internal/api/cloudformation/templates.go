package cloudformation

import (
	"context"

	"github.com/slipway-dev/slipway/internal/cfn/template"
)

type getTemplateResult struct {
	TemplateBody    string
	StagesAvailable *list[string]
}

func (h *Handler) getTemplate(ctx context.Context, f form) (any, error) {
	body, err := h.e.Template(ctx, f.Str("StackName"), f.Str("ChangeSetName"))
	if err != nil {
		return nil, err
	}
	// Slipway runs no transform that rewrites a template: the processed
	// template is the original.
	return getTemplateResult{TemplateBody: body, StagesAvailable: listOf([]string{"Original", "Processed"})}, nil
}

type wireTemplateParameter struct {
	ParameterKey string
	DefaultValue string `xml:",omitempty"`
	NoEcho       bool
	Description  string `xml:",omitempty"`
}

type validateResult struct {
	Parameters         *list[wireTemplateParameter]
	Description        string `xml:",omitempty"`
	Capabilities       *list[string]
	CapabilitiesReason string `xml:",omitempty"`
	DeclaredTransforms *list[string]
}

func (h *Handler) validateTemplate(ctx context.Context, f form) (any, error) {
	if err := refuseUnsupported(f); err != nil {
		return nil, err
	}
	sum, err := h.e.ValidateTemplate(ctx, f.Str("TemplateBody"), f.Str("TemplateURL"))
	if err != nil {
		return nil, err
	}
	var ps []wireTemplateParameter
	for _, p := range sum.Parameters {
		ps = append(ps, wireTemplateParameter{ParameterKey: p.ParameterKey, DefaultValue: deref(p.DefaultValue), NoEcho: p.NoEcho,
			Description: p.Description})
	}
	return validateResult{Parameters: &list[wireTemplateParameter]{Member: ps}, Description: sum.Description,
		Capabilities: listOf(sum.Capabilities), CapabilitiesReason: sum.CapabilitiesReason,
		DeclaredTransforms: listOf(sum.DeclaredTransforms)}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type wireConstraints struct {
	AllowedValues *list[string]
}

type wireParameterDeclaration struct {
	ParameterKey         string
	DefaultValue         string `xml:",omitempty"`
	ParameterType        string
	NoEcho               bool
	Description          string `xml:",omitempty"`
	ParameterConstraints wireConstraints
}

type wireIdentifierSummary struct {
	ResourceType        string
	LogicalResourceIds  *list[string]
	ResourceIdentifiers *list[string]
}

type summaryResult struct {
	Parameters                  *list[wireParameterDeclaration]
	Description                 string `xml:",omitempty"`
	Capabilities                *list[string]
	CapabilitiesReason          string `xml:",omitempty"`
	ResourceTypes               *list[string]
	Version                     string `xml:",omitempty"`
	Metadata                    string `xml:",omitempty"`
	DeclaredTransforms          *list[string]
	ResourceIdentifierSummaries *list[wireIdentifierSummary]
}

func (h *Handler) getTemplateSummary(ctx context.Context, f form) (any, error) {
	if err := refuseUnsupported(f); err != nil {
		return nil, err
	}
	sum, ids, err := h.e.TemplateSummary(ctx, f.Str("TemplateBody"), f.Str("TemplateURL"), f.Str("StackName"))
	if err != nil {
		return nil, err
	}
	return toSummaryResult(sum, ids), nil
}

func toSummaryResult(sum *template.Summary, ids []template.ResourceIdentifierSummary) summaryResult {
	var ps []wireParameterDeclaration
	for _, p := range sum.Parameters {
		ps = append(ps, wireParameterDeclaration{ParameterKey: p.ParameterKey, DefaultValue: deref(p.DefaultValue),
			ParameterType: p.ParameterType, NoEcho: p.NoEcho, Description: p.Description,
			ParameterConstraints: wireConstraints{AllowedValues: listOf(p.AllowedValues)}})
	}
	var ws []wireIdentifierSummary
	for _, s := range ids {
		ws = append(ws, wireIdentifierSummary{ResourceType: s.ResourceType, LogicalResourceIds: listOf(s.LogicalResourceIds),
			ResourceIdentifiers: listOf(s.ResourceIdentifiers)})
	}
	return summaryResult{Parameters: &list[wireParameterDeclaration]{Member: ps}, Description: sum.Description,
		Capabilities: listOf(sum.Capabilities), CapabilitiesReason: sum.CapabilitiesReason, ResourceTypes: listOf(sum.ResourceTypes),
		Version: sum.Version, Metadata: sum.Metadata, DeclaredTransforms: listOf(sum.DeclaredTransforms),
		ResourceIdentifierSummaries: listOf(ws)}
}
