package providers

import (
	"context"
	"fmt"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/ops/cwops"
)

// Alarms provides AWS::CloudWatch::Alarm through CloudWatch's operations
// layer. The resource's properties are PutMetricAlarm's input, name for name.
type Alarms struct{ Ops *cwops.Service }

func (p Alarms) input(req *stack.Request) (*cwops.PutMetricAlarmInput, error) {
	var in cwops.PutMetricAlarmInput
	if err := decode(req.Properties, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// Create implements stack.Provider. PutMetricAlarm would overwrite an alarm
// of the same name; CloudFormation refuses to, as here.
func (p Alarms) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	out, err := p.Ops.DescribeAlarms(ctx, &cwops.DescribeAlarmsInput{AlarmNames: []string{in.AlarmName}})
	if err != nil {
		return nil, err
	}
	if len(out.MetricAlarms) > 0 {
		return nil, awserr.New("AlreadyExists", "Alarm %s already exists", in.AlarmName)
	}
	var sys []cwops.Tag
	for _, t := range systemTags(req) {
		sys = append(sys, cwops.Tag{Key: t.Key, Value: t.Value})
	}
	in.SetSystemTags(sys)
	if err := p.Ops.PutMetricAlarm(ctx, in); err != nil {
		return nil, err
	}
	return p.result(in.AlarmName), nil
}

func (p Alarms) result(name string) *stack.Result {
	return &stack.Result{PhysicalID: name, Attributes: map[string]any{"Arn": p.Ops.AlarmARN(name)}}
}

// Update implements stack.Provider: PutMetricAlarm replaces the alarm's
// settings; tags go through TagResource and UntagResource.
func (p Alarms) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	var old cwops.PutMetricAlarmInput
	if err := decode(req.Previous, &old); err != nil {
		return nil, err
	}
	in.AlarmName = req.PhysicalID
	newTags := in.Tags
	in.Tags = nil
	if err := p.Ops.PutMetricAlarm(ctx, in); err != nil {
		return nil, err
	}
	set, remove := tagDiff(cwTags(old.Tags), cwTags(newTags))
	arn := p.Ops.AlarmARN(req.PhysicalID)
	if len(set) > 0 {
		var tags []cwops.Tag
		for k, v := range set {
			tags = append(tags, cwops.Tag{Key: k, Value: v})
		}
		if err := p.Ops.TagResource(ctx, &cwops.TagResourceInput{ResourceARN: arn, Tags: tags}); err != nil {
			return nil, err
		}
	}
	if len(remove) > 0 {
		if err := p.Ops.UntagResource(ctx, &cwops.UntagResourceInput{ResourceARN: arn, TagKeys: remove}); err != nil {
			return nil, err
		}
	}
	return p.result(req.PhysicalID), nil
}

func cwTags(tags []cwops.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// Delete implements stack.Provider.
func (p Alarms) Delete(ctx context.Context, req *stack.Request) error {
	if err := p.Ops.DeleteAlarms(ctx, &cwops.AlarmNamesInput{AlarmNames: []string{req.PhysicalID}}); err != nil {
		return fmt.Errorf("delete alarm %s: %w", req.PhysicalID, err)
	}
	return nil
}
