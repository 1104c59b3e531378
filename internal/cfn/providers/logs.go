package providers

import (
	"context"
	"errors"
	"fmt"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/logstore"
	"github.com/slipway-dev/slipway/internal/ops/logsops"
)

// LogGroups provides AWS::Logs::LogGroup through CloudWatch Logs'
// operations layer.
type LogGroups struct{ Ops *logsops.Service }

type logGroupProps struct {
	LogGroupName              string
	RetentionInDays           *int
	KmsKeyId                  string
	LogGroupClass             string
	DeletionProtectionEnabled *bool
	Tags                      []tag
}

func (p LogGroups) props(req *stack.Request) (*logGroupProps, error) {
	var lp logGroupProps
	if err := decode(req.Properties, &lp); err != nil {
		return nil, err
	}
	return &lp, nil
}

// Create implements stack.Provider.
func (p LogGroups) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	lp, err := p.props(req)
	if err != nil {
		return nil, err
	}
	in := &logsops.CreateLogGroupInput{LogGroupName: lp.LogGroupName, KMSKeyID: lp.KmsKeyId,
		Tags: tagMap(lp.Tags), LogGroupClass: lp.LogGroupClass, DeletionProtectionEnabled: lp.DeletionProtectionEnabled}
	if sys := systemTags(req); sys != nil {
		in.SetSystemTags(ecsTags(sys))
	}
	if err := p.Ops.CreateLogGroup(ctx, in); err != nil {
		return nil, err
	}
	if lp.RetentionInDays != nil {
		if err := p.Ops.PutRetentionPolicy(ctx, &logsops.PutRetentionPolicyInput{LogGroupName: lp.LogGroupName, RetentionInDays: lp.RetentionInDays}); err != nil {
			_ = p.Ops.DeleteLogGroup(ctx, &logsops.DeleteLogGroupInput{LogGroupName: lp.LogGroupName})
			return nil, err
		}
	}
	return p.result(lp.LogGroupName), nil
}

func (p LogGroups) result(name string) *stack.Result {
	return &stack.Result{PhysicalID: name, Attributes: map[string]any{"Arn": p.Ops.GroupARN(name)}}
}

// Update implements stack.Provider: retention and tags change in place;
// the other properties Slipway keeps cannot be changed on a log group.
func (p LogGroups) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	lp, err := p.props(req)
	if err != nil {
		return nil, err
	}
	var old logGroupProps
	if err := decode(req.Previous, &old); err != nil {
		return nil, err
	}
	if old.KmsKeyId != lp.KmsKeyId || old.LogGroupClass != lp.LogGroupClass ||
		fmt.Sprint(old.DeletionProtectionEnabled) != fmt.Sprint(lp.DeletionProtectionEnabled) && lp.DeletionProtectionEnabled != nil {
		return nil, fmt.Errorf("%w: Slipway cannot change KmsKeyId, LogGroupClass or DeletionProtectionEnabled of an existing log group", stack.ErrUnsupported)
	}
	name := req.PhysicalID
	switch {
	case lp.RetentionInDays != nil:
		err = p.Ops.PutRetentionPolicy(ctx, &logsops.PutRetentionPolicyInput{LogGroupName: name, RetentionInDays: lp.RetentionInDays})
	case old.RetentionInDays != nil:
		err = p.Ops.DeleteRetentionPolicy(ctx, &logsops.DeleteRetentionPolicyInput{LogGroupName: name})
	}
	if err != nil {
		return nil, err
	}
	set, remove := tagDiff(tagMap(old.Tags), tagMap(lp.Tags))
	if len(set) > 0 {
		if err := p.Ops.TagLogGroup(ctx, &logsops.TagLogGroupInput{LogGroupName: name, Tags: set}); err != nil {
			return nil, err
		}
	}
	if len(remove) > 0 {
		if err := p.Ops.UntagLogGroup(ctx, &logsops.UntagLogGroupInput{LogGroupName: name, Tags: remove}); err != nil {
			return nil, err
		}
	}
	return p.result(name), nil
}

// Delete implements stack.Provider.
func (p LogGroups) Delete(ctx context.Context, req *stack.Request) error {
	err := p.Ops.DeleteLogGroup(ctx, &logsops.DeleteLogGroupInput{LogGroupName: req.PhysicalID})
	if errors.Is(err, logstore.ErrGroupNotFound) {
		return fmt.Errorf("%w: %w", stack.ErrNotFound, err)
	}
	return err
}

// Read implements stack.Reader: the group's retention.
func (p LogGroups) Read(ctx context.Context, req *stack.Request) (map[string]any, error) {
	out, err := p.Ops.DescribeLogGroups(ctx, &logsops.DescribeLogGroupsInput{LogGroupNamePrefix: req.PhysicalID})
	if err != nil {
		return nil, err
	}
	for _, g := range out.LogGroups {
		if g.LogGroupName == req.PhysicalID {
			m := map[string]any{}
			if g.RetentionInDays != nil {
				m["RetentionInDays"] = *g.RetentionInDays
			} else if _, ok := req.Properties["RetentionInDays"]; ok {
				m["RetentionInDays"] = nil
			}
			return m, nil
		}
	}
	return nil, fmt.Errorf("%w: log group %s", stack.ErrNotFound, req.PhysicalID)
}
