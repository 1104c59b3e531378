package elbops

import (
	"context"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// RulePriority is one rule's new priority (Priority required).
type RulePriority struct {
	RuleARN  string
	Priority *int
}

// SetRulePrioritiesInput is SetRulePriorities' input.
type SetRulePrioritiesInput struct {
	RulePriorities []RulePriority
}

// SetRulePriorities gives rules new priorities, all or none; the output
// holds the rules changed, in the order asked.
func (s *Service) SetRulePriorities(ctx context.Context, in *SetRulePrioritiesInput) (*RulesOutput, error) {
	want, order, err := checkRulePriorities(in.RulePriorities)
	if err != nil {
		return nil, fail(err)
	}
	var out []Rule
	err = s.st.Update(ctx, func(tx state.Tx) error {
		out = nil
		changed, err := reprioritize(tx, order, want)
		if err != nil {
			return err
		}
		for _, r := range changed {
			if err := tx.PutRule(r); err != nil {
				return err
			}
			out = append(out, toRule(r))
		}
		return nil
	})
	if err != nil {
		return nil, fail(err)
	}
	return &RulesOutput{Rules: append([]Rule{}, out...)}, nil
}

// checkRulePriorities validates the request on its own: every priority
// given and in range, no priority or rule twice, at least one.
func checkRulePriorities(in []RulePriority) (map[string]int, []string, error) {
	want := map[string]int{}
	var order []string
	seenPrio := map[int]bool{}
	for _, p := range in {
		if p.Priority == nil {
			return nil, nil, Validation("A priority must be specified for every rule")
		}
		prio := *p.Priority
		if err := model.ValidatePriority(prio); err != nil {
			return nil, nil, err
		}
		if seenPrio[prio] {
			return nil, nil, priorityInUse(prio)
		}
		seenPrio[prio] = true
		if _, dup := want[p.RuleARN]; dup {
			return nil, nil, Validation("Rule '%s' is specified more than once", p.RuleARN)
		}
		want[p.RuleARN] = prio
		order = append(order, p.RuleARN)
	}
	if len(order) == 0 {
		return nil, nil, Validation("At least one rule priority must be specified")
	}
	return want, order, nil
}

// reprioritize applies the new priorities and checks that no listener ends
// up with two rules of one priority (PriorityInUse). Default rules have no
// priority to set (OperationNotPermitted).
func reprioritize(tx state.Tx, order []string, want map[string]int) ([]model.Rule, error) {
	var changed []model.Rule
	listeners := map[string]bool{}
	for _, arn := range order {
		r, _, err := tx.AnyRule(arn)
		if err != nil {
			return nil, err
		}
		if r.ARN == "" {
			return nil, clientErr(CodeOperationNotPermitted, "The priority of the default rule '%s' cannot be changed", arn)
		}
		r.Priority = want[arn]
		changed = append(changed, r)
		listeners[r.ListenerARN] = true
	}
	for lARN := range listeners {
		rules, err := tx.Rules(lARN)
		if err != nil {
			return nil, err
		}
		used := map[int]bool{}
		for _, r := range changed {
			if r.ListenerARN == lARN {
				used[r.Priority] = true
			}
		}
		for _, r := range rules {
			if _, moving := want[r.ARN]; !moving && used[r.Priority] {
				return nil, priorityInUse(r.Priority)
			}
		}
	}
	return changed, nil
}
