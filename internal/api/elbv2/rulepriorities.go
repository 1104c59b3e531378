package elbv2

import (
	"context"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

func (h *Handler) setRulePriorities(ctx context.Context, f form) (any, error) {
	want := map[string]int{}
	var order []string
	seenPrio := map[int]bool{}
	for _, p := range f.list("RulePriorities") {
		prio, err := p.intPtr("Priority")
		if err != nil {
			return nil, err
		}
		if prio == nil {
			return nil, validation("A priority must be specified for every rule")
		}
		if err := model.ValidatePriority(*prio); err != nil {
			return nil, err
		}
		if seenPrio[*prio] {
			return nil, priorityInUse(*prio)
		}
		seenPrio[*prio] = true
		arn := p.str("RuleArn")
		if _, dup := want[arn]; dup {
			return nil, validation("Rule '%s' is specified more than once", arn)
		}
		want[arn] = *prio
		order = append(order, arn)
	}
	if len(order) == 0 {
		return nil, validation("At least one rule priority must be specified")
	}
	var out []wireRule
	err := h.st.Update(ctx, func(tx state.Tx) error {
		out = nil
		changed, err := reprioritize(tx, order, want)
		if err != nil {
			return err
		}
		for _, r := range changed {
			if err := tx.PutRule(r); err != nil {
				return err
			}
			out = append(out, toWireRule(r))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rulesOf(out...), nil
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
			return nil, awsproto.ClientError(codeOperationNotPermitted, "The priority of the default rule '%s' cannot be changed", arn)
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
