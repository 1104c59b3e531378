package providers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/controller"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// ecsStacks is a stack engine whose ECS types run through ecsops over one
// store, with the ECS controller running (it removes DRAINING task sets
// and makes deleted services INACTIVE).
func ecsStacks(t *testing.T) (*stack.Engine, *ecsops.Ops) {
	t.Helper()
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st := state.New(db, model.Partition{Region: "us-east-1", Account: "123456789012"}, nil)
	ops := ecsops.New(st, nil, ecsops.Options{})
	ctl := controller.New(st, nil, controller.Options{Resync: 50 * time.Millisecond})
	ctl.Start()
	e := stack.New(stack.Options{Store: db, Region: "us-east-1", Account: "123456789012", Providers: map[string]stack.Provider{
		"AWS::ECS::Cluster":        ECSClusters{Ops: ops},
		"AWS::ECS::TaskDefinition": ECSTaskDefinitions{Ops: ops},
		"AWS::ECS::Service":        ECSServices{Ops: ops, Poll: 20 * time.Millisecond},
		"AWS::ECS::TaskSet":        ECSTaskSets{Ops: ops},
		"AWS::ECS::PrimaryTaskSet": ECSPrimaryTaskSets{Ops: ops},
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		if err := ctl.Close(); err != nil {
			t.Error(err)
		}
		db.Close()
	})
	return e, ops
}

// awaitStack polls until the stack reaches want, failing on any other
// status that is not in progress.
func awaitStack(t *testing.T, e *stack.Engine, name, want string) stack.Stack {
	t.Helper()
	var last stack.Stack
	testutil.Eventually(t, 20*time.Second, func() (bool, string) {
		stacks, err := e.DescribeStacks(context.Background(), name)
		if err != nil || len(stacks) != 1 {
			return false, "describe: " + errString(err)
		}
		last = stacks[0]
		if last.Status != want && !strings.HasSuffix(last.Status, "_IN_PROGRESS") {
			t.Fatalf("stack %s is %s (%s), want %s", name, last.Status, last.StatusReason, want)
		}
		return last.Status == want, last.Status
	})
	return last
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

const taskSetTemplate = `
Parameters:
  Scale: {Type: Number, Default: 50}
  Image: {Type: String, Default: "nginx:1"}
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties: {ClusterName: ts}
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web
      ContainerDefinitions: [{Name: web, Image: !Ref Image, Memory: 128}]
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      ServiceName: ext
      DesiredCount: 0
      DeploymentController: {Type: EXTERNAL}
  Blue:
    Type: AWS::ECS::TaskSet
    Properties:
      Cluster: !Ref Cluster
      Service: !GetAtt Service.Name
      TaskDefinition: !Ref Task
      ExternalId: blue
      Scale: {Unit: PERCENT, Value: !Ref Scale}
      Tags: [{Key: color, Value: blue}]
  Primary:
    Type: AWS::ECS::PrimaryTaskSet
    Properties:
      Cluster: !Ref Cluster
      Service: !GetAtt Service.Name
      TaskSetId: !GetAtt Blue.Id
Outputs:
  TaskSetId: {Value: !GetAtt Blue.Id}
  TaskSetRef: {Value: !Ref Blue}
`

// TestTaskSetStack: a template with an EXTERNAL service, a task set and a
// primary task set creates them through ecsops, an update of the scale
// changes the task set in place (same id) and the deletion removes them.
func TestTaskSetStack(t *testing.T) {
	ctx := context.Background()
	e, ops := ecsStacks(t)
	if _, err := e.CreateStack(ctx, &stack.CreateInput{StackName: "sets", TemplateBody: taskSetTemplate}); err != nil {
		t.Fatal(err)
	}
	s := awaitStack(t, e, "sets", "CREATE_COMPLETE")
	outputs := map[string]string{}
	for _, o := range s.Outputs {
		outputs[o.Key] = o.Value
	}
	id := outputs["TaskSetId"]
	svcARN := "arn:aws:ecs:us-east-1:123456789012:service/ts/ext"
	if !strings.HasPrefix(id, "ecs-svc/") || outputs["TaskSetRef"] != "arn:aws:ecs:us-east-1:123456789012:cluster/ts|"+svcARN+"|"+id {
		t.Fatalf("outputs %v", outputs)
	}
	describe := func() ecsops.TaskSet {
		t.Helper()
		out, err := ops.DescribeTaskSets(ctx, &ecsops.DescribeTaskSetsInput{Cluster: "ts", Service: "ext", Include: []string{"TAGS"}})
		if err != nil || len(out.TaskSets) != 1 {
			t.Fatalf("describe task sets: %+v %v", out, err)
		}
		return out.TaskSets[0]
	}
	ts := describe()
	if ts.ID != id || ts.Status != model.TaskSetPrimary || ts.Scale.Value != 50 || ts.ExternalID != "blue" ||
		len(ts.Tags) != 4 || ts.Tags[0].Key != "color" || !strings.HasSuffix(ts.TaskDefinition, ":task-definition/web:1") {
		t.Fatalf("task set after create: %+v", ts)
	}
	checkSystemTags(t, ops, s, ts.ARN, "Blue", "color")
	checkSystemTags(t, ops, s, svcARN, "Service", "")
	svc, err := ops.DescribeServices(ctx, &ecsops.DescribeServicesInput{Cluster: "ts", Services: []string{"ext"}})
	if err != nil || len(svc.Services) != 1 || svc.Services[0].DeploymentController == nil ||
		svc.Services[0].DeploymentController.Type != model.ControllerExternal {
		t.Fatalf("service: %+v %v", svc, err)
	}

	if _, err := e.UpdateStack(ctx, &stack.UpdateInput{StackName: "sets", UsePreviousTemplate: true,
		Parameters: []stack.ParameterInput{{Key: "Scale", Value: "100"}}}); err != nil {
		t.Fatal(err)
	}
	awaitStack(t, e, "sets", "UPDATE_COMPLETE")
	if ts := describe(); ts.ID != id || ts.Scale.Value != 100 || ts.Status != model.TaskSetPrimary {
		t.Fatalf("task set after the scale update: %+v (want %s at 100%%)", ts, id)
	}

	// A new image is a new task definition revision, so a new task set
	// (replacement), which the primary task set then names; the old one is
	// deleted at cleanup: a blue/green deployment through the template.
	if _, err := e.UpdateStack(ctx, &stack.UpdateInput{StackName: "sets", UsePreviousTemplate: true,
		Parameters: []stack.ParameterInput{{Key: "Scale", UsePreviousValue: true}, {Key: "Image", Value: "nginx:2"}}}); err != nil {
		t.Fatal(err)
	}
	s = awaitStack(t, e, "sets", "UPDATE_COMPLETE")
	var green ecsops.TaskSet
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		out, err := ops.DescribeTaskSets(ctx, &ecsops.DescribeTaskSetsInput{Cluster: "ts", Service: "ext"})
		if err != nil || len(out.TaskSets) != 1 {
			return false, fmt.Sprintf("task sets %+v %v", out, err)
		}
		green = out.TaskSets[0]
		return true, ""
	})
	if green.ID == id || green.Status != model.TaskSetPrimary || green.Scale.Value != 100 || !strings.HasSuffix(green.TaskDefinition, ":task-definition/web:2") {
		t.Fatalf("task set after the image update: %+v (old %s)", green, id)
	}
	for _, o := range s.Outputs {
		if o.Key == "TaskSetId" && o.Value != green.ID {
			t.Errorf("output TaskSetId %s, want %s", o.Value, green.ID)
		}
	}

	// A task set deleted out of band: the update is the engine's not-found.
	gone := "arn:aws:ecs:us-east-1:123456789012:cluster/ts|" + svcARN + "|ecs-svc/1234567890123456789"
	scale := func(v float64) map[string]any {
		return map[string]any{"Scale": map[string]any{"Unit": "PERCENT", "Value": v}}
	}
	if _, err := (ECSTaskSets{Ops: ops}).Update(ctx, &stack.Request{PhysicalID: gone, Properties: scale(10), Previous: scale(50)}); !errors.Is(err, stack.ErrNotFound) {
		t.Errorf("update of a missing task set: %v, want stack.ErrNotFound", err)
	}

	if err := e.DeleteStack(ctx, &stack.DeleteInput{StackName: "sets"}); err != nil {
		t.Fatal(err)
	}
	awaitStack(t, e, s.ID, "DELETE_COMPLETE")
	out, err := ops.DescribeServices(ctx, &ecsops.DescribeServicesInput{Cluster: "ts", Services: []string{"ext"}})
	if err == nil && len(out.Services) == 1 && out.Services[0].Status != model.ServiceInactive {
		t.Fatalf("service after delete: %+v", out.Services[0])
	}
}

// checkSystemTags: the resource has CloudFormation's three system tags (and
// the user's key, when given), and a caller can neither add nor remove an
// aws: tag.
func checkSystemTags(t *testing.T, ops *ecsops.Ops, s stack.Stack, arn, logicalID, userKey string) {
	t.Helper()
	ctx := context.Background()
	out, err := ops.ListTagsForResource(ctx, &ecsops.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	got := ecsTags(out.Tags)
	want := map[string]string{"aws:cloudformation:stack-name": s.Name, "aws:cloudformation:stack-id": s.ID,
		"aws:cloudformation:logical-id": logicalID}
	if userKey != "" {
		want[userKey] = got[userKey]
	}
	if len(got) != len(want) {
		t.Fatalf("tags of %s = %v, want %v", arn, got, want)
	}
	for k, v := range want {
		if got[k] != v || v == "" {
			t.Fatalf("tags of %s = %v, want %v", arn, got, want)
		}
	}
	if err := ops.UntagResource(ctx, &ecsops.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"aws:cloudformation:stack-name"}}); err == nil {
		t.Fatal("a caller removed a system tag")
	}
	if err := ops.TagResource(ctx, &ecsops.TagResourceInput{ResourceARN: arn, Tags: []model.Tag{{Key: "aws:cloudformation:stack-name", Value: "x"}}}); err == nil {
		t.Fatal("a caller set a system tag")
	}
	if err := ops.TagResource(ctx, &ecsops.TagResourceInput{ResourceARN: arn, Tags: []model.Tag{{Key: "team", Value: "web"}}}); err != nil {
		t.Fatalf("a user tag beside the system tags: %v", err)
	}
}
