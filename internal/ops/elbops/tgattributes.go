package elbops

import (
	"context"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// TargetGroupAttributesInput is DescribeTargetGroupAttributes' input and,
// with Attributes, ModifyTargetGroupAttributes'.
type TargetGroupAttributesInput struct {
	TargetGroupARN string
	// Attributes are the attributes to set (ModifyTargetGroupAttributes).
	Attributes []Attribute
}

// AttributesOutput is every attribute of a target group, load balancer or
// listener, sorted by key, defaults included.
type AttributesOutput struct {
	Attributes []Attribute
}

func attributesOf(list []Attribute) *AttributesOutput {
	return &AttributesOutput{Attributes: append([]Attribute{}, list...)}
}

// DescribeTargetGroupAttributes lists a target group's attributes.
func (s *Service) DescribeTargetGroupAttributes(ctx context.Context, in *TargetGroupAttributesInput) (*AttributesOutput, error) {
	tg, err := viewRecord(ctx, s.st, targetGroupByARN(in.TargetGroupARN))
	if err != nil {
		return nil, err
	}
	return attributesOf(tg.AttributeList()), nil
}

// ModifyTargetGroupAttributes sets the given attributes, all or none, and
// answers every attribute.
func (s *Service) ModifyTargetGroupAttributes(ctx context.Context, in *TargetGroupAttributesInput) (*AttributesOutput, error) {
	out, err := updateRecord(ctx, s.st, targetGroupByARN(in.TargetGroupARN), state.Tx.PutTargetGroup,
		func(tg *model.TargetGroup) error { return tg.SetAttributes(in.Attributes) })
	if err != nil {
		return nil, err
	}
	return attributesOf(out.AttributeList()), nil
}
