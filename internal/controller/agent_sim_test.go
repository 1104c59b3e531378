package controller

import (
	"context"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/agent"
	"github.com/slipway-dev/slipway/internal/agentlink"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// step runs one controller pass, waits for its drain waiters, then lets the
// simulated agent act on every task as the real one would.
func (w *world) step() {
	w.t.Helper()
	if err := w.c.ReconcileOnce(context.Background()); err != nil {
		w.t.Fatal(err)
	}
	w.waitDrains()
	w.update(func(tx state.Tx) error {
		tasks, err := tx.Tasks("default")
		if err != nil {
			return err
		}
		for _, t := range tasks {
			if rep, ok := w.agentReport(t); ok {
				agentlink.ApplyReport(&t, rep)
				if err := tx.PutTask(t); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (w *world) waitDrains() {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		w.c.mu.Lock()
		n := len(w.c.draining)
		w.c.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	w.t.Fatal("drain waiters did not finish")
}

// agentReport is what the agent would report next for a task: start it
// (or see it crash at once), or stop it once it may.
func (w *world) agentReport(t model.Task) (agent.TaskReport, bool) {
	rep := agent.TaskReport{Cluster: "default", TaskID: t.Internal.ID, At: w.st.Now()}
	family := t.TaskDefinitionARN[strings.LastIndex(t.TaskDefinitionARN, "/")+1 : strings.LastIndex(t.TaskDefinitionARN, ":")]
	switch {
	case t.LastStatus == model.TaskStopped:
		return rep, false
	case t.DesiredStatus == model.TaskStopped && !liveTargets(t):
		rep.LastStatus = model.TaskStopped
		rep.Containers = []agent.ContainerReport{{Name: "web", LastStatus: model.TaskStopped, ExitCode: intPtr(0)}}
		return rep, true
	case t.LastStatus == model.TaskProvisioning && w.crash[family]:
		rep.LastStatus = model.TaskStopped
		rep.StopCode, rep.StoppedReason = model.StopEssentialContainerExited, "Essential container in task exited"
		rep.LogTail = "panic: configuration missing"
		rep.Containers = []agent.ContainerReport{{Name: "web", LastStatus: model.TaskStopped, ExitCode: intPtr(1), Reason: "exit status 1"}}
		return rep, true
	case t.LastStatus == model.TaskProvisioning:
		w.port++
		rep.LastStatus = model.TaskRunning
		rep.HealthStatus = model.HealthHealthy
		rep.Containers = []agent.ContainerReport{{Name: "web", LastStatus: model.TaskRunning,
			NetworkBindings: []model.NetworkBinding{{BindIP: "0.0.0.0", ContainerPort: 8080, HostPort: w.port, Protocol: "tcp"}}}}
		return rep, true
	}
	return rep, false
}

func liveTargets(t model.Task) bool {
	for _, tt := range t.Internal.Targets {
		if tt.State != model.TargetDeregistered {
			return true
		}
	}
	return false
}

func intPtr(n int) *int { return &n }

// settle steps until cond holds, failing after max steps.
func (w *world) settle(max int, what string, cond func() bool) {
	w.t.Helper()
	for range max {
		w.step()
		if cond() {
			return
		}
		w.advance(time.Second)
	}
	w.t.Fatalf("%s: not reached after %d steps; service: %+v", what, max, w.service("talk"))
}

func (w *world) service(name string) model.Service {
	var s model.Service
	_ = w.st.View(context.Background(), func(tx state.Tx) error {
		var err error
		s, err = tx.Service("default", name)
		return err
	})
	return s
}

func (w *world) tasks() []model.Task {
	var out []model.Task
	_ = w.st.View(context.Background(), func(tx state.Tx) error {
		var err error
		out, err = tx.Tasks("default")
		return err
	})
	return out
}

// running counts tasks of a task definition that run and want to.
func (w *world) running(td string) int {
	n := 0
	for _, t := range w.tasks() {
		if t.TaskDefinitionARN == td && t.LastStatus == model.TaskRunning && t.DesiredStatus == model.TaskRunning {
			n++
		}
	}
	return n
}

func (w *world) hasEvent(name, part string) bool {
	for _, e := range w.service(name).Events {
		if strings.Contains(e.Message, part) {
			return true
		}
	}
	return false
}

func (w *world) completed(name, td string) bool {
	s := w.service(name)
	p := s.Primary()
	return p != nil && len(s.Deployments) == 1 && p.TaskDefinition == td && p.RolloutState == model.RolloutCompleted
}
