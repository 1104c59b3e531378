package controller

import (
	"testing"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// StopServiceDeployment's rollback: a healthy deployment in progress, with
// no rollback configured, fails and rolls back to the last completed one.
func TestRequestedStopRollsBack(t *testing.T) {
	w := newWorld(t, false)
	v1 := w.registerTD("talk", 1, false)
	w.createService("talk", v1, 2, model.DeploymentConfiguration{}, nil)
	w.settle(10, "v1 steady", func() bool { return w.completed("talk", v1) })
	v2 := w.registerTD("talk", 2, false)
	w.deploy("talk", v2)
	w.updateService("talk", func(_ state.Tx, s *model.Service) error {
		s.Primary().Internal.Outcome = model.OutcomeRollbackRequested
		return nil
	})
	w.settle(20, "rolled back to v1", func() bool { return w.completed("talk", v1) && w.running(v2) == 0 })
	s := w.service("talk")
	var stopped *model.Deployment
	for i := range s.Internal.History {
		if s.Internal.History[i].TaskDefinition == v2 {
			stopped = &s.Internal.History[i]
		}
	}
	if stopped == nil || stopped.RolloutState != model.RolloutFailed || stopped.Internal.Outcome != model.OutcomeRollbackSuccessful {
		t.Fatalf("stopped deployment: %+v", stopped)
	}
	if !w.hasEvent("talk", "deployment stopped: a rollback was requested.") {
		t.Fatalf("events: %+v", s.Events)
	}
}
