package state

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

func openELBState(t *testing.T) *State {
	t.Helper()
	s, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return New(s, model.Partition{Region: "us-east-1", Account: "000000000000"}, nil)
}

func TestELBTargetsRegisterDeregister(t *testing.T) {
	st := openELBState(t)
	ctx := context.Background()
	port := 8080
	tg, err := model.NewTargetGroup(st.Partition, model.TargetGroupSpec{Name: "web", Protocol: "HTTP", Port: &port}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx Tx) error {
		if err := tx.PutTargetGroup(tg); err != nil {
			return err
		}
		if err := tx.RegisterTargets(tg.ARN, []model.TargetDescription{{ID: "i-1", Revision: "web:1"}, {ID: "i-1", Port: 9000}}); err != nil {
			return err
		}
		// Re-registering without a revision keeps the revision.
		return tx.RegisterTargets(tg.ARN, []model.TargetDescription{{ID: "i-1", AvailabilityZone: "us-east-1a"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = st.View(ctx, func(tx Tx) error {
		ts, err := tx.Targets(tg.ARN)
		if err != nil || len(ts) != 2 || ts[0].Port != 8080 || ts[0].Revision != "web:1" || ts[0].AvailabilityZone != "us-east-1a" || ts[1].Port != 9000 {
			t.Errorf("targets = %+v, %v", ts, err)
		}
		if _, err := tx.TargetGroup(tg.ARN + "0"); !errors.Is(err, ErrTargetGroupNotFound) {
			t.Errorf("other id: %v", err)
		}
		if _, err := tx.TargetGroup("arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/nope/0123456789abcdef"); !errors.Is(err, ErrTargetGroupNotFound) || !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
		return nil
	})
	err = st.Update(ctx, func(tx Tx) error {
		return tx.DeregisterTargets(tg.ARN, []model.TargetDescription{{ID: "i-1"}, {ID: "i-9"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = st.View(ctx, func(tx Tx) error {
		ts, _ := tx.Targets(tg.ARN)
		if len(ts) != 1 || ts[0].Port != 9000 {
			t.Errorf("after deregister: %+v", ts)
		}
		return nil
	})
	var verr *model.ValidationError
	err = st.Update(ctx, func(tx Tx) error {
		return tx.RegisterTargets(tg.ARN, []model.TargetDescription{{ID: "i-2", Port: 70000}})
	})
	if !errors.As(err, &verr) {
		t.Fatalf("bad port: %v", err)
	}
}

func TestELBDeleteCascades(t *testing.T) {
	st := openELBState(t)
	ctx := context.Background()
	port := 80
	a, _ := model.NewALB(st.Partition, model.ALBSpec{Name: "lb"}, time.Now())
	tg, _ := model.NewTargetGroup(st.Partition, model.TargetGroupSpec{Name: "web", Protocol: "HTTP", Port: &port}, time.Now())
	l := model.Listener{ARN: model.ListenerARN(a.ARN, model.NewELBID()), LoadBalancerARN: a.ARN, Port: 80, Protocol: "HTTP",
		DefaultActions: []model.ELBAction{{Type: "forward", Order: 1, TargetGroupARN: tg.ARN,
			Forward: &model.ForwardConfig{TargetGroups: []model.WeightedTargetGroup{{ARN: tg.ARN}}}}}}
	l.DefaultRuleARN = model.RuleARN(l.ARN, model.NewELBID())
	rule := model.Rule{ARN: model.RuleARN(l.ARN, model.NewELBID()), ListenerARN: l.ARN, Priority: 1}
	err := st.Update(ctx, func(tx Tx) error {
		for _, f := range []func() error{
			func() error { return tx.PutLoadBalancer(a) }, func() error { return tx.PutTargetGroup(tg) },
			func() error { return tx.PutListener(l) }, func() error { return tx.PutRule(rule) },
			func() error { return tx.PutELBTags(rule.ARN, []model.Tag{{Key: "k", Value: "v"}}) },
		} {
			if err := f(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx Tx) error { return tx.DeleteTargetGroup(tg.ARN) })
	if !errors.Is(err, ErrTargetGroupInUse) {
		t.Fatalf("delete used group: %v", err)
	}
	_ = st.View(ctx, func(tx Tx) error {
		if _, l2, err := tx.AnyRule(l.DefaultRuleARN); err != nil || l2.ARN != l.ARN {
			t.Errorf("default rule: %v", err)
		}
		if err := tx.ELBResourceExists(rule.ARN); err != nil {
			t.Errorf("rule exists: %v", err)
		}
		users, _ := tx.TargetGroupLoadBalancers()
		if len(users[tg.ARN]) != 1 || users[tg.ARN][0] != a.ARN {
			t.Errorf("users = %v", users)
		}
		return nil
	})
	if err := st.Update(ctx, func(tx Tx) error { return tx.DeleteLoadBalancer(a.ARN) }); err != nil {
		t.Fatal(err)
	}
	_ = st.View(ctx, func(tx Tx) error {
		if _, err := tx.Listener(l.ARN); !errors.Is(err, ErrListenerNotFound) {
			t.Errorf("listener after delete: %v", err)
		}
		if _, err := tx.Rule(rule.ARN); !errors.Is(err, ErrRuleNotFound) {
			t.Errorf("rule after delete: %v", err)
		}
		if tags, _ := tx.ELBTags(rule.ARN); len(tags) != 0 {
			t.Errorf("tags after delete: %v", tags)
		}
		return nil
	})
	if err := st.Update(ctx, func(tx Tx) error { return tx.DeleteTargetGroup(tg.ARN) }); err != nil {
		t.Fatal(err)
	}
}
