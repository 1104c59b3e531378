package providers

import (
	"context"
	"fmt"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/ops/cwops"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
	"github.com/slipway-dev/slipway/internal/state"
)

// liveAttributes is what an attribute list property (TargetGroupAttributes,
// LoadBalancerAttributes, ListenerAttributes) reads now: the keys the
// template sets, in its order, with the values ELB has.
func liveAttributes(template any, live []elbops.Attribute) []any {
	have := map[string]string{}
	for _, a := range live {
		have[a.Key] = a.Value
	}
	items, _ := template.([]any)
	out := []any{}
	for _, it := range items {
		m, _ := it.(map[string]any)
		k, _ := m["Key"].(string)
		out = append(out, map[string]any{"Key": k, "Value": have[k]})
	}
	return out
}

// Read implements stack.Reader: the health check, port, protocol and the
// attributes the template sets (targets are not checked).
func (p TargetGroups) Read(ctx context.Context, req *stack.Request) (map[string]any, error) {
	out, err := p.Ops.DescribeTargetGroups(ctx, &elbops.DescribeTargetGroupsInput{TargetGroupARNs: []string{req.PhysicalID}})
	if err != nil {
		return nil, notFound(err, state.ErrTargetGroupNotFound)
	}
	if len(out.TargetGroups) == 0 {
		return nil, fmt.Errorf("%w: target group %s", stack.ErrNotFound, req.PhysicalID)
	}
	tg := out.TargetGroups[0]
	hc := tg.HealthCheck
	m := map[string]any{"Protocol": tg.Protocol, "Port": tg.Port, "HealthCheckEnabled": hc.Enabled,
		"HealthCheckProtocol": hc.Protocol, "HealthCheckPort": hc.Port, "HealthCheckPath": hc.Path,
		"HealthCheckIntervalSeconds": hc.IntervalSeconds, "HealthCheckTimeoutSeconds": hc.TimeoutSeconds,
		"HealthyThresholdCount": hc.HealthyThresholdCount, "UnhealthyThresholdCount": hc.UnhealthyThresholdCount}
	if tm, ok := req.Properties["Matcher"].(map[string]any); ok {
		if _, ok := tm["HttpCode"]; ok {
			m["Matcher"] = map[string]any{"HttpCode": hc.HTTPCode}
		}
	}
	if attrs, ok := req.Properties["TargetGroupAttributes"]; ok {
		live, err := p.Ops.DescribeTargetGroupAttributes(ctx, &elbops.TargetGroupAttributesInput{TargetGroupARN: req.PhysicalID})
		if err != nil {
			return nil, notFound(err, state.ErrTargetGroupNotFound)
		}
		m["TargetGroupAttributes"] = liveAttributes(attrs, live.Attributes)
	}
	return m, nil
}

// Read implements stack.Reader: scheme, type, address type, security
// groups and the attributes the template sets.
func (p LoadBalancers) Read(ctx context.Context, req *stack.Request) (map[string]any, error) {
	out, err := p.Ops.DescribeLoadBalancers(ctx, &elbops.DescribeLoadBalancersInput{LoadBalancerARNs: []string{req.PhysicalID}})
	if err != nil {
		return nil, notFound(err, state.ErrLoadBalancerNotFound)
	}
	if len(out.LoadBalancers) == 0 {
		return nil, fmt.Errorf("%w: load balancer %s", stack.ErrNotFound, req.PhysicalID)
	}
	a := out.LoadBalancers[0]
	m := map[string]any{"Scheme": a.Scheme, "Type": a.Type, "IpAddressType": a.IPAddressType}
	if _, ok := req.Properties["SecurityGroups"]; ok {
		m["SecurityGroups"] = anyList(a.SecurityGroups)
	}
	if attrs, ok := req.Properties["LoadBalancerAttributes"]; ok {
		live, err := p.Ops.DescribeLoadBalancerAttributes(ctx, &elbops.LoadBalancerAttributesInput{LoadBalancerARN: req.PhysicalID})
		if err != nil {
			return nil, notFound(err, state.ErrLoadBalancerNotFound)
		}
		m["LoadBalancerAttributes"] = liveAttributes(attrs, live.Attributes)
	}
	return m, nil
}

// Read implements stack.Reader: port, protocol, TLS policy, ALPN policy
// and the attributes the template sets (default actions are not checked).
func (p Listeners) Read(ctx context.Context, req *stack.Request) (map[string]any, error) {
	out, err := p.Ops.DescribeListeners(ctx, &elbops.DescribeListenersInput{ListenerARNs: []string{req.PhysicalID}})
	if err != nil {
		return nil, notFound(err, state.ErrListenerNotFound)
	}
	if len(out.Listeners) == 0 {
		return nil, fmt.Errorf("%w: listener %s", stack.ErrNotFound, req.PhysicalID)
	}
	l := out.Listeners[0]
	m := map[string]any{"Port": l.Port, "Protocol": l.Protocol, "SslPolicy": l.SSLPolicy, "AlpnPolicy": anyList(l.ALPNPolicy)}
	if attrs, ok := req.Properties["ListenerAttributes"]; ok {
		live, err := p.Ops.DescribeListenerAttributes(ctx, &elbops.ListenerAttributesInput{ListenerARN: req.PhysicalID})
		if err != nil {
			return nil, notFound(err, state.ErrListenerNotFound)
		}
		m["ListenerAttributes"] = liveAttributes(attrs, live.Attributes)
	}
	return m, nil
}

// Read implements stack.Reader: the alarm's settings as DescribeAlarms
// reports them (PutMetricAlarm outside the stack is drift).
func (p Alarms) Read(ctx context.Context, req *stack.Request) (map[string]any, error) {
	out, err := p.Ops.DescribeAlarms(ctx, &cwops.DescribeAlarmsInput{AlarmNames: []string{req.PhysicalID}})
	if err != nil {
		return nil, err
	}
	if len(out.MetricAlarms) == 0 {
		return nil, fmt.Errorf("%w: alarm %s", stack.ErrNotFound, req.PhysicalID)
	}
	a := out.MetricAlarms[0]
	dims := []any{}
	for _, d := range a.Dimensions {
		dims = append(dims, map[string]any{"Name": d.Name, "Value": d.Value})
	}
	m := map[string]any{"ActionsEnabled": a.ActionsEnabled, "AlarmActions": anyList(a.AlarmActions), "OKActions": anyList(a.OKActions),
		"InsufficientDataActions": anyList(a.InsufficientDataActions), "MetricName": a.MetricName, "Namespace": a.Namespace,
		"Statistic": a.Statistic, "ExtendedStatistic": a.ExtendedStatistic, "Dimensions": dims, "Period": a.Period, "Unit": a.Unit,
		"EvaluationPeriods": a.EvaluationPeriods, "Threshold": a.Threshold, "ComparisonOperator": a.ComparisonOperator,
		"TreatMissingData": a.TreatMissingData, "EvaluateLowSampleCountPercentile": a.EvaluateLowSampleCountPercentile}
	if a.AlarmDescription != nil {
		m["AlarmDescription"] = *a.AlarmDescription
	}
	if a.DatapointsToAlarm != nil {
		m["DatapointsToAlarm"] = *a.DatapointsToAlarm
	}
	return m, nil
}
