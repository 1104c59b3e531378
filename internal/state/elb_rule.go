package state

import (
	"errors"
	"slices"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

// Rule returns the non-default rule with the given ARN.
func (tx Tx) Rule(arn string) (model.Rule, error) {
	r, err := parseELB(arn, model.ELBResourceRule, ErrRuleNotFound)
	if err != nil {
		return model.Rule{}, err
	}
	rule, err := store.GetJSON[model.Rule](tx, bucketRules, r.Path)
	return rule, notFound(err, ErrRuleNotFound)
}

// AnyRule resolves a rule ARN that may name a listener's default rule: it
// returns the stored rule, or (for a default rule) the listener and
// isDefault true.
func (tx Tx) AnyRule(arn string) (rule model.Rule, listener model.Listener, err error) {
	rule, err = tx.Rule(arn)
	if !errors.Is(err, ErrRuleNotFound) {
		return rule, model.Listener{}, err
	}
	r, perr := parseELB(arn, model.ELBResourceRule, ErrRuleNotFound)
	if perr != nil {
		return model.Rule{}, model.Listener{}, perr
	}
	l, lerr := store.GetJSON[model.Listener](tx, bucketListeners, r.ListenerPath)
	if lerr != nil {
		return model.Rule{}, model.Listener{}, notFound(lerr, ErrRuleNotFound)
	}
	if l.DefaultRuleARN != arn {
		return model.Rule{}, model.Listener{}, ErrRuleNotFound
	}
	return model.Rule{}, l, nil
}

// PutRule stores rule.
func (tx Tx) PutRule(rule model.Rule) error {
	r, err := parseELB(rule.ARN, model.ELBResourceRule, ErrRuleNotFound)
	if err != nil {
		return err
	}
	return store.PutJSON(tx, bucketRules, r.Path, rule)
}

// Rules returns the non-default rules of listenerARN by ascending priority.
func (tx Tx) Rules(listenerARN string) ([]model.Rule, error) {
	r, err := parseELB(listenerARN, model.ELBResourceListener, ErrListenerNotFound)
	if err != nil {
		return nil, err
	}
	rules, err := store.ListJSON[model.Rule](tx, bucketRules, r.Path+"/")
	slices.SortFunc(rules, func(a, b model.Rule) int { return a.Priority - b.Priority })
	return rules, err
}

// DeleteRule removes a non-default rule and its tags; a missing rule is not
// an error.
func (tx Tx) DeleteRule(arn string) error {
	r, err := parseELB(arn, model.ELBResourceRule, ErrRuleNotFound)
	if err != nil {
		return nil
	}
	if err := tx.PutELBTags(arn, nil); err != nil {
		return err
	}
	return tx.Delete(bucketRules, r.Path)
}
