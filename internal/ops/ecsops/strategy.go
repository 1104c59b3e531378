package ecsops

import (
	"errors"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// validateStrategy checks a service's deployment strategy against its
// deployment controller and load balancers, as ECS does on CreateService
// and UpdateService: the combination (model.ValidateStrategyLoadBalancers),
// then that each advancedConfiguration names target groups and listener
// rules that exist, with a forward action the controller can re-weight.
func validateStrategy(tx state.Tx, cfg model.DeploymentConfiguration, ctrl *model.DeploymentController, lbs []model.LoadBalancer) error {
	if cfg.ShiftsTraffic() && ctrl != nil && ctrl.Type != "" && ctrl.Type != "ECS" {
		return invalidParam("The %s deployment strategy is only supported with the ECS deployment controller.", cfg.Strategy)
	}
	if err := model.ValidateStrategyLoadBalancers(cfg, lbs); err != nil {
		return err
	}
	for _, l := range lbs {
		ac := l.AdvancedConfiguration
		if ac == nil {
			continue
		}
		if err := checkRuleARNs(ac); err != nil {
			return err
		}
		if ac.AlternateTargetGroupARN != "" {
			if _, err := tx.TargetGroup(ac.AlternateTargetGroupARN); errors.Is(err, state.ErrTargetGroupNotFound) {
				return invalidParam("Unable to find target group %s.", ac.AlternateTargetGroupARN)
			} else if err != nil {
				return err
			}
		}
		for _, rule := range []string{ac.ProductionListenerRule, ac.TestListenerRule} {
			if rule == "" {
				continue
			}
			if err := checkShiftableRule(tx, rule, l); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRuleARNs refuses an Application Load Balancer's listener ARN where
// a listener rule's is due, in ECS's words (its troubleshooting guide for
// blue/green deployments quotes them).
func checkRuleARNs(ac *model.AdvancedConfiguration) error {
	for _, r := range [...]struct{ field, arn string }{{"productionListenerRule", ac.ProductionListenerRule}, {"testListenerRule", ac.TestListenerRule}} {
		if strings.Contains(r.arn, ":listener/app/") {
			return invalidParam("%s has an invalid ARN format. Must be RuleArn for ALB or ListenerArn for NLB. Got: %s", r.field, r.arn)
		}
	}
	return nil
}

// checkShiftableRule requires a listener rule (or a listener's default
// rule) whose forward action sends traffic to l's target group or its
// alternate: that action is the one the controller re-weights.
func checkShiftableRule(tx state.Tx, arn string, l model.LoadBalancer) error {
	rule, listener, err := tx.AnyRule(arn)
	if errors.Is(err, state.ErrRuleNotFound) {
		return invalidParam("Unable to find listener rule %s.", arn)
	}
	if err != nil {
		return err
	}
	actions := rule.Actions
	if rule.ARN == "" {
		actions = listener.DefaultActions
	}
	groups := model.TargetGroupARNs(actions)
	if !slices.Contains(groups, l.TargetGroupARN) && !slices.Contains(groups, l.AdvancedConfiguration.AlternateTargetGroupARN) {
		return invalidParam("The listener rule %s must forward to target group %s or %s.", arn, l.TargetGroupARN, l.AdvancedConfiguration.AlternateTargetGroupARN)
	}
	return nil
}
