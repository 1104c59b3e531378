package controller

import (
	"encoding/json"
	"testing"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// A service's capacityProviderStrategy splits its tasks by base and weight,
// and a scale-up keeps the split of the tasks it already runs.
func TestServiceCapacityProviderSplit(t *testing.T) {
	w := newWorld(t, false)
	v1 := w.registerTD("talk", 1, false)
	w.createService("talk", v1, 4, model.DeploymentConfiguration{}, nil)
	w.updateService("talk", func(_ state.Tx, s *model.Service) error {
		s.LaunchType = ""
		s.CapacityProviderStrategy = json.RawMessage(`[{"capacityProvider":"FARGATE","base":2,"weight":1},{"capacityProvider":"FARGATE_SPOT","weight":1}]`)
		return nil
	})
	split := func() map[string]int {
		m := map[string]int{}
		for _, tk := range w.tasks() {
			if tk.DesiredStatus == model.TaskRunning {
				m[tk.CapacityProviderName+"/"+tk.LaunchType]++
			}
		}
		return m
	}
	w.settle(20, "4 tasks", func() bool { return w.completed("talk", v1) })
	if m := split(); m["FARGATE/FARGATE"] != 3 || m["FARGATE_SPOT/FARGATE"] != 1 {
		t.Fatalf("split of 4: %v", m)
	}
	w.updateService("talk", func(_ state.Tx, s *model.Service) error {
		s.DesiredCount, s.Primary().DesiredCount = 8, 8
		return nil
	})
	w.settle(20, "8 tasks", func() bool { return w.running(v1) == 8 })
	if m := split(); m["FARGATE/FARGATE"] != 5 || m["FARGATE_SPOT/FARGATE"] != 3 {
		t.Fatalf("split of 8: %v", m)
	}
}
