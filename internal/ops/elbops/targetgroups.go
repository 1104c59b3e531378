package elbops

import (
	"context"
	"errors"
	"slices"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// CreateTargetGroupInput is CreateTargetGroup's input; the health check
// members are in HealthCheck.
type CreateTargetGroupInput struct {
	Name            string
	Protocol        string
	ProtocolVersion string
	Port            *int
	VpcID           string
	TargetType      string
	IPAddressType   string
	HealthCheck     HealthCheck
	Tags            []Tag
	// SystemTags are tags with the reserved aws: prefix that an in-process
	// caller sets (CloudFormation's; model.ValidateSystemTags), never the wire.
	SystemTags []Tag
	// TargetControlPort (nil: not given) is refused: there is no target
	// control agent here to send it to.
	TargetControlPort *int
}

// TargetGroupsOutput is the output of CreateTargetGroup and
// ModifyTargetGroup (one target group) and DescribeTargetGroups.
type TargetGroupsOutput struct {
	TargetGroups []TargetGroup
	NextMarker   string
}

// CreateTargetGroup creates a target group, or returns the one of that
// name when its settings are the same (ELB's CreateTargetGroup is
// idempotent).
func (s *Service) CreateTargetGroup(ctx context.Context, in *CreateTargetGroupInput) (*TargetGroupsOutput, error) {
	if in.TargetControlPort != nil {
		return nil, clientErr(CodeInvalidConfigurationRq, "A target control port is not supported: Slipway has no target control agent")
	}
	if err := model.ValidateELBTags(in.Tags); err != nil {
		return nil, fail(err)
	}
	spec := model.TargetGroupSpec{
		Name: in.Name, Protocol: in.Protocol, ProtocolVersion: in.ProtocolVersion, Port: in.Port,
		VpcID: in.VpcID, TargetType: in.TargetType, IPAddressType: in.IPAddressType, HealthCheck: in.HealthCheck,
	}
	fresh, err := model.NewTargetGroup(s.st.Partition, spec, s.st.Now())
	if err != nil {
		return nil, fail(err)
	}
	var out TargetGroup
	err = s.st.Update(ctx, func(tx state.Tx) error {
		existing, err := tx.TargetGroupByName(spec.Name)
		if err == nil {
			if !existing.SameSettings(fresh) {
				return clientErr(CodeDuplicateTargetGroup, "A target group with the same name '%s' exists, but with different settings", spec.Name)
			}
			all, err := tx.TargetGroupLoadBalancers()
			out = TargetGroup{TargetGroup: existing, LoadBalancerARNs: all[existing.ARN]}
			return err
		}
		if !errors.Is(err, state.ErrTargetGroupNotFound) {
			return err
		}
		all, err := tx.TargetGroups()
		if err != nil {
			return err
		}
		if len(all) >= model.MaxTargetGroups {
			return clientErr(CodeTooManyTargetGroups, "You've reached the limit on the number of target groups for your account (%d)", model.MaxTargetGroups)
		}
		out = TargetGroup{TargetGroup: fresh}
		if err := tx.PutTargetGroup(fresh); err != nil {
			return err
		}
		return putNewTags(tx, fresh.ARN, in.Tags, in.SystemTags)
	})
	if err != nil {
		return nil, fail(err)
	}
	s.log.Info("target group created", "name", out.Name, "arn", out.ARN)
	return &TargetGroupsOutput{TargetGroups: []TargetGroup{out}}, nil
}

// DescribeTargetGroupsInput is DescribeTargetGroups' input: at most one of
// a load balancer, target group ARNs or names; none for all.
type DescribeTargetGroupsInput struct {
	LoadBalancerARN string
	TargetGroupARNs []string
	Names           []string
	Page
}

// DescribeTargetGroups describes target groups in name order.
func (s *Service) DescribeTargetGroups(ctx context.Context, in *DescribeTargetGroupsInput) (*TargetGroupsOutput, error) {
	lbARN, names, arns := in.LoadBalancerARN, in.Names, in.TargetGroupARNs
	given := 0
	for _, ok := range []bool{lbARN != "", len(names) > 0, len(arns) > 0} {
		if ok {
			given++
		}
	}
	if given > 1 {
		return nil, Validation("Only one of load balancer ARN, target group ARNs or names can be specified")
	}
	var tgs []model.TargetGroup
	var users map[string][]string
	err := s.st.View(ctx, func(tx state.Tx) error {
		var err error
		if users, err = tx.TargetGroupLoadBalancers(); err != nil {
			return err
		}
		switch {
		case len(names) > 0:
			tgs, err = lookupAll(names, tx.TargetGroupByName)
		case len(arns) > 0:
			tgs, err = lookupAll(arns, tx.TargetGroup)
		case lbARN != "":
			tgs, err = targetGroupsOf(tx, lbARN, users)
		default:
			tgs, err = tx.TargetGroups()
		}
		return err
	})
	if err != nil {
		return nil, fail(err)
	}
	pg, next, err := page(in.Page, tgs, func(tg model.TargetGroup) string { return tg.Name })
	if err != nil {
		return nil, err
	}
	out := &TargetGroupsOutput{NextMarker: next, TargetGroups: []TargetGroup{}}
	for _, tg := range pg {
		out.TargetGroups = append(out.TargetGroups, TargetGroup{TargetGroup: tg, LoadBalancerARNs: users[tg.ARN]})
	}
	return out, nil
}

// targetGroupsOf returns the target groups the load balancer forwards to.
func targetGroupsOf(tx state.Tx, lbARN string, users map[string][]string) ([]model.TargetGroup, error) {
	if _, err := tx.LoadBalancer(lbARN); err != nil {
		return nil, err
	}
	var out []model.TargetGroup
	for tgARN, lbs := range users {
		if slices.Contains(lbs, lbARN) {
			tg, err := tx.TargetGroup(tgARN)
			if err != nil {
				return nil, err
			}
			out = append(out, tg)
		}
	}
	return out, nil
}

// ModifyTargetGroupInput is ModifyTargetGroup's input: the health check
// members given change, the others stay.
type ModifyTargetGroupInput struct {
	TargetGroupARN string
	HealthCheck    HealthCheck
}

// ModifyTargetGroup changes a target group's health check settings.
func (s *Service) ModifyTargetGroup(ctx context.Context, in *ModifyTargetGroupInput) (*TargetGroupsOutput, error) {
	var out TargetGroup
	err := s.st.Update(ctx, func(tx state.Tx) error {
		tg, err := tx.TargetGroup(in.TargetGroupARN)
		if err != nil {
			return err
		}
		if err := tg.ModifyHealthCheck(in.HealthCheck); err != nil {
			return err
		}
		all, err := tx.TargetGroupLoadBalancers()
		if err != nil {
			return err
		}
		out = TargetGroup{TargetGroup: tg, LoadBalancerARNs: all[tg.ARN]}
		return tx.PutTargetGroup(tg)
	})
	if err != nil {
		return nil, fail(err)
	}
	return &TargetGroupsOutput{TargetGroups: []TargetGroup{out}}, nil
}

// DeleteTargetGroupInput is DeleteTargetGroup's input.
type DeleteTargetGroupInput struct {
	TargetGroupARN string
}

// DeleteTargetGroup deletes a target group no listener or rule forwards to
// (else ResourceInUse).
func (s *Service) DeleteTargetGroup(ctx context.Context, in *DeleteTargetGroupInput) error {
	arn := in.TargetGroupARN
	if arn == "" {
		return Validation("A target group ARN must be specified")
	}
	err := s.st.Update(ctx, func(tx state.Tx) error { return tx.DeleteTargetGroup(arn) })
	if errors.Is(err, state.ErrTargetGroupInUse) {
		return awserr.Wrap(err, CodeResourceInUse, "Target group '%s' is currently in use by a listener or a rule", arn)
	}
	if err != nil {
		return fail(err)
	}
	s.log.Info("target group deleted", "arn", arn)
	return nil
}
