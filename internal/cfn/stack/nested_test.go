package stack_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
)

// nestedTemplate reads testdata/nested/NAME: parent.yaml nests child.yaml
// at URL, passes its parameters and reads an output of it, in an output and
// in a sibling's property.
func nestedTemplate(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "nested", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// selfNesting nests itself at URL.
const selfNesting = `
Parameters:
  URL: {Type: String}
Resources:
  Self:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: !Ref URL, Parameters: {URL: !Ref URL}}
`

func writeTemplate(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "child.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return "file://" + p
}

func output(s stack.Stack, key string) string {
	for _, o := range s.Outputs {
		if o.Key == key {
			return o.Value
		}
	}
	return ""
}

// child returns the nested stack of parent's resource Logs.
func (w *world) child(parent string) stack.Stack {
	w.t.Helper()
	_, rs, err := w.e.Resources(ctx, parent)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, r := range rs {
		if r.LogicalID == "Logs" {
			ss, err := w.e.DescribeStacks(ctx, r.PhysicalID)
			if err != nil {
				w.t.Fatal(err)
			}
			return ss[0]
		}
	}
	w.t.Fatalf("%s has no Logs resource", parent)
	return stack.Stack{}
}

// TestNestedStack: a parent creates its child from a file:// template,
// passes parameters, reads its outputs, updates it with itself (and rolls
// it back with itself), and deletes it; the child cannot be updated or
// deleted on its own.
func TestNestedStack(t *testing.T) {
	w := newWorld(t)
	url := writeTemplate(t, nestedTemplate(t, "child.yaml"))
	id, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "web", TemplateBody: nestedTemplate(t, "parent.yaml"),
		Parameters: params("URL", url), Tags: []stack.Tag{{Key: "env", Value: "prod"}}})
	if err != nil {
		t.Fatal(err)
	}
	if s := w.wait("web"); s.Status != stack.StatusCreateComplete {
		t.Fatalf("status %s %s\n%s", s.Status, s.StatusReason, strings.Join(w.statuses("web"), "\n"))
	}
	c := w.child("web")
	if !strings.HasPrefix(c.Name, "web-Logs-") || len(c.Name) != len("web-Logs-")+12 {
		t.Errorf("child name %q", c.Name)
	}
	if c.ParentID != id || c.RootID != id || c.Status != stack.StatusCreateComplete || c.Current.TimeoutInMinutes != 5 {
		t.Errorf("child %s: parent %q root %q status %s timeout %d", c.Name, c.ParentID, c.RootID, c.Status, c.Current.TimeoutInMinutes)
	}
	if want := []stack.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "web"}}; len(c.Current.Tags) != 2 || c.Current.Tags[0] != want[0] || c.Current.Tags[1] != want[1] {
		t.Errorf("child tags %v, want %v", c.Current.Tags, want)
	}
	s := w.wait("web")
	if !strings.HasPrefix(output(s, "ChildArn"), "arn:aws:logs:eu-central-1:123456789012:log-group:web-app") || output(s, "ChildId") != c.ID {
		t.Errorf("outputs %+v (child %s)", s.Outputs, c.ID)
	}
	if g := w.groups(); g["web-app"] == nil || *g["web-app"] != 7 || len(g) != 2 {
		t.Errorf("groups after create: %v", g)
	}
	ev := w.statuses("web")
	if !contains(ev, "Logs CREATE_IN_PROGRESS Resource creation Initiated") || !contains(ev, "Logs CREATE_COMPLETE") {
		t.Errorf("parent events\n%s", strings.Join(ev, "\n"))
	}

	// The child is the parent's to change.
	if _, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: c.ID, UsePreviousTemplate: true}); !errors.Is(err, stack.ErrStackBusy) {
		t.Errorf("direct update of the child: %v", err)
	}
	if err := w.e.DeleteStack(ctx, &stack.DeleteInput{StackName: c.Name}); !errors.Is(err, stack.ErrStackBusy) {
		t.Errorf("direct delete of the child: %v", err)
	}

	// A parent update updates the child.
	if _, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "web", UsePreviousTemplate: true, Parameters: params("URL", url, "Days", "14")}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("web"); s.Status != stack.StatusUpdateComplete {
		t.Fatalf("update: %s %s", s.Status, s.StatusReason)
	}
	if g := w.groups(); g["web-app"] == nil || *g["web-app"] != 14 {
		t.Errorf("groups after update: %v", g)
	}
	if c := w.child("web"); c.Status != stack.StatusUpdateComplete {
		t.Errorf("child after update: %s", c.Status)
	}

	// A child that fails its update fails the parent, which rolls it back.
	if _, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "web", UsePreviousTemplate: true, Parameters: params("URL", url, "Days", "2")}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("web"); s.Status != stack.StatusUpdateRollbackComplete {
		t.Fatalf("failed update: %s %s\n%s", s.Status, s.StatusReason, strings.Join(w.statuses("web"), "\n"))
	}
	reason := ""
	for _, e := range w.statuses("web") {
		if strings.HasPrefix(e, "Logs UPDATE_FAILED ") {
			reason = e
		}
	}
	if want := "Logs UPDATE_FAILED Embedded stack " + c.ID + " was not successfully updated. Currently in UPDATE_ROLLBACK_IN_PROGRESS with reason: The following resource(s) failed to update: [Group]."; reason != want {
		t.Errorf("failure %q\nwant    %q", reason, want)
	}
	if c := w.child("web"); c.Status != stack.StatusUpdateRollbackComplete {
		t.Errorf("child after failed update: %s", c.Status)
	}
	if g := w.groups(); g["web-app"] == nil || *g["web-app"] != 14 {
		t.Errorf("groups after rollback: %v", g)
	}

	// Deleting the parent deletes the child.
	if err := w.e.DeleteStack(ctx, &stack.DeleteInput{StackName: "web"}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait(id); s.Status != stack.StatusDeleteComplete {
		t.Fatalf("delete: %s %s", s.Status, s.StatusReason)
	}
	if ss, err := w.e.DescribeStacks(ctx, c.ID); err != nil || ss[0].Status != stack.StatusDeleteComplete {
		t.Errorf("child after delete: %v %v", ss, err)
	}
	if g := w.groups(); len(g) != 0 {
		t.Errorf("groups left: %v", g)
	}
}

// TestNestedStackCreateFailure: a child that fails to create fails its
// parent's resource with CloudFormation's "Embedded stack" reason, and the
// parent's rollback deletes it.
func TestNestedStackCreateFailure(t *testing.T) {
	w := newWorld(t)
	url := writeTemplate(t, nestedTemplate(t, "child.yaml"))
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "web", TemplateBody: nestedTemplate(t, "parent.yaml"), Parameters: params("URL", url, "Days", "2")}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("web"); s.Status != stack.StatusRollbackComplete {
		t.Fatalf("status %s", s.Status)
	}
	ev := w.statuses("web")
	var failed, childID string
	for _, e := range ev {
		if rest, ok := strings.CutPrefix(e, "Logs CREATE_FAILED "); ok {
			failed = rest
		}
	}
	_, rs, _ := w.e.Resources(ctx, "web")
	if len(rs) != 0 {
		t.Errorf("resources left: %+v", rs)
	}
	evs, _ := w.e.Events(ctx, "web")
	for _, e := range evs {
		if e.LogicalID == "Logs" && e.PhysicalID != "" {
			childID = e.PhysicalID
		}
	}
	if want := "Embedded stack " + childID + " was not successfully created: The following resource(s) failed to create: [Group]."; failed != want {
		t.Errorf("failure %q\nwant    %q\n%s", failed, want, strings.Join(ev, "\n"))
	}
	if ss, err := w.e.DescribeStacks(ctx, childID); err != nil || ss[0].Status != stack.StatusDeleteComplete {
		t.Errorf("child: %v %v", ss, err)
	}
	if !contains(ev, "Logs DELETE_COMPLETE") || !contains(ev, "web ROLLBACK_COMPLETE") {
		t.Errorf("events\n%s", strings.Join(ev, "\n"))
	}
	if g := w.groups(); len(g) != 0 {
		t.Errorf("groups left: %v", g)
	}
	// A TemplateURL that cannot be read fails the resource, not the call.
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "gone", TemplateBody: nestedTemplate(t, "parent.yaml"), Parameters: params("URL", "file:///no/such/file")}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("gone"); s.Status != stack.StatusRollbackComplete {
		t.Fatalf("status %s", s.Status)
	}
	found := false
	for _, e := range w.statuses("gone") {
		found = found || strings.HasPrefix(e, "Logs CREATE_FAILED TemplateURL must be a file:// path readable by the Slipway server")
	}
	if !found {
		t.Errorf("events\n%s", strings.Join(w.statuses("gone"), "\n"))
	}
}

// TestNestedStackDepthBound: a template that nests itself stops at the
// nesting bound, and the whole tree rolls back.
func TestNestedStackDepthBound(t *testing.T) {
	w := newWorld(t)
	url := writeTemplate(t, selfNesting)
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "deep", TemplateBody: selfNesting, Parameters: params("URL", url)}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("deep"); s.Status != stack.StatusRollbackComplete {
		t.Fatalf("status %s", s.Status)
	}
	all, err := w.e.ListStacks(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	bounded := false
	for _, s := range all {
		if s.Status != stack.StatusDeleteComplete && s.Name != "deep" {
			t.Errorf("stack %s left in %s", s.Name, s.Status)
		}
		evs, _ := w.e.Events(ctx, s.ID)
		for _, e := range evs {
			bounded = bounded || e.Status == stack.StatusCreateFailed && strings.Contains(e.Reason, "at most 10 levels deep")
		}
	}
	if len(all) != 10 || !bounded {
		t.Errorf("%d stacks (want the root and 9 levels under it), bound reported: %v", len(all), bounded)
	}
}
