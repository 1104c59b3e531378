package controller

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

// world is a controller over a real store with a simulated agent and load
// balancer, stepped by hand under a fake clock, so that every rule of the
// controller can be checked deterministically.
type world struct {
	t        testing.TB
	st       *state.State
	c        *Controller
	lb       *fakeLB
	now      time.Time
	instance string
	port     int
	// crash names task definition families whose tasks exit at once.
	crash map[string]bool
	mu    sync.Mutex
}

type fakeLB struct {
	mu      sync.Mutex
	health  map[string]lb.TargetHealth // "tg|id:port" -> health
	dflt    string                     // state of targets not in health
	changes *store.Notifier
	synced  int
	// hold, when set, makes Sync wait for it: the data planes have not
	// acknowledged yet.
	hold chan struct{}
}

func (f *fakeLB) Sync(ctx context.Context) (uint64, error) {
	f.mu.Lock()
	f.synced++
	hold := f.hold
	f.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	return 1, nil
}

func (f *fakeLB) TargetHealth(tg string) []lb.TargetHealth { return nil }

func (f *fakeLB) WaitDrained(context.Context, string, string, int) error { return nil }

func (f *fakeLB) HealthChanges() *store.Notifier { return f.changes }

// healthFor serves the controller's TargetHealth from the registered targets.
type healthLB struct {
	*fakeLB
	w *world
}

func (h healthLB) TargetHealth(tg string) []lb.TargetHealth {
	var out []lb.TargetHealth
	_ = h.w.st.View(context.Background(), func(tx state.Tx) error {
		targets, _ := tx.Targets(tg)
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, t := range targets {
			th, ok := h.health[targetKey(t.ID, t.Port)]
			if !ok {
				th = lb.TargetHealth{State: h.dflt}
			}
			th.Target = lb.Target{ID: t.ID, Port: t.Port}
			out = append(out, th)
		}
		return nil
	})
	return out
}

func newWorld(t testing.TB, withLB bool) *world {
	t.Helper()
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := &world{t: t, now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), port: 30000, crash: map[string]bool{}}
	w.st = state.New(db, model.Partition{Region: "us-east-1", Account: "000000000000"}, func() time.Time {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.now
	})
	w.lb = &fakeLB{health: map[string]lb.TargetHealth{}, dflt: "healthy", changes: store.NewNotifier()}
	var balancer LoadBalancer
	if withLB {
		balancer = healthLB{w.lb, w}
	}
	w.c = New(w.st, balancer, Options{})
	w.instance = w.st.Partition.ContainerInstanceARN("default", "node")
	w.update(func(tx state.Tx) error {
		if err := tx.PutCluster(model.Cluster{Name: "default", ARN: tx.Partition.ClusterARN("default"), Status: model.ClusterActive}); err != nil {
			return err
		}
		return tx.PutInstance(model.ContainerInstance{ARN: w.instance, EC2InstanceID: "i-0123456789abcdef0", Status: "ACTIVE",
			Internal: model.InstanceInternal{ID: "node", Cluster: "default"}})
	})
	return w
}

func (w *world) update(fn func(tx state.Tx) error) {
	w.t.Helper()
	if err := w.st.Update(context.Background(), fn); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	w.now = w.now.Add(d)
	w.mu.Unlock()
}

func (w *world) registerTD(family string, rev int, healthCheck bool) string {
	w.t.Helper()
	c := map[string]any{"name": "web", "image": family, "portMappings": []any{map[string]any{"containerPort": 8080}}}
	if healthCheck {
		c["healthCheck"] = map[string]any{"command": []any{"CMD", "true"}}
	}
	raw, _ := json.Marshal(map[string]any{"family": family, "containerDefinitions": []any{c}})
	doc, spec, err := model.NormalizeTaskDefinition(raw)
	if err != nil {
		w.t.Fatal(err)
	}
	td := model.TaskDefinition{ARN: w.st.Partition.TaskDefinitionARN(family, rev), Family: family, Revision: rev,
		Status: model.TaskDefinitionActive, Document: doc, Spec: spec}
	w.update(func(tx state.Tx) error { return tx.PutTaskDefinition(td) })
	return td.ARN
}

// createService stores a service as the API would and returns it.
func (w *world) createService(name, td string, desired int, cfg model.DeploymentConfiguration, lbs []model.LoadBalancer) {
	w.update(func(tx state.Tx) error {
		svc := model.Service{Name: name, ARN: tx.Partition.ServiceARN("default", name), ClusterARN: tx.Partition.ClusterARN("default"),
			Status: model.ServiceActive, DesiredCount: desired, DeploymentConfiguration: cfg, LoadBalancers: lbs, SchedulingStrategy: "REPLICA"}
		seq, err := tx.NextDeploymentSeq()
		if err != nil {
			return err
		}
		svc.StartDeployment(seq, td, w.now)
		return tx.PutService("default", svc)
	})
}

func (w *world) updateService(name string, fn func(tx state.Tx, s *model.Service) error) {
	w.update(func(tx state.Tx) error {
		s, err := tx.Service("default", name)
		if err != nil {
			return err
		}
		if err := fn(tx, &s); err != nil {
			return err
		}
		return tx.PutService("default", s)
	})
}

func (w *world) deploy(name, td string) {
	w.updateService(name, func(tx state.Tx, s *model.Service) error {
		seq, err := tx.NextDeploymentSeq()
		if err == nil {
			s.StartDeployment(seq, td, w.now)
		}
		return err
	})
}
