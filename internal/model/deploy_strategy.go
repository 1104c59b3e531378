package model

import (
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Deployment strategies (deploymentConfiguration.strategy).
const (
	StrategyRolling   = "ROLLING"
	StrategyBlueGreen = "BLUE_GREEN"
	StrategyCanary    = "CANARY"
	StrategyLinear    = "LINEAR"
)

// ECS's defaults and bounds for the traffic-shifting strategies (API
// reference: DeploymentConfiguration, CanaryConfiguration,
// LinearConfiguration).
const (
	DefaultCanaryPercent      = 5.0
	DefaultCanaryBakeMinutes  = 10
	DefaultLinearStepPercent  = 10.0
	DefaultLinearStepBakeMins = 6
	MinCanaryPercent          = 0.1
	MinLinearStepPercent      = 3.0
	MaxPercentOfTraffic       = 100.0
	MaxBakeTimeInMinutes      = 1440
	// DefaultBakeTimeInMinutes applies when bakeTimeInMinutes is left out
	// (ECS documents it as required for BLUE_GREEN; Slipway then does not
	// bake at 100%).
	DefaultBakeTimeInMinutes = 0
)

// StrategyName is the deployment strategy, ROLLING when none was given.
func (c DeploymentConfiguration) StrategyName() string {
	if c.Strategy == "" {
		return StrategyRolling
	}
	return c.Strategy
}

// ShiftsTraffic reports whether the strategy moves traffic between a blue
// and a green target group (BLUE_GREEN, CANARY, LINEAR).
func (c DeploymentConfiguration) ShiftsTraffic() bool {
	switch c.Strategy {
	case StrategyBlueGreen, StrategyCanary, StrategyLinear:
		return true
	}
	return false
}

// BakeTime is bakeTimeInMinutes, defaulting to 0.
func (c DeploymentConfiguration) BakeTime() time.Duration {
	return minutes(c.BakeTimeInMinutes, DefaultBakeTimeInMinutes)
}

// Canary returns canaryPercent and the canary bake time with ECS's defaults.
func (c DeploymentConfiguration) Canary() (percent float64, bake time.Duration) {
	percent, bake = DefaultCanaryPercent, DefaultCanaryBakeMinutes*time.Minute
	if cc := c.CanaryConfiguration; cc != nil {
		if cc.CanaryPercent != nil {
			percent = *cc.CanaryPercent
		}
		bake = minutes(cc.CanaryBakeTimeInMinutes, DefaultCanaryBakeMinutes)
	}
	return percent, bake
}

// Linear returns stepPercent and the step bake time with ECS's defaults.
func (c DeploymentConfiguration) Linear() (step float64, bake time.Duration) {
	step, bake = DefaultLinearStepPercent, DefaultLinearStepBakeMins*time.Minute
	if lc := c.LinearConfiguration; lc != nil {
		if lc.StepPercent != nil {
			step = *lc.StepPercent
		}
		bake = minutes(lc.StepBakeTimeInMinutes, DefaultLinearStepBakeMins)
	}
	return step, bake
}

func minutes(v *int, def int) time.Duration {
	if v == nil {
		return time.Duration(def) * time.Minute
	}
	return time.Duration(*v) * time.Minute
}

// validateStrategySettings applies ECS's rules to the traffic-shifting
// settings: each strategy's own configuration only with it, percentages in
// steps of 0.1 within their bounds, bake times of 0 to 1440 minutes,
// lifecycle hooks only with those strategies and within ECS's bounds.
func validateStrategySettings(c DeploymentConfiguration) error {
	if err := validateBake("bakeTimeInMinutes", c.BakeTimeInMinutes); err != nil {
		return err
	}
	if c.BakeTimeInMinutes != nil && !c.ShiftsTraffic() {
		return paramErr("bakeTimeInMinutes is only valid with the BLUE_GREEN, CANARY or LINEAR deployment strategy.")
	}
	if cc := c.CanaryConfiguration; cc != nil {
		if c.Strategy != StrategyCanary {
			return paramErr("canaryConfiguration is only valid when the deployment strategy is CANARY.")
		}
		if cc.CanaryPercent != nil && !validPercent(*cc.CanaryPercent, MinCanaryPercent) {
			return paramErr("canaryPercent must be a multiple of 0.1 between 0.1 and 100.0.")
		}
		if err := validateBake("canaryBakeTimeInMinutes", cc.CanaryBakeTimeInMinutes); err != nil {
			return err
		}
	}
	if lc := c.LinearConfiguration; lc != nil {
		if c.Strategy != StrategyLinear {
			return paramErr("linearConfiguration is only valid when the deployment strategy is LINEAR.")
		}
		if lc.StepPercent != nil && !validPercent(*lc.StepPercent, MinLinearStepPercent) {
			return paramErr("stepPercent must be a multiple of 0.1 between 3.0 and 100.0.")
		}
		if err := validateBake("stepBakeTimeInMinutes", lc.StepBakeTimeInMinutes); err != nil {
			return err
		}
	}
	if a := c.Alarms; a != nil && a.Enable && len(a.AlarmNames) == 0 {
		return paramErr("alarmNames must contain at least one alarm name when alarms are enabled.")
	}
	if len(c.LifecycleHooks) > 0 && !c.ShiftsTraffic() {
		return paramErr("lifecycleHooks are only valid with the BLUE_GREEN, CANARY or LINEAR deployment strategy.")
	}
	if len(c.LifecycleHooks) > MaxLifecycleHooks {
		return paramErr("A deployment configuration can have at most %d lifecycleHooks.", MaxLifecycleHooks)
	}
	for i := range c.LifecycleHooks {
		if err := validateHook(c.LifecycleHooks[i]); err != nil {
			return err
		}
	}
	return nil
}

func validateBake(name string, v *int) error {
	if v != nil && (*v < 0 || *v > MaxBakeTimeInMinutes) {
		return paramErr("%s must be between 0 and %d.", name, MaxBakeTimeInMinutes)
	}
	return nil
}

// validPercent reports whether p is a multiple of 0.1 in [lo, 100].
func validPercent(p, lo float64) bool {
	const tolerance = 1e-6 // 0.3 is not exactly three tenths in binary
	if math.IsNaN(p) || p < lo-tolerance || p > MaxPercentOfTraffic+tolerance {
		return false
	}
	tenths := p * 10
	return math.Abs(tenths-math.Round(tenths)) < tolerance
}

// ValidateStrategyLoadBalancers applies ECS's rules on how a strategy and the
// service's load balancers combine: every load balancer of a BLUE_GREEN,
// CANARY or LINEAR service names an alternate target group (not its own)
// and a production listener rule; CANARY and LINEAR shift traffic, so they
// need a load balancer. The rules and groups are checked to exist by the
// caller, which can read them.
func ValidateStrategyLoadBalancers(c DeploymentConfiguration, lbs []LoadBalancer) error {
	if !c.ShiftsTraffic() {
		return nil
	}
	if len(lbs) == 0 && c.Strategy != StrategyBlueGreen {
		return paramErr("The %s deployment strategy requires a load balancer with an advancedConfiguration.", c.Strategy)
	}
	for _, l := range lbs {
		ac := l.AdvancedConfiguration
		switch {
		case ac == nil || ac.AlternateTargetGroupARN == "":
			return paramErr("The %s deployment strategy requires an alternateTargetGroupArn in the advancedConfiguration of every load balancer.", c.Strategy)
		case ac.ProductionListenerRule == "":
			return paramErr("The %s deployment strategy requires a productionListenerRule in the advancedConfiguration of every load balancer.", c.Strategy)
		case ac.AlternateTargetGroupARN == l.TargetGroupARN:
			return paramErr("The alternateTargetGroupArn must be different from the targetGroupArn.")
		case ac.TestListenerRule != "" && ac.TestListenerRule == ac.ProductionListenerRule:
			return paramErr("The testListenerRule must be different from the productionListenerRule.")
		}
	}
	return nil
}

// Lifecycle hook target types, actions and bounds (ECS's
// DeploymentLifecycleHook and DeploymentLifecycleHookTimeoutConfiguration).
const (
	HookTargetLambda          = "AWS_LAMBDA"
	HookTargetPause           = "PAUSE"
	HookActionContinue        = "CONTINUE"
	HookActionRollback        = "ROLLBACK"
	DefaultHookTimeoutMinutes = 1440
	MaxHookTimeoutMinutes     = 20160
	MaxLifecycleHooks         = 50
	// MaxHookDetails bounds a hook's hookDetails, sent with every call.
	MaxHookDetails = 64 << 10
)

// Lifecycle stages a hook can run at (ECS's DeploymentLifecycleHookStage).
const (
	HookStageReconcileService          = "RECONCILE_SERVICE"
	HookStagePreScaleUp                = "PRE_SCALE_UP"
	HookStagePostScaleUp               = "POST_SCALE_UP"
	HookStageTestTrafficShift          = "TEST_TRAFFIC_SHIFT"
	HookStagePostTestTrafficShift      = "POST_TEST_TRAFFIC_SHIFT"
	HookStagePreProductionTrafficShift = "PRE_PRODUCTION_TRAFFIC_SHIFT"
	HookStageProductionTrafficShift    = "PRODUCTION_TRAFFIC_SHIFT"
	HookStagePostProductionShift       = "POST_PRODUCTION_TRAFFIC_SHIFT"
)

var hookStages = []string{HookStageReconcileService, HookStagePreScaleUp, HookStagePostScaleUp, HookStageTestTrafficShift,
	HookStagePostTestTrafficShift, HookStagePreProductionTrafficShift, HookStageProductionTrafficShift, HookStagePostProductionShift}

// TargetTypeName is the hook's target type, AWS_LAMBDA by default.
func (h LifecycleHook) TargetTypeName() string {
	if h.TargetType == "" {
		return HookTargetLambda
	}
	return h.TargetType
}

// Timeout is how long the hook may take (default 24 hours) and what is done
// then (default ROLLBACK).
func (h LifecycleHook) Timeout() (time.Duration, string) {
	d, action := minutes(nil, DefaultHookTimeoutMinutes), HookActionRollback
	if tc := h.TimeoutConfiguration; tc != nil {
		d = minutes(tc.TimeoutInMinutes, DefaultHookTimeoutMinutes)
		if tc.Action != "" {
			action = tc.Action
		}
	}
	return d, action
}

// validateHook applies ECS's rules to one lifecycle hook, and Slipway's to
// its target: with no Lambda here, an AWS_LAMBDA hook's hookTargetArn is
// the http:// or https:// URL of an endpoint that answers as the Lambda
// function would ({"hookStatus": "SUCCEEDED" | "FAILED" | "IN_PROGRESS",
// "callBackDelay": seconds}); a Lambda ARN is refused rather than never run.
func validateHook(h LifecycleHook) error {
	if len(h.LifecycleStages) == 0 {
		return paramErr("lifecycleStages must be specified for each lifecycle hook.")
	}
	for _, st := range h.LifecycleStages {
		if !slices.Contains(hookStages, st) {
			return paramErr("Invalid lifecycle stage %q. Valid values are %s.", st, strings.Join(hookStages, ", "))
		}
	}
	switch h.TargetTypeName() {
	case HookTargetPause:
		for _, st := range h.LifecycleStages {
			if st == HookStageTestTrafficShift || st == HookStageProductionTrafficShift {
				return paramErr("PAUSE hooks cannot be configured at the %s stage.", st)
			}
		}
	case HookTargetLambda:
		u, err := url.Parse(h.HookTargetARN)
		if h.HookTargetARN == "" {
			return paramErr("hookTargetArn must be specified for AWS_LAMBDA lifecycle hooks.")
		}
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return paramErr("Slipway runs no Lambda functions: hookTargetArn %q must be the http:// or https:// URL of an endpoint that answers as the hook's Lambda function would.", h.HookTargetARN)
		}
	default:
		return paramErr("Invalid lifecycle hook targetType %q. Valid values are AWS_LAMBDA and PAUSE.", h.TargetType)
	}
	if len(h.HookDetails) > MaxHookDetails {
		return paramErr("hookDetails must be at most %d bytes.", MaxHookDetails)
	}
	if tc := h.TimeoutConfiguration; tc != nil {
		if tc.TimeoutInMinutes != nil && (*tc.TimeoutInMinutes < 1 || *tc.TimeoutInMinutes > MaxHookTimeoutMinutes) {
			return paramErr("timeoutInMinutes must be between 1 and %d.", MaxHookTimeoutMinutes)
		}
		if tc.Action != "" && tc.Action != HookActionContinue && tc.Action != HookActionRollback {
			return paramErr("Invalid timeout action %q. Valid values are CONTINUE and ROLLBACK.", tc.Action)
		}
	}
	return nil
}

// HooksAt returns the indexes of the hooks that run at a stage.
func (c DeploymentConfiguration) HooksAt(stage string) []int {
	var out []int
	for i, h := range c.LifecycleHooks {
		if slices.Contains(h.LifecycleStages, stage) {
			out = append(out, i)
		}
	}
	return out
}
