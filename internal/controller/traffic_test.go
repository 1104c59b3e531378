package controller

import (
	"context"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// shiftWorld is a world with a blue/alternate target group pair behind a
// listener whose default rule is the production rule.
func shiftWorld(t *testing.T) (w *world, lbs []model.LoadBalancer, listener string) {
	w = newWorld(t, true)
	p := w.st.Partition
	blue, alt := p.TargetGroupARN("talk", "0123456789abcdef"), p.TargetGroupARN("talk-alt", "fedcba9876543210")
	listener = model.ListenerARN(p.LoadBalancerARN("talk", "00112233aabbccdd"), "0a0b0c0d0e0f0a0b")
	w.update(func(tx state.Tx) error {
		for name, tg := range map[string]string{"talk": blue, "talk-alt": alt} {
			if err := tx.PutTargetGroup(model.TargetGroup{ARN: tg, Name: name, Protocol: "HTTP", Port: 8080, TargetType: "instance"}); err != nil {
				return err
			}
		}
		return tx.PutListener(model.Listener{ARN: listener, Port: 8000, Protocol: "HTTP", DefaultRuleARN: model.RuleARN(listener, "default"),
			DefaultActions: []model.ELBAction{{Type: model.ActionForward, Order: 1, TargetGroupARN: blue,
				Forward: &model.ForwardConfig{TargetGroups: []model.WeightedTargetGroup{{ARN: blue, Weight: new(1)}}}}}})
	})
	lbs = []model.LoadBalancer{{TargetGroupARN: blue, ContainerName: "web", ContainerPort: 8080,
		AdvancedConfiguration: &model.AdvancedConfiguration{AlternateTargetGroupARN: alt, ProductionListenerRule: model.RuleARN(listener, "default")}}}
	return w, lbs, listener
}

func (w *world) weights(listener string) map[string]int {
	out := map[string]int{}
	_ = w.st.View(context.Background(), func(tx state.Tx) error {
		l, err := tx.Listener(listener)
		if err != nil {
			return err
		}
		for _, g := range l.DefaultActions[0].Forward.TargetGroups {
			out[g.ARN] = *g.Weight
		}
		return nil
	})
	return out
}

// waitAcks waits for the acknowledgement waiters the passes started.
func (w *world) waitAcks() {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		w.c.mu.Lock()
		n := len(w.c.acking)
		w.c.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	w.t.Fatal("acknowledgement waiters did not finish")
}

// TestCanaryWaitsForEveryAcknowledgement: the canary's weights are written
// at once, but its bake starts, and traffic moves on, only once the data
// planes acknowledged them; blue keeps all its tasks until the clean-up.
func TestCanaryWaitsForEveryAcknowledgement(t *testing.T) {
	w, lbs, listener := shiftWorld(t)
	blue, alt := lbs[0].TargetGroupARN, lbs[0].AdvancedConfiguration.AlternateTargetGroupARN
	cfg := model.DeploymentConfiguration{Strategy: model.StrategyCanary,
		CanaryConfiguration: &model.CanaryConfiguration{CanaryPercent: new(10.0), CanaryBakeTimeInMinutes: new(5)}}
	v1 := w.registerTD("talk", 1, false)
	w.createService("talk", v1, 2, cfg, lbs)
	w.settle(20, "v1 steady", func() bool { w.waitAcks(); return w.completed("talk", v1) })
	v2 := w.registerTD("talk", 2, false)
	w.deploy("talk", v2)
	w.settle(20, "canary weights written", func() bool { w.waitAcks(); return w.weights(listener)[alt] == 10 })
	w.lb.mu.Lock()
	w.lb.hold = make(chan struct{})
	w.lb.mu.Unlock()
	w.advance(6 * time.Minute) // past the bake, but the weights were acknowledged already: they move on
	w.step()
	if got := w.weights(listener); got[alt] != 100 {
		t.Fatalf("after the canary's bake: %v", got)
	}
	// 100% is written and not acknowledged: nothing moves, blue stays.
	for range 3 {
		w.advance(time.Hour)
		w.step()
	}
	svc := w.service("talk")
	if stage := svc.Primary().Internal.Traffic.Stage; w.running(v1) != 2 || stage != model.StageProductionTrafficShift {
		t.Fatalf("moved on before the acknowledgement: %d blue running, stage %s", w.running(v1), stage)
	}
	close(w.lb.hold)
	w.waitAcks()
	w.settle(20, "v2 steady", func() bool { w.waitAcks(); return w.completed("talk", v2) })
	if got := w.service("talk").Internal.LiveTargetGroups[blue]; got != alt {
		t.Fatalf("live target group after the deployment: %q", got)
	}
}
