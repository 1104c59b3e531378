package elbops

import (
	"context"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// ruleChange is ModifyRule's input, validated: nil members stay.
type ruleChange struct {
	conds   []Condition
	actions []Action
	hasCond bool
}

func newRuleChange(in *ModifyRuleInput) (ruleChange, error) {
	c := ruleChange{hasCond: in.Conditions != nil}
	var err error
	if c.conds, err = toConditions(in.Conditions); err != nil {
		return c, err
	}
	if in.Actions != nil {
		if c.actions, err = model.NormalizeActions(in.Actions); err != nil {
			return c, err
		}
	}
	if c.hasCond {
		if err := model.ValidateConditions(c.conds); err != nil {
			return c, err
		}
	}
	return c, nil
}

// ModifyRule replaces a rule's conditions or actions; of a default rule,
// its listener's default actions.
func (s *Service) ModifyRule(ctx context.Context, in *ModifyRuleInput) (*RulesOutput, error) {
	if err := checkTransforms(in.Transforms); err != nil {
		return nil, err
	}
	c, err := newRuleChange(in)
	if err != nil {
		return nil, fail(err)
	}
	var out Rule
	err = s.st.Update(ctx, func(tx state.Tx) error {
		rule, l, err := tx.AnyRule(in.RuleARN)
		if err != nil {
			return err
		}
		if rule.ARN == "" {
			out, err = modifyDefaultRule(tx, l, c)
			return err
		}
		if c.hasCond {
			rule.Conditions = c.conds
		}
		if c.actions != nil {
			l, err := tx.Listener(rule.ListenerARN)
			if err != nil {
				return err
			}
			if err := checkTargetGroups(tx, l, c.actions); err != nil {
				return err
			}
			if err := prepareAuth(tx, l, c.actions, rule.Actions); err != nil {
				return err
			}
			rule.Actions = c.actions
		}
		out = toRule(rule)
		return tx.PutRule(rule)
	})
	if err != nil {
		return nil, fail(err)
	}
	return &RulesOutput{Rules: []Rule{out}}, nil
}

// modifyDefaultRule changes a listener's default actions; ELB allows
// nothing else on a default rule.
func modifyDefaultRule(tx state.Tx, l model.Listener, c ruleChange) (Rule, error) {
	if c.hasCond {
		return Rule{}, clientErr(CodeOperationNotPermitted, "Conditions cannot be specified for the default rule '%s'", l.DefaultRuleARN)
	}
	if c.actions != nil {
		if err := checkTargetGroups(tx, l, c.actions); err != nil {
			return Rule{}, err
		}
		if err := prepareAuth(tx, l, c.actions, l.DefaultActions); err != nil {
			return Rule{}, err
		}
		l.DefaultActions = c.actions
		// The default rule is the listener's default actions: a network
		// listener's still only forward, to one target group.
		if err := checkListenerFits(tx, l); err != nil {
			return Rule{}, err
		}
	}
	return defaultRule(l), tx.PutListener(l)
}

// DeleteRuleInput is DeleteRule's input.
type DeleteRuleInput struct {
	RuleARN string
}

// DeleteRule deletes a rule; a listener's default rule cannot be deleted.
func (s *Service) DeleteRule(ctx context.Context, in *DeleteRuleInput) error {
	arn := in.RuleARN
	err := s.st.Update(ctx, func(tx state.Tx) error {
		rule, _, err := tx.AnyRule(arn)
		if err != nil {
			return err
		}
		if rule.ARN == "" {
			return clientErr(CodeOperationNotPermitted, "Default rule '%s' cannot be deleted", arn)
		}
		return tx.DeleteRule(arn)
	})
	if err != nil {
		return fail(err)
	}
	s.log.Info("rule deleted", "arn", arn)
	return nil
}
