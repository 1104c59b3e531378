package elbops

import (
	"slices"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// checkTargetGroups makes sure the target groups the actions of listener l
// (or of one of its rules) forward to exist, have a protocol l can forward
// to, and are not used by another load balancer: ELB associates a target
// group with at most one load balancer, and a load balancer with at most
// model.MaxTargetGroupsPerALB target groups.
func checkTargetGroups(tx state.Tx, l model.Listener, actions []model.ELBAction) error {
	lbARN := l.LoadBalancerARN
	users, err := tx.TargetGroupLoadBalancers()
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for tg, lbs := range users {
		if slices.Contains(lbs, lbARN) {
			used[tg] = true
		}
	}
	for _, arn := range model.TargetGroupARNs(actions) {
		used[arn] = true
	}
	if len(used) > model.MaxTargetGroupsPerALB {
		return clientErr(CodeTooManyTargetGroups, "You've reached the limit on the number of target groups per load balancer (%d)", model.MaxTargetGroupsPerALB)
	}
	for _, arn := range model.TargetGroupARNs(actions) {
		tg, err := tx.TargetGroup(arn)
		if err != nil {
			return err
		}
		if !model.CompatibleProtocols(l.Protocol, tg.Protocol) {
			return clientErr(model.ELBIncompatibleProtocols,
				"The protocol of target group '%s' (%s) is not compatible with the listener protocol '%s'", arn, tg.Protocol, l.Protocol)
		}
		for _, other := range users[arn] {
			if other != lbARN {
				return clientErr(CodeAssociationLimit, "The following target groups cannot be associated with more than one load balancer: %s", arn)
			}
		}
	}
	return nil
}
