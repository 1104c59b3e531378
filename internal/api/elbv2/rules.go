package elbv2

import (
	"context"
	"fmt"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

type rulesResult struct {
	Rules      list[wireRule]
	NextMarker string `xml:",omitempty"`
}

func rulesOf(rules ...wireRule) rulesResult {
	return rulesResult{Rules: list[wireRule]{Member: append([]wireRule{}, rules...)}}
}

func priorityInUse(p int) error {
	return awsproto.ClientError(codePriorityInUse, "Priority '%d' is currently in use", p)
}

func (h *Handler) createRule(ctx context.Context, f form) (any, error) {
	rule, err := parseRule(f)
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(f)
	if err != nil {
		return nil, err
	}
	rule.ListenerARN = f.str("ListenerArn")
	err = h.st.Update(ctx, func(tx state.Tx) error {
		l, err := tx.Listener(rule.ListenerARN)
		if err != nil {
			return err
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
		if err := checkTargetGroups(tx, l.LoadBalancerARN, rule.Actions); err != nil {
			return err
		}
		rule.ARN = model.RuleARN(l.ARN, model.NewELBID())
		if err := tx.PutRule(rule); err != nil {
			return err
		}
		return putNewTags(tx, rule.ARN, tags)
	})
	if err != nil {
		return nil, err
	}
	h.log.Info("rule created", "arn", rule.ARN, "priority", rule.Priority)
	return rulesOf(toWireRule(rule)), nil
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
		return awsproto.ClientError(codeTooManyRules, "You've reached the limit on the number of rules per load balancer (%d)", model.MaxRulesPerALB)
	}
	return nil
}

// parseRule reads and validates the conditions, priority and actions of CreateRule.
func parseRule(f form) (model.Rule, error) {
	var rule model.Rule
	prio, err := f.intPtr("Priority")
	if err != nil {
		return rule, err
	}
	if prio == nil {
		return rule, validation("A rule priority must be specified")
	}
	rule.Priority = *prio
	if err := model.ValidatePriority(rule.Priority); err != nil {
		return rule, err
	}
	if rule.Conditions, err = parseConditions(f.list("Conditions")); err != nil {
		return rule, err
	}
	if err := model.ValidateConditions(rule.Conditions); err != nil {
		return rule, err
	}
	actions, err := parseActions(f.list("Actions"))
	if err != nil {
		return rule, err
	}
	rule.Actions, err = model.NormalizeActions(actions)
	return rule, err
}

func ruleKey(r wireRule) string {
	if r.IsDefault {
		return "default " + r.RuleArn // after every numbered priority
	}
	var p int
	fmt.Sscan(r.Priority, &p)
	return fmt.Sprintf("%05d %s", p, r.RuleArn)
}

func (h *Handler) describeRules(ctx context.Context, f form) (any, error) {
	listenerARN, arns := f.str("ListenerArn"), f.strList("RuleArns")
	if (listenerARN == "") == (len(arns) == 0) {
		return nil, validation("You must specify either listener ARN or rule ARNs")
	}
	var rules []wireRule
	err := h.st.View(ctx, func(tx state.Tx) error {
		rules = nil
		if listenerARN != "" {
			return listenerRules(tx, listenerARN, &rules)
		}
		for _, arn := range arns {
			r, l, err := tx.AnyRule(arn)
			if err != nil {
				return err
			}
			if r.ARN == "" {
				rules = append(rules, defaultRule(l))
			} else {
				rules = append(rules, toWireRule(r))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	pg, next, err := page(f, rules, ruleKey)
	if err != nil {
		return nil, err
	}
	res := rulesOf(pg...)
	res.NextMarker = next
	return res, nil
}

func listenerRules(tx state.Tx, listenerARN string, out *[]wireRule) error {
	l, err := tx.Listener(listenerARN)
	if err != nil {
		return err
	}
	rs, err := tx.Rules(l.ARN)
	if err != nil {
		return err
	}
	for _, r := range rs {
		*out = append(*out, toWireRule(r))
	}
	*out = append(*out, defaultRule(l))
	return nil
}

func (h *Handler) modifyRule(ctx context.Context, f form) (any, error) {
	arn := f.str("RuleArn")
	hasConds, hasActions := f.has("Conditions"), f.has("Actions")
	conds, err := parseConditions(f.list("Conditions"))
	if err != nil {
		return nil, err
	}
	var actions []model.ELBAction
	if hasActions {
		parsed, err := parseActions(f.list("Actions"))
		if err != nil {
			return nil, err
		}
		if actions, err = model.NormalizeActions(parsed); err != nil {
			return nil, err
		}
	}
	if hasConds {
		if err := model.ValidateConditions(conds); err != nil {
			return nil, err
		}
	}
	var out wireRule
	err = h.st.Update(ctx, func(tx state.Tx) error {
		rule, l, err := tx.AnyRule(arn)
		if err != nil {
			return err
		}
		if rule.ARN == "" {
			out, err = modifyDefaultRule(tx, l, hasConds, actions)
			return err
		}
		if hasConds {
			rule.Conditions = conds
		}
		if hasActions {
			l, err := tx.Listener(rule.ListenerARN)
			if err != nil {
				return err
			}
			if err := checkTargetGroups(tx, l.LoadBalancerARN, actions); err != nil {
				return err
			}
			rule.Actions = actions
		}
		out = toWireRule(rule)
		return tx.PutRule(rule)
	})
	if err != nil {
		return nil, err
	}
	return rulesOf(out), nil
}

// modifyDefaultRule changes a listener's default actions; ELB allows
// nothing else on a default rule.
func modifyDefaultRule(tx state.Tx, l model.Listener, hasConds bool, actions []model.ELBAction) (wireRule, error) {
	if hasConds {
		return wireRule{}, awsproto.ClientError(codeOperationNotPermitted, "Conditions cannot be specified for the default rule '%s'", l.DefaultRuleARN)
	}
	if actions != nil {
		if err := checkTargetGroups(tx, l.LoadBalancerARN, actions); err != nil {
			return wireRule{}, err
		}
		l.DefaultActions = actions
	}
	return defaultRule(l), tx.PutListener(l)
}

func (h *Handler) deleteRule(ctx context.Context, f form) (any, error) {
	arn := f.str("RuleArn")
	err := h.st.Update(ctx, func(tx state.Tx) error {
		rule, _, err := tx.AnyRule(arn)
		if err != nil {
			return err
		}
		if rule.ARN == "" {
			return awsproto.ClientError(codeOperationNotPermitted, "Default rule '%s' cannot be deleted", arn)
		}
		return tx.DeleteRule(arn)
	})
	if err == nil {
		h.log.Info("rule deleted", "arn", arn)
	}
	return nil, err
}
