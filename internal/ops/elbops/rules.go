package elbops

import (
	"context"
	"fmt"
	"strconv"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// CreateRuleInput is CreateRule's input; Priority is required.
type CreateRuleInput struct {
	ListenerARN string
	Priority    *int
	Conditions  []ConditionInput
	Actions     []Action
	Tags        []Tag
	// SystemTags are tags with the reserved aws: prefix that an in-process
	// caller sets (CloudFormation's; model.ValidateSystemTags), never the wire.
	SystemTags []Tag
	// Transforms are the types of the rule's transforms (host-header-rewrite,
	// url-rewrite); refused (checkTransforms).
	Transforms []string
}

// ModifyRuleInput is ModifyRule's input: Conditions and Actions, when
// given (non-nil), replace the rule's. A default rule takes actions only.
type ModifyRuleInput struct {
	RuleARN    string
	Conditions []ConditionInput
	Actions    []Action
	// Transforms is as CreateRuleInput's (ResetTransforms needs nothing:
	// a rule here has none).
	Transforms []string
}

// checkTransforms refuses rule transforms: the HTTP data plane does not
// rewrite host headers or URLs, and a rule that pretended to would send
// targets requests other than the caller configured.
func checkTransforms(types []string) error {
	if len(types) == 0 {
		return nil
	}
	return clientErr(CodeValidationError, "Rule transforms ('%s') are not supported: Slipway does not rewrite requests", types[0])
}

// RulesOutput is the output of CreateRule, ModifyRule and
// SetRulePriorities (the rules changed) and DescribeRules.
type RulesOutput struct {
	Rules      []Rule
	NextMarker string
}

func priorityInUse(p int) error {
	return clientErr(CodePriorityInUse, "Priority '%d' is currently in use", p)
}

func toRule(r model.Rule) Rule {
	return Rule{ARN: r.ARN, Priority: strconv.Itoa(r.Priority), Conditions: r.Conditions, Actions: r.Actions}
}

// defaultRule is how ELB reports a listener's default rule.
func defaultRule(l model.Listener) Rule {
	return Rule{ARN: l.DefaultRuleARN, Priority: RuleDefaultPriority, IsDefault: true, Actions: l.DefaultActions}
}

// newRule validates CreateRule's priority, conditions and actions.
func newRule(in *CreateRuleInput) (model.Rule, error) {
	rule := model.Rule{ListenerARN: in.ListenerARN}
	if in.Priority == nil {
		return rule, Validation("A rule priority must be specified")
	}
	rule.Priority = *in.Priority
	if err := model.ValidatePriority(rule.Priority); err != nil {
		return rule, err
	}
	var err error
	if rule.Conditions, err = toConditions(in.Conditions); err != nil {
		return rule, err
	}
	if err := model.ValidateConditions(rule.Conditions); err != nil {
		return rule, err
	}
	if rule.Actions, err = model.NormalizeActions(in.Actions); err != nil {
		return rule, err
	}
	return rule, model.ValidateELBTags(in.Tags)
}

// CreateRule adds a rule to a listener.
func (s *Service) CreateRule(ctx context.Context, in *CreateRuleInput) (*RulesOutput, error) {
	if err := checkTransforms(in.Transforms); err != nil {
		return nil, err
	}
	rule, err := newRule(in)
	if err != nil {
		return nil, fail(err)
	}
	err = s.st.Update(ctx, func(tx state.Tx) error {
		l, err := tx.Listener(rule.ListenerARN)
		if err != nil {
			return err
		}
		// ELB: network load balancers' listeners have only their default rule.
		if l.IsNetwork() {
			return clientErr(CodeInvalidConfigurationRq, "Rules are not supported for %s listeners: a network load balancer's listener has only its default action", l.Protocol)
		}
		rules, err := tx.Rules(l.ARN)
		if err != nil {
			return err
		}
		if err := checkRuleQuota(tx, l.LoadBalancerARN); err != nil {
			return err
		}
		for _, o := range rules {
			if o.Priority == rule.Priority {
				return priorityInUse(rule.Priority)
			}
		}
		if err := checkTargetGroups(tx, l, rule.Actions); err != nil {
			return err
		}
		if err := prepareAuth(tx, l, rule.Actions, nil); err != nil {
			return err
		}
		rule.ARN = model.RuleARN(l.ARN, model.NewELBID())
		if err := tx.PutRule(rule); err != nil {
			return err
		}
		return putNewTags(tx, rule.ARN, in.Tags, in.SystemTags)
	})
	if err != nil {
		return nil, fail(err)
	}
	s.log.Info("rule created", "arn", rule.ARN, "priority", rule.Priority)
	return &RulesOutput{Rules: []Rule{toRule(rule)}}, nil
}

// checkRuleQuota enforces ELB's rules per load balancer (default rules not
// counted) across all of its listeners.
func checkRuleQuota(tx state.Tx, lbARN string) error {
	listeners, err := tx.Listeners(lbARN)
	if err != nil {
		return err
	}
	n := 0
	for _, l := range listeners {
		rules, err := tx.Rules(l.ARN)
		if err != nil {
			return err
		}
		n += len(rules)
	}
	if n >= model.MaxRulesPerALB {
		return clientErr(CodeTooManyRules, "You've reached the limit on the number of rules per load balancer (%d)", model.MaxRulesPerALB)
	}
	return nil
}

// DescribeRulesInput is DescribeRules' input: a listener or rule ARNs,
// exactly one of them.
type DescribeRulesInput struct {
	ListenerARN string
	RuleARNs    []string
	Page
}

// ruleKey orders rules by priority, the default rule last.
func ruleKey(r Rule) string {
	if r.IsDefault {
		return "default " + r.ARN // after every numbered priority
	}
	p, _ := strconv.Atoi(r.Priority)
	return fmt.Sprintf("%05d %s", p, r.ARN)
}

// DescribeRules describes rules in priority order, default rules last.
func (s *Service) DescribeRules(ctx context.Context, in *DescribeRulesInput) (*RulesOutput, error) {
	if (in.ListenerARN == "") == (len(in.RuleARNs) == 0) {
		return nil, Validation("You must specify either listener ARN or rule ARNs")
	}
	var rules []Rule
	err := s.st.View(ctx, func(tx state.Tx) error {
		var err error
		if in.ListenerARN != "" {
			rules, err = listenerRules(tx, in.ListenerARN)
			return err
		}
		rules = nil
		for _, arn := range in.RuleARNs {
			r, l, err := tx.AnyRule(arn)
			if err != nil {
				return err
			}
			if r.ARN == "" {
				rules = append(rules, defaultRule(l))
			} else {
				rules = append(rules, toRule(r))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fail(err)
	}
	pg, next, err := page(in.Page, rules, ruleKey)
	if err != nil {
		return nil, err
	}
	return &RulesOutput{Rules: append([]Rule{}, pg...), NextMarker: next}, nil
}

func listenerRules(tx state.Tx, listenerARN string) ([]Rule, error) {
	l, err := tx.Listener(listenerARN)
	if err != nil {
		return nil, err
	}
	rs, err := tx.Rules(l.ARN)
	if err != nil {
		return nil, err
	}
	out := make([]Rule, 0, len(rs)+1)
	for _, r := range rs {
		out = append(out, toRule(r))
	}
	return append(out, defaultRule(l)), nil
}
