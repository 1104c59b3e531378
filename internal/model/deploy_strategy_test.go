package model

import (
	"strings"
	"testing"
	"time"
)

func TestStrategySettingsFollowECSBounds(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		name string
		c    DeploymentConfiguration
		want string // "" = valid
	}{
		{"canary defaults", DeploymentConfiguration{Strategy: StrategyCanary}, ""},
		{"canary 0.1", DeploymentConfiguration{Strategy: StrategyCanary, CanaryConfiguration: &CanaryConfiguration{CanaryPercent: f(0.1)}}, ""},
		{"canary 100", DeploymentConfiguration{Strategy: StrategyCanary, CanaryConfiguration: &CanaryConfiguration{CanaryPercent: f(100)}}, ""},
		{"canary 0", DeploymentConfiguration{Strategy: StrategyCanary, CanaryConfiguration: &CanaryConfiguration{CanaryPercent: f(0)}}, "canaryPercent"},
		{"canary 0.15", DeploymentConfiguration{Strategy: StrategyCanary, CanaryConfiguration: &CanaryConfiguration{CanaryPercent: f(0.15)}}, "canaryPercent"},
		{"canary 100.1", DeploymentConfiguration{Strategy: StrategyCanary, CanaryConfiguration: &CanaryConfiguration{CanaryPercent: f(100.1)}}, "canaryPercent"},
		{"canary bake 1441", DeploymentConfiguration{Strategy: StrategyCanary, CanaryConfiguration: &CanaryConfiguration{CanaryBakeTimeInMinutes: new(1441)}}, "canaryBakeTimeInMinutes"},
		{"canary config on linear", DeploymentConfiguration{Strategy: StrategyLinear, CanaryConfiguration: &CanaryConfiguration{}}, "only valid when the deployment strategy is CANARY"},
		{"linear 3", DeploymentConfiguration{Strategy: StrategyLinear, LinearConfiguration: &LinearConfiguration{StepPercent: f(3)}}, ""},
		{"linear 33.3", DeploymentConfiguration{Strategy: StrategyLinear, LinearConfiguration: &LinearConfiguration{StepPercent: f(33.3)}}, ""},
		{"linear 2.9", DeploymentConfiguration{Strategy: StrategyLinear, LinearConfiguration: &LinearConfiguration{StepPercent: f(2.9)}}, "stepPercent"},
		{"linear bake -1", DeploymentConfiguration{Strategy: StrategyLinear, LinearConfiguration: &LinearConfiguration{StepBakeTimeInMinutes: new(-1)}}, "stepBakeTimeInMinutes"},
		{"linear config on canary", DeploymentConfiguration{Strategy: StrategyCanary, LinearConfiguration: &LinearConfiguration{}}, "only valid when the deployment strategy is LINEAR"},
		{"bake 1440", DeploymentConfiguration{Strategy: StrategyBlueGreen, BakeTimeInMinutes: new(1440)}, ""},
		{"bake 1441", DeploymentConfiguration{Strategy: StrategyBlueGreen, BakeTimeInMinutes: new(1441)}, "bakeTimeInMinutes must be between 0 and 1440"},
		{"bake on rolling", DeploymentConfiguration{Strategy: StrategyRolling, BakeTimeInMinutes: new(5)}, "bakeTimeInMinutes is only valid"},
		{"pause hook", DeploymentConfiguration{Strategy: StrategyBlueGreen, LifecycleHooks: []LifecycleHook{{TargetType: "PAUSE", LifecycleStages: []string{"POST_TEST_TRAFFIC_SHIFT"}}}}, ""},
		{"hook without stages", DeploymentConfiguration{Strategy: StrategyBlueGreen, LifecycleHooks: []LifecycleHook{{TargetType: "PAUSE"}}}, "lifecycleStages must be specified"},
		{"pause at production shift", DeploymentConfiguration{Strategy: StrategyCanary, LifecycleHooks: []LifecycleHook{{TargetType: "PAUSE", LifecycleStages: []string{"PRODUCTION_TRAFFIC_SHIFT"}}}}, "PAUSE hooks cannot"},
		{"unknown stage", DeploymentConfiguration{Strategy: StrategyCanary, LifecycleHooks: []LifecycleHook{{TargetType: "PAUSE", LifecycleStages: []string{"BAKE_TIME"}}}}, "Invalid lifecycle stage"},
		{"lambda arn", DeploymentConfiguration{Strategy: StrategyCanary, LifecycleHooks: []LifecycleHook{{HookTargetARN: "arn:aws:lambda:us-east-1:000000000000:function:check", LifecycleStages: []string{"POST_SCALE_UP"}}}}, "runs no Lambda"},
		{"http hook", DeploymentConfiguration{Strategy: StrategyCanary, LifecycleHooks: []LifecycleHook{{HookTargetARN: "http://127.0.0.1:9/hook", LifecycleStages: []string{"PRODUCTION_TRAFFIC_SHIFT"}}}}, ""},
		{"hook timeout 0", DeploymentConfiguration{Strategy: StrategyCanary, LifecycleHooks: []LifecycleHook{{TargetType: "PAUSE", LifecycleStages: []string{"POST_SCALE_UP"},
			TimeoutConfiguration: &HookTimeoutSettings{TimeoutInMinutes: new(0)}}}}, "timeoutInMinutes"},
		{"hooks on rolling", DeploymentConfiguration{LifecycleHooks: []LifecycleHook{{TargetType: "PAUSE", LifecycleStages: []string{"POST_SCALE_UP"}}}}, "only valid with"},
		{"alarms without names", DeploymentConfiguration{Alarms: &DeploymentAlarms{Enable: true}}, "alarmNames"},
		{"unknown", DeploymentConfiguration{Strategy: "RED_BLACK"}, "Invalid deployment strategy"},
	}
	for _, c := range cases {
		err := ValidateDeploymentConfiguration(c.c, "REPLICA")
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if err := ValidateDeploymentConfiguration(DeploymentConfiguration{Strategy: StrategyCanary}, "DAEMON"); err == nil {
		t.Error("CANARY accepted for a DAEMON service")
	}
}

func TestStrategyDefaults(t *testing.T) {
	c := DeploymentConfiguration{Strategy: StrategyCanary}
	if p, b := c.Canary(); p != 5 || b != 10*time.Minute || c.BakeTime() != 0 {
		t.Errorf("canary defaults %v %v %v", p, b, c.BakeTime())
	}
	if p, b := (DeploymentConfiguration{}).Linear(); p != 10 || b != 6*time.Minute {
		t.Errorf("linear defaults %v %v", p, b)
	}
}

func TestStrategyNeedsAdvancedConfiguration(t *testing.T) {
	ac := &AdvancedConfiguration{AlternateTargetGroupARN: "tg-b", ProductionListenerRule: "rule-p"}
	cases := []struct {
		name string
		c    DeploymentConfiguration
		lbs  []LoadBalancer
		want string
	}{
		{"rolling needs nothing", DeploymentConfiguration{}, []LoadBalancer{{TargetGroupARN: "tg-a"}}, ""},
		{"blue/green without a load balancer", DeploymentConfiguration{Strategy: StrategyBlueGreen}, nil, ""},
		{"canary without a load balancer", DeploymentConfiguration{Strategy: StrategyCanary}, nil, "requires a load balancer"},
		{"no alternate", DeploymentConfiguration{Strategy: StrategyLinear}, []LoadBalancer{{TargetGroupARN: "tg-a"}}, "alternateTargetGroupArn"},
		{"no production rule", DeploymentConfiguration{Strategy: StrategyBlueGreen},
			[]LoadBalancer{{TargetGroupARN: "tg-a", AdvancedConfiguration: &AdvancedConfiguration{AlternateTargetGroupARN: "tg-b"}}}, "productionListenerRule"},
		{"alternate is itself", DeploymentConfiguration{Strategy: StrategyBlueGreen},
			[]LoadBalancer{{TargetGroupARN: "tg-b", AdvancedConfiguration: ac}}, "must be different"},
		{"valid", DeploymentConfiguration{Strategy: StrategyCanary}, []LoadBalancer{{TargetGroupARN: "tg-a", AdvancedConfiguration: ac}}, ""},
	}
	for _, c := range cases {
		err := ValidateStrategyLoadBalancers(c.c, c.lbs)
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestLiveTargetGroupAlternates(t *testing.T) {
	l := LoadBalancer{TargetGroupARN: "tg-a", AdvancedConfiguration: &AdvancedConfiguration{AlternateTargetGroupARN: "tg-b"}}
	s := &Service{}
	if s.LiveTargetGroup(l) != "tg-a" || l.Alternate("tg-a") != "tg-b" || l.Alternate("tg-b") != "tg-a" {
		t.Fatal("pair")
	}
	s.Internal.LiveTargetGroups = map[string]string{"tg-a": "tg-b"}
	if s.LiveTargetGroup(l) != "tg-b" {
		t.Fatal("live alternate")
	}
	s.Internal.LiveTargetGroups = map[string]string{"tg-a": "tg-z"} // not of the pair (changed since)
	if s.LiveTargetGroup(l) != "tg-a" {
		t.Fatal("stale live group")
	}
}
