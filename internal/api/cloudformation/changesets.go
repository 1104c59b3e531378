package cloudformation

import (
	"context"
	"encoding/json"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
)

type createChangeSetResult struct {
	Id      string
	StackId string
}

func (h *Handler) createChangeSet(ctx context.Context, f form) (any, error) {
	if err := refuseUnsupported(f); err != nil {
		return nil, err
	}
	if len(f.List("ResourcesToImport")) > 0 || f.Str("ChangeSetType") == "IMPORT" {
		return nil, validationf("Slipway does not import existing resources (ChangeSetType IMPORT)")
	}
	if b, _ := boolean(f, "IncludeNestedStacks"); b {
		return nil, validationf("Slipway does not make change sets of nested stacks (IncludeNestedStacks): a change set lists the AWS::CloudFormation::Stack resource, and executing it updates the nested stacks")
	}
	usePrev, err := boolean(f, "UsePreviousTemplate")
	if err != nil {
		return nil, err
	}
	cs, err := h.e.CreateChangeSet(ctx, &stack.ChangeSetInput{StackName: f.Str("StackName"), ChangeSetName: f.Str("ChangeSetName"),
		ChangeSetType: f.Str("ChangeSetType"), TemplateBody: f.Str("TemplateBody"), TemplateURL: f.Str("TemplateURL"), UsePreviousTemplate: usePrev,
		Parameters: parameters(f), Capabilities: f.StrList("Capabilities"), Tags: tags(f),
		NotificationARNs: f.StrList("NotificationARNs"), RoleARN: f.Str("RoleARN"), Description: f.Str("Description"),
		OnStackFailure: f.Str("OnStackFailure")})
	if err != nil {
		return nil, err
	}
	return createChangeSetResult{Id: cs.ID, StackId: cs.StackID}, nil
}

type wireTarget struct {
	Attribute           string
	Name                string
	RequiresRecreation  string
	Path                string `xml:",omitempty"`
	BeforeValue         string `xml:",omitempty"`
	AfterValue          string `xml:",omitempty"`
	AttributeChangeType string `xml:",omitempty"`
}

type wireDetail struct {
	Target        wireTarget
	Evaluation    string
	ChangeSource  string
	CausingEntity string `xml:",omitempty"`
}

type wireResourceChange struct {
	PolicyAction       string `xml:",omitempty"`
	Action             string
	LogicalResourceId  string
	PhysicalResourceId string `xml:",omitempty"`
	ResourceType       string
	Replacement        string `xml:",omitempty"`
	Scope              *list[string]
	Details            *list[wireDetail]
	BeforeContext      string `xml:",omitempty"`
	AfterContext       string `xml:",omitempty"`
}

type wireChange struct {
	Type                string
	HookInvocationCount int `xml:",omitempty"`
	ResourceChange      wireResourceChange
}

type describeChangeSetResult struct {
	ChangeSetName       string
	ChangeSetId         string
	StackId             string
	StackName           string
	Description         string `xml:",omitempty"`
	Parameters          *list[wireParameter]
	CreationTime        string
	ExecutionStatus     string
	Status              string
	StatusReason        string `xml:",omitempty"`
	NotificationARNs    *list[string]
	Capabilities        *list[string]
	Tags                *list[wireTag]
	Changes             *list[wireChange]
	IncludeNestedStacks bool
	OnStackFailure      string `xml:",omitempty"`
}

func (h *Handler) describeChangeSet(ctx context.Context, f form) (any, error) {
	cs, err := h.e.ChangeSet(ctx, f.Str("StackName"), f.Str("ChangeSetName"))
	if err != nil {
		return nil, err
	}
	values, err := boolean(f, "IncludePropertyValues")
	if err != nil {
		return nil, err
	}
	var changes []wireChange
	for _, c := range cs.Changes {
		changes = append(changes, wireChange{Type: "Resource", ResourceChange: toWireChange(c, values)})
	}
	return describeChangeSetResult{ChangeSetName: cs.Name, ChangeSetId: cs.ID, StackId: cs.StackID, StackName: cs.StackName,
		Description: cs.Description, Parameters: wireParameters(cs.Config.Parameters), CreationTime: isoTime(cs.Created),
		ExecutionStatus: cs.ExecutionStatus, Status: cs.Status, StatusReason: cs.StatusReason,
		NotificationARNs: listOf(cs.Config.NotificationARNs), Capabilities: listOf(cs.Config.Capabilities),
		Tags: wireTags(cs.Config.Tags), Changes: &list[wireChange]{Member: changes}, OnStackFailure: cs.OnFailure}, nil
}

// toWireChange shows a change. Without IncludePropertyValues a detail is
// one per property and cause; with it, one per changed value, with the
// values before and after and the resource's properties as context.
func toWireChange(c stack.ResourceChange, values bool) wireResourceChange {
	w := wireResourceChange{PolicyAction: c.PolicyAction, Action: c.Action, LogicalResourceId: c.LogicalID,
		PhysicalResourceId: c.PhysicalID, ResourceType: c.Type, Replacement: c.Replacement, Scope: listOf(c.Scope)}
	seen := map[wireDetail]bool{}
	var details []wireDetail
	for _, d := range c.Details {
		wd := wireDetail{Target: wireTarget{Attribute: d.Attribute, Name: d.Name, RequiresRecreation: d.RequiresRecreation},
			Evaluation: d.Evaluation, ChangeSource: d.ChangeSource, CausingEntity: d.CausingEntity}
		if values {
			wd.Target.Path, wd.Target.BeforeValue, wd.Target.AfterValue = d.Path, d.BeforeValue, d.AfterValue
			wd.Target.AttributeChangeType = d.AttributeChangeType
		}
		if !seen[wd] {
			seen[wd] = true
			details = append(details, wd)
		}
	}
	w.Details = &list[wireDetail]{Member: details}
	if values {
		w.BeforeContext, w.AfterContext = propertyContext(c.Before), propertyContext(c.After)
	}
	return w
}

// propertyContext is a change's BeforeContext or AfterContext.
func propertyContext(props map[string]any) string {
	if props == nil {
		return ""
	}
	b, _ := json.Marshal(map[string]any{"Properties": props})
	return string(b)
}

func (h *Handler) executeChangeSet(ctx context.Context, f form) (any, error) {
	disable, err := boolean(f, "DisableRollback")
	if err != nil {
		return nil, err
	}
	return struct{}{}, h.e.ExecuteChangeSet(ctx, f.Str("StackName"), f.Str("ChangeSetName"), disable, f.Str("ClientRequestToken"))
}

func (h *Handler) deleteChangeSet(ctx context.Context, f form) (any, error) {
	return struct{}{}, h.e.DeleteChangeSet(ctx, f.Str("StackName"), f.Str("ChangeSetName"))
}

type wireChangeSetSummary struct {
	StackId             string
	StackName           string
	ChangeSetId         string
	ChangeSetName       string
	ExecutionStatus     string
	Status              string
	StatusReason        string `xml:",omitempty"`
	CreationTime        string
	Description         string `xml:",omitempty"`
	IncludeNestedStacks bool
}

type listChangeSetsResult struct {
	Summaries *list[wireChangeSetSummary]
	NextToken string `xml:",omitempty"`
}

func (h *Handler) listChangeSets(ctx context.Context, f form) (any, error) {
	css, err := h.e.ChangeSets(ctx, f.Str("StackName"))
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(css, f.Str("NextToken"), 100)
	if err != nil {
		return nil, err
	}
	var out []wireChangeSetSummary
	for _, cs := range page {
		out = append(out, wireChangeSetSummary{StackId: cs.StackID, StackName: cs.StackName, ChangeSetId: cs.ID,
			ChangeSetName: cs.Name, ExecutionStatus: cs.ExecutionStatus, Status: cs.Status, StatusReason: cs.StatusReason,
			CreationTime: isoTime(cs.Created), Description: cs.Description})
	}
	return listChangeSetsResult{Summaries: &list[wireChangeSetSummary]{Member: out}, NextToken: next}, nil
}
