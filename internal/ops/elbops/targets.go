package elbops

import (
	"context"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// TargetDescription is a target as RegisterTargets, DeregisterTargets and
// DescribeTargetHealth take it: an instance id or IP address, and a port
// (nil: the target group's).
type TargetDescription struct {
	ID               string
	Port             *int
	AvailabilityZone string
}

// TargetsInput is the input of RegisterTargets and DeregisterTargets.
type TargetsInput struct {
	TargetGroupARN string
	Targets        []TargetDescription
}

// toTargets checks the ports and returns the stored form (port 0: not given).
func toTargets(in []TargetDescription) ([]model.TargetDescription, error) {
	var out []model.TargetDescription
	for _, t := range in {
		d := model.TargetDescription{ID: t.ID, AvailabilityZone: t.AvailabilityZone}
		if t.Port != nil {
			if *t.Port < 1 || *t.Port > 65535 {
				return nil, Validation("Port '%d' must be between 1 and 65535", *t.Port)
			}
			d.Port = *t.Port
		}
		out = append(out, d)
	}
	return out, nil
}

// RegisterTargets registers targets with a target group.
func (s *Service) RegisterTargets(ctx context.Context, in *TargetsInput) error {
	targets, err := toTargets(in.Targets)
	if err != nil {
		return err
	}
	return fail(s.st.Update(ctx, func(tx state.Tx) error { return tx.RegisterTargets(in.TargetGroupARN, targets) }))
}

// DeregisterTargets deregisters targets; the data plane drains them.
func (s *Service) DeregisterTargets(ctx context.Context, in *TargetsInput) error {
	targets, err := toTargets(in.Targets)
	if err != nil {
		return err
	}
	return fail(s.st.Update(ctx, func(tx state.Tx) error { return tx.DeregisterTargets(in.TargetGroupARN, targets) }))
}
