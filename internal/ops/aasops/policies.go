package aasops

import (
	"context"
	"fmt"
	"slices"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/cwops"
	"github.com/slipway-dev/slipway/internal/store"
)

// Target tracking's alarms, as Application Auto Scaling creates them: the
// high alarm breaches after 3 one-minute periods above the target, the low
// one after 15 below 90% of it.
const (
	trackingPeriod      = 60
	highAlarmPeriods    = 3
	lowAlarmPeriods     = 15
	lowAlarmFactor      = 0.9
	trackingAlarmPrefix = "TargetTracking-"
)

func errNoTarget(ns, rid, dim string) error {
	return notFound("No scalable target registered for service namespace: %s, resource ID: %s, scalable dimension: %s", ns, rid, dim)
}

// PutScalingPolicy creates or replaces a scaling policy. A target tracking
// policy gets (or keeps) its two alarms; a step scaling policy is run by
// the alarms that name its ARN in their actions.
func (s *Service) PutScalingPolicy(ctx context.Context, in *PutScalingPolicyInput) (*PutScalingPolicyOutput, error) {
	p, err := s.policyFromInput(in)
	if err != nil {
		return nil, err
	}
	var old *Policy
	err = s.opts.Store.View(ctx, func(tx store.Tx) error {
		if _, err := getTarget(tx, in.ResourceId); isNotFound(err) {
			return errNoTarget(in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
		} else if err != nil {
			return err
		}
		cur, err := getPolicy(tx, in.ResourceId, in.PolicyName)
		if err == nil {
			old = &cur
		} else if !isNotFound(err) {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, internal(err)
	}
	if old != nil {
		p.ID, p.ARN, p.Created, p.Cooldown = old.ID, old.ARN, old.Created, old.Cooldown
	}
	var created []string
	if p.Type == PolicyTargetTracking {
		if old != nil && len(old.AlarmNames) > 0 {
			p.AlarmNames = slices.Clone(old.AlarmNames)
		}
		if created, err = s.putTrackingAlarms(ctx, &p); err != nil {
			return nil, err
		}
	}
	err = s.opts.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := getTarget(tx, p.ResourceID); isNotFound(err) {
			return errNoTarget(in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
		} else if err != nil {
			return err
		}
		if _, err := getPolicy(tx, p.ResourceID, p.Name); isNotFound(err) {
			n, err := countChildren(tx, bucketPolicies, p.ResourceID)
			if err != nil {
				return err
			}
			if n >= MaxPoliciesPerTarget {
				return errorf(CodeLimitExceeded, "You have reached the maximum number of scaling policies (%d) for this scalable target.", MaxPoliciesPerTarget)
			}
		} else if err != nil {
			return err
		}
		return store.PutJSON(tx, bucketPolicies, childKey(p.ResourceID, p.Name), p)
	})
	if err != nil {
		s.deleteOwnedAlarms(ctx, created)
		return nil, internal(err)
	}
	if old != nil {
		// Alarms the policy no longer owns (a change from target tracking).
		var gone []string
		for _, n := range old.AlarmNames {
			if !slices.Contains(p.AlarmNames, n) {
				gone = append(gone, n)
			}
		}
		s.deleteOwnedAlarms(ctx, gone)
	}
	s.log.Info("scaling policy put", "policy", p.Name, "resource", p.ResourceID, "type", p.Type)
	return &PutScalingPolicyOutput{PolicyARN: p.ARN, Alarms: s.alarmRefs(p.AlarmNames)}, nil
}

func (s *Service) policyFromInput(in *PutScalingPolicyInput) (Policy, error) {
	cluster, service, err := checkTarget(in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	if err != nil {
		return Policy{}, err
	}
	if err := checkPolicyName(in.PolicyName); err != nil {
		return Policy{}, err
	}
	if err := checkEnum("policyType", in.PolicyType, policyTypes); err != nil {
		return Policy{}, err
	}
	typ := in.PolicyType
	if typ == "" {
		typ = PolicyStepScaling // the service's default
	}
	id := model.NewUUID()
	p := Policy{ID: id, Name: in.PolicyName, ARN: s.policyARN(id, in.ResourceId, in.PolicyName), ResourceID: in.ResourceId,
		Type: typ, Created: s.now()}
	switch {
	case typ == policyPredictive || in.PredictiveScalingPolicyConfiguration != nil:
		return Policy{}, invalid("Slipway does not forecast load: PredictiveScaling policies are not supported; use TargetTrackingScaling or StepScaling.")
	case typ == PolicyStepScaling:
		if in.TargetTrackingScalingPolicyConfiguration != nil {
			return Policy{}, invalid("TargetTrackingScalingPolicyConfiguration is not valid for a policy of type StepScaling.")
		}
		if in.StepScalingPolicyConfiguration == nil {
			return Policy{}, invalid("StepScalingPolicyConfiguration is required for a policy of type StepScaling.")
		}
		p.Step, err = stepConfig(in.StepScalingPolicyConfiguration)
	default:
		if in.StepScalingPolicyConfiguration != nil {
			return Policy{}, invalid("StepScalingPolicyConfiguration is not valid for a policy of type TargetTrackingScaling.")
		}
		if in.TargetTrackingScalingPolicyConfiguration == nil {
			return Policy{}, invalid("TargetTrackingScalingPolicyConfiguration is required for a policy of type TargetTrackingScaling.")
		}
		p.Tracking, err = trackingConfig(in.TargetTrackingScalingPolicyConfiguration, cluster, service)
	}
	return p, err
}

// putTrackingAlarms creates or updates a target tracking policy's alarms
// (the low one only while scale-in is enabled), naming new ones in
// p.AlarmNames; it returns the names it created.
func (s *Service) putTrackingAlarms(ctx context.Context, p *Policy) ([]string, error) {
	uuid := model.NewUUID()
	names := map[string]string{}
	for _, n := range p.AlarmNames {
		switch {
		case isAlarmOf(n, p.ResourceID, "High"):
			names["High"] = n
		case isAlarmOf(n, p.ResourceID, "Low"):
			names["Low"] = n
		}
	}
	kinds := []string{"High"}
	if !p.Tracking.DisableScaleIn {
		kinds = append(kinds, "Low")
	}
	var created, owned []string
	for _, kind := range kinds {
		name := names[kind]
		if name == "" {
			name = fmt.Sprintf("%s%s-Alarm%s-%s", trackingAlarmPrefix, p.ResourceID, kind, uuid)
			created = append(created, name)
		}
		if err := s.opts.Alarms.PutMetricAlarm(ctx, trackingAlarm(p, name, kind)); err != nil {
			s.deleteOwnedAlarms(ctx, created)
			if e, ok := awserr.As(err); ok && e.Status < 500 {
				// CloudWatch's refusal (a name too long, its alarm quota)
				// in this service's code.
				return nil, awserr.Wrap(err, CodeValidation, "Cannot create the alarm %s of the target tracking policy: %s", name, e.Message)
			}
			return nil, internal(err)
		}
		owned = append(owned, name)
	}
	p.AlarmNames = owned
	return created, nil
}

func isAlarmOf(name, resourceID, kind string) bool {
	prefix := trackingAlarmPrefix + resourceID + "-Alarm" + kind + "-"
	return len(name) > len(prefix) && name[:len(prefix)] == prefix
}

// trackingAlarm is the alarm of kind High or Low of a target tracking policy.
func trackingAlarm(p *Policy, name, kind string) *cwops.PutMetricAlarmInput {
	c := p.Tracking
	desc := "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + p.ARN + "."
	period, evals, threshold, op := trackingPeriod, highAlarmPeriods, c.TargetValue, "GreaterThanThreshold"
	if kind == "Low" {
		evals, threshold, op = lowAlarmPeriods, c.TargetValue*lowAlarmFactor, "LessThanThreshold"
	}
	in := &cwops.PutMetricAlarmInput{AlarmName: name, AlarmDescription: &desc, ActionsEnabled: boolPtr(true),
		AlarmActions: []string{p.ARN}, MetricName: c.Metric.MetricName, Namespace: c.Metric.Namespace,
		Statistic: c.Metric.Statistic, Unit: c.Metric.Unit, Period: &period, EvaluationPeriods: &evals,
		DatapointsToAlarm: intPtr(evals), Threshold: &threshold, ComparisonOperator: op}
	for _, d := range c.Metric.Dimensions {
		in.Dimensions = append(in.Dimensions, cwops.Dimension(d))
	}
	return in
}

// deleteOwnedAlarms deletes alarms a policy owned; one deleted meanwhile
// is no failure, and others are logged: the policy is gone either way.
func (s *Service) deleteOwnedAlarms(ctx context.Context, names []string) {
	for _, n := range names {
		err := s.opts.Alarms.DeleteAlarms(ctx, &cwops.AlarmNamesInput{AlarmNames: []string{n}})
		if e, ok := asCode(err); err != nil && !(ok && e == cwops.CodeResourceNotFound) {
			s.log.Warn("deleting a target tracking alarm", "alarm", n, "err", err)
		}
	}
}

func (s *Service) alarmRefs(names []string) []Alarm {
	out := make([]Alarm, 0, len(names))
	for _, n := range names {
		out = append(out, Alarm{AlarmName: n, AlarmARN: s.opts.Alarms.AlarmARN(n)})
	}
	return out
}

// DescribeScalingPolicies lists policies in resource id and name order.
func (s *Service) DescribeScalingPolicies(ctx context.Context, in *DescribeScalingPoliciesInput) (*DescribeScalingPoliciesOutput, error) {
	got, next, err := describeChildren(ctx, s, bucketPolicies, childFilter{ns: in.ServiceNamespace, rid: in.ResourceId,
		dim: in.ScalableDimension, names: in.PolicyNames, namesMember: "policyNames", max: in.MaxResults, token: in.NextToken},
		func(p Policy) (string, string) { return p.ResourceID, p.Name })
	if err != nil {
		return nil, err
	}
	out := &DescribeScalingPoliciesOutput{ScalingPolicies: make([]ScalingPolicy, 0, len(got)), NextToken: next}
	for _, p := range got {
		v, err := s.policyView(ctx, p)
		if err != nil {
			return nil, internal(err)
		}
		out.ScalingPolicies = append(out.ScalingPolicies, v)
	}
	return out, nil
}

func (s *Service) policyView(ctx context.Context, p Policy) (ScalingPolicy, error) {
	v := ScalingPolicy{PolicyARN: p.ARN, PolicyName: p.Name, ServiceNamespace: NamespaceECS, ResourceId: p.ResourceID,
		ScalableDimension: DimensionECSDesire, PolicyType: p.Type, CreationTime: p.Created}
	if p.Step != nil {
		v.StepScalingPolicyConfiguration = stepView(p.Step)
		// A step policy's alarms are those that name it in their actions.
		var names []string
		tok := ""
		for {
			out, err := s.opts.Alarms.DescribeAlarms(ctx, &cwops.DescribeAlarmsInput{ActionPrefix: p.ARN, NextToken: tok})
			if err != nil {
				return v, err
			}
			for _, a := range out.MetricAlarms {
				// ActionPrefix matches "…policyName/add20" for "…/add2" too.
				if slices.Contains(a.AlarmActions, p.ARN) || slices.Contains(a.OKActions, p.ARN) ||
					slices.Contains(a.InsufficientDataActions, p.ARN) {
					names = append(names, a.AlarmName)
				}
			}
			if tok = out.NextToken; tok == "" {
				break
			}
		}
		v.Alarms = s.alarmRefs(names)
	}
	if p.Tracking != nil {
		v.TargetTrackingScalingPolicyConfiguration = trackingView(p.Tracking)
		v.Alarms = s.alarmRefs(p.AlarmNames)
	}
	return v, nil
}

// DeleteScalingPolicy deletes a policy and the alarms it owns.
func (s *Service) DeleteScalingPolicy(ctx context.Context, in *DeleteScalingPolicyInput) error {
	if _, _, err := checkTarget(in.ServiceNamespace, in.ResourceId, in.ScalableDimension); err != nil {
		return err
	}
	if err := checkString("policyName", in.PolicyName, 1, 1600); err != nil {
		return err
	}
	var owned []string
	err := s.opts.Store.Update(ctx, func(tx store.Tx) error {
		p, err := getPolicy(tx, in.ResourceId, in.PolicyName)
		if isNotFound(err) {
			return notFound("No scaling policy found for service namespace: %s, resource ID: %s, scalable dimension: %s, policy name: %s",
				in.ServiceNamespace, in.ResourceId, in.ScalableDimension, in.PolicyName)
		}
		if err != nil {
			return err
		}
		owned = p.AlarmNames
		return tx.Delete(bucketPolicies, childKey(in.ResourceId, in.PolicyName))
	})
	if err != nil {
		return internal(err)
	}
	s.deleteOwnedAlarms(ctx, owned)
	return nil
}

// asCode returns the AWS error code of err, if it has one.
func asCode(err error) (string, bool) {
	e, ok := awserr.As(err)
	if !ok {
		return "", false
	}
	return e.Code, true
}
