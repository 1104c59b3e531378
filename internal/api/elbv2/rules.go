package elbv2

import "github.com/slipway-dev/slipway/internal/ops/elbops"

type rulesResult struct {
	Rules      list[wireRule]
	NextMarker string `xml:",omitempty"`
}

func decodeCreateRule(f form) (*elbops.CreateRuleInput, error) {
	prio, err := intPtr(f, "Priority")
	if err != nil {
		return nil, err
	}
	actions, err := decodeActions(f.List("Actions"))
	if err != nil {
		return nil, err
	}
	return &elbops.CreateRuleInput{ListenerARN: f.Str("ListenerArn"), Priority: prio,
		Conditions: decodeConditions(f.List("Conditions")), Actions: actions, Tags: decodeTags(f), Transforms: decodeTransforms(f)}, nil
}

func decodeModifyRule(f form) (*elbops.ModifyRuleInput, error) {
	actions, err := decodeActions(f.List("Actions"))
	if err != nil {
		return nil, err
	}
	return &elbops.ModifyRuleInput{RuleARN: f.Str("RuleArn"),
		Conditions: optional(f, "Conditions", decodeConditions(f.List("Conditions"))),
		Actions:    optional(f, "Actions", actions), Transforms: decodeTransforms(f)}, nil
}

// decodeTransforms returns the types of the rule's transforms.
func decodeTransforms(f form) []string {
	var out []string
	for _, t := range f.List("Transforms") {
		out = append(out, t.Str("Type"))
	}
	return out
}

func decodeDescribeRules(f form) (*elbops.DescribeRulesInput, error) {
	p, err := page(f)
	return &elbops.DescribeRulesInput{ListenerARN: f.Str("ListenerArn"), RuleARNs: f.StrList("RuleArns"), Page: p}, err
}

func decodeDeleteRule(f form) (*elbops.DeleteRuleInput, error) {
	return &elbops.DeleteRuleInput{RuleARN: f.Str("RuleArn")}, nil
}

func decodeSetRulePriorities(f form) (*elbops.SetRulePrioritiesInput, error) {
	in := &elbops.SetRulePrioritiesInput{}
	for _, p := range f.List("RulePriorities") {
		prio, err := intPtr(p, "Priority")
		if err != nil {
			return nil, err
		}
		in.RulePriorities = append(in.RulePriorities, elbops.RulePriority{RuleARN: p.Str("RuleArn"), Priority: prio})
	}
	return in, nil
}

func encodeRules(o *elbops.RulesOutput) any {
	res := rulesResult{NextMarker: o.NextMarker, Rules: list[wireRule]{Member: []wireRule{}}}
	for _, r := range o.Rules {
		res.Rules.Member = append(res.Rules.Member, toWireRule(r))
	}
	return res
}
