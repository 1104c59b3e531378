package elbv2

import (
	"context"
	"errors"
	"slices"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

type targetGroupsResult struct {
	TargetGroups list[wireTargetGroup]
	NextMarker   string `xml:",omitempty"`
}

func parseHealthCheck(f form) (model.HealthCheckSpec, error) {
	var s model.HealthCheckSpec
	var errs []error
	intField := func(name string) *int {
		v, err := f.intPtr(name)
		errs = append(errs, err)
		return v
	}
	enabled, err := f.boolPtr("HealthCheckEnabled")
	errs = append(errs, err)
	s.Enabled = enabled
	s.Protocol, s.Port, s.Path = f.strPtr("HealthCheckProtocol"), f.strPtr("HealthCheckPort"), f.strPtr("HealthCheckPath")
	s.IntervalSeconds = intField("HealthCheckIntervalSeconds")
	s.TimeoutSeconds = intField("HealthCheckTimeoutSeconds")
	s.HealthyThreshold = intField("HealthyThresholdCount")
	s.UnhealthyThreshold = intField("UnhealthyThresholdCount")
	s.HTTPCode, s.GRPCCode = f.strPtr("Matcher.HttpCode"), f.strPtr("Matcher.GrpcCode")
	return s, errors.Join(errs...)
}

func (h *Handler) createTargetGroup(ctx context.Context, f form) (any, error) {
	port, err := f.intPtr("Port")
	if err != nil {
		return nil, err
	}
	hc, err := parseHealthCheck(f)
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(f)
	if err != nil {
		return nil, err
	}
	spec := model.TargetGroupSpec{
		Name: f.str("Name"), Protocol: f.str("Protocol"), ProtocolVersion: f.str("ProtocolVersion"), Port: port,
		VpcID: f.str("VpcId"), TargetType: f.str("TargetType"), IPAddressType: f.str("IpAddressType"), HealthCheck: hc,
	}
	fresh, err := model.NewTargetGroup(h.st.Partition, spec, h.st.Now())
	if err != nil {
		return nil, err
	}
	var out model.TargetGroup
	var users []string
	err = h.st.Update(ctx, func(tx state.Tx) error {
		existing, err := tx.TargetGroupByName(spec.Name)
		if err == nil {
			// ELB's CreateTargetGroup is idempotent for identical settings.
			if !existing.SameSettings(fresh) {
				return awsproto.ClientError(codeDuplicateTargetGroup, "A target group with the same name '%s' exists, but with different settings", spec.Name)
			}
			out = existing
			all, err := tx.TargetGroupLoadBalancers()
			users = all[out.ARN]
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
			return awsproto.ClientError(codeTooManyTargetGroups, "You've reached the limit on the number of target groups for your account (%d)", model.MaxTargetGroups)
		}
		out, users = fresh, nil
		if err := tx.PutTargetGroup(out); err != nil {
			return err
		}
		return putNewTags(tx, out.ARN, tags)
	})
	if err != nil {
		return nil, err
	}
	h.log.Info("target group created", "name", out.Name, "arn", out.ARN)
	return targetGroupsResult{TargetGroups: listOf([]wireTargetGroup{toWireTG(out, users)})}, nil
}

func (h *Handler) describeTargetGroups(ctx context.Context, f form) (any, error) {
	lbARN, names, arns := f.str("LoadBalancerArn"), f.strList("Names"), f.strList("TargetGroupArns")
	given := 0
	for _, ok := range []bool{lbARN != "", len(names) > 0, len(arns) > 0} {
		if ok {
			given++
		}
	}
	if given > 1 {
		return nil, validation("Only one of load balancer ARN, target group ARNs or names can be specified")
	}
	var tgs []model.TargetGroup
	var users map[string][]string
	err := h.st.View(ctx, func(tx state.Tx) error {
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
		return nil, err
	}
	pg, next, err := page(f, tgs, func(tg model.TargetGroup) string { return tg.Name })
	if err != nil {
		return nil, err
	}
	res := targetGroupsResult{NextMarker: next, TargetGroups: list[wireTargetGroup]{Member: []wireTargetGroup{}}}
	for _, tg := range pg {
		res.TargetGroups.Member = append(res.TargetGroups.Member, toWireTG(tg, users[tg.ARN]))
	}
	return res, nil
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

func (h *Handler) modifyTargetGroup(ctx context.Context, f form) (any, error) {
	arn := f.str("TargetGroupArn")
	hc, err := parseHealthCheck(f)
	if err != nil {
		return nil, err
	}
	var out model.TargetGroup
	var users []string
	err = h.st.Update(ctx, func(tx state.Tx) error {
		tg, err := tx.TargetGroup(arn)
		if err != nil {
			return err
		}
		if err := tg.ModifyHealthCheck(hc); err != nil {
			return err
		}
		all, err := tx.TargetGroupLoadBalancers()
		if err != nil {
			return err
		}
		out, users = tg, all[arn]
		return tx.PutTargetGroup(tg)
	})
	if err != nil {
		return nil, err
	}
	return targetGroupsResult{TargetGroups: listOf([]wireTargetGroup{toWireTG(out, users)})}, nil
}

func (h *Handler) deleteTargetGroup(ctx context.Context, f form) (any, error) {
	arn := f.str("TargetGroupArn")
	if arn == "" {
		return nil, validation("A target group ARN must be specified")
	}
	err := h.st.Update(ctx, func(tx state.Tx) error { return tx.DeleteTargetGroup(arn) })
	if errors.Is(err, state.ErrTargetGroupInUse) {
		return nil, awsproto.ClientError(codeResourceInUse, "Target group '%s' is currently in use by a listener or a rule", arn)
	}
	if err == nil {
		h.log.Info("target group deleted", "arn", arn)
	}
	return nil, err
}

type attributesResult struct {
	Attributes list[wireAttribute]
}

func toWireAttributes(tg model.TargetGroup) attributesResult {
	res := attributesResult{Attributes: list[wireAttribute]{Member: []wireAttribute{}}}
	for _, a := range tg.AttributeList() {
		res.Attributes.Member = append(res.Attributes.Member, wireAttribute(a))
	}
	return res
}

func (h *Handler) describeTargetGroupAttributes(ctx context.Context, f form) (any, error) {
	var tg model.TargetGroup
	err := h.st.View(ctx, func(tx state.Tx) error {
		var err error
		tg, err = tx.TargetGroup(f.str("TargetGroupArn"))
		return err
	})
	if err != nil {
		return nil, err
	}
	return toWireAttributes(tg), nil
}

func (h *Handler) modifyTargetGroupAttributes(ctx context.Context, f form) (any, error) {
	var attrs []model.TargetGroupAttribute
	for _, a := range f.list("Attributes") {
		attrs = append(attrs, model.TargetGroupAttribute{Key: a.str("Key"), Value: a.str("Value")})
	}
	var out model.TargetGroup
	err := h.st.Update(ctx, func(tx state.Tx) error {
		tg, err := tx.TargetGroup(f.str("TargetGroupArn"))
		if err != nil {
			return err
		}
		if err := tg.SetAttributes(attrs); err != nil {
			return err
		}
		out = tg
		return tx.PutTargetGroup(tg)
	})
	if err != nil {
		return nil, err
	}
	return toWireAttributes(out), nil
}
