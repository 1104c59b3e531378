package lbsync

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

func TestCompile(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	blue := f.targetGroup("blue", 8080,
		model.TargetGroupAttribute{Key: model.AttrDeregistrationDelay, Value: "10"},
		model.TargetGroupAttribute{Key: model.AttrStickinessEnabled, Value: "true"},
		model.TargetGroupAttribute{Key: model.AttrStickinessLBDuration, Value: "3600"},
		model.TargetGroupAttribute{Key: model.AttrAlgorithm, Value: "least_outstanding_requests"})
	green := f.targetGroup("green", 9090, model.TargetGroupAttribute{Key: model.AttrSlowStart, Value: "30"})
	f.register(blue.ARN, model.TargetDescription{ID: "i-0abc", Revision: "talk:3"}, model.TargetDescription{ID: "127.0.0.2", Port: 7000})
	l := f.listener(8000, forward(map[string]int{blue.ARN: 1}))
	weighted := forward(map[string]int{blue.ARN: 80, green.ARN: 20})
	weighted[0].Forward.Stickiness = model.TargetGroupStickiness{Enabled: true, DurationSeconds: 60}
	rule := model.Rule{ARN: model.RuleARN(l.ARN, model.NewELBID()), ListenerARN: l.ARN, Priority: 10, Actions: weighted,
		Conditions: []model.RuleCondition{
			{Field: model.FieldPathPattern, Values: []string{"/api/*"}},
			{Field: model.FieldHTTPHeader, HTTPHeaderName: "X-Canary", Values: []string{"yes"}},
			{Field: model.FieldQueryString, QueryString: []model.QueryStringPair{{Key: "v", Value: "2"}}},
		}}
	f.update(func(tx state.Tx) error { return tx.PutRule(rule) })

	var cfg lb.Config
	err := st.View(ctx, func(tx state.Tx) error {
		var err error
		cfg, err = Compile(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.TargetGroups) != 2 || len(cfg.Listeners) != 1 {
		t.Fatalf("config = %+v", cfg)
	}
	byARN := map[string]lb.TargetGroup{}
	for _, g := range cfg.TargetGroups {
		byARN[g.ARN] = g
	}
	b := byARN[blue.ARN]
	if b.DeregistrationDelay != 10*time.Second || !b.Stickiness.Enabled || b.Stickiness.Duration != time.Hour ||
		b.Algorithm != lb.AlgorithmLOR || b.HealthCheck.Path != "/health" || b.HealthCheck.Interval != 5*time.Second ||
		b.HealthCheck.HealthyThreshold != 2 || b.HealthCheck.Matcher != "200" || b.HealthCheck.Port != "traffic-port" {
		t.Errorf("blue = %+v", b)
	}
	wantTargets := []lb.Target{{ID: "127.0.0.2", Host: "127.0.0.2", Port: 7000}, {ID: "i-0abc", Host: "127.0.0.1", Port: 8080, Revision: "talk:3"}}
	if len(b.Targets) != 2 || b.Targets[0] != wantTargets[0] || b.Targets[1] != wantTargets[1] {
		t.Errorf("targets = %+v", b.Targets)
	}
	if g := byARN[green.ARN]; g.SlowStart != 30*time.Second || g.Algorithm != lb.AlgorithmRoundRobin || g.Stickiness.Enabled {
		t.Errorf("green = %+v", g)
	}
	cl := cfg.Listeners[0]
	if cl.Port != 8000 || cl.Protocol != "HTTP" || cl.DefaultActions[0].Forward[0] != (lb.WeightedTargetGroup{ARN: blue.ARN, Weight: 1}) {
		t.Errorf("listener = %+v", cl)
	}
	r := cl.Rules[0]
	if r.Priority != 10 || len(r.Conditions) != 3 || r.Conditions[0].Values[0] != "/api/*" ||
		r.Conditions[1].HeaderName != "X-Canary" || r.Conditions[2].Query[0] != (lb.KeyValue{Key: "v", Value: "2"}) {
		t.Errorf("rule = %+v", r)
	}
	weights := map[string]int{}
	for _, w := range r.Actions[0].Forward {
		weights[w.ARN] = w.Weight
	}
	if weights[blue.ARN] != 80 || weights[green.ARN] != 20 || !r.Actions[0].Stickiness.Enabled || r.Actions[0].Stickiness.Duration != time.Minute {
		t.Errorf("rule action = %+v", r.Actions[0])
	}
}

func TestCompileFixedResponseAndRedirect(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	actions, err := model.NormalizeActions([]model.ELBAction{{Type: model.ActionFixedResponse,
		FixedResponse: &model.FixedResponseConfig{StatusCode: "503", ContentType: "text/plain", MessageBody: "down"}}})
	if err != nil {
		t.Fatal(err)
	}
	l := f.listener(8001, actions)
	redirect, err := model.NormalizeActions([]model.ELBAction{{Type: model.ActionRedirect,
		Redirect: &model.RedirectConfig{Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301"}}})
	if err != nil {
		t.Fatal(err)
	}
	rule := model.Rule{ARN: model.RuleARN(l.ARN, model.NewELBID()), ListenerARN: l.ARN, Priority: 1, Actions: redirect,
		Conditions: []model.RuleCondition{{Field: model.FieldHostHeader, Values: []string{"old.example.com"}}}}
	f.update(func(tx state.Tx) error { return tx.PutRule(rule) })
	var cfg lb.Config
	_ = st.View(ctx, func(tx state.Tx) error { cfg, err = Compile(tx); return err })
	if err != nil {
		t.Fatal(err)
	}
	cl := cfg.Listeners[0]
	if fr := cl.DefaultActions[0].FixedResponse; fr == nil || *fr != (lb.FixedResponse{StatusCode: "503", ContentType: "text/plain", MessageBody: "down"}) {
		t.Errorf("fixed response = %+v", cl.DefaultActions[0])
	}
	want := lb.Redirect{Protocol: "HTTPS", Host: "#{host}", Port: "443", Path: "/#{path}", Query: "#{query}", StatusCode: "HTTP_301"}
	if rd := cl.Rules[0].Actions[0].Redirect; rd == nil || *rd != want {
		t.Errorf("redirect = %+v", cl.Rules[0].Actions[0])
	}
}
