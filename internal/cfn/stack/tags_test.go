package stack_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/ops/logsops"
)

const taggedTemplate = `
Resources:
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: tagged
      Tags: [{Key: team, Value: logs}]
`

func (w *world) tags(group string) map[string]string {
	w.t.Helper()
	out, err := w.logs.ListTagsLogGroup(ctx, &logsops.ListTagsLogGroupInput{LogGroupName: group})
	if err != nil {
		w.t.Fatal(err)
	}
	return map[string]string(out.Tags)
}

// TestStackTagsPropagate: a stack's tags reach the resources whose type
// takes tags, the resource's own value winning for a key both set; an
// update that changes only the stack's tags retags them.
func TestStackTagsPropagate(t *testing.T) {
	w := newWorld(t)
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "tagged", TemplateBody: taggedTemplate,
		Tags: []stack.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "stack"}}}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("tagged"); s.Status != stack.StatusCreateComplete {
		t.Fatalf("status %s %s", s.Status, s.StatusReason)
	}
	if got, want := userTags(t, w.tags("tagged"), "tagged", "Group"), map[string]string{"env": "prod", "team": "logs"}; !maps.Equal(got, want) {
		t.Errorf("tags after create %v, want %v", got, want)
	}
	if _, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "tagged", UsePreviousTemplate: true,
		Tags: []stack.Tag{{Key: "owner", Value: "ops"}}}); err != nil {
		t.Fatal(err)
	}
	s := w.wait("tagged")
	if s.Status != stack.StatusUpdateComplete || len(s.Current.Tags) != 1 || s.Current.Tags[0].Key != "owner" {
		t.Fatalf("update: %s %s tags %v", s.Status, s.StatusReason, s.Current.Tags)
	}
	if got, want := userTags(t, w.tags("tagged"), "tagged", "Group"), map[string]string{"owner": "ops", "team": "logs"}; !maps.Equal(got, want) {
		t.Errorf("tags after update %v, want %v", got, want)
	}
	// Tags left out keep the stack's tags: nothing to do.
	if _, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "tagged", UsePreviousTemplate: true}); err == nil {
		t.Error("an update without changes was accepted")
	}
}

// userTags checks CloudFormation's system tags among a resource's tags
// and returns the others.
func userTags(t *testing.T, tags map[string]string, stackName, logicalID string) map[string]string {
	t.Helper()
	if tags["aws:cloudformation:stack-name"] != stackName || tags["aws:cloudformation:logical-id"] != logicalID ||
		!strings.HasPrefix(tags["aws:cloudformation:stack-id"], "arn:aws:cloudformation:") {
		t.Errorf("system tags missing: %v", tags)
	}
	out := maps.Clone(tags)
	for k := range out {
		if strings.HasPrefix(k, "aws:") {
			delete(out, k)
		}
	}
	return out
}
