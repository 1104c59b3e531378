package providers

import (
	"context"
	"testing"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/logstore"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/cwops"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
	"github.com/slipway-dev/slipway/internal/ops/logsops"
	"github.com/slipway-dev/slipway/internal/store"
)

// TestELBSystemTags: a load balancer and a target group a stack makes carry
// CloudFormation's system tags in DescribeTags beside the template's, which
// still count alone against the quota; RemoveTags and AddTags refuse aws:
// keys with ELB's error.
func TestELBSystemTags(t *testing.T) {
	ctx := context.Background()
	ops := newELB(t)
	req := func(logical string, props map[string]any) *stack.Request {
		return &stack.Request{StackID: "arn:aws:cloudformation:eu-central-1:123456789012:stack/web/1", StackName: "web",
			LogicalID: logical, Properties: props}
	}
	lb, err := LoadBalancers{Ops: ops}.Create(ctx, req("LB", map[string]any{"Name": "web", "Subnets": []any{"subnet-1", "subnet-2"},
		"Tags": []any{map[string]any{"Key": "team", "Value": "web"}}}))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := TargetGroups{Ops: ops}.Create(ctx, req("TG", map[string]any{"Name": "web", "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-1"}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := ops.DescribeTags(ctx, &elbops.DescribeTagsInput{ResourceARNs: []string{lb.PhysicalID, tg.PhysicalID}})
	if err != nil {
		t.Fatal(err)
	}
	for i, logical := range []string{"LB", "TG"} {
		got := ecsTags(out.TagDescriptions[i].Tags)
		if got[model.TagCloudFormationStackName] != "web" || got[model.TagCloudFormationLogicalID] != logical ||
			got[model.TagCloudFormationStackID] != "arn:aws:cloudformation:eu-central-1:123456789012:stack/web/1" {
			t.Errorf("%s tags = %v", logical, got)
		}
	}
	if err := ops.RemoveTags(ctx, &elbops.RemoveTagsInput{ResourceARNs: []string{lb.PhysicalID},
		TagKeys: []string{model.TagCloudFormationStackName}}); err == nil {
		t.Error("RemoveTags removed a system tag")
	}
	if err := ops.AddTags(ctx, &elbops.AddTagsInput{ResourceARNs: []string{lb.PhysicalID},
		Tags: []model.Tag{{Key: model.TagCloudFormationStackName, Value: "x"}}}); err == nil {
		t.Error("AddTags set a system tag")
	}
	var many []model.Tag
	for i := range model.MaxELBTags - 1 { // 49 with "team": the quota, system tags not counted
		many = append(many, model.Tag{Key: "k" + string(rune('A'+i/26)) + string(rune('a'+i%26)), Value: "v"})
	}
	if err := ops.AddTags(ctx, &elbops.AddTagsInput{ResourceARNs: []string{lb.PhysicalID}, Tags: many}); err != nil {
		t.Errorf("AddTags up to the quota beside the system tags: %v", err)
	}
	if _, err := (LoadBalancers{Ops: ops}).Create(ctx, &stack.Request{StackID: "x", Properties: map[string]any{"Name": "bad",
		"Subnets": []any{"subnet-1", "subnet-2"}}}); err == nil {
		t.Error("a system tag without a value was taken")
	}
}

// TestLogsAndAlarmSystemTags: a log group and an alarm a stack makes carry
// CloudFormation's system tags in ListTagsForResource, which callers can
// neither remove nor set.
func TestLogsAndAlarmSystemTags(t *testing.T) {
	ctx := context.Background()
	req := func(logical string, props map[string]any) *stack.Request {
		return &stack.Request{StackID: "arn:aws:cloudformation:eu-central-1:123456789012:stack/web/1", StackName: "web",
			LogicalID: logical, Properties: props}
	}
	want := func(got map[string]string, logical string) {
		t.Helper()
		if got[model.TagCloudFormationStackName] != "web" || got[model.TagCloudFormationLogicalID] != logical ||
			got[model.TagCloudFormationStackID] != "arn:aws:cloudformation:eu-central-1:123456789012:stack/web/1" || got["team"] != "web" {
			t.Errorf("%s tags = %v", logical, got)
		}
	}
	ls, err := logstore.Open(t.TempDir(), logstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ls.Close() })
	logs := logsops.New(ls, logsops.Options{Region: "eu-central-1", Account: "123456789012"})
	if _, err := (LogGroups{Ops: logs}).Create(ctx, req("Logs", map[string]any{"LogGroupName": "web",
		"Tags": []any{map[string]any{"Key": "team", "Value": "web"}}})); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:logs:eu-central-1:123456789012:log-group:web"
	lt, err := logs.ListTagsForResource(ctx, &logsops.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	want(lt.Tags, "Logs")
	if err := logs.UntagResource(ctx, &logsops.UntagResourceInput{ResourceARN: arn, TagKeys: []string{model.TagCloudFormationStackName}}); err == nil {
		t.Error("a caller removed a log group's system tag")
	}
	if err := logs.TagResource(ctx, &logsops.TagResourceInput{ResourceARN: arn, Tags: logsops.Tags{"aws:x": "1"}}); err == nil {
		t.Error("a caller set an aws: tag on a log group")
	}

	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cw := cwops.New(cwops.Options{Region: "eu-central-1", Account: "123456789012", Alarms: alarms.New(alarms.Options{Store: db})})
	a, err := (Alarms{Ops: cw}).Create(ctx, req("Alarm", map[string]any{"AlarmName": "errors", "Namespace": "AWS/ApplicationELB",
		"MetricName": "HTTPCode_Target_5XX_Count", "Statistic": "Sum", "Period": "60", "EvaluationPeriods": 1, "Threshold": "5",
		"ComparisonOperator": "GreaterThanThreshold", "Tags": []any{map[string]any{"Key": "team", "Value": "web"}}}))
	if err != nil {
		t.Fatal(err)
	}
	alarmARN := a.Attributes["Arn"].(string)
	at, err := cw.ListTagsForResource(ctx, &cwops.ListTagsForResourceInput{ResourceARN: alarmARN})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tg := range at.Tags {
		got[tg.Key] = tg.Value
	}
	want(got, "Alarm")
	if err := cw.UntagResource(ctx, &cwops.UntagResourceInput{ResourceARN: alarmARN, TagKeys: []string{model.TagCloudFormationLogicalID}}); err == nil {
		t.Error("a caller removed an alarm's system tag")
	}
}
