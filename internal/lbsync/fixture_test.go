package lbsync

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
	"github.com/slipway-dev/slipway/internal/testutil"
)

var ctx = context.Background()

func newState(t *testing.T) *state.State {
	t.Helper()
	s, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return state.New(s, model.Partition{Region: "us-east-1", Account: "123456789012"}, nil)
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// fixture creates ELB records directly in the store.
type fixture struct {
	t  *testing.T
	st *state.State
	lb model.ALB
}

func newFixture(t *testing.T, st *state.State) *fixture {
	a, err := model.NewALB(st.Partition, model.ALBSpec{Name: "web"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, lb: a}
	f.update(func(tx state.Tx) error { return tx.PutLoadBalancer(a) })
	return f
}

func (f *fixture) update(fn func(tx state.Tx) error) {
	f.t.Helper()
	if err := f.st.Update(ctx, fn); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) targetGroup(name string, port int, attrs ...model.TargetGroupAttribute) model.TargetGroup {
	f.t.Helper()
	path, interval, timeout, healthy := "/health", 5, 2, 2
	tg, err := model.NewTargetGroup(f.st.Partition, model.TargetGroupSpec{
		Name: name, Protocol: "HTTP", Port: &port,
		HealthCheck: model.HealthCheckSpec{Path: &path, IntervalSeconds: &interval, TimeoutSeconds: &timeout, HealthyThreshold: &healthy},
	}, time.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	if len(attrs) > 0 {
		if err := tg.SetAttributes(attrs); err != nil {
			f.t.Fatal(err)
		}
	}
	f.update(func(tx state.Tx) error { return tx.PutTargetGroup(tg) })
	return tg
}

func forward(weights map[string]int) []model.ELBAction {
	a := model.ELBAction{Type: model.ActionForward, Forward: &model.ForwardConfig{}}
	for arn, w := range weights {
		a.Forward.TargetGroups = append(a.Forward.TargetGroups, model.WeightedTargetGroup{ARN: arn, Weight: &w})
	}
	out, err := model.NormalizeActions([]model.ELBAction{a})
	if err != nil {
		panic(err)
	}
	return out
}

func (f *fixture) listener(port int, actions []model.ELBAction) model.Listener {
	l := model.Listener{ARN: model.ListenerARN(f.lb.ARN, model.NewELBID()), LoadBalancerARN: f.lb.ARN,
		Port: port, Protocol: "HTTP", DefaultActions: actions}
	l.DefaultRuleARN = model.RuleARN(l.ARN, model.NewELBID())
	f.update(func(tx state.Tx) error { return tx.PutListener(l) })
	return l
}

func (f *fixture) register(tgARN string, targets ...model.TargetDescription) {
	f.update(func(tx state.Tx) error { return tx.RegisterTargets(tgARN, targets) })
}

func (f *fixture) deregister(tgARN string, targets ...model.TargetDescription) {
	f.update(func(tx state.Tx) error { return tx.DeregisterTargets(tgARN, targets) })
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, 10*time.Second, func() (bool, string) { return cond(), "waiting for " + what })
}
