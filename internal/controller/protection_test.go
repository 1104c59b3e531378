package controller

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// ECS task scale-in protection: a scale-in leaves protected tasks running
// until their protection expires.
func TestScaleInKeepsProtectedTasks(t *testing.T) {
	w := newWorld(t, false)
	td := w.registerTD("talk", 1, false)
	w.createService("talk", td, 3, model.DeploymentConfiguration{}, nil)
	w.settle(10, "3 running", func() bool { return w.running(td) == 3 })
	protected := map[string]bool{}
	w.update(func(tx state.Tx) error {
		tasks, err := tx.Tasks("default")
		if err != nil {
			return err
		}
		for _, tk := range tasks[:2] {
			tk.Internal.ProtectedUntil = w.st.Now().Add(time.Hour)
			protected[tk.Internal.ID] = true
			if err := tx.PutTask(tk); err != nil {
				return err
			}
		}
		return nil
	})
	w.updateService("talk", func(_ state.Tx, s *model.Service) error {
		s.DesiredCount, s.Primary().DesiredCount = 1, 1
		return nil
	})
	w.settle(10, "2 running", func() bool { return w.running(td) == 2 })
	for range 5 {
		w.step()
		w.advance(time.Second)
	}
	for _, tk := range w.tasks() {
		if protected[tk.Internal.ID] && tk.DesiredStatus != model.TaskRunning {
			t.Fatalf("a protected task was stopped: %+v", tk)
		}
	}
	w.advance(time.Hour)
	w.settle(10, "1 running once protection expired", func() bool { return w.running(td) == 1 })
}
