package elbv2

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

func pathCond(p string) []types.RuleCondition {
	return []types.RuleCondition{{Field: aws.String("path-pattern"), PathPatternConfig: &types.PathPatternConditionConfig{Values: []string{p}}}}
}

func TestRulesLifecycle(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	canary := createTG(t, a, "canary", 8090)
	weighted := []types.Action{{Type: types.ActionTypeEnumForward, ForwardConfig: &types.ForwardActionConfig{
		TargetGroups:                []types.TargetGroupTuple{{TargetGroupArn: aws.String(s.tg), Weight: aws.Int32(90)}, {TargetGroupArn: aws.String(canary), Weight: aws.Int32(10)}},
		TargetGroupStickinessConfig: &types.TargetGroupStickinessConfig{Enabled: aws.Bool(true), DurationSeconds: aws.Int32(300)},
	}}}
	r1 := must(a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(s.listener), Priority: aws.Int32(10), Actions: weighted,
		Conditions: []types.RuleCondition{
			{Field: aws.String("host-header"), Values: []string{"api.example.com"}},
			{Field: aws.String("http-header"), HttpHeaderConfig: &types.HttpHeaderConditionConfig{HttpHeaderName: aws.String("X-Canary"), Values: []string{"on"}}},
			{Field: aws.String("query-string"), QueryStringConfig: &types.QueryStringConditionConfig{Values: []types.QueryStringKeyValuePair{{Key: aws.String("v"), Value: aws.String("2")}}}},
		}}))(t).Rules[0]
	if *r1.Priority != "10" || *r1.IsDefault || len(r1.Conditions) != 3 ||
		r1.Conditions[0].Values[0] != "api.example.com" || r1.Conditions[0].HostHeaderConfig.Values[0] != "api.example.com" ||
		*r1.Conditions[1].HttpHeaderConfig.HttpHeaderName != "X-Canary" || *r1.Conditions[2].QueryStringConfig.Values[0].Key != "v" {
		t.Errorf("rule = %+v", r1)
	}
	fc := r1.Actions[0].ForwardConfig
	if len(fc.TargetGroups) != 2 || *fc.TargetGroups[1].Weight != 10 || !*fc.TargetGroupStickinessConfig.Enabled ||
		*fc.TargetGroupStickinessConfig.DurationSeconds != 300 || r1.Actions[0].TargetGroupArn != nil {
		t.Errorf("forward = %+v", fc)
	}
	r2 := must(a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(s.listener), Priority: aws.Int32(5),
		Conditions: pathCond("/old/*"), Actions: []types.Action{{Type: types.ActionTypeEnumRedirect,
			RedirectConfig: &types.RedirectActionConfig{Path: aws.String("/new/#{path}"), StatusCode: types.RedirectActionStatusCodeEnumHttp301}}}}))(t).Rules[0]
	if rc := r2.Actions[0].RedirectConfig; *rc.Host != "#{host}" || *rc.Protocol != "#{protocol}" || *rc.Query != "#{query}" {
		t.Errorf("redirect defaults = %+v", rc)
	}
	_, err := a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(s.listener), Priority: aws.Int32(5),
		Conditions: pathCond("/x"), Actions: forwardTo(s.tg)})
	wantCode(t, err, "PriorityInUse")

	rules := must(a.c.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: aws.String(s.listener)}))(t).Rules
	if len(rules) != 3 || *rules[0].Priority != "5" || *rules[1].Priority != "10" || *rules[2].Priority != "default" ||
		!*rules[2].IsDefault || len(rules[2].Conditions) != 0 || *rules[2].Actions[0].TargetGroupArn != s.tg {
		t.Fatalf("rules = %+v", rules)
	}
	paged := must(a.c.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: aws.String(s.listener), PageSize: aws.Int32(2)}))(t)
	if len(paged.Rules) != 2 || paged.NextMarker == nil {
		t.Fatalf("first page = %+v", paged)
	}
	next := must(a.c.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: aws.String(s.listener), PageSize: aws.Int32(2), Marker: paged.NextMarker}))(t)
	if len(next.Rules) != 1 || !*next.Rules[0].IsDefault || next.NextMarker != nil {
		t.Fatalf("second page = %+v", next)
	}
	defaultARN := *rules[2].RuleArn

	// Swapping priorities in one call is allowed; colliding with a rule left out is not.
	swapped := must(a.c.SetRulePriorities(ctx, &elb.SetRulePrioritiesInput{RulePriorities: []types.RulePriorityPair{
		{RuleArn: r1.RuleArn, Priority: aws.Int32(5)}, {RuleArn: r2.RuleArn, Priority: aws.Int32(10)}}}))(t)
	if len(swapped.Rules) != 2 || *swapped.Rules[0].Priority != "5" {
		t.Errorf("swapped = %+v", swapped.Rules)
	}
	_, err = a.c.SetRulePriorities(ctx, &elb.SetRulePrioritiesInput{RulePriorities: []types.RulePriorityPair{{RuleArn: r1.RuleArn, Priority: aws.Int32(10)}}})
	wantCode(t, err, "PriorityInUse")
	_, err = a.c.SetRulePriorities(ctx, &elb.SetRulePrioritiesInput{RulePriorities: []types.RulePriorityPair{{RuleArn: aws.String(defaultARN), Priority: aws.Int32(7)}}})
	wantCode(t, err, "OperationNotPermitted")

	mod := must(a.c.ModifyRule(ctx, &elb.ModifyRuleInput{RuleArn: r2.RuleArn, Conditions: pathCond("/v2/*")}))(t).Rules[0]
	if mod.Conditions[0].Values[0] != "/v2/*" || mod.Actions[0].Type != types.ActionTypeEnumRedirect {
		t.Errorf("modified = %+v", mod)
	}
	// The default rule's actions are the listener's default actions.
	must(a.c.ModifyRule(ctx, &elb.ModifyRuleInput{RuleArn: aws.String(defaultARN), Actions: forwardTo(canary)}))(t)
	l := must(a.c.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: []string{s.listener}}))(t).Listeners[0]
	if *l.DefaultActions[0].TargetGroupArn != canary {
		t.Errorf("default actions = %+v", l.DefaultActions)
	}
	_, err = a.c.ModifyRule(ctx, &elb.ModifyRuleInput{RuleArn: aws.String(defaultARN), Conditions: pathCond("/x")})
	wantCode(t, err, "OperationNotPermitted")
	_, err = a.c.DeleteRule(ctx, &elb.DeleteRuleInput{RuleArn: aws.String(defaultARN)})
	wantCode(t, err, "OperationNotPermitted")
	must(a.c.DeleteRule(ctx, &elb.DeleteRuleInput{RuleArn: r2.RuleArn}))(t)
	_, err = a.c.DeleteRule(ctx, &elb.DeleteRuleInput{RuleArn: r2.RuleArn})
	wantCode(t, err, "RuleNotFound")
	_, err = a.c.DescribeRules(ctx, &elb.DescribeRulesInput{RuleArns: []string{*r2.RuleArn}})
	wantCode(t, err, "RuleNotFound")
}

func TestRuleValidation(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	tgs := []string{s.tg}
	for _, n := range []string{"b", "c", "d", "e", "f"} {
		tgs = append(tgs, createTG(t, a, n, 80))
	}
	fwd := func(weights ...int32) []types.Action {
		fc := &types.ForwardActionConfig{}
		for i, w := range weights {
			fc.TargetGroups = append(fc.TargetGroups, types.TargetGroupTuple{TargetGroupArn: aws.String(tgs[i]), Weight: aws.Int32(w)})
		}
		return []types.Action{{Type: types.ActionTypeEnumForward, ForwardConfig: fc}}
	}
	cases := map[string]struct {
		in   elb.CreateRuleInput
		code string
	}{
		"priority 0":     {elb.CreateRuleInput{Priority: aws.Int32(0), Conditions: pathCond("/a"), Actions: fwd(1)}, "ValidationError"},
		"priority 50001": {elb.CreateRuleInput{Priority: aws.Int32(50001), Conditions: pathCond("/a"), Actions: fwd(1)}, "ValidationError"},
		"weight 1000":    {elb.CreateRuleInput{Priority: aws.Int32(1), Conditions: pathCond("/a"), Actions: fwd(1000)}, "ValidationError"},
		"six groups":     {elb.CreateRuleInput{Priority: aws.Int32(1), Conditions: pathCond("/a"), Actions: fwd(1, 1, 1, 1, 1, 1)}, "TooManyTargetGroups"},
		"no conditions":  {elb.CreateRuleInput{Priority: aws.Int32(1), Conditions: []types.RuleCondition{}, Actions: fwd(1)}, "ValidationError"},
		"bad field":      {elb.CreateRuleInput{Priority: aws.Int32(1), Conditions: []types.RuleCondition{{Field: aws.String("cookie"), Values: []string{"x"}}}, Actions: fwd(1)}, "ValidationError"},
		"both forms": {elb.CreateRuleInput{Priority: aws.Int32(1), Conditions: []types.RuleCondition{{Field: aws.String("path-pattern"),
			Values: []string{"/a"}, PathPatternConfig: &types.PathPatternConditionConfig{Values: []string{"/b"}}}}, Actions: fwd(1)}, "ValidationError"},
		"six values": {elb.CreateRuleInput{Priority: aws.Int32(1), Conditions: []types.RuleCondition{{Field: aws.String("path-pattern"),
			PathPatternConfig: &types.PathPatternConditionConfig{Values: []string{"/1", "/2", "/3", "/4", "/5", "/6"}}}}, Actions: fwd(1)}, "InvalidConfigurationRequest"},
		"two paths": {elb.CreateRuleInput{Priority: aws.Int32(1), Conditions: append(pathCond("/a"), pathCond("/b")...), Actions: fwd(1)}, "ValidationError"},
		"source ip": {elb.CreateRuleInput{Priority: aws.Int32(1), Conditions: []types.RuleCondition{{Field: aws.String("source-ip"),
			SourceIpConfig: &types.SourceIpConditionConfig{Values: []string{"10.0.0.300/8"}}}}, Actions: fwd(1)}, "ValidationError"},
		"fixed status": {elb.CreateRuleInput{Priority: aws.Int32(1), Conditions: pathCond("/a"), Actions: []types.Action{{Type: types.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &types.FixedResponseActionConfig{StatusCode: aws.String("302")}}}}, "ValidationError"},
		"unknown tg":  {elb.CreateRuleInput{Priority: aws.Int32(1), Conditions: pathCond("/a"), Actions: forwardTo(s.tg + "0")}, "TargetGroupNotFound"},
		"no listener": {elb.CreateRuleInput{ListenerArn: aws.String(s.listener + "0"), Priority: aws.Int32(1), Conditions: pathCond("/a"), Actions: fwd(1)}, "ListenerNotFound"},
		"redirect loop": {elb.CreateRuleInput{Priority: aws.Int32(1), Conditions: pathCond("/a"), Actions: []types.Action{{Type: types.ActionTypeEnumRedirect,
			RedirectConfig: &types.RedirectActionConfig{StatusCode: types.RedirectActionStatusCodeEnumHttp302}}}}, "InvalidLoadBalancerAction"},
	}
	for name, c := range cases {
		in := c.in
		if in.ListenerArn == nil {
			in.ListenerArn = aws.String(s.listener)
		}
		_, err := a.c.CreateRule(ctx, &in)
		t.Run(name, func(t *testing.T) { wantCode(t, err, c.code) })
	}
	rules := must(a.c.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: aws.String(s.listener)}))(t).Rules
	if len(rules) != 1 {
		t.Fatalf("invalid rules were stored: %d rules", len(rules))
	}
	// Five groups with weights 0..999 are fine.
	must(a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(s.listener), Priority: aws.Int32(1),
		Conditions: pathCond("/a"), Actions: fwd(0, 999, 1, 1, 1)}))(t)
}

func TestRefusedRuleTransformsAndControlPort(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	cond := []types.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/x"}}}
	transforms := []types.RuleTransform{{Type: types.TransformTypeEnumHostHeaderRewrite}}
	_, err := a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(s.listener), Priority: aws.Int32(1),
		Conditions: cond, Actions: forwardTo(s.tg), Transforms: transforms})
	wantCode(t, err, "ValidationError")
	r := must(a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(s.listener), Priority: aws.Int32(1),
		Conditions: cond, Actions: forwardTo(s.tg)}))(t).Rules[0]
	_, err = a.c.ModifyRule(ctx, &elb.ModifyRuleInput{RuleArn: r.RuleArn, Transforms: transforms})
	wantCode(t, err, "ValidationError")
	_, err = a.c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("ctl"), Protocol: types.ProtocolEnumHttp,
		Port: aws.Int32(80), TargetControlPort: aws.Int32(9000)})
	wantCode(t, err, "InvalidConfigurationRequest")
}
