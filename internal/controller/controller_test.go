package controller

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

func pct(n int) *int { return &n }

func breaker(rollback bool) model.DeploymentConfiguration {
	return model.DeploymentConfiguration{DeploymentCircuitBreaker: &model.DeploymentCircuitBreaker{Enable: true, Rollback: rollback}}
}

func TestServiceReachesSteadyStateWithECSEvents(t *testing.T) {
	w := newWorld(t, false)
	td := w.registerTD("talk", 1, false)
	w.createService("talk", td, 2, model.DeploymentConfiguration{}, nil)
	w.settle(10, "steady", func() bool { return w.completed("talk", td) && w.hasEvent("talk", "has reached a steady state.") })
	if w.running(td) != 2 || !w.hasEvent("talk", "has started 2 tasks: (task ") ||
		!w.hasEvent("talk", "deployment completed.") {
		t.Fatalf("events: %+v", w.service("talk").Events)
	}
	svc := w.service("talk")
	d := svc.Primary()
	if d.RunningCount != 2 || d.PendingCount != 0 || !strings.HasSuffix(d.RolloutStateReason, "completed.") {
		t.Fatalf("deployment: %+v", d)
	}
}

func TestScaleOutInAndDelete(t *testing.T) {
	w := newWorld(t, false)
	td := w.registerTD("talk", 1, false)
	w.createService("talk", td, 2, model.DeploymentConfiguration{}, nil)
	w.settle(10, "2 running", func() bool { return w.running(td) == 2 })
	scale := func(n int) {
		w.updateService("talk", func(_ state.Tx, s *model.Service) error {
			s.DesiredCount, s.Primary().DesiredCount = n, n
			return nil
		})
	}
	scale(4)
	w.settle(10, "4 running", func() bool { return w.running(td) == 4 })
	scale(1)
	w.settle(10, "1 running", func() bool { return w.running(td) == 1 })
	if len(w.service("talk").Internal.History) != 0 {
		t.Fatal("scaling started a deployment")
	}
	w.updateService("talk", func(_ state.Tx, s *model.Service) error {
		s.BeginDeletion()
		return nil
	})
	w.settle(10, "inactive", func() bool { return w.service("talk").Status == model.ServiceInactive })
	for _, tk := range w.tasks() {
		if tk.LastStatus != model.TaskStopped {
			t.Fatalf("task left running: %+v", tk)
		}
	}
}

func TestCircuitBreakerRollsBackToLastCompleted(t *testing.T) {
	w := newWorld(t, false)
	good := w.registerTD("talk", 1, false)
	w.createService("talk", good, 4, breaker(true), nil)
	w.settle(10, "v1 steady", func() bool { return w.completed("talk", good) })
	w.crash["bad"] = true
	bad := w.registerTD("bad", 1, false)
	w.deploy("talk", bad)
	w.settle(20, "rolled back", func() bool { return w.completed("talk", good) })
	s := w.service("talk")
	var failed *model.Deployment
	for i := range s.Internal.History {
		if s.Internal.History[i].TaskDefinition == bad {
			failed = &s.Internal.History[i]
		}
	}
	if failed == nil || failed.RolloutState != model.RolloutFailed || failed.FailedTasks < 3 ||
		!strings.Contains(failed.RolloutStateReason, "exit code 1") || !strings.Contains(failed.RolloutStateReason, "panic: configuration missing") ||
		failed.Internal.Outcome != "ROLLBACK_SUCCESSFUL" {
		t.Fatalf("failed deployment: %+v", failed)
	}
	if !w.hasEvent("talk", "deployment failed: tasks failed to start.") || !w.hasEvent("talk", "rolling back to deployment ecs-svc/") {
		t.Fatalf("events: %+v", s.Events)
	}
	if w.running(good) != 4 {
		t.Fatalf("running v1 tasks: %d", w.running(good))
	}
}

func TestFirstDeploymentFailureHasNothingToRollBackTo(t *testing.T) {
	w := newWorld(t, false)
	w.crash["bad"] = true
	bad := w.registerTD("bad", 1, false)
	w.createService("talk", bad, 2, breaker(true), nil)
	w.settle(20, "failed", func() bool {
		svc := w.service("talk")
		p := svc.Primary()
		return p != nil && p.RolloutState == model.RolloutFailed
	})
	started := len(w.tasks())
	for range 5 {
		w.step()
		w.advance(10 * time.Minute)
	}
	if len(w.tasks()) != started {
		t.Fatalf("a failed first deployment kept launching: %d -> %d tasks", started, len(w.tasks()))
	}
	if !w.hasEvent("talk", "has no completed deployment to roll back to") {
		t.Fatalf("events: %+v", w.service("talk").Events)
	}
}

func TestThrottleAfterRepeatedFailuresWithoutBreaker(t *testing.T) {
	w := newWorld(t, false)
	w.crash["bad"] = true
	bad := w.registerTD("bad", 1, false)
	w.createService("talk", bad, 1, model.DeploymentConfiguration{}, nil)
	w.settle(10, "throttled", func() bool {
		return w.hasEvent("talk", "is unable to consistently start tasks successfully.")
	})
	if !w.hasEvent("talk", "tasks are failing: Essential container in task exited (container web exit code 1).") {
		t.Fatalf("no failure reason among the events: %+v", w.service("talk").Events)
	}
	s := w.service("talk")
	if !s.Internal.BackoffUntil.After(w.st.Now()) {
		t.Fatalf("no backoff: %+v", s.Internal)
	}
	before := len(w.tasks())
	w.step()
	if len(w.tasks()) != before {
		t.Fatal("launched during backoff")
	}
}

func TestConfigurationThatCannotProgressIsReported(t *testing.T) {
	w := newWorld(t, false)
	v1 := w.registerTD("talk", 1, false)
	w.createService("talk", v1, 1, model.DeploymentConfiguration{MinimumHealthyPercent: pct(100), MaximumPercent: pct(100)}, nil)
	w.settle(10, "v1 steady", func() bool { return w.completed("talk", v1) })
	w.deploy("talk", w.registerTD("talk", 2, false))
	w.settle(5, "stuck event", func() bool {
		return w.hasEvent("talk", "was unable to stop or start tasks during a deployment because of the service deployment configuration.")
	})
}

func TestRollingWithLoadBalancerDrainsBeforeStopping(t *testing.T) {
	w := newWorld(t, true)
	tg := "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/talk/0123456789abcdef"
	w.update(func(tx state.Tx) error {
		return tx.PutTargetGroup(model.TargetGroup{ARN: tg, Name: "talk", Protocol: "HTTP", Port: 8080, TargetType: "instance"})
	})
	lbs := []model.LoadBalancer{{TargetGroupARN: tg, ContainerName: "web", ContainerPort: 8080}}
	v1 := w.registerTD("talk", 1, false)
	w.createService("talk", v1, 2, model.DeploymentConfiguration{}, lbs)
	w.settle(10, "v1 steady", func() bool { return w.completed("talk", v1) })
	if !w.hasEvent("talk", "registered 2 targets in (target-group "+tg+")") && !w.hasEvent("talk", "registered 1 targets") {
		t.Fatalf("events: %+v", w.service("talk").Events)
	}
	for _, tk := range w.tasks() { // the old targets stay healthy; new ones start in "initial"
		for _, tt := range tk.Internal.Targets {
			w.lb.health[targetKey(tt.TargetID, tt.Port)] = lb.TargetHealth{State: "healthy"}
		}
	}
	w.lb.dflt = "initial"
	v2 := w.registerTD("talk", 2, false)
	w.deploy("talk", v2)
	for range 3 {
		w.step()
	}
	if w.running(v1) != 2 {
		t.Fatalf("old tasks stopped before new ones were healthy: %d running", w.running(v1))
	}
	w.lb.dflt = "healthy"
	w.settle(10, "v2 steady", func() bool { return w.completed("talk", v2) })
	var msgs []string
	for _, e := range w.service("talk").Events {
		msgs = append([]string{e.Message}, msgs...)
	}
	order := []string{"deregistered", "has begun draining connections on", "has stopped 1 running tasks"}
	last := -1
	for _, want := range order {
		i := slices.IndexFunc(msgs, func(m string) bool { return strings.Contains(m, want) })
		if i <= last {
			t.Fatalf("event %q out of order in %v", want, msgs)
		}
		last = i
	}
	targets := 0
	_ = w.st.View(t.Context(), func(tx state.Tx) error {
		ts, _ := tx.Targets(tg)
		targets = len(ts)
		return nil
	})
	if targets != 2 || w.lb.synced == 0 {
		t.Fatalf("registered targets %d, syncs %d", targets, w.lb.synced)
	}
}

func TestUnhealthyTargetReplacedOnlyAfterGrace(t *testing.T) {
	w := newWorld(t, true)
	tg := "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/talk/0123456789abcdef"
	w.update(func(tx state.Tx) error {
		return tx.PutTargetGroup(model.TargetGroup{ARN: tg, Name: "talk", Protocol: "HTTP", Port: 8080, TargetType: "instance"})
	})
	v1 := w.registerTD("talk", 1, false)
	w.createService("talk", v1, 1, model.DeploymentConfiguration{}, []model.LoadBalancer{{TargetGroupARN: tg, ContainerName: "web", ContainerPort: 8080}})
	w.updateService("talk", func(_ state.Tx, s *model.Service) error {
		s.HealthCheckGracePeriodSeconds = pct(60)
		return nil
	})
	w.lb.dflt = "unhealthy"
	for range 3 {
		w.step()
	}
	if w.running(v1) != 1 {
		t.Fatal("task replaced within the grace period")
	}
	w.advance(2 * time.Minute)
	w.settle(5, "replaced", func() bool {
		for _, tk := range w.tasks() {
			if strings.HasPrefix(tk.StoppedReason, "Task failed ELB health checks in (target-group ") {
				return true
			}
		}
		return false
	})
	if !w.hasEvent("talk", "is unhealthy in (target-group "+tg+")") {
		t.Fatalf("events: %+v", w.service("talk").Events)
	}
}

// TestRestartedDataPlaneDoesNotFailHealthyTasks: after a restart every
// target is "initial" again; tasks that were healthy must keep counting, or
// a deployment in progress would stop its old tasks all at once.
func TestRestartedDataPlaneDoesNotFailHealthyTasks(t *testing.T) {
	w := newWorld(t, true)
	tg := "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/talk/0123456789abcdef"
	w.update(func(tx state.Tx) error {
		return tx.PutTargetGroup(model.TargetGroup{ARN: tg, Name: "talk", Protocol: "HTTP", Port: 8080, TargetType: "instance"})
	})
	v1 := w.registerTD("talk", 1, false)
	w.createService("talk", v1, 2, model.DeploymentConfiguration{}, []model.LoadBalancer{{TargetGroupARN: tg, ContainerName: "web", ContainerPort: 8080}})
	w.settle(10, "v1 steady", func() bool { return w.completed("talk", v1) })
	w.lb.dflt = "initial" // every target, old and new, is being checked afresh
	w.deploy("talk", w.registerTD("talk", 2, false))
	for range 3 {
		w.step()
	}
	if w.running(v1) != 2 {
		t.Fatalf("old tasks were stopped while the data plane re-checked them: %d running", w.running(v1))
	}
}

func TestStoppedTasksArePrunedAfterRetention(t *testing.T) {
	w := newWorld(t, false)
	td := w.registerTD("talk", 1, false)
	var spec model.TaskDefinition
	_ = w.st.View(t.Context(), func(tx state.Tx) error { spec, _ = tx.ResolveTaskDefinition(td); return nil })
	stopped := func(age time.Duration) model.Task {
		tk := model.NewTask(w.st.Partition, model.NewTaskInput{Cluster: "default", Definition: spec, InstanceARN: w.instance, Now: w.now})
		tk.LastStatus, tk.DesiredStatus, tk.StoppedAt = model.TaskStopped, model.TaskStopped, model.Ptr(w.now.Add(-age))
		return tk
	}
	old, recent := stopped(2*time.Hour), stopped(10*time.Minute)
	w.update(func(tx state.Tx) error {
		if err := tx.PutTask(old); err != nil {
			return err
		}
		return tx.PutTask(recent)
	})
	w.step()
	ids := map[string]bool{}
	for _, tk := range w.tasks() {
		ids[tk.Internal.ID] = true
	}
	if ids[old.Internal.ID] || !ids[recent.Internal.ID] {
		t.Fatalf("after a pass: old kept %v, recent kept %v", ids[old.Internal.ID], ids[recent.Internal.ID])
	}
}
