package cloudformation

import (
	"context"
	"strconv"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
)

func parameters(f form) []stack.ParameterInput {
	var out []stack.ParameterInput
	for _, p := range f.List("Parameters") {
		use, _ := boolean(p, "UsePreviousValue")
		out = append(out, stack.ParameterInput{Key: p.Str("ParameterKey"), Value: p.Str("ParameterValue"), UsePreviousValue: use})
	}
	return out
}

// tags returns the Tags list, nil when absent (UpdateStack then keeps the
// stack's tags) and empty when sent empty.
func tags(f form) []stack.Tag {
	if !f.Has("Tags") {
		return nil
	}
	out := []stack.Tag{}
	for _, t := range f.List("Tags") {
		out = append(out, stack.Tag{Key: t.Str("Key"), Value: t.Str("Value")})
	}
	return out
}

// refuseUnsupported refuses what Slipway does not run: stack policies and
// rollback triggers. (TemplateURL is fetched by the engine.)
func refuseUnsupported(f form) error {
	for _, name := range []string{"StackPolicyBody", "StackPolicyURL", "StackPolicyDuringUpdateBody", "StackPolicyDuringUpdateURL"} {
		if f.Str(name) != "" {
			return validationf("Slipway does not support stack policies (%s)", name)
		}
	}
	if f.Has("RollbackConfiguration.RollbackTriggers") {
		return validationf("Slipway does not support rollback triggers (RollbackConfiguration)")
	}
	return nil
}

type stackIDResult struct {
	StackId string
}

func (h *Handler) createStack(ctx context.Context, f form) (any, error) {
	if err := refuseUnsupported(f); err != nil {
		return nil, err
	}
	disable, err := boolean(f, "DisableRollback")
	if err != nil {
		return nil, err
	}
	guard, err := boolean(f, "EnableTerminationProtection")
	if err != nil {
		return nil, err
	}
	timeout, err := integer(f, "TimeoutInMinutes")
	if err != nil {
		return nil, err
	}
	id, err := h.e.CreateStack(ctx, &stack.CreateInput{StackName: f.Str("StackName"), TemplateBody: f.Str("TemplateBody"), TemplateURL: f.Str("TemplateURL"),
		Parameters: parameters(f), Capabilities: f.StrList("Capabilities"), Tags: tags(f),
		NotificationARNs: f.StrList("NotificationARNs"), RoleARN: f.Str("RoleARN"), TimeoutInMinutes: timeout,
		DisableRollback: disable, OnFailure: f.Str("OnFailure"), TerminationProtection: guard, Token: f.Str("ClientRequestToken")})
	if err != nil {
		return nil, err
	}
	return stackIDResult{StackId: id}, nil
}

func (h *Handler) updateStack(ctx context.Context, f form) (any, error) {
	if err := refuseUnsupported(f); err != nil {
		return nil, err
	}
	usePrev, err := boolean(f, "UsePreviousTemplate")
	if err != nil {
		return nil, err
	}
	disable, err := boolean(f, "DisableRollback")
	if err != nil {
		return nil, err
	}
	id, err := h.e.UpdateStack(ctx, &stack.UpdateInput{StackName: f.Str("StackName"), TemplateBody: f.Str("TemplateBody"), TemplateURL: f.Str("TemplateURL"),
		UsePreviousTemplate: usePrev, Parameters: parameters(f), Capabilities: f.StrList("Capabilities"), Tags: tags(f),
		NotificationARNs: f.StrList("NotificationARNs"), RoleARN: f.Str("RoleARN"), DisableRollback: disable,
		Token: f.Str("ClientRequestToken")})
	if err != nil {
		return nil, err
	}
	return stackIDResult{StackId: id}, nil
}

func (h *Handler) deleteStack(ctx context.Context, f form) (any, error) {
	if f.Str("StackName") == "" {
		return nil, validationf("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
	}
	return nil, h.e.DeleteStack(ctx, &stack.DeleteInput{StackName: f.Str("StackName"), RetainResources: f.StrList("RetainResources"),
		Token: f.Str("ClientRequestToken")})
}

type describeStacksResult struct {
	Stacks    *list[wireStack]
	NextToken string `xml:",omitempty"`
}

func (h *Handler) describeStacks(ctx context.Context, f form) (any, error) {
	ss, err := h.e.DescribeStacks(ctx, f.Str("StackName"))
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(ss, f.Str("NextToken"), 100)
	if err != nil {
		return nil, err
	}
	var out []wireStack
	for i := range page {
		w := toWireStack(&page[i])
		if d, err := h.e.LastDetection(ctx, page[i].ID); err == nil && d != nil {
			w.DriftInformation = wireDrift{StackDriftStatus: d.StackDriftStatus, LastCheckTimestamp: isoTime(d.Timestamp)}
		}
		out = append(out, w)
	}
	return describeStacksResult{Stacks: &list[wireStack]{Member: out}, NextToken: next}, nil
}

type listStacksResult struct {
	StackSummaries *list[wireStackSummary]
	NextToken      string `xml:",omitempty"`
}

func (h *Handler) listStacks(ctx context.Context, f form) (any, error) {
	ss, err := h.e.ListStacks(ctx, f.StrList("StackStatusFilter"))
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(ss, f.Str("NextToken"), 100)
	if err != nil {
		return nil, err
	}
	var out []wireStackSummary
	for _, s := range page {
		out = append(out, wireStackSummary{StackId: s.ID, StackName: s.Name, TemplateDescription: s.Description,
			CreationTime: isoTime(s.Created), LastUpdatedTime: optTime(s.Updated), DeletionTime: optTime(s.Deleted),
			StackStatus: s.Status, StackStatusReason: s.StatusReason, ParentId: s.ParentID, RootId: s.RootID, DriftInformation: wireDrift{StackDriftStatus: "NOT_CHECKED"}})
	}
	return listStacksResult{StackSummaries: &list[wireStackSummary]{Member: out}, NextToken: next}, nil
}

type describeEventsResult struct {
	StackEvents *list[wireEvent]
	NextToken   string `xml:",omitempty"`
}

func (h *Handler) describeStackEvents(ctx context.Context, f form) (any, error) {
	evs, err := h.e.Events(ctx, f.Str("StackName"))
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(evs, f.Str("NextToken"), 100)
	if err != nil {
		return nil, err
	}
	var out []wireEvent
	for _, e := range page {
		out = append(out, toWireEvent(e))
	}
	return describeEventsResult{StackEvents: &list[wireEvent]{Member: out}, NextToken: next}, nil
}

// paginate returns the page of items after token (an offset, as the
// previous page gave it) and the next token.
func paginate[T any](items []T, token string, size int) ([]T, string, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", validationf("Invalid NextToken")
		}
		start = n
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

func (h *Handler) cancelUpdateStack(ctx context.Context, f form) (any, error) {
	return nil, h.e.CancelUpdateStack(ctx, f.Str("StackName"))
}

func (h *Handler) continueUpdateRollback(ctx context.Context, f form) (any, error) {
	return struct{}{}, h.e.ContinueUpdateRollback(ctx, f.Str("StackName"), f.StrList("ResourcesToSkip"))
}
