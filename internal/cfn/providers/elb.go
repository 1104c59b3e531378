package providers

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
	"github.com/slipway-dev/slipway/internal/state"
)

// arnResource is what follows "loadbalancer/" or the account in an ELB ARN:
// the FullName attributes ("app/web/50dc6c495c0c9188", "targetgroup/tg/…").
func arnResource(arn, after string) string {
	_, rest, ok := strings.Cut(arn, after)
	if !ok {
		return ""
	}
	return rest
}

// LoadBalancers provides AWS::ElasticLoadBalancingV2::LoadBalancer.
type LoadBalancers struct{ Ops *elbops.Service }

type lbProps struct {
	Name, Scheme, Type, IpAddressType, CustomerOwnedIpv4Pool string
	Subnets, SecurityGroups                                  []string
	SubnetMappings                                           []struct {
		SubnetId, AllocationId, PrivateIPv4Address, IPv6Address string
	}
	Tags                   []tag
	LoadBalancerAttributes []keyValue
}

// keyValue is an ELB attribute as templates write it.
type keyValue struct{ Key, Value string }

// elbAttributes converts template attributes to elbops'.
func elbAttributes(kvs []keyValue) []elbops.Attribute {
	var out []elbops.Attribute
	for _, a := range kvs {
		out = append(out, elbops.Attribute{Key: a.Key, Value: a.Value})
	}
	return out
}

// attributesChanged reports whether the template's attributes differ and
// are to be set again. Like CloudFormation, an attribute the template drops
// keeps its value (it is not reset to ELB's default).
func attributesChanged(before, after []keyValue) bool {
	return len(after) > 0 && !reflect.DeepEqual(before, after)
}

func (p LoadBalancers) props(m map[string]any) (*lbProps, error) {
	var lp lbProps
	if err := decode(m, &lp); err != nil {
		return nil, err
	}
	return &lp, nil
}

// Create implements stack.Provider.
func (p LoadBalancers) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	lp, err := p.props(req.Properties)
	if err != nil {
		return nil, err
	}
	in := &elbops.CreateLoadBalancerInput{Name: lp.Name, Subnets: lp.Subnets, SecurityGroups: lp.SecurityGroups, Scheme: lp.Scheme,
		Type: lp.Type, IPAddressType: lp.IpAddressType, CustomerOwnedIpv4Pool: lp.CustomerOwnedIpv4Pool, Tags: elbTags(lp.Tags),
		SystemTags: systemTags(req)}
	for _, m := range lp.SubnetMappings {
		in.SubnetMappings = append(in.SubnetMappings, elbops.SubnetMapping{SubnetID: m.SubnetId})
	}
	out, err := p.Ops.CreateLoadBalancer(ctx, in)
	if err != nil {
		return nil, err
	}
	a := out.LoadBalancers[0]
	if attrs := elbAttributes(lp.LoadBalancerAttributes); len(attrs) > 0 {
		if _, err := p.Ops.ModifyLoadBalancerAttributes(ctx, &elbops.LoadBalancerAttributesInput{LoadBalancerARN: a.ARN, Attributes: attrs}); err != nil {
			_ = p.Ops.DeleteLoadBalancer(ctx, &elbops.DeleteLoadBalancerInput{LoadBalancerARN: a.ARN})
			return nil, err
		}
	}
	return &stack.Result{PhysicalID: a.ARN, Attributes: map[string]any{
		"LoadBalancerArn": a.ARN, "DNSName": a.DNSName, "CanonicalHostedZoneID": a.CanonicalHostedZoneID,
		"LoadBalancerFullName": arnResource(a.ARN, ":loadbalancer/"), "LoadBalancerName": a.Name, "Name": a.Name,
		"SecurityGroups": anyList(a.SecurityGroups), "Scheme": a.Scheme, "Type": a.Type, "IpAddressType": a.IPAddressType,
		"Subnets": anyList(lp.Subnets)}}, nil
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Update implements stack.Provider: attributes and tags change in place;
// Slipway has no SetSubnets or SetSecurityGroups, so other changes are
// refused.
func (p LoadBalancers) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	lp, err := p.props(req.Properties)
	if err != nil {
		return nil, err
	}
	old, err := p.props(req.Previous)
	if err != nil {
		return nil, err
	}
	if attributesChanged(old.LoadBalancerAttributes, lp.LoadBalancerAttributes) {
		if _, err := p.Ops.ModifyLoadBalancerAttributes(ctx, &elbops.LoadBalancerAttributesInput{LoadBalancerARN: req.PhysicalID,
			Attributes: elbAttributes(lp.LoadBalancerAttributes)}); err != nil {
			return nil, err
		}
	}
	if err := retagELB(p.Ops, ctx, req.PhysicalID, old.Tags, lp.Tags); err != nil {
		return nil, err
	}
	lp.Tags, old.Tags = nil, nil
	lp.LoadBalancerAttributes, old.LoadBalancerAttributes = nil, nil
	if !reflect.DeepEqual(lp, old) {
		return nil, fmt.Errorf("%w: Slipway cannot change a load balancer's subnets, security groups or address type in place", stack.ErrUnsupported)
	}
	return &stack.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

// Delete implements stack.Provider.
func (p LoadBalancers) Delete(ctx context.Context, req *stack.Request) error {
	return notFound(p.Ops.DeleteLoadBalancer(ctx, &elbops.DeleteLoadBalancerInput{LoadBalancerARN: req.PhysicalID}), state.ErrLoadBalancerNotFound)
}

// TargetGroups provides AWS::ElasticLoadBalancingV2::TargetGroup.
type TargetGroups struct{ Ops *elbops.Service }

type tgProps struct {
	Name, Protocol, ProtocolVersion, TargetType, VpcId, IpAddressType string
	Port                                                              *int
	HealthCheckEnabled                                                *bool
	HealthCheckIntervalSeconds, HealthCheckTimeoutSeconds             *int
	HealthyThresholdCount, UnhealthyThresholdCount                    *int
	HealthCheckPath, HealthCheckPort, HealthCheckProtocol             *string
	Matcher                                                           *struct{ HttpCode, GrpcCode *string }
	TargetGroupAttributes                                             []keyValue
	Targets                                                           []struct {
		Id               string
		Port             *int
		AvailabilityZone string
	}
	Tags []tag
}

func (tp *tgProps) healthCheck() elbops.HealthCheck {
	hc := elbops.HealthCheck{Enabled: tp.HealthCheckEnabled, Protocol: tp.HealthCheckProtocol, Port: tp.HealthCheckPort,
		Path: tp.HealthCheckPath, IntervalSeconds: tp.HealthCheckIntervalSeconds, TimeoutSeconds: tp.HealthCheckTimeoutSeconds,
		HealthyThreshold: tp.HealthyThresholdCount, UnhealthyThreshold: tp.UnhealthyThresholdCount}
	if tp.Matcher != nil {
		hc.HTTPCode, hc.GRPCCode = tp.Matcher.HttpCode, tp.Matcher.GrpcCode
	}
	return hc
}

func (tp *tgProps) targets() []elbops.TargetDescription {
	var out []elbops.TargetDescription
	for _, t := range tp.Targets {
		out = append(out, elbops.TargetDescription{ID: t.Id, Port: t.Port, AvailabilityZone: t.AvailabilityZone})
	}
	return out
}

// Create implements stack.Provider: the group, its attributes, its targets.
func (p TargetGroups) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	var tp tgProps
	if err := decode(req.Properties, &tp); err != nil {
		return nil, err
	}
	out, err := p.Ops.CreateTargetGroup(ctx, &elbops.CreateTargetGroupInput{Name: tp.Name, Protocol: tp.Protocol,
		ProtocolVersion: tp.ProtocolVersion, Port: tp.Port, VpcID: tp.VpcId, TargetType: tp.TargetType,
		IPAddressType: tp.IpAddressType, HealthCheck: tp.healthCheck(), Tags: elbTags(tp.Tags), SystemTags: systemTags(req)})
	if err != nil {
		return nil, err
	}
	tg := out.TargetGroups[0]
	undo := func(err error) (*stack.Result, error) {
		_ = p.Ops.DeleteTargetGroup(ctx, &elbops.DeleteTargetGroupInput{TargetGroupARN: tg.ARN})
		return nil, err
	}
	if attrs := elbAttributes(tp.TargetGroupAttributes); len(attrs) > 0 {
		if _, err := p.Ops.ModifyTargetGroupAttributes(ctx, &elbops.TargetGroupAttributesInput{TargetGroupARN: tg.ARN, Attributes: attrs}); err != nil {
			return undo(err)
		}
	}
	if ts := tp.targets(); len(ts) > 0 {
		if err := p.Ops.RegisterTargets(ctx, &elbops.TargetsInput{TargetGroupARN: tg.ARN, Targets: ts}); err != nil {
			return undo(err)
		}
	}
	return &stack.Result{PhysicalID: tg.ARN, Attributes: map[string]any{"TargetGroupArn": tg.ARN, "TargetGroupName": tg.Name,
		"TargetGroupFullName": arnResource(tg.ARN, ":targetgroup/"), "LoadBalancerArns": anyList(tg.LoadBalancerARNs)}}, nil
}

// Update implements stack.Provider: health check, attributes, targets and
// tags change in place.
func (p TargetGroups) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	var tp, old tgProps
	if err := decode(req.Properties, &tp); err != nil {
		return nil, err
	}
	if err := decode(req.Previous, &old); err != nil {
		return nil, err
	}
	arn := req.PhysicalID
	if !reflect.DeepEqual(tp.healthCheck(), old.healthCheck()) {
		if _, err := p.Ops.ModifyTargetGroup(ctx, &elbops.ModifyTargetGroupInput{TargetGroupARN: arn, HealthCheck: tp.healthCheck()}); err != nil {
			return nil, err
		}
	}
	if attributesChanged(old.TargetGroupAttributes, tp.TargetGroupAttributes) {
		if _, err := p.Ops.ModifyTargetGroupAttributes(ctx, &elbops.TargetGroupAttributesInput{TargetGroupARN: arn,
			Attributes: elbAttributes(tp.TargetGroupAttributes)}); err != nil {
			return nil, err
		}
	}
	if !reflect.DeepEqual(tp.targets(), old.targets()) {
		if ts := old.targets(); len(ts) > 0 {
			if err := p.Ops.DeregisterTargets(ctx, &elbops.TargetsInput{TargetGroupARN: arn, Targets: ts}); err != nil {
				return nil, err
			}
		}
		if ts := tp.targets(); len(ts) > 0 {
			if err := p.Ops.RegisterTargets(ctx, &elbops.TargetsInput{TargetGroupARN: arn, Targets: ts}); err != nil {
				return nil, err
			}
		}
	}
	if err := retagELB(p.Ops, ctx, arn, old.Tags, tp.Tags); err != nil {
		return nil, err
	}
	return &stack.Result{PhysicalID: arn, Attributes: req.Attributes}, nil
}

// Delete implements stack.Provider.
func (p TargetGroups) Delete(ctx context.Context, req *stack.Request) error {
	return notFound(p.Ops.DeleteTargetGroup(ctx, &elbops.DeleteTargetGroupInput{TargetGroupARN: req.PhysicalID}), state.ErrTargetGroupNotFound)
}

// Listeners provides AWS::ElasticLoadBalancingV2::Listener.
type Listeners struct{ Ops *elbops.Service }

type listenerProps struct {
	LoadBalancerArn string
	Port            *int
	Protocol        *string
	SslPolicy       *string
	Certificates    []struct{ CertificateArn string }
	DefaultActions  []cfnAction
	AlpnPolicy      []string
	// ListenerAttributes go through ModifyListenerAttributes.
	ListenerAttributes []keyValue
}

func (lp *listenerProps) certificates() []elbops.Certificate {
	if lp.Certificates == nil {
		return nil
	}
	out := []elbops.Certificate{}
	for _, c := range lp.Certificates {
		out = append(out, elbops.Certificate{ARN: c.CertificateArn})
	}
	return out
}

// Create implements stack.Provider.
func (p Listeners) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	var lp listenerProps
	if err := decode(req.Properties, &lp); err != nil {
		return nil, err
	}
	out, err := p.Ops.CreateListener(ctx, &elbops.CreateListenerInput{LoadBalancerARN: lp.LoadBalancerArn, Port: lp.Port,
		Protocol: lp.Protocol, SSLPolicy: lp.SslPolicy, Certificates: lp.certificates(), DefaultActions: actions(lp.DefaultActions),
		ALPNPolicy: lp.AlpnPolicy})
	if err != nil {
		return nil, err
	}
	arn := out.Listeners[0].ARN
	if attrs := elbAttributes(lp.ListenerAttributes); len(attrs) > 0 {
		if _, err := p.Ops.ModifyListenerAttributes(ctx, &elbops.ListenerAttributesInput{ListenerARN: arn, Attributes: attrs}); err != nil {
			_ = p.Ops.DeleteListener(ctx, &elbops.DeleteListenerInput{ListenerARN: arn})
			return nil, err
		}
	}
	return &stack.Result{PhysicalID: arn, Attributes: map[string]any{"ListenerArn": arn}}, nil
}

// Update implements stack.Provider: ModifyListener with the new values,
// ModifyListenerAttributes when the attributes changed.
func (p Listeners) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	var lp, old listenerProps
	if err := decode(req.Properties, &lp); err != nil {
		return nil, err
	}
	if err := decode(req.Previous, &old); err != nil {
		return nil, err
	}
	if _, err := p.Ops.ModifyListener(ctx, &elbops.ModifyListenerInput{ListenerARN: req.PhysicalID, Port: lp.Port, Protocol: lp.Protocol,
		SSLPolicy: lp.SslPolicy, Certificates: lp.certificates(), DefaultActions: actions(lp.DefaultActions), ALPNPolicy: lp.AlpnPolicy}); err != nil {
		return nil, err
	}
	if attributesChanged(old.ListenerAttributes, lp.ListenerAttributes) {
		if _, err := p.Ops.ModifyListenerAttributes(ctx, &elbops.ListenerAttributesInput{ListenerARN: req.PhysicalID,
			Attributes: elbAttributes(lp.ListenerAttributes)}); err != nil {
			return nil, err
		}
	}
	return &stack.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

// Delete implements stack.Provider.
func (p Listeners) Delete(ctx context.Context, req *stack.Request) error {
	return notFound(p.Ops.DeleteListener(ctx, &elbops.DeleteListenerInput{ListenerARN: req.PhysicalID}), state.ErrListenerNotFound, state.ErrLoadBalancerNotFound)
}

// ListenerRules provides AWS::ElasticLoadBalancingV2::ListenerRule.
type ListenerRules struct{ Ops *elbops.Service }

type ruleProps struct {
	ListenerArn string
	Priority    *int
	Conditions  []cfnCondition
	Actions     []cfnAction
}

// Create implements stack.Provider.
func (p ListenerRules) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	var rp ruleProps
	if err := decode(req.Properties, &rp); err != nil {
		return nil, err
	}
	out, err := p.Ops.CreateRule(ctx, &elbops.CreateRuleInput{ListenerARN: rp.ListenerArn, Priority: rp.Priority,
		Conditions: conditions(rp.Conditions), Actions: actions(rp.Actions)})
	if err != nil {
		return nil, err
	}
	arn := out.Rules[0].ARN
	return &stack.Result{PhysicalID: arn, Attributes: map[string]any{"RuleArn": arn, "IsDefault": false}}, nil
}

// Update implements stack.Provider: ModifyRule, and SetRulePriorities for a
// new priority.
func (p ListenerRules) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	var rp, old ruleProps
	if err := decode(req.Properties, &rp); err != nil {
		return nil, err
	}
	if err := decode(req.Previous, &old); err != nil {
		return nil, err
	}
	if _, err := p.Ops.ModifyRule(ctx, &elbops.ModifyRuleInput{RuleARN: req.PhysicalID, Conditions: conditions(rp.Conditions),
		Actions: actions(rp.Actions)}); err != nil {
		return nil, err
	}
	if !reflect.DeepEqual(rp.Priority, old.Priority) {
		if _, err := p.Ops.SetRulePriorities(ctx, &elbops.SetRulePrioritiesInput{RulePriorities: []elbops.RulePriority{{RuleARN: req.PhysicalID, Priority: rp.Priority}}}); err != nil {
			return nil, err
		}
	}
	return &stack.Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

// Delete implements stack.Provider.
func (p ListenerRules) Delete(ctx context.Context, req *stack.Request) error {
	return notFound(p.Ops.DeleteRule(ctx, &elbops.DeleteRuleInput{RuleARN: req.PhysicalID}), state.ErrRuleNotFound, state.ErrListenerNotFound)
}
